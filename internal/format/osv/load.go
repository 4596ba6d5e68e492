package osv

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// MaxRecordSize bounds one record's size, so that a hostile archive cannot
// make the loader read without end. The largest vulndb record is ~100 KB.
const MaxRecordSize = 16 << 20

// Options tunes Load.
type Options struct {
	// Progress, when set, is called with the number of records parsed so
	// far, from any goroutine, after each record.
	Progress func(parsed int)
}

// Load reads the records at path: a directory (every *.json file beneath
// it), a zip archive (every *.json entry) or a single JSON record. Record
// IDs must be unique. It returns every record, sorted by file name, or an
// error and no records.
func Load(path string, opt Options) ([]*Record, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("osv: %w", err)
	}
	if st.IsDir() {
		return loadDir(path, opt)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("osv: %w", err)
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := io.ReadFull(f, magic); err == nil && bytes.Equal(magic, []byte("PK\x03\x04")) {
		return loadZip(f, st.Size(), path, opt)
	}
	r, err := ParseFile(path)
	if err != nil {
		return nil, err
	}
	report(opt, 1)
	return []*Record{r}, nil
}

// ParseFile parses the one record in a file.
func ParseFile(path string) (*Record, error) {
	b, err := readLimited(os.Open(path))
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	return Parse(path, b)
}

func report(opt Options, n int) {
	if opt.Progress != nil {
		opt.Progress(n)
	}
}

// readLimited reads all of an opened file, up to MaxRecordSize.
func readLimited(rc io.ReadCloser, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxRecordSize+1))
	if err == nil && len(b) > MaxRecordSize {
		err = fmt.Errorf("larger than %d bytes", MaxRecordSize)
	}
	return b, err
}

// loadDir parses every *.json file under dir.
func loadDir(dir string, opt Options) ([]*Record, error) {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".json") {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("osv: %w", err)
	}
	return parseAll(names, func(name string) ([]byte, error) {
		return readLimited(os.Open(name))
	}, opt)
}

// loadZip parses every *.json entry of a zip archive; entries are named
// "archive.zip!entry.json" in errors.
// LoadZip reads the records of a zip archive held in r (every *.json
// entry); name names the archive in errors. Like Load, it returns every
// record, sorted by entry name, or an error and no records.
func LoadZip(r io.ReaderAt, size int64, name string, opt Options) ([]*Record, error) {
	return loadZip(r, size, name, opt)
}

func loadZip(r io.ReaderAt, size int64, path string, opt Options) ([]*Record, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, &Error{File: path, Err: fmt.Errorf("not a readable zip archive: %w", err)}
	}
	entries := map[string]*zip.File{}
	var names []string
	for _, f := range zr.File {
		if !f.FileInfo().IsDir() && strings.HasSuffix(f.Name, ".json") {
			name := path + "!" + f.Name
			entries[name] = f
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return parseAll(names, func(name string) ([]byte, error) {
		return readLimited(entries[name].Open())
	}, opt)
}

// parseAll reads and parses the named records on every CPU. It returns
// them in name order, or the first error in name order.
func parseAll(names []string, read func(string) ([]byte, error), opt Options) ([]*Record, error) {
	recs := make([]*Record, len(names))
	errs := make([]error, len(names))
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(names), 1)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(names); i = int(next.Add(1) - 1) {
				b, err := read(names[i])
				if err != nil {
					errs[i] = &Error{File: names[i], Err: err}
					continue
				}
				recs[i], errs[i] = Parse(names[i], b)
				report(opt, int(done.Add(1)))
			}
		})
	}
	wg.Wait()
	if err := firstNonNil(errs); err != nil {
		return nil, err
	}
	if err := checkUnique(names, recs); err != nil {
		return nil, err
	}
	return recs, nil
}

func firstNonNil(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkUnique refuses two records with the same ID: which one would count?
func checkUnique(names []string, recs []*Record) error {
	seen := make(map[string]string, len(recs))
	for i, r := range recs {
		if prev, ok := seen[r.ID]; ok {
			return &Error{File: names[i], Field: "id", Err: fmt.Errorf("%q is also the ID of %s", r.ID, prev)}
		}
		seen[r.ID] = names[i]
	}
	return nil
}
