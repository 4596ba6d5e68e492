package web

import (
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
)

// node is an element (or, when tag is "", a text run) of a parsed page: just
// enough of a DOM for structural assertions with simple CSS selectors.
type node struct {
	tag   string
	attrs map[string]string
	text  string
	kids  []*node
}

// mustParseHTML parses an HTML page with encoding/xml in its lenient HTML
// mode (void elements, HTML entities, valueless attributes), which is
// enough for the well-formed pages our templates write.
func mustParseHTML(t testing.TB, r io.Reader) *node {
	t.Helper()
	d := xml.NewDecoder(r)
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	root := &node{tag: "#document"}
	stack := []*node{root}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return root
		}
		if err != nil {
			t.Fatalf("parse HTML: %v", err)
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{tag: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.kids = append(top.kids, &node{text: string(tok)})
		}
	}
}

// find returns the elements under n that match sel: compound selectors
// (tag, #id, .class, [attr], [attr=value]) separated by spaces for
// descendants.
func (n *node) find(sel string) []*node {
	found := []*node{n}
	for _, part := range strings.Fields(sel) {
		var next []*node
		for _, f := range found {
			f.walk(func(d *node) {
				if d != f && d.matches(part) {
					next = append(next, d)
				}
			})
		}
		found = next
	}
	return found
}

// first returns the first element that matches sel, failing the test when
// there is none.
func (n *node) first(t testing.TB, sel string) *node {
	t.Helper()
	found := n.find(sel)
	if len(found) == 0 {
		t.Fatalf("no element matches %q", sel)
	}
	return found[0]
}

// walk calls fn for n and its descendants in document order.
func (n *node) walk(fn func(*node)) {
	fn(n)
	for _, k := range n.kids {
		k.walk(fn)
	}
}

// textContent returns the text under n with runs of white space collapsed.
func (n *node) textContent() string {
	var b strings.Builder
	n.walk(func(d *node) { b.WriteString(d.text) })
	return strings.Join(strings.Fields(b.String()), " ")
}

var simpleSelectorRE = regexp.MustCompile(`^[\w-]+|[#.][\w-]+|\[[\w-]+(=[^\]]*)?\]`)

// matches reports whether n matches one compound selector.
func (n *node) matches(sel string) bool {
	if n.tag == "" {
		return false
	}
	for sel != "" {
		loc := simpleSelectorRE.FindStringIndex(sel)
		if loc == nil || loc[0] != 0 {
			panic("unsupported selector " + sel)
		}
		if !n.matchesSimple(sel[:loc[1]]) {
			return false
		}
		sel = sel[loc[1]:]
	}
	return true
}

// matchesSimple reports whether n matches one simple selector.
func (n *node) matchesSimple(s string) bool {
	switch s[0] {
	case '#':
		return n.attrs["id"] == s[1:]
	case '.':
		return strings.Contains(" "+n.attrs["class"]+" ", " "+s[1:]+" ")
	case '[':
		name, value, hasValue := strings.Cut(strings.Trim(s, "[]"), "=")
		got, ok := n.attrs[name]
		return ok && (!hasValue || got == strings.Trim(value, `"`))
	}
	return n.tag == s
}
