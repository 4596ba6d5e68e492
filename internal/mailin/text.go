package mailin

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// oneLine makes s a single line of at most n characters: valid UTF-8,
// whitespace and control characters (folded header lines) collapsed into
// single spaces, cut with an ellipsis.
func oneLine(s string, n int) string {
	s = strings.Join(strings.FieldsFunc(strings.ToValidUTF8(s, "\uFFFD"), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// cleanText makes a message body storable text: valid UTF-8, LF line
// ends, no control characters but tab and newline, no trailing blank
// space. Indentation is kept: it matters in the code that reports quote.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	return strings.TrimLeft(s, "\n")
}

// maxFileName is the longest attachment name kept, in characters.
const maxFileName = 200

// fileName returns an attachment's name as given but cleaned of path
// elements (directories, drive letters, "..") and control characters, so
// that it is safe wherever it is later written; or "attachment-n" when
// nothing is left.
func fileName(given string, n int, mediaType string) string {
	s := strings.ReplaceAll(strings.ToValidUTF8(given, ""), "\\", "/")
	s = s[strings.LastIndexByte(s, '/')+1:]
	if i := strings.LastIndexByte(s, ':'); i >= 0 { // C:name, or an NTFS stream
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	// A leading dot hides a file; trailing dots and spaces vanish on Windows.
	s = strings.TrimLeft(strings.TrimSpace(s), ".")
	s = strings.TrimRight(s, ". ")
	if s == "" {
		return fmt.Sprintf("attachment-%d%s", n, extensionFor(mediaType))
	}
	if r := []rune(s); len(r) > maxFileName {
		s = string(r[len(r)-maxFileName:]) // keep the end, with the extension
	}
	return s
}

func extensionFor(mediaType string) string {
	switch mediaType {
	case "message/rfc822":
		return ".eml"
	case "text/plain":
		return ".txt"
	case "text/html":
		return ".html"
	}
	return ""
}

// htmlText converts an HTML body to plain text without rendering it:
// markup is dropped, scripts and styles with their content, block
// elements become line breaks, and links keep their target beside their
// text so that a proof-of-concept URL is not lost.
func htmlText(src string) string {
	c := &htmlConverter{z: html.NewTokenizer(strings.NewReader(src))}
	for {
		switch tt := c.z.Next(); tt {
		case html.ErrorToken:
			return tidyLines(c.b.String())
		case html.TextToken:
			c.text()
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			c.tag(tt)
		}
	}
}

// htmlConverter is htmlText's state.
type htmlConverter struct {
	z           *html.Tokenizer
	b           strings.Builder
	hidden, pre int      // depth inside script/style/…, and inside <pre>
	hrefs       []string // targets of the open <a> elements
}

func (c *htmlConverter) text() {
	if c.hidden > 0 {
		return
	}
	text := flowText(string(c.z.Text()), c.pre > 0)
	if c.pre == 0 && (c.b.Len() == 0 || strings.HasSuffix(c.b.String(), "\n")) {
		text = strings.TrimLeft(text, " ")
	}
	c.b.WriteString(text)
}

func (c *htmlConverter) tag(tt html.TokenType) {
	name, _ := c.z.TagName()
	start := tt != html.EndTagToken
	switch atom.Lookup(name) {
	case atom.Script, atom.Style, atom.Head, atom.Title, atom.Template, atom.Noscript:
		c.hidden = adjust(c.hidden, tt)
	case atom.Pre:
		c.pre = adjust(c.pre, tt)
		c.b.WriteByte('\n')
	case atom.A:
		c.link(tt)
	case atom.Br, atom.P, atom.Div, atom.Tr, atom.Table, atom.Blockquote, atom.H1, atom.H2, atom.H3,
		atom.H4, atom.H5, atom.H6, atom.Ul, atom.Ol, atom.Hr, atom.Section, atom.Article:
		c.b.WriteByte('\n')
	case atom.Li:
		if start {
			c.b.WriteString("\n- ")
		}
	case atom.Td, atom.Th:
		if start {
			c.b.WriteByte('\t')
		}
	}
}

// adjust counts an element's nesting depth: up at its start tag, down at
// its end tag, unchanged by a self-closing tag.
func adjust(depth int, tt html.TokenType) int {
	switch tt {
	case html.StartTagToken:
		return depth + 1
	case html.EndTagToken:
		return max(depth-1, 0)
	}
	return depth
}

// link remembers an <a>'s target at its start and writes it after the
// link's text at its end, when it is a web or mail address.
func (c *htmlConverter) link(tt html.TokenType) {
	switch tt {
	case html.StartTagToken:
		href := ""
		for more := true; more; {
			var k, v []byte
			k, v, more = c.z.TagAttr()
			if string(k) == "href" {
				href = strings.TrimSpace(string(v))
			}
		}
		c.hrefs = append(c.hrefs, href)
	case html.EndTagToken:
		if len(c.hrefs) == 0 {
			return
		}
		href := c.hrefs[len(c.hrefs)-1]
		c.hrefs = c.hrefs[:len(c.hrefs)-1]
		lower := strings.ToLower(href)
		web := strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "mailto:")
		if web && !strings.HasSuffix(c.b.String(), href) {
			c.b.WriteString(" <" + href + ">")
		}
	}
}

// flowText collapses HTML whitespace, except inside <pre>.
func flowText(s string, pre bool) string {
	if pre {
		return s
	}
	f := strings.Fields(s)
	out := strings.Join(f, " ")
	if len(f) > 0 && unicode.IsSpace(rune(s[0])) {
		out = " " + out
	}
	if len(f) > 0 && unicode.IsSpace(rune(s[len(s)-1])) {
		out += " "
	}
	if len(f) == 0 && s != "" {
		return " "
	}
	return out
}

// tidyLines trims each line's trailing spaces and keeps at most one blank
// line in a row.
func tidyLines(s string) string {
	var out []string
	blank := true
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRight(line, " \r")
		if line == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		out = append(out, line)
		blank = false
	}
	return strings.Trim(strings.Join(out, "\n"), "\n")
}
