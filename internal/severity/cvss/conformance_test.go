package cvss

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// conformanceDir returns ../shared/conformance/cvss next to the repository.
// It skips the test where the data is absent, except in CI (CI=true), which
// must have it.
func conformanceDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "conformance", "cvss")
	if _, err := os.Stat(data); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CVSS conformance data missing in CI: %v", err)
		}
		t.Skipf("CVSS conformance data absent (%v); CI runs this test", err)
	}
	return data
}

// mismatches collects disagreements and reports the first few.
type mismatches struct {
	t *testing.T
	n int
}

func (m *mismatches) add(format string, args ...any) {
	m.t.Helper()
	m.n++
	if m.n <= 20 {
		m.t.Errorf(format, args...)
	}
}

// TestConformanceRedHat scores every vector of Red Hat's cvss library tests
// (v2, v3.0, v3.1, v4.0) and compares every score they give.
func TestConformanceRedHat(t *testing.T) {
	dir := conformanceDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "vectors_*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors_* files in %s: %v", dir, err)
	}
	m := &mismatches{t: t}
	total := 0
	for _, f := range files {
		n := checkRedHatFile(t, m, f)
		t.Logf("%s: %d vectors", filepath.Base(f), n)
		total += n
	}
	if m.n > 0 {
		t.Fatalf("%d of %d Red Hat vectors disagree", m.n, total)
	}
	t.Logf("Red Hat: %d vectors in %d files, all agree", total, len(files))
}

// checkRedHatFile checks the "VECTOR - (base, temporal, environmental)" or
// "VECTOR - score" lines of one file and returns how many it checked.
func checkRedHatFile(t *testing.T, m *mismatches, path string) int {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		vec, want, ok := strings.Cut(line, " - ")
		if !ok {
			t.Fatalf("%s: bad line %q", path, line)
		}
		n++
		v, err := Parse(vec)
		if err != nil {
			m.add("%s: Parse(%q): %v", filepath.Base(path), vec, err)
			continue
		}
		if diff := compareRedHat(v, splitScores(want)); diff != "" {
			m.add("%s: %s: %s", filepath.Base(path), vec, diff)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// splitScores turns "(9.8, 9.1, None)", "(9.2,)" or "7.3" into its fields.
func splitScores(s string) []string {
	var out []string
	for f := range strings.SplitSeq(strings.Trim(s, "()"), ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// compareRedHat compares v's scores with Red Hat's: v2 and v3 give base,
// temporal and environmental scores, computed with defaults for missing
// metrics ("None" in v2 when there are none); v4 gives the vector's score.
func compareRedHat(v Vector, want []string) string {
	var got []float64
	switch v.spec {
	case specV2:
		all := v.scoresV2()
		got = all[:]
	case specV30, specV31:
		all := v.scoresV3()
		got = all[:]
	default:
		s, _ := v.Score().Overall()
		got = []float64{s}
	}
	if len(want) != len(got) {
		return fmt.Sprintf("want %d scores %v, have %d", len(want), want, len(got))
	}
	s := v.Score()
	for i, w := range want {
		if w == "None" {
			if (i == 1 && s.Temporal != nil) || (i == 2 && s.Environmental != nil) {
				return fmt.Sprintf("score %d: want none, got %+v", i, s)
			}
			continue
		}
		f, err := strconv.ParseFloat(w, 64)
		if err != nil {
			return err.Error()
		}
		if f != got[i] {
			return fmt.Sprintf("score %d: got %v, want %v", i, got[i], f)
		}
	}
	return ""
}

// firstRecord is a record of FIRST's CVSS v4.0 reference scores.
type firstRecord struct {
	Vector   string  `json:"vector"`
	Valid    *bool   `json:"valid"` // absent in v40-macro.json, whose vectors are all valid
	Score    float64 `json:"score"`
	Severity string  `json:"severity"`
}

// TestConformanceFIRST checks every vector of FIRST's CVSS v4.0 reference
// scores: valid ones must score as FIRST's calculator does today (the
// reference file predates its half-up rounding correction, so
// v40-rounding-corrections.json overrides 157 of its scores) and invalid
// ones must be rejected.
func TestConformanceFIRST(t *testing.T) {
	dir := filepath.Join(conformanceDir(t), "first-v4")
	var corrections []struct {
		Vector   string  `json:"vector"`
		Previous float64 `json:"previous"`
		Score    float64 `json:"score"`
	}
	readJSON(t, filepath.Join(dir, "v40-rounding-corrections.json"), &corrections)
	corrected := map[string]float64{}
	for _, c := range corrections {
		corrected[c.Vector] = c.Score
	}
	m := &mismatches{t: t}
	valid, invalid, nCorrected, used := 0, 0, 0, map[string]bool{}
	for _, name := range []string{"v40-reference-base.json", "v40-reference-complete.json.gz", "v40-macro.json"} {
		var recs []firstRecord
		readJSON(t, filepath.Join(dir, name), &recs)
		for _, r := range recs {
			if r.Valid != nil && !*r.Valid {
				invalid++
				if v, err := Parse(r.Vector); err == nil {
					m.add("%s: Parse(%q) = %v, want an error", name, r.Vector, v)
				}
				continue
			}
			valid++
			want, wantSev := r.Score, r.Severity
			// The base file's vectors had their default "/E:A" suffix
			// removed; the corrections keep it.
			for _, key := range []string{r.Vector, r.Vector + "/E:A"} {
				if c, ok := corrected[key]; ok {
					want, wantSev, used[key] = c, string(Rating(c)), true
					nCorrected++
					break
				}
			}
			checkFIRST(m, name, r.Vector, want, wantSev)
		}
	}
	if m.n > 0 {
		t.Fatalf("%d of %d FIRST vectors disagree", m.n, valid+invalid)
	}
	if len(used) != len(corrected) {
		t.Errorf("%d of %d rounding corrections matched no reference vector", len(corrected)-len(used), len(corrected))
	}
	t.Logf("FIRST v4.0: %d vectors (%d valid, %d of them scored as corrected by %d rounding corrections; %d invalid), all agree",
		valid+invalid, valid, nCorrected, len(used), invalid)
}

// checkFIRST compares one valid vector's score and severity.
func checkFIRST(m *mismatches, file, vec string, want float64, wantSev string) {
	v, err := Parse(vec)
	if err != nil {
		m.add("%s: Parse(%q): %v", file, vec, err)
		return
	}
	got, sev := v.Score().Overall()
	if got != want || !strings.EqualFold(string(sev), wantSev) {
		m.add("%s: %s: got %v %s, want %v %s", file, vec, got, sev, want, wantSev)
	}
}

// readJSON decodes a JSON file, gunzipping names ending in .gz.
func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = gz
	}
	if err := json.NewDecoder(r).Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
