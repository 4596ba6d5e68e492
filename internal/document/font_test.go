package document

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/signintech/gopdf"
)

// The fonts the tests look at. CI installs the first (see .ci/run);
// Noto Sans CJK is there only to show that CFF fonts are refused.
const (
	microHeiPath = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
	notoPath     = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
	dejaVuPath   = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)

// inCI reports whether the tests run in CI (CI=true), where what .ci/run
// installs must be present: a test that would skip fails instead.
func inCI() bool { return os.Getenv("CI") == "true" }

// skipOrFail skips the test with msg, or fails it in CI.
func skipOrFail(t testing.TB, msg string) {
	t.Helper()
	if inCI() {
		t.Fatalf("%s; CI (CI=true) must have it: .ci/run installs it", msg)
	}
	t.Skipf("%s; CI runs this test", msg)
}

// mustSystemFont returns the font FindFont finds, skipping the test (or
// failing it in CI) when there is none.
func mustSystemFont(t testing.TB) *Font {
	t.Helper()
	f, err := FindFont()
	if err != nil {
		skipOrFail(t, "no system Chinese font (apt-get install fonts-wqy-microhei): "+err.Error())
	}
	return f
}

// mustFile returns the contents of a system file, skipping the test (or
// failing it in CI) when it is absent.
func mustFile(t testing.TB, path, pkg string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		skipOrFail(t, "no "+path+" (Debian package "+pkg+"): "+err.Error())
	}
	return data
}

// writeTemp writes data to a new file in a temporary directory.
func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadFontErrors(t *testing.T) {
	cff := sfntFile(tagCFF, false, []table{{"CFF ", []byte{1}}, {"head", make([]byte, 54)}})
	tests := []struct {
		name     string
		path     string
		wantIs   error
		wantText string // a part of the message
	}{
		{"absent", filepath.Join(t.TempDir(), "none.ttf"), fs.ErrNotExist, "no such file"},
		{"CFF outlines", writeTemp(t, "cff.otf", cff), ErrUnsupportedFont, "PostScript (CFF) outlines"},
		{"not a font", writeTemp(t, "x.ttf", []byte("<html>not a font</html>")), ErrUnsupportedFont, "not a TrueType or OpenType font"},
		// A well-formed table directory without the tables gopdf needs.
		{"unreadable by gopdf", writeTemp(t, "bare.ttf", sfntFile(tagTrueType, false, trueTypeTables(1))), ErrUnsupportedFont, "the PDF writer cannot read it"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadFont(tc.path)
			if !errors.Is(err, tc.wantIs) {
				t.Fatalf("LoadFont: got %v, want an error wrapping %v", err, tc.wantIs)
			}
			for _, part := range []string{tc.path, tc.wantText, "apt-get install fonts-wqy-microhei", "--pdf-font"} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("LoadFont error %q does not mention %q", err, part)
				}
			}
		})
	}
}

// TestLoadFontWithoutChinese loads DejaVu Sans, a TrueType font on every
// machine of this project's kind that has Latin glyphs but no Chinese.
func TestLoadFontWithoutChinese(t *testing.T) {
	mustFile(t, dejaVuPath, "fonts-dejavu-core")
	_, err := LoadFont(dejaVuPath)
	if !errors.Is(err, ErrUnsupportedFont) || !strings.Contains(err.Error(), `no glyph for '第' (U+7B2C)`) {
		t.Errorf("LoadFont(DejaVu Sans): got %v, want ErrUnsupportedFont naming 第", err)
	}
}

// TestNotoCJKIsCFF checks the claim behind refusing Noto Sans CJK: its
// collection holds CFF fonts, and gopdf itself cannot read the file. It
// skips where fonts-noto-cjk is absent, even in CI: the synthetic CFF case
// of TestLoadFontErrors covers the refusal everywhere.
func TestNotoCJKIsCFF(t *testing.T) {
	data, err := os.ReadFile(notoPath)
	if err != nil {
		t.Skipf("no %s (Debian fonts-noto-cjk): %v", notoPath, err)
	}
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	if err := gp.AddTTFFontData("noto", data); err == nil {
		t.Error("gopdf read Noto Sans CJK; the claim that it cannot is out of date")
	}
	_, err = LoadFont(notoPath)
	if !errors.Is(err, ErrUnsupportedFont) || !strings.Contains(err.Error(), "CFF") {
		t.Errorf("LoadFont(Noto Sans CJK): got %v, want ErrUnsupportedFont naming CFF", err)
	}
}

