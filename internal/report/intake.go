package report

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
)

// Limits bound what one submission may hold (bad input is refused with a
// clear error, never truncated silently).
type Limits struct {
	Title       int   // runes
	Description int   // bytes
	Product     int   // runes
	Version     int   // runes
	Name        int   // runes
	Attachments int   // files per submission
	Attachment  int64 // bytes per file
	Raw         int64 // bytes of raw content
}

// DefaultLimits are the limits unless configured otherwise.
var DefaultLimits = Limits{
	Title: 300, Description: 256 << 10, Product: 200, Version: 100, Name: 200,
	Attachments: 10, Attachment: 10 << 20, Raw: 32 << 20,
}

// Content is what was read from a submission: sealed at rest as one JSON
// object.
type Content struct {
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Product     string   `json:"product,omitempty"`
	Version     string   `json:"version,omitempty"`
	Reporter    Reporter `json:"reporter"`
}

// Row is a report as stored: content, raw and attachments sealed.
type Row struct {
	ID           int64
	OrgID        int64
	TrackingID   string
	SecretHash   string
	Channel      Channel
	ReceivedAt   time.Time
	ReceiptSeq   int64
	RawSHA256    string
	RawSize      int64
	Raw          []byte // sealed
	Content      []byte // sealed Content JSON
	Encrypted    bool
	DedupKey     string
	Language     string
	Status       Status
	Reason       string
	DuplicateOf  int64
	CaseID       int64
	AckDueAt     time.Time
	AckedAt      time.Time // zero until the team first answers
	UpdatedAt    time.Time
	Credit       Credit
	ConsentShare bool
}

// StoredAttachment is an attachment as stored: data sealed.
type StoredAttachment struct {
	ID          int64
	ReportID    int64
	MessageID   int64 // 0 when sent with the report itself
	Name        string
	ContentType string // as declared
	SniffedType string // as detected from the first bytes
	Size        int64
	SHA256      string
	Data        []byte // sealed
	AddedAt     time.Time
}

// pending is a validated, sealed submission waiting for its transaction.
type pending struct {
	row         Row
	attachments []StoredAttachment
	receipt     audit.Event
	secret      string
	reporter    Reporter // for the acknowledgement mail
	done        chan result
}

type result struct {
	ack Ack
	err error
}

// Submit stores a submission and its receipt-log entry in one transaction
// and returns the acknowledgement only after it committed (CN-05-2). It
// needs no principal: intake is public (RMSV Art. 5, 6). Invalid input is
// refused with errs.Invalid or errs.TooLarge and nothing is stored.
func (s *Service) Submit(ctx context.Context, sub Submission) (Ack, error) {
	p, err := s.prepare(ctx, sub)
	if err != nil {
		return Ack{}, err
	}
	ack, err := s.committer.submit(ctx, p)
	if err == nil {
		s.wake()
	}
	return ack, err
}

