package notice

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/remediation"
)

// The detail a recipient gets.
const (
	Full    = "full"    // the case's title, the composer's message, the workaround
	Reduced = "reduced" // the product, the versions and the fix to install only
)

// Preview is a notice as one kind of recipient would get it.
type Preview struct {
	Language string
	Detail   string
	Subject  string
	Text     string
}

// fixLine is one affected version's fix as a notice shows it.
type fixLine struct {
	Version      string `json:"version"`
	FixedVersion string `json:"fixed_version,omitempty"`
	Patch        string `json:"patch,omitempty"`
	Workaround   string `json:"workaround,omitempty"`
	AvailableAt  string `json:"available_at,omitempty"`
}

// letter is what a notice template reads.
type letter struct {
	Full     bool
	Ref      string
	Title    string
	Grade    string
	Aliases  []string
	Message  string
	Versions []string
	Fixes    []fixLine
	AckURL   string
	ReplyURL string
	UnsubURL string
}

var letters = map[string]*template.Template{
	product.Chinese: template.Must(template.New("zh").Parse(`您好，

{{if .Full}}我们发现了影响您所使用产品的安全漏洞：{{.Title}}（{{.Ref}}{{range .Aliases}}，{{.}}{{end}}{{if .Grade}}，等级：{{.Grade}}{{end}}）。

{{with .Message}}{{.}}

{{end}}{{else}}您所使用的以下产品版本有安全更新可用，建议尽快升级。

{{end}}受影响的版本：
{{range .Versions}}- {{.}}
{{end}}
修复方式：
{{range .Fixes}}- {{.Version}}：{{if .FixedVersion}}升级到 {{.FixedVersion}}{{end}}{{if .Patch}} 补丁：{{.Patch}}{{end}}{{if .Workaround}}
  缓解措施：{{.Workaround}}{{end}}{{if .AvailableAt}}（{{.AvailableAt}} 起可用）{{end}}
{{end}}
{{with .AckURL}}请确认已收到本通知：{{.}}
{{end}}{{with .ReplyURL}}如需帮助或有疑问，请通过此链接回复：{{.}}
{{end}}{{with .UnsubURL}}退订：{{.}}
{{end}}`)),
	product.English: template.Must(template.New("en").Parse(`Hello,

{{if .Full}}A security vulnerability affects a product you run: {{.Title}} ({{.Ref}}{{range .Aliases}}, {{.}}{{end}}{{if .Grade}}, grade: {{.Grade}}{{end}}).

{{with .Message}}{{.}}

{{end}}{{else}}A security update is available for product versions you run; we recommend upgrading soon.

{{end}}Affected versions:
{{range .Versions}}- {{.}}
{{end}}
How to fix:
{{range .Fixes}}- {{.Version}}: {{if .FixedVersion}}upgrade to {{.FixedVersion}}{{end}}{{if .Patch}} patch: {{.Patch}}{{end}}{{if .Workaround}}
  mitigation: {{.Workaround}}{{end}}{{if .AvailableAt}} (available since {{.AvailableAt}}){{end}}
{{end}}
{{with .AckURL}}Please confirm you received this notice: {{.}}
{{end}}{{with .ReplyURL}}For help or questions, reply through this link: {{.}}
{{end}}{{with .UnsubURL}}Unsubscribe: {{.}}
{{end}}`)),
}

// subject returns a notice's subject line.
func subject(l letter, lang string) string {
	first := ""
	if len(l.Versions) > 0 {
		first = l.Versions[0]
	}
	switch {
	case lang == product.English && l.Full:
		return fmt.Sprintf("[%s] Security notice: %s", l.Ref, oneLine(l.Title))
	case lang == product.English:
		return "Security update available: " + first
	case l.Full:
		return fmt.Sprintf("[%s] 安全漏洞通知：%s", l.Ref, oneLine(l.Title))
	}
	return "安全更新可用：" + first
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// compose builds recipient r's letter: full or reduced.
func compose(c casework.Case, ct Content, plan []remediation.Row, r Recipient, full bool) letter {
	l := letter{Full: full, Versions: r.Versions}
	if full {
		l.Ref, l.Title, l.Grade, l.Aliases = c.Ref, c.Title, c.Grade, c.Aliases
		l.Message = ct.MessageZH
		if r.Language == product.English || l.Message == "" {
			l.Message = cmp.Or(ct.MessageEN, ct.MessageZH)
		}
	}
	for _, row := range plan {
		if !slices.Contains(r.Versions, row.Version.String()) || !row.Fix.Covers() {
			continue
		}
		f := fixLine{Version: row.Version.String(), FixedVersion: row.Fix.FixedVersion, Patch: row.Fix.Patch,
			AvailableAt: row.Fix.AvailableAt.UTC().Format(time.DateOnly)}
		if full {
			f.Workaround = row.Fix.Workaround
		}
		l.Fixes = append(l.Fixes, f)
	}
	return l
}

// render returns the message of letter l for recipient r on its channel.
func render(l letter, r Recipient, campaignID int64) (subj, text string, data json.RawMessage) {
	lang := r.Language
	if _, ok := letters[lang]; !ok {
		lang = product.Chinese
	}
	var b strings.Builder
	_ = letters[lang].Execute(&b, l) // the templates are fixed and the data plain: cannot fail
	subj, text = subject(l, lang), b.String()
	if r.Channel.Valid() && r.Channel != notify.Email && r.Channel != notify.Webhook {
		text = clip(subj+"\n\n"+text, 1900)
	}
	if r.Channel == notify.Webhook {
		body := map[string]any{"campaign": campaignID, "language": lang, "detail": detailOf(l.Full), "versions": l.Versions,
			"fixes": l.Fixes, "ack_url": l.AckURL, "reply_url": l.ReplyURL}
		if l.Full {
			body["case"], body["title"], body["message"], body["aliases"] = l.Ref, l.Title, l.Message, l.Aliases
		}
		data, _ = json.Marshal(body) // plain values: cannot fail
	}
	return subj, text, data
}

func detailOf(full bool) string {
	if full {
		return Full
	}
	return Reduced
}

// clip cuts s to at most n bytes at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// previews renders the four kinds of notice of a campaign: each language,
// full and reduced, for a recipient of every affected version.
func previews(c casework.Case, ct Content, plan []remediation.Row, baseURL string) []Preview {
	var vs []string
	for _, r := range plan {
		vs = append(vs, r.Version.String())
	}
	var out []Preview
	for _, lang := range []string{product.Chinese, product.English} {
		for _, full := range []bool{true, false} {
			r := Recipient{Language: lang, Channel: notify.Email, Versions: vs}
			l := compose(c, ct, plan, r, full)
			l.AckURL, l.ReplyURL = baseURL+"notices/r/…", baseURL+"notices/r/…"
			subj, text, _ := render(l, r, 0)
			out = append(out, Preview{Language: lang, Detail: detailOf(full), Subject: subj, Text: text})
		}
	}
	return out
}
