package casework

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
)

// MaxFileBytes bounds a file on a case.
const MaxFileBytes = 10 << 20

// File is a file on a case, without its content.
type File struct {
	ID          int64
	Name        string
	ContentType string // sniffed from the content, never as declared
	Size        int64
	SHA256      string
	// Restricted marks proof-of-concept or exploit material: only people
	// on the case's access list see it, whatever their role, and it is
	// never exported publicly.
	Restricted bool
	AddedAt    time.Time
	AddedBy    string
}

// StoredFile is a file as stored: its content sealed.
type StoredFile struct {
	File
	Sealed []byte
}

// AddFile puts a file on case id, sealed at rest, its type sniffed from
// the content; audited (case.file_add) with its hash. Anyone who may read
// the case may add files.
func (s *Service) AddFile(ctx context.Context, p *access.Principal, id int64, name string, data []byte, restricted bool) (File, error) {
	if err := s.requireReader(p, access.ReadCases); err != nil {
		return File{}, err
	}
	name = cleanFileName(name)
	if len(data) == 0 || len(data) > MaxFileBytes {
		return File{}, errs.Coded(errs.TooLarge, "case.file_size", "a file is 1 byte to %d MiB", MaxFileBytes>>20)
	}
	sum := sha256.Sum256(data)
	f := File{Name: name, ContentType: http.DetectContentType(data), Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		Restricted: restricted, AddedBy: p.Actor()}
	err := s.transact(ctx, func(tx Tx) error {
		c, err := s.visibleCase(ctx, tx, p, id)
		if err != nil {
			return err
		}
		f.AddedAt = tx.Now()
		if f.ID, err = tx.AddCaseFile(ctx, c.ID, f, func(fileID int64) ([]byte, error) {
			return s.sealer.Seal(data, fileAAD(c.ID, fileID))
		}); err != nil {
			return err
		}
		return record(ctx, tx, p, "case.file_add", c, map[string]any{"file": f.ID, "name": f.Name, "sha256": f.SHA256, "restricted": restricted})
	})
	return f, err
}

// Files lists the files on case id that p may see: restricted ones only
// for people on the access list.
func (s *Service) Files(ctx context.Context, p *access.Principal, id int64) ([]File, error) {
	var out []File
	err := s.withCase(ctx, p, access.ReadCases, id, func(tx Tx, c Case) error {
		listed, err := tx.HasCaseAccess(ctx, c.ID, p.UserID)
		if err != nil {
			return err
		}
		all, err := tx.CaseFiles(ctx, c.ID)
		for _, f := range all {
			if !f.Restricted || listed {
				out = append(out, f)
			}
		}
		return err
	})
	return out, err
}

// OpenFile returns file fileID of case id with its content; the read is
// audited (case.file_read). A restricted file does not exist for someone
// off the access list.
func (s *Service) OpenFile(ctx context.Context, p *access.Principal, id, fileID int64) (File, []byte, error) {
	if err := s.requireReader(p, access.ReadCases); err != nil {
		return File{}, nil, err
	}
	var f File
	var data []byte
	err := s.transact(ctx, func(tx Tx) error {
		c, err := s.visibleCase(ctx, tx, p, id)
		if err != nil {
			return err
		}
		sf, err := tx.CaseFile(ctx, c.ID, fileID)
		if err != nil {
			return errs.Coded(errs.NotFound, "case.file_not_found", "no such file")
		}
		if sf.Restricted {
			listed, err := tx.HasCaseAccess(ctx, c.ID, p.UserID)
			if err != nil {
				return err
			}
			if !listed {
				return errs.Coded(errs.NotFound, "case.file_not_found", "no such file")
			}
		}
		if data, err = s.sealer.Unseal(sf.Sealed, fileAAD(c.ID, sf.ID)); err != nil {
			return err
		}
		f = sf.File
		return record(ctx, tx, p, "case.file_read", c, map[string]any{"file": f.ID, "restricted": f.Restricted})
	})
	return f, data, err
}

func fileAAD(caseID, fileID int64) []byte {
	return []byte("cases.file:" + itoa(caseID) + ":" + itoa(fileID))
}

// cleanFileName keeps the base name, without control characters, at most
// 200 characters; "file" when nothing is left.
func cleanFileName(name string) string {
	name = path.Base(strings.ReplaceAll(strings.ToValidUTF8(name, ""), `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	for utf8.RuneCountInString(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == "/" || name == ".." {
		return "file"
	}
	return name
}