// prepare validates sub, resolves its organisation, and seals its content.
func (s *Service) prepare(ctx context.Context, sub Submission) (*pending, error) {
	if !sub.Channel.Valid() {
		return nil, fmt.Errorf("report: unknown channel %q", sub.Channel)
	}
	sub = s.decrypt(sub)
	c, err := s.clean(sub)
	if err != nil {
		return nil, err
	}
	if int64(len(sub.Raw)) > s.limits.Raw {
		return nil, errs.Coded(errs.TooLarge, "report.too_large", "the submission is larger than %d MiB", s.limits.Raw>>20)
	}
	if len(sub.Attachments) > s.limits.Attachments {
		return nil, errs.Coded(errs.TooLarge, "report.attachments", "send at most %d files", s.limits.Attachments)
	}
	org, err := s.store.IntakeOrg(ctx, sub.OrgID)
	if err != nil {
		return nil, err
	}
	tracking, secret := newTrackingID(), newSecret()
	sum := sha256.Sum256(sub.Raw)
	p := &pending{secret: secret, reporter: c.Reporter, done: make(chan result, 1)}
	p.row = Row{OrgID: org, TrackingID: tracking, SecretHash: HashSecret(secret), Channel: sub.Channel,
		RawSHA256: hex.EncodeToString(sum[:]), RawSize: int64(len(sub.Raw)), Encrypted: sub.Encrypted,
		DedupKey: sub.DedupKey, Language: sub.Language, Status: New, Credit: CreditAnonymous}
	plain, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	if p.row.Content, err = s.sealer.Seal(plain, contentAAD(tracking)); err != nil {
		return nil, err
	}
	if p.row.Raw, err = s.sealer.Seal(sub.Raw, rawAAD(tracking)); err != nil {
		return nil, err
	}
	for _, a := range sub.Attachments {
		sa, err := s.sealAttachment(tracking, a)
		if err != nil {
			return nil, err
		}
		p.attachments = append(p.attachments, sa)
	}
	// The receipt-log entry (CN-05-2): channel, size and hash of the raw
	// content in clear; who sent it and about which product sealed, since
	// contact details are kept encrypted at rest.
	who, err := json.Marshal(receiptSealed{Reporter: c.Reporter, Product: c.Product, Version: c.Version})
	if err != nil {
		return nil, err
	}
	sealedWho, err := s.sealer.Seal(who, receiptAAD(tracking))
	if err != nil {
		return nil, err
	}
	actor := sub.Actor
	if actor == "" {
		actor = "anonymous"
	}
	ev, err := audit.New(ctx, actor, "report.receive", "report:"+tracking, ReceiptDetails{
		Channel: sub.Channel, TrackingID: tracking, SHA256: p.row.RawSHA256, Size: p.row.RawSize,
		Encrypted: sub.Encrypted, Attachments: len(sub.Attachments), Sealed: base64.StdEncoding.EncodeToString(sealedWho),
	})
	if err != nil {
		return nil, err
	}
	ev.Stream, ev.OrgID = audit.Receipts, org
	p.receipt = ev
	return p, nil
}

// ReceiptDetails is the details object of a receipt-log event.
type ReceiptDetails struct {
	Channel     Channel `json:"channel"`
	TrackingID  string  `json:"tracking_id"`
	SHA256      string  `json:"sha256"`
	Size        int64   `json:"size"`
	Encrypted   bool    `json:"encrypted"`
	Attachments int     `json:"attachments"`
	// Sealed is the keyring-sealed receiptSealed JSON, base64.
	Sealed string `json:"sealed"`
}

// receiptSealed is the part of a receipt entry kept encrypted.
type receiptSealed struct {
	Reporter Reporter `json:"reporter"`
	Product  string   `json:"product,omitempty"`
	Version  string   `json:"version,omitempty"`
}

// clean validates and normalises the fields of sub.
func (s *Service) clean(sub Submission) (Content, error) {
	c := Content{
		Title:       oneLine(sub.Title),
		Description: strings.ToValidUTF8(strings.TrimSpace(sub.Description), "\uFFFD"),
		Product:     oneLine(sub.Product),
		Version:     oneLine(sub.Version),
		Reporter:    Reporter{Name: oneLine(sub.Reporter.Name), Email: strings.TrimSpace(sub.Reporter.Email)},
	}
	switch {
	case c.Title == "":
		return c, errs.Coded(errs.Invalid, "report.title", "give the report a title of 1 to %d characters", s.limits.Title)
	case utf8.RuneCountInString(c.Title) > s.limits.Title:
		return c, errs.Coded(errs.Invalid, "report.title", "give the report a title of 1 to %d characters", s.limits.Title)
	case c.Description == "":
		return c, errs.Coded(errs.Invalid, "report.description", "describe the vulnerability (at most %d KiB)", s.limits.Description>>10)
	case len(c.Description) > s.limits.Description:
		return c, errs.Coded(errs.TooLarge, "report.description", "describe the vulnerability (at most %d KiB)", s.limits.Description>>10)
	case utf8.RuneCountInString(c.Product) > s.limits.Product:
		return c, errs.Coded(errs.Invalid, "report.product", "the product name is longer than %d characters", s.limits.Product)
	case utf8.RuneCountInString(c.Version) > s.limits.Version:
		return c, errs.Coded(errs.Invalid, "report.version", "the version is longer than %d characters", s.limits.Version)
	case utf8.RuneCountInString(c.Reporter.Name) > s.limits.Name:
		return c, errs.Coded(errs.Invalid, "report.name", "the name is longer than %d characters", s.limits.Name)
	}
	if c.Reporter.Email != "" {
		a, err := mail.ParseAddress(c.Reporter.Email)
		if err != nil || a.Address != c.Reporter.Email || len(c.Reporter.Email) > 254 {
			return c, errs.Coded(errs.Invalid, "email.invalid", "give a valid e-mail address")
		}
	}
	return c, nil
}

