package exposure

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/modtest"
	"github.com/google/go-cmp/cmp"
)

// TestCompareVersionsScalibrVectors runs osv-scalibr's own per-ecosystem
// comparison vectors through CompareVersions, both ways round.
func TestCompareVersionsScalibrVectors(t *testing.T) {
	m := modtest.Download(t, modtest.Scalibr, true)
	dir := filepath.Join(m.Dir, "semantic", "testdata")
	files := []struct{ ecosystem, file string }{
		{"npm", "semver-versions.txt"},
		{"crates.io", "semver-versions.txt"},
		{"Go", "semver-versions.txt"},
		{"Hex", "semver-versions.txt"},
		{"RubyGems", "rubygems-versions.txt"},
		{"RubyGems", "rubygems-versions-generated.txt"},
		{"NuGet", "nuget-versions.txt"},
		{"Packagist", "packagist-versions.txt"},
		{"Packagist", "packagist-versions-generated.txt"},
		{"Maven", "maven-versions.txt"},
		{"Maven", "maven-versions-generated.txt"},
		{"PyPI", "pypi-versions.txt"},
		{"PyPI", "pypi-versions-generated.txt"},
		{"Debian:12", "debian-versions.txt"},
		{"Debian", "debian-versions-generated.txt"},
		{"Ubuntu", "debian-versions.txt"},
		{"CRAN", "cran-versions.txt"},
		{"CRAN", "cran-versions-generated.txt"},
		{"Alpine:v3.20", "alpine-versions.txt"},
		{"Alpine", "alpine-versions-generated.txt"},
		{"Red Hat", "redhat-versions.txt"},
		{"Rocky Linux", "redhat-versions.txt"},
		{"Hackage", "hackage-versions.txt"},
		{"Pub", "pub-versions.txt"},
	}
	total := 0
	for _, f := range files {
		t.Run(f.ecosystem+"/"+f.file, func(t *testing.T) {
			n, failed := 0, 0
			for _, v := range mustReadVectors(t, filepath.Join(dir, f.file)) {
				n++
				got, err := CompareVersions(f.ecosystem, v.a, v.b)
				back, err2 := CompareVersions(f.ecosystem, v.b, v.a)
				if err != nil || err2 != nil || got != v.want || back != -v.want {
					failed++
					if failed <= 10 {
						t.Errorf("%s %s: got %d, %d (errors %v, %v); want %d", v.a, v.b, got, back, err, err2, v.want)
					}
				}
			}
			if failed > 0 || n == 0 {
				t.Errorf("%d of %d vectors failed", failed, n)
			}
			total += n
		})
	}
	t.Logf("%d vectors", total)
}

type vector struct {
	a, b string
	want int
}

