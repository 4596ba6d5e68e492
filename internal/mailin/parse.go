package mailin

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/embargohq/embargo/internal/report"
	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // registers GB2312/GBK/GB18030, Big5 and the other charsets mail uses
	"github.com/emersion/go-message/mail"
)

// Parse turns a MIME message into a Submission with the default Limits;
// see Limits.Parse.
func Parse(raw []byte, dec Decrypter) (report.Submission, error) {
	return Limits{}.Parse(raw, dec)
}

// Parse turns a MIME message (RFC 5322, 2045–2049) into a Submission: the
// Subject, RFC 2047-decoded, is the Title; the text/plain body (or the
// text/html body converted to plain text) is the Description; From is the
// Reporter; other parts are Attachments. Raw is raw itself, not a copy.
//
// OpenPGP messages, PGP/MIME (RFC 3156) or inline, are decrypted with dec
// (which may be nil) and Encrypted is set. A message that does not decrypt
// keeps its ciphertext in Raw and says so in its Title and Description.
//
// Parse returns ErrTooLarge for a message over l.MaxMessageBytes. Any other
// problem (malformed headers or parts, unknown charsets, limits reached) is
// noted in the Description and the rest of the message is kept: the
// Submission is always worth storing.
func (l Limits) Parse(raw []byte, dec Decrypter) (report.Submission, error) {
	l = l.withDefaults()
	sub := report.Submission{Raw: raw}
	if int64(len(raw)) > l.MaxMessageBytes {
		return sub, ErrTooLarge
	}
	p := &parser{lim: l, dec: dec}
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil {
		p.note("The message header could not be read; the message is kept as received.")
		p.texts = append(p.texts, string(raw))
		p.subject = "(message could not be parsed)"
	} else {
		if err != nil {
			p.note("The message uses an unknown charset or transfer encoding; some text may not be decoded.")
		}
		h := mail.Header{Header: e.Header}
		p.subject, _ = h.Subject()
		sub.Reporter = reporter(h)
		p.walk(e, 0)
	}
	sub.Title = p.title()
	sub.Description = p.description()
	sub.Attachments = p.attachments
	sub.Encrypted = p.encrypted
	return sub, nil
}

// parser collects what one message holds while walking its parts.
type parser struct {
	lim Limits
	dec Decrypter

	subject      string
	innerSubject string // from an encrypted part's own header (protected headers)
	texts        []string
	htmls        []string
	attachments  []report.Attachment
	notes        []string
	parts        int

	encrypted      bool // some of the message arrived OpenPGP-encrypted
	notDecrypted   bool // and some of it could not be decrypted
	reachedLimitOf map[string]bool
}

// note records a problem for the Description.
func (p *parser) note(format string, args ...any) {
	p.notes = append(p.notes, fmt.Sprintf(format, args...))
}

// noteLimit records, once per limit, that a limit was reached.
func (p *parser) noteLimit(limit, format string, args ...any) {
	if p.reachedLimitOf == nil {
		p.reachedLimitOf = map[string]bool{}
	}
	if !p.reachedLimitOf[limit] {
		p.reachedLimitOf[limit] = true
		p.note(format, args...)
	}
}

// walk reads one entity at depth (0 for the message itself).
func (p *parser) walk(e *message.Entity, depth int) {
	if p.parts++; p.parts > p.lim.MaxParts {
		p.noteLimit("parts", "The message has more than %d parts; the rest are kept only in the raw message.", p.lim.MaxParts)
		return
	}
	mt, params, err := e.Header.ContentType()
	if err != nil {
		mt, params = "application/octet-stream", nil
	}
	switch {
	case mt == "multipart/encrypted" && strings.EqualFold(params["protocol"], "application/pgp-encrypted"):
		p.pgpMIME(e, depth)
	case strings.HasPrefix(mt, "multipart/"):
		p.multipart(e, depth)
	case isAttachment(e.Header, mt):
		p.attachment(e, mt)
	case mt == "text/html":
		b := p.body(e, "An HTML part")
		p.htmls = append(p.htmls, string(b))
	default:
		b := p.body(e, "A text part")
		p.texts = append(p.texts, p.inline(string(b), params["charset"]))
	}
}