// oneLine trims s, makes it valid UTF-8 and replaces control characters
// (newlines included) with spaces: titles and names are single lines.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func (s *Service) sealAttachment(tracking string, a Attachment) (StoredAttachment, error) {
	if int64(len(a.Data)) > s.limits.Attachment {
		return StoredAttachment{}, errs.Coded(errs.TooLarge, "report.attachment", "each file may be at most %d MiB", s.limits.Attachment>>20)
	}
	sum := sha256.Sum256(a.Data)
	sa := StoredAttachment{Name: CleanFileName(a.Name), ContentType: cleanContentType(a.ContentType),
		SniffedType: http.DetectContentType(a.Data), Size: int64(len(a.Data)), SHA256: hex.EncodeToString(sum[:])}
	var err error
	sa.Data, err = s.sealer.Seal(a.Data, attachmentAAD(tracking, sa.SHA256))
	return sa, err
}

// CleanFileName keeps the last element of a file name as given, without
// control characters or path separators, at most 200 characters; an empty
// result becomes "attachment".
func CleanFileName(name string) string {
	name = strings.ReplaceAll(strings.ToValidUTF8(name, ""), `\`, "/")
	name = oneLine(path.Base("/" + name))
	if name == "/" || name == "." || name == ".." {
		name = ""
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[len(r)-200:])
	}
	if name == "" {
		return "attachment"
	}
	return name
}

func cleanContentType(ct string) string {
	ct = strings.TrimSpace(ct)
	if ct == "" || len(ct) > 200 || strings.ContainsAny(ct, "\r\n") {
		return "application/octet-stream"
	}
	return ct
}

// Tracking IDs are short, unambiguous and random (Crockford base32 without
// I, L, O, U), so that they can be read out on the phone and not guessed.
const trackingAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func newTrackingID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	out := []byte("R-")
	for i, c := range b {
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, trackingAlphabet[int(c)%32])
	}
	return string(out)
}

// ValidTrackingID reports whether s has the form of a tracking ID.
func ValidTrackingID(s string) bool {
	if len(s) != 13 || !strings.HasPrefix(s, "R-") || s[7] != '-' {
		return false
	}
	for i, c := range []byte(s) {
		if i < 2 || i == 7 {
			continue
		}
		if !bytes.ContainsRune([]byte(trackingAlphabet), rune(c)) {
			return false
		}
	}
	return true
}

func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// HashSecret returns the stored form of a private link's token.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte("embargo report link\x00" + secret))
	return hex.EncodeToString(sum[:])
}

// ReceiptID names the receipt at seq of the receipt log.
func ReceiptID(seq int64) string { return "rcpt-" + strconv.FormatInt(seq, 10) }

func contentAAD(tracking string) []byte { return []byte("reports.content:" + tracking) }
func rawAAD(tracking string) []byte     { return []byte("reports.raw:" + tracking) }
func receiptAAD(tracking string) []byte { return []byte("receipt.sealed:" + tracking) }
func attachmentAAD(tracking, sum string) []byte {
	return []byte("reports.attachment:" + tracking + ":" + sum)
}
func messageAAD(tracking string) []byte { return []byte("reports.message:" + tracking) }
