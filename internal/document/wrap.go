package document

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// metrics gives a character's advance width in thousandths of the font
// size (PDF glyph space), so that a run of text at size s is
// sum(advance) × s / 1000 points wide.
type metrics interface {
	advance(r rune) float64
}

// textWidth returns the width of s in thousandths of the font size.
func textWidth(m metrics, s string) float64 {
	var w float64
	for _, r := range s {
		w += m.advance(r)
	}
	return w
}

// wrap breaks text into lines no wider than width points at size points.
// Line breaks in the text are kept. Lines break at spaces and between
// Chinese characters, never before closing punctuation (，。）」 …) or
// after opening punctuation (（「 …); a word too long for a line of its
// own (a hash, a URL, a CVSS vector) breaks at a separator such as "/"
// where one is near the end of the line, else between characters.
func wrap(m metrics, text string, size, width float64) []string {
	limit := width * 1000 / size
	text = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\t", " ").Replace(text)
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		lines = append(lines, wrapLine(m, para, limit)...)
	}
	return lines
}

// line accumulates one output line.
type line struct {
	b strings.Builder
	w float64
}

func (l *line) add(s string, w float64) { l.b.WriteString(s); l.w += w }

// wrapLine wraps one paragraph without line breaks; limit is in thousandths
// of the font size. An empty paragraph is one empty line.
func wrapLine(m metrics, para string, limit float64) []string {
	var lines []string
	var cur line
	flush := func() {
		lines = append(lines, strings.TrimRight(cur.b.String(), " "))
		cur = line{}
	}
	for _, u := range units(para) {
		w := textWidth(m, u)
		switch {
		case u[0] == ' ' && cur.w == 0 && len(lines) > 0:
			// no leading spaces on a continuation line
		case cur.w+w <= limit:
			cur.add(u, w)
		case u[0] == ' ':
			flush()
		case w <= limit:
			flush()
			cur.add(u, w)
		default:
			lines = splitLong(m, u, limit, &cur, lines)
		}
	}
	return append(lines, strings.TrimRight(cur.b.String(), " "))
}

// splitLong adds unit u, wider than a whole line, to cur and lines: it
// starts on the current line when at least a quarter of the line is free,
// and fills each line, preferring to break at a separator in the last
// third of the line (preferBreak). It returns lines; cur holds the last, unfinished part.
func splitLong(m metrics, u string, limit float64, cur *line, lines []string) []string {
	if limit-cur.w < limit/4 && cur.w > 0 {
		lines = append(lines, strings.TrimRight(cur.b.String(), " "))
		*cur = line{}
	}
	rs := []rune(u)
	for len(rs) > 0 {
		n := fitRunes(m, rs, limit-cur.w)
		if n == 0 && cur.w > 0 {
			lines = append(lines, strings.TrimRight(cur.b.String(), " "))
			*cur = line{}
			continue
		}
		n = max(n, 1) // a glyph wider than the line still has to go somewhere
		if n < len(rs) {
			n = preferBreak(m, rs[:n], limit-cur.w)
		}
		cur.add(string(rs[:n]), textWidth(m, string(rs[:n])))
		rs = rs[n:]
		if len(rs) > 0 {
			lines = append(lines, cur.b.String())
			*cur = line{}
		}
	}
	return lines
}

// fitRunes returns how many leading runes of rs fit in room.
func fitRunes(m metrics, rs []rune, room float64) int {
	var w float64
	for i, r := range rs {
		w += m.advance(r)
		if w > room {
			return i
		}
	}
	return len(rs)
}

// preferBreak returns where to cut a chunk of a long word that fills room:
// at the last separator if that keeps two thirds of the room in use, else
// after the whole chunk. As with URLs in print (Chicago Manual of Style
// 14.18), a line may end after "/", ":", "=" or "&" and the next may start
// with "-", ".", "_", "?", "#", "%", "~", ",", ";", "+" or "|": a line
// ending in "-" would read as a hyphenated word, and text extractors join
// such lines dropping the "-".
func preferBreak(m metrics, chunk []rune, room float64) int {
	for i := len(chunk) - 1; i > 0; i-- {
		if !strings.ContainsRune("/:=&", chunk[i-1]) && !strings.ContainsRune("-._?#%~,;+|", chunk[i]) {
			continue
		}
		if textWidth(m, string(chunk[:i])) >= room*2/3 {
			return i
		}
		break
	}
	return len(chunk)
}

// Line-breaking classes, after Chinese typesetting practice (W3C "Chinese
// Layout Requirements", §3.1.7 prohibition rules): closing marks never
// start a line, opening marks never end one.
const (
	closing = "，。、；：！？）》」』】〕〉”’％…·,.;:!?)]}%"
	opening = "（《「『【〔〈“‘([{"
)

// units splits a paragraph into the pieces a line may break between: runs
// of spaces, single Chinese (and Japanese, Korean) characters, and runs of
// other characters (words), with closing marks glued to what precedes them
// and opening marks to what follows. Pieces are adjacent, so gluing only
// moves an end offset; that keeps long runs of marks linear.
func units(para string) []string {
	var spans [][2]int
	for _, s := range rawSpans(para) {
		u := para[s[0]:s[1]]
		if n := len(spans); n > 0 && u[0] != ' ' {
			prev := para[spans[n-1][0]:spans[n-1][1]]
			first, _ := utf8.DecodeRuneInString(u)
			last, _ := utf8.DecodeLastRuneInString(prev)
			if prev[0] != ' ' && (strings.ContainsRune(opening, last) || strings.ContainsRune(closing, first)) {
				spans[n-1][1] = s[1]
				continue
			}
		}
		spans = append(spans, s)
	}
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = para[s[0]:s[1]]
	}
	return out
}

// rawSpans splits para into space runs, single wide characters and runs of
// other characters, as byte ranges.
func rawSpans(para string) [][2]int {
	var out [][2]int
	start := -1 // start of the current run, or -1
	kind := 0   // 0 a wide character, 1 spaces, 2 other
	for i, r := range para {
		k := 2
		switch {
		case r == ' ':
			k = 1
		case isWide(r):
			k = 0
		}
		if start >= 0 && (k != kind || k == 0) {
			out = append(out, [2]int{start, i})
			start = -1
		}
		if start < 0 {
			start, kind = i, k
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(para)})
	}
	return out
}

// isWide reports whether r is a character that lines may break around
// without a space: ideographs, kana, hangul, CJK punctuation and fullwidth
// forms.
func isWide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF) || (r >= 0x2E80 && r <= 0x2FFF) ||
		strings.ContainsRune("“”‘’…—·", r)
}