// multipart walks the parts of a multipart entity. A part that cannot be
// read ends its multipart: what follows it is kept only in the raw message.
func (p *parser) multipart(e *message.Entity, depth int) {
	if depth >= p.lim.MaxDepth {
		p.noteLimit("depth", "Parts nested deeper than %d levels are kept only in the raw message.", p.lim.MaxDepth)
		return
	}
	mr := e.MultipartReader()
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return
		}
		if part == nil {
			p.note("A multipart section is malformed; its remaining parts are kept only in the raw message.")
			return
		}
		if err != nil {
			p.note("A part uses an unknown charset or transfer encoding; it may not be decoded.")
		}
		p.walk(part, depth+1)
	}
}

// body reads a part's decoded body. A decoding error keeps what was read
// and is noted, naming the part by what.
func (p *parser) body(e *message.Entity, what string) []byte {
	b, err := io.ReadAll(io.LimitReader(e.Body, p.lim.MaxMessageBytes+1))
	if int64(len(b)) > p.lim.MaxMessageBytes {
		b = b[:p.lim.MaxMessageBytes]
		p.note("%s is larger than %d bytes once decoded and was cut short.", what, p.lim.MaxMessageBytes)
	}
	if err != nil {
		p.note("%s could not be decoded completely; it is kept whole in the raw message.", what)
	}
	return b
}

// isAttachment reports whether a part is a file rather than the message
// text: declared as an attachment, named, or not plain text or HTML.
func isAttachment(h message.Header, mt string) bool {
	disp, params, _ := h.ContentDisposition()
	if strings.EqualFold(disp, "attachment") || params["filename"] != "" {
		return true
	}
	if _, ctParams, _ := h.ContentType(); ctParams["name"] != "" {
		return true
	}
	return mt != "text/plain" && mt != "text/html"
}

// attachment keeps a part as a file, up to MaxAttachments.
func (p *parser) attachment(e *message.Entity, mt string) {
	if len(p.attachments) >= p.lim.MaxAttachments {
		p.noteLimit("attachments", "The message has more than %d attachments; the rest are kept only in the raw message.", p.lim.MaxAttachments)
		return
	}
	ah := mail.AttachmentHeader{Header: e.Header}
	given, _ := ah.Filename()
	n := len(p.attachments) + 1
	name := fileName(given, n, mt)
	data := p.body(e, fmt.Sprintf("Attachment %d (%s)", n, name))
	p.attachments = append(p.attachments, report.Attachment{Name: name, ContentType: mt, Data: data})
}

// reporter reads who sent the message from its From field.
func reporter(h mail.Header) report.Reporter {
	if addrs, err := h.AddressList("From"); err == nil && len(addrs) > 0 {
		return report.Reporter{Name: oneLine(addrs[0].Name, 200), Email: oneLine(addrs[0].Address, 320)}
	}
	// Not an RFC 5322 address: keep what it says as the name.
	text, _ := h.Text("From")
	return report.Reporter{Name: oneLine(text, 200)}
}

// maxTitle is the longest Title, in characters.
const maxTitle = 200

func (p *parser) title() string {
	s := p.subject
	if p.innerSubject != "" {
		s = p.innerSubject
	}
	s = oneLine(s, maxTitle)
	if s == "" {
		s = "(no subject)"
	}
	if p.notDecrypted {
		s = oneLine("[could not be decrypted] "+s, maxTitle)
	}
	return s
}

func (p *parser) description() string {
	var parts []string
	for _, t := range p.texts {
		if t = cleanText(t); t != "" {
			parts = append(parts, t)
		}
	}
	if len(parts) == 0 {
		for _, h := range p.htmls {
			if t := cleanText(htmlText(h)); t != "" {
				parts = append(parts, t)
			}
		}
	}
	if len(p.notes) > 0 {
		var b strings.Builder
		for i, n := range p.notes {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString("[Embargo] " + n)
		}
		parts = append(parts, b.String())
	}
	return strings.Join(parts, "\n\n")
}
