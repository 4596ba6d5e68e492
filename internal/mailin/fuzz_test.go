package mailin_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/mailin"
)

// FuzzParse checks that no message makes Parse panic or lose what it
// received, and that what it extracts is safe to store and show: run it
// with go test -fuzz=FuzzParse ./internal/mailin.
func FuzzParse(f *testing.F) {
	key := mustInstanceKey(f)
	for _, m := range testMessages(f) {
		f.Add([]byte(m))
	}
	f.Add([]byte(pgpMIMEMessage(f, key, innerEntity())))
	f.Add([]byte(inlineMessage(f, key, "secret")))
	limits := mailin.Limits{MaxMessageBytes: 1 << 20, MaxAttachments: 5, MaxDepth: 4, MaxParts: 50}
	f.Fuzz(func(t *testing.T, raw []byte) {
		in := bytes.Clone(raw)
		sub, err := limits.Parse(raw, key)
		if err != nil {
			if int64(len(raw)) <= limits.MaxMessageBytes {
				t.Fatalf("Parse of %d bytes failed: %v", len(raw), err)
			}
			return
		}
		if !bytes.Equal(sub.Raw, in) {
			t.Fatal("Raw differs from the message received")
		}
		if sub.Title == "" || strings.ContainsAny(sub.Title, "\r\n") {
			t.Errorf("Title %q is empty or not one line", sub.Title)
		}
		for _, s := range []string{sub.Title, sub.Description, sub.Reporter.Name, sub.Reporter.Email} {
			if !utf8.ValidString(s) {
				t.Errorf("%q is not valid UTF-8", s)
			}
		}
		if len(sub.Attachments) > limits.MaxAttachments {
			t.Errorf("%d attachments, over the limit of %d", len(sub.Attachments), limits.MaxAttachments)
		}
		for _, a := range sub.Attachments {
			if a.Name == "" || strings.ContainsAny(a.Name, "/\\\x00") || strings.HasPrefix(a.Name, ".") || !utf8.ValidString(a.Name) {
				t.Errorf("attachment name %q is not a safe file name", a.Name)
			}
		}
	})
}

// FuzzParseDSN checks that no message makes ParseDSN panic, and that what
// it accepts names a Message-ID and a bounded number of recipients: run it
// with go test -fuzz=FuzzParseDSN ./internal/mailin.
func FuzzParseDSN(f *testing.F) {
	f.Add([]byte(dsnPostfix))
	f.Add([]byte(dsnHeadersOnly))
	f.Add([]byte("Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, ok := mailin.ParseDSN(raw)
		if !ok {
			return
		}
		if d.MessageID == "" || len(d.Recipients) == 0 || len(d.Recipients) > 100 {
			t.Fatalf("accepted %+v", d)
		}
	})
}
