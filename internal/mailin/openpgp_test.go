package mailin_test

import (
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/mailin"
	"github.com/embargohq/embargo/internal/report"
	"github.com/google/go-cmp/cmp"
)

func TestParseEncrypted(t *testing.T) {
	key, other := mustInstanceKey(t), mustInstanceKey(t)
	pgpMIME := pgpMIMEMessage(t, key, innerEntity())
	inline := inlineMessage(t, key, "漏洞细节：SQL 注入")
	notDecrypted := "\n\n[Embargo] This message arrived OpenPGP-encrypted and could not be decrypted with the instance key; the ciphertext is kept as received."
	reporter := report.Reporter{Name: "Reporter", Email: "r@example.org"}
	tests := []struct {
		name string
		raw  string
		dec  mailin.Decrypter
		want report.Submission
	}{
		{"PGP/MIME", pgpMIME, key, report.Submission{
			Title: "真正的标题", Description: "秘密细节", Reporter: reporter, Encrypted: true,
			Attachments: []report.Attachment{{Name: "poc.c", ContentType: "text/x-c", Data: []byte("int main(){}")}},
		}},
		{"PGP/MIME without a key", pgpMIME, nil, report.Submission{
			Title: "[could not be decrypted] ...", Description: strings.TrimPrefix(notDecrypted, "\n\n"),
			Reporter: reporter, Encrypted: true,
		}},
		{"PGP/MIME to another key", pgpMIME, other, report.Submission{
			Title: "[could not be decrypted] ...", Description: strings.TrimPrefix(notDecrypted, "\n\n"),
			Reporter: reporter, Encrypted: true,
		}},
		{"inline", inline, key, report.Submission{
			Title: "inline", Description: "clear before\n漏洞细节：SQL 注入\nclear after",
			Reporter: report.Reporter{Email: "r@example.org"}, Encrypted: true,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mailin.Parse([]byte(tc.raw), tc.dec)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Raw) != tc.raw {
				t.Error("Raw is not the ciphertext message as received")
			}
			got.Raw = nil
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("inline to another key", func(t *testing.T) {
		got, _ := mailin.Parse([]byte(inline), other)
		if got.Title != "[could not be decrypted] inline" || !got.Encrypted ||
			!strings.Contains(got.Description, "-----BEGIN PGP MESSAGE-----") || !strings.HasSuffix(got.Description, notDecrypted) {
			t.Errorf("Parse = %q, %q, encrypted %v; want the armored block kept and a note", got.Title, got.Description, got.Encrypted)
		}
	})
}