// fcQuery returns what FreeType, through fontconfig's fc-query, reads from
// font number index of a font file: names, style, character set, version
// and format, without the lines naming the file and index.
func fcQuery(t *testing.T, path string, index int) string {
	t.Helper()
	tool, err := exec.LookPath("fc-query")
	if err != nil {
		skipOrFail(t, "no fc-query (Debian fontconfig)")
	}
	out, err := exec.Command(tool, "-i", strconv.Itoa(index), path).Output()
	if err != nil {
		t.Fatalf("fc-query %s: %v", path, err)
	}
	var keep []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] != "file:" && f[0] != "index:" && f[0] != "Pattern" {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// TestFirstFontOfSystemCollection extracts the first font of WenQuanYi
// Micro Hei's collection and has FreeType, a parser of its own, compare it
// with the collection's first member: same names, style, character set and
// version; and checks its checksums.
func TestFirstFontOfSystemCollection(t *testing.T) {
	data := mustFile(t, microHeiPath, "fonts-wqy-microhei")
	got, err := firstFont(data)
	if err != nil {
		t.Fatal(err)
	}
	want := fcQuery(t, microHeiPath, 0)
	if !strings.Contains(want, "WenQuanYi Micro Hei") || !strings.Contains(want, "charset:") {
		t.Fatalf("fc-query output is not what this test expects:\n%s", want)
	}
	if diff := cmp.Diff(want, fcQuery(t, writeTemp(t, "first.ttf", got), 0)); diff != "" {
		t.Errorf("FreeType's view (-collection member +extracted font):\n%s", diff)
	}
	checkChecksums(t, got)
}

func TestFindFontIn(t *testing.T) {
	dir := t.TempDir()
	absent := filepath.Join(dir, "absent.ttc")
	cff := writeTemp(t, "cff.otf", sfntFile(tagCFF, false, []table{{"CFF ", []byte{1}}}))
	_, err := FindFontIn([]FontCandidate{{absent, "pkg-a"}, {cff, "pkg-b"}})
	if !errors.Is(err, ErrNoFont) {
		t.Fatalf("FindFontIn: got %v, want ErrNoFont", err)
	}
	for _, part := range []string{"none of " + absent + " exists", "unusable: " + cff + " (pkg-b): ", "CFF",
		"apt-get install fonts-wqy-microhei", "dnf install wqy-microhei-fonts", "apk add font-wqy-zenhei", "--pdf-font"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("FindFontIn error %q does not mention %q", err, part)
		}
	}

	mustFile(t, microHeiPath, "fonts-wqy-microhei")
	f, err := FindFontIn([]FontCandidate{{absent, "pkg-a"}, {cff, "pkg-b"}, {microHeiPath, "fonts-wqy-microhei"}})
	if err != nil {
		t.Fatal(err)
	}
	if f.Path() != microHeiPath {
		t.Errorf("FindFontIn chose %s, want %s", f.Path(), microHeiPath)
	}
}

// TestDefaultFontCandidates checks the searched list against the fonts
// installed here: each present file must load and render a small
// bilingual document that poppler reads back (a path in the list that
// holds an unusable font would be a trap for operators).
func TestDefaultFontCandidates(t *testing.T) {
	found := 0
	doc := &Document{Title: "漏洞报告 Vulnerability report", GeneratedAt: testTime(),
		Sections: []Section{{Heading: "概述 Summary", Rows: []Row{{"编号 ID", "CVE-2026-0001"}}}}}
	for _, c := range DefaultFontCandidates() {
		if _, err := os.Stat(c.Path); err != nil {
			continue
		}
		found++
		font, err := LoadFont(c.Path)
		if err != nil {
			t.Errorf("%s (%s) is listed but does not load: %v", c.Path, c.Package, err)
			continue
		}
		path := mustRender(t, doc, font)
		if diff := cmp.Diff([]string(nil), missingInOrder(doc, pageText(t, path, 1))); diff != "" {
			t.Errorf("%s: texts not read back (-want +got):\n%s", c.Path, diff)
		}
	}
	if found == 0 {
		skipOrFail(t, "none of the listed fonts is installed")
	}
	t.Logf("%d of the %d listed fonts are installed here, and work", found, len(DefaultFontCandidates()))
}

// FuzzParseFont loads arbitrary bytes as a font, as LoadFont does with the
// file --pdf-font names: the extractor and then gopdf's parser, whose
// panics on corrupt tables parseFont turns into errors. Where DejaVu Sans
// is installed it seeds the corpus with a whole real font.
func FuzzParseFont(f *testing.F) {
	f.Add(sfntFile(tagTrueType, false, trueTypeTables(1)))
	f.Add(sfntFile(tagTrueType, true, trueTypeTables(1)))
	if data, err := os.ReadFile(dejaVuPath); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		font, err := parseFont("fuzz.ttf", data)
		if err == nil && font.Path() != "fuzz.ttf" {
			t.Fatal("a loaded font lost its path")
		}
	})
}
