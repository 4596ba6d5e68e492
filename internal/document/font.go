package document

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/signintech/gopdf"
)

// ErrNoFont is wrapped by FindFont's error when none of the searched paths
// holds a usable font. The message names the packages to install and the
// --pdf-font flag; callers can test for it with errors.Is.
var ErrNoFont = errors.New("no Chinese font with TrueType outlines found")

// ErrUnsupportedFont is wrapped by LoadFont's error when the file is there
// but cannot serve: CFF outlines, not a font, unreadable by the PDF writer,
// or no glyphs for the footer's Chinese and Latin text.
var ErrUnsupportedFont = errors.New("unsupported font")

// FontCandidate is one place FindFont looks for a font, with the package
// that installs a file there.
type FontCandidate struct {
	Path    string
	Package string // "Debian/Ubuntu: fonts-wqy-microhei"
}

// DefaultFontCandidates returns the paths FindFont searches, best first.
// Each font there has TrueType (glyf) outlines, covers GB2312 or more and
// has Latin letters; WenQuanYi Micro Hei comes first because it covers
// every character tried in the tests (CJK Unified Ideographs, Latin-1,
// typographic quotes and dashes). Noto Sans CJK is not listed: its fonts
// have CFF outlines, which gopdf cannot embed.
func DefaultFontCandidates() []FontCandidate {
	return []FontCandidate{
		{"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "Debian/Ubuntu: fonts-wqy-microhei"},
		{"/usr/share/fonts/wqy-microhei/wqy-microhei.ttc", "Fedora, RHEL with EPEL: wqy-microhei-fonts"},
		{"/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc", "Arch: wqy-microhei"},
		{"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "Debian/Ubuntu: fonts-wqy-zenhei"},
		{"/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc", "Alpine: font-wqy-zenhei; Fedora, RHEL with EPEL: wqy-zenhei-fonts"},
		{"/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc", "Arch: wqy-zenhei"},
		{"/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", "Debian/Ubuntu: fonts-arphic-gbsn00lp"},
		{"/usr/share/fonts/truetype/arphic/uming.ttc", "Debian/Ubuntu: fonts-arphic-uming"},
		{"/usr/share/fonts/cjkuni-uming/uming.ttc", "Fedora: cjkuni-uming-fonts"},
		{"/usr/share/fonts/truetype/arphic/ukai.ttc", "Debian/Ubuntu: fonts-arphic-ukai"},
	}
}

// installHint is the actionable end of every "no usable font" message.
const installHint = "install a Chinese TrueType font: " +
	"Debian/Ubuntu: apt-get install fonts-wqy-microhei; " +
	"Fedora, RHEL with EPEL: dnf install wqy-microhei-fonts; " +
	"Alpine: apk add font-wqy-zenhei; " +
	"or name a TrueType-outline .ttf/.ttc file with --pdf-font " +
	"(Noto CJK and other .otf fonts have CFF outlines and cannot be embedded)"

// fixedText is the renderer's own text (the footer); a font that cannot
// draw it cannot draw any document.
const fixedText = "第页共生成时间 Page of Generated at 0123456789:-/·+"

// Font is a TrueType font ready to embed. It is immutable, and one Font can
// serve any number of concurrent Render calls.
type Font struct {
	path string
	data []byte // a standalone TrueType font (a collection's first member)
}

// Path returns the file the font was loaded from.
func (f *Font) Path() string { return f.path }

// LoadFont reads the font file at path: a TrueType .ttf, or a collection
// (.ttc) whose first font has TrueType outlines. It returns an error that
// names the file when it cannot be read, when it has CFF (PostScript)
// outlines, such as Noto Sans CJK, or when it cannot draw the renderer's
// own Chinese and Latin footer text.
func LoadFont(path string) (*Font, error) {
	f, err := loadFont(path)
	if err != nil {
		return nil, fmt.Errorf("document: PDF font %s: %w; %s", path, err, installHint)
	}
	return f, nil
}

// loadFont is LoadFont without the installation hint, which FindFontIn
// gives once for all candidates.
func loadFont(path string) (*Font, error) {
	data, err := os.ReadFile(path)
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return nil, pe.Err // the path is in the caller's message already
	} else if err != nil {
		return nil, err
	}
	return parseFont(path, data)
}

// parseFont is LoadFont on bytes already read.
func parseFont(path string, data []byte) (*Font, error) {
	ttf, err := firstFont(data)
	switch {
	case errors.Is(err, errCFF):
		return nil, fmt.Errorf("%w: it has PostScript (CFF) outlines, and the PDF writer embeds only TrueType (glyf) outlines", ErrUnsupportedFont)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrUnsupportedFont, err)
	}
	f := &Font{path: path, data: ttf}
	// Loading the font into a throwaway PDF checks that gopdf reads it (it
	// needs a Windows Unicode format 4 cmap, for one) and lets us ask which
	// characters it maps, through the same lookup Render uses.
	gp, err := f.start(nil)
	if err != nil {
		return nil, err
	}
	if missing := uncovered(gp, fixedText); len(missing) > 0 {
		return nil, fmt.Errorf("%w: it has no glyph for %s, which every page's footer needs", ErrUnsupportedFont, quoteRunes(missing))
	}
	return f, nil
}