// mustReadVectors reads lines "A < B", "A = B", "A > B", skipping blank
// lines and comments as osv-scalibr's own test does.
func mustReadVectors(tb testing.TB, path string) []vector {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []vector
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "// ") {
			continue
		}
		p := strings.Split(line, " ")
		want := map[string]int{"<": -1, "=": 0, ">": 1}
		w, ok := want[p[min(1, len(p)-1)]]
		if len(p) != 3 || !ok {
			tb.Fatalf("%s: bad vector %q", path, line)
		}
		out = append(out, vector{p[0], p[2], w})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestCompareVersionsErrors(t *testing.T) {
	tests := []struct{ name, eco, a, b, want string }{
		{"unknown ecosystem", "Linux", "1", "2", `Linux version "1": unsupported ecosystem Linux`},
		{"bad Debian", "Debian", "1.0", "1.2.3-not-a-debian:version!@#$", `Debian version "1.2.3-not-a-debian:version!@#$": invalid version: failed to convert 1.2.3-not-a-debian to a number`},
		{"empty", "Go", "", "v1.0.0", `empty version`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CompareVersions(tc.eco, tc.a, tc.b)
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// ev builds events from "i:0 f:1.2.3 l:2.0 x:3" (x is limit).
func ev(s string) []Event {
	var out []Event
	for _, f := range strings.Fields(s) {
		k, v, _ := strings.Cut(f, ":")
		switch k {
		case "i":
			out = append(out, Event{Introduced: v})
		case "f":
			out = append(out, Event{Fixed: v})
		case "l":
			out = append(out, Event{LastAffected: v})
		case "x":
			out = append(out, Event{Limit: v})
		}
	}
	return out
}

func TestEvaluate(t *testing.T) {
	goNet := Affected{Ecosystem: "Go", Package: "golang.org/x/net", Ranges: []Range{
		{Type: "SEMVER", Events: ev("i:0 f:0.0.0-20210428140749-89ef3d95e781")},
	}}
	stdlib := Affected{Ecosystem: "Go", Package: "stdlib", Ranges: []Range{
		// Out of order on purpose: evaluation sorts events.
		{Type: "SEMVER", Events: ev("i:1.16.0-0 f:1.16.4 i:0 f:1.15.12")},
	}}
	pypi := Affected{Ecosystem: "PyPI", Package: "django", Ranges: []Range{
		{Type: "ECOSYSTEM", Events: ev("i:4.0 l:4.1.2")},
		{Type: "ECOSYSTEM", Events: ev("i:5.0a1 f:5.0.3")},
	}, Versions: []string{"3.2.25"}}
	limited := Affected{Ecosystem: "npm", Package: "x", Ranges: []Range{
		{Type: "SEMVER", Events: ev("i:1.0.0 x:1.5.0")},
	}}
	deb := Affected{Ecosystem: "Debian:12", Package: "openssl", Ranges: []Range{
		{Type: "ECOSYSTEM", Events: ev("i:0 f:3.0.11-1~deb12u2")},
	}}
	git := Affected{Ecosystem: "Go", Package: "example.com/m", Ranges: []Range{
		{Type: "GIT", Events: ev("i:abc f:def")},
	}}
	tests := []struct {
		name    string
		a       Affected
		version string
		want    Verdict
	}{
		{"go pseudo-version before the fix", goNet, "v0.0.0-20210226172049-e18ecbb05110", Verdict{Affected: true, Range: &goNet.Ranges[0]}},
		{"go fixed pseudo-version", goNet, "v0.0.0-20210428140749-89ef3d95e781", Verdict{}},
		{"go later release", goNet, "v0.17.0", Verdict{}},
		{"go without v", goNet, "0.0.0-20200226172049-e18ecbb05110", Verdict{Affected: true, Range: &goNet.Ranges[0]}},
		{"stdlib first range", stdlib, "v1.15.11", Verdict{Affected: true, Range: &stdlib.Ranges[0]}},
		{"stdlib between ranges", stdlib, "v1.15.12", Verdict{}},
		{"stdlib pre-release of 1.16 is introduced", stdlib, "v1.16.0-rc1", Verdict{Affected: true, Range: &stdlib.Ranges[0]}},
		{"stdlib second range", stdlib, "v1.16.3", Verdict{Affected: true, Range: &stdlib.Ranges[0]}},
		{"stdlib second fix", stdlib, "v1.16.4", Verdict{}},
		{"pypi last_affected included", pypi, "4.1.2", Verdict{Affected: true, Range: &pypi.Ranges[0]}},
		{"pypi after last_affected", pypi, "4.1.3", Verdict{}},
		{"pypi second range", pypi, "5.0", Verdict{Affected: true, Range: &pypi.Ranges[1]}},
		{"pypi before introduced", pypi, "3.2.24", Verdict{}},
		{"pypi versions list", pypi, "3.2.25", Verdict{Affected: true}},
		{"debian unparsable version", deb, "1.2.3-not-a-debian:version!@#$", Verdict{NotEvaluable: `Debian:12 version "1.2.3-not-a-debian:version!@#$": invalid version: failed to convert 1.2.3-not-a-debian to a number`}},
		{"limit below", limited, "1.4.9", Verdict{Affected: true, Range: &limited.Ranges[0]}},
		{"limit reached", limited, "1.5.0", Verdict{}},
		{"debian backport before fix", deb, "3.0.11-1~deb12u1", Verdict{Affected: true, Range: &deb.Ranges[0]}},
		{"debian fixed", deb, "3.0.11-1~deb12u2", Verdict{}},
		{"git only", git, "v1.0.0", Verdict{NotEvaluable: "GIT ranges name commits, not released versions"}},
		{"unknown ecosystem", Affected{Ecosystem: "Linux", Ranges: []Range{{Type: "ECOSYSTEM", Events: ev("i:0 f:2")}}}, "1", Verdict{NotEvaluable: `the advisory's range cannot be read: Linux version "2": unsupported ecosystem Linux`}},
		{"unknown ecosystem, versions list", Affected{Ecosystem: "Linux", Versions: []string{"1"}}, "1", Verdict{Affected: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.a.Evaluate(tc.version)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Evaluate(%q) (-want +got):\n%s", tc.version, diff)
			}
		})
	}
}