// fontFamily is the name the font is registered under inside a PDF.
const fontFamily = "body"

// start begins a PDF with the font registered and selected; gopdf calls
// onMissing, if set, for each character it finds no glyph for (it would
// otherwise draw a space silently). gopdf's font parser indexes the font's
// tables without bounds checks, so a panic on a corrupt file becomes an
// error here rather than a crash of the server.
func (f *Font) start(onMissing func(rune)) (gp *gopdf.GoPdf, err error) {
	defer func() {
		if r := recover(); r != nil {
			gp, err = nil, fmt.Errorf("%w: the PDF writer cannot read it (%v)", ErrUnsupportedFont, r)
		}
	}()
	gp = &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	opt := gopdf.TtfOption{OnGlyphNotFound: onMissing}
	if err := gp.AddTTFFontDataWithOption(fontFamily, f.data, opt); err != nil {
		return nil, fmt.Errorf("%w: the PDF writer cannot read it (%v)", ErrUnsupportedFont, err)
	}
	if err := gp.SetFont(fontFamily, "", 10); err != nil {
		return nil, err
	}
	return gp, nil
}

// uncovered returns the distinct characters of text, other than line
// breaks, that the current font of gp maps to no glyph (or to glyph 0,
// .notdef, the "tofu" box), in order of first appearance.
func uncovered(gp *gopdf.GoPdf, text string) []rune {
	var out []rune
	seen := map[rune]bool{'\n': true}
	for _, r := range text {
		if seen[r] {
			continue
		}
		seen[r] = true
		if ok, err := gp.IsCurrFontContainGlyph(r); err != nil || !ok {
			out = append(out, r)
		}
	}
	return out
}

// quoteRunes formats characters as `"中" (U+4E2D), "★" (U+2605)`.
func quoteRunes(rs []rune) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%q (%U)", r, r)
	}
	return strings.Join(parts, ", ")
}

// FindFont loads the first usable font among DefaultFontCandidates.
// It returns an error wrapping ErrNoFont, naming what was searched, the
// packages that install a font and the --pdf-font flag, when there is none.
func FindFont() (*Font, error) {
	return FindFontIn(DefaultFontCandidates())
}

// FindFontIn loads the first usable font among candidates, skipping missing
// files and files LoadFont rejects. It returns an error wrapping ErrNoFont
// when none is usable; the message lists the paths searched, why each
// present one was passed over, and how to install a font.
func FindFontIn(candidates []FontCandidate) (*Font, error) {
	var absent, unusable []string
	for _, c := range candidates {
		f, err := loadFont(c.Path)
		switch {
		case err == nil:
			return f, nil
		case errors.Is(err, fs.ErrNotExist):
			absent = append(absent, c.Path)
		default:
			unusable = append(unusable, fmt.Sprintf("%s (%s): %v", c.Path, c.Package, err))
		}
	}
	var msg []string
	if len(absent) > 0 {
		msg = append(msg, "none of "+strings.Join(absent, ", ")+" exists")
	}
	if len(unusable) > 0 {
		msg = append(msg, "unusable: "+strings.Join(unusable, "; "))
	}
	msg = append(msg, installHint)
	return nil, fmt.Errorf("document: %w; %s", ErrNoFont, strings.Join(msg, "; "))
}
