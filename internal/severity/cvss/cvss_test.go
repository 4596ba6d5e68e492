package cvss

import (
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/google/go-cmp/cmp"
)

func ptr(f float64) *float64 { return &f }

func TestScore(t *testing.T) {
	tests := []struct {
		name, vector string
		want         Scores
	}{
		{
			name:   "v3.1 base",
			vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			want: Scores{Version: V31, Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
				Base: 9.8, BaseSeverity: Critical},
		},
		{
			name:   "v3.1 temporal and environmental",
			vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C/CR:L/MAV:L",
			want: Scores{Version: V31, Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C/CR:L/MAV:L",
				Base: 9.8, BaseSeverity: Critical, Temporal: ptr(8.8), TemporalSeverity: High,
				Environmental: ptr(7.3), EnvironmentalSeverity: High},
		},
		{
			name:   "v3.1 temporal metrics all X carry no temporal score",
			vector: "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N/E:X/RL:X/RC:X",
			want: Scores{Version: V31, Vector: "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N/E:X/RL:X/RC:X",
				Base: 1.8, BaseSeverity: Low},
		},
		{
			name:   "v3.0 in any order, written back in order",
			vector: "CVSS:3.0/S:U/AV:N/AC:L/PR:H/UI:N/C:L/I:L/A:N/E:F/RL:X",
			want: Scores{Version: V30, Vector: "CVSS:3.0/AV:N/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:N/E:F/RL:X",
				Base: 3.8, BaseSeverity: Low, Temporal: ptr(3.7), TemporalSeverity: Low},
		},
		{
			name:   "v2 with NVD's ratings",
			vector: "AV:N/AC:L/Au:N/C:C/I:C/A:C/E:F/RL:OF/RC:C",
			want: Scores{Version: V2, Vector: "AV:N/AC:L/Au:N/C:C/I:C/A:C/E:F/RL:OF/RC:C",
				Base: 10, BaseSeverity: High, Temporal: ptr(8.3), TemporalSeverity: High},
		},
		{
			name:   "v2 no impact",
			vector: "AV:L/AC:H/Au:M/C:N/I:N/A:N",
			want:   Scores{Version: V2, Vector: "AV:L/AC:H/Au:M/C:N/I:N/A:N", Base: 0, BaseSeverity: Low},
		},
		{
			name:   "v4.0 base",
			vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
			want: Scores{Version: V40, Vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
				Base: 9.3, BaseSeverity: Critical, Nomenclature: "CVSS-B"},
		},
		{
			name:   "v4.0 threat",
			vector: "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U",
			want: Scores{Version: V40, Vector: "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U",
				Base: 7.3, BaseSeverity: High, Threat: ptr(4.1), ThreatSeverity: Medium, Nomenclature: "CVSS-BT"},
		},
		{
			name:   "v4.0 threat and environmental",
			vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P/CR:H/IR:H/AR:H/MSI:S/MSA:S",
			want: Scores{Version: V40, Vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P/CR:H/IR:H/AR:H/MSI:S/MSA:S",
				Base: 10, BaseSeverity: Critical, Threat: ptr(9.3), ThreatSeverity: Critical,
				Environmental: ptr(9.8), EnvironmentalSeverity: Critical, Nomenclature: "CVSS-BTE"},
		},
		{
			name:   "v4.0 environmental and supplemental",
			vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MAV:P/S:P/U:Red",
			want: Scores{Version: V40, Vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MAV:P/S:P/U:Red",
				Base: 9.3, BaseSeverity: Critical, Environmental: ptr(7.0), EnvironmentalSeverity: High, Nomenclature: "CVSS-BE"},
		},
		{
			// The interpolation gives 5.65: FIRST rounds half up, go-cvss
			// v0.6.4 gives 5.6.
			name:   "v4.0 tie rounds up",
			vector: "CVSS:4.0/AV:L/AC:H/AT:P/PR:N/UI:A/VC:H/VI:L/VA:N/SC:L/SI:N/SA:N",
			want: Scores{Version: V40, Vector: "CVSS:4.0/AV:L/AC:H/AT:P/PR:N/UI:A/VC:H/VI:L/VA:N/SC:L/SI:N/SA:N",
				Base: 5.7, BaseSeverity: Medium, Nomenclature: "CVSS-B"},
		},
		{
			name:   "v4.0 no impact",
			vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
			want: Scores{Version: V40, Vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
				Base: 0, BaseSeverity: None, Nomenclature: "CVSS-B"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Parse(tc.vector)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, v.Score()); diff != "" {
				t.Errorf("Score() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// problem is what a user learns from a Parse error.
type problem struct {
	Kind errs.Kind
	Code string
	Msg  string
}

func TestParseErrors(t *testing.T) {
	base31 := "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
	base40 := "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
	tests := []struct {
		name, vector string
		want         problem
	}{
		{"empty", "", problem{errs.Invalid, "cvss.vector", "not a CVSS vector; give one such as CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}},
		{"too long", base31 + strings.Repeat("/E:X", 200), problem{errs.Invalid, "cvss.vector", "not a CVSS vector; give one such as CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}},
		{"lower-case prefix", strings.ToLower(base31[:8]) + base31[8:], problem{errs.Invalid, "cvss.vector", "not a CVSS vector; give one such as CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}},
		{"unknown version", "CVSS:3.2/AV:N", problem{errs.Invalid, "cvss.version", `CVSS version "3.2" is not supported; use 3.0, 3.1 or 4.0, or a v2 vector without a prefix`}},
		{"v2 with a prefix", "CVSS:2.0/AV:N/AC:L/Au:N/C:C/I:C/A:C", problem{errs.Invalid, "cvss.version", `CVSS version "2.0" is not supported; use 3.0, 3.1 or 4.0, or a v2 vector without a prefix`}},
		{"no prefix", base31[9:], problem{errs.Invalid, "cvss.prefix", "a CVSS 3 or 4 vector starts with its version, such as CVSS:3.1/ or CVSS:4.0/"}},
		{"missing base metric", strings.TrimSuffix(base31, "/A:H"), problem{errs.Invalid, "cvss.missing", "base metric A is missing"}},
		{"bad value", strings.Replace(base31, "AC:L", "AC:M", 1), problem{errs.Invalid, "cvss.value", `metric AC cannot be "M"; use one of L, H`}},
		{"value case", strings.Replace(base40, "SA:N", "SA:n", 1), problem{errs.Invalid, "cvss.value", `metric SA cannot be "n"; use one of N, L, H`}},
		{"unknown metric", base31 + "/MAT:N", problem{errs.Invalid, "cvss.metric", `CVSS:3.1 has no metric "MAT"`}},
		{"v2 unknown metric", "AV:N/AC:L/Au:N/C:C/I:C/A:C/Q:1", problem{errs.Invalid, "cvss.metric", `CVSS:2.0 has no metric "Q"`}},
		{"duplicate", base31 + "/AV:L", problem{errs.Invalid, "cvss.duplicate", "metric AV appears more than once"}},
		{"empty part", strings.Replace(base31, "/", "//", 2), problem{errs.Invalid, "cvss.part", `"" is not a METRIC:VALUE pair`}},
		{"trailing slash", base40 + "/", problem{errs.Invalid, "cvss.part", `"" is not a METRIC:VALUE pair`}},
		{"no colon", base40 + "/E", problem{errs.Invalid, "cvss.part", `"E" is not a METRIC:VALUE pair`}},
		{"v4.0 order", "CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", problem{errs.Invalid, "cvss.order", "metric AV is out of order: CVSS:4.0 lists metrics in the specification's order"}},
		{"v4.0 threat after environmental", base40 + "/CR:H/E:A", problem{errs.Invalid, "cvss.order", "metric E is out of order: CVSS:4.0 lists metrics in the specification's order"}},
		{"v2 order", "AC:L/AV:N/Au:N/C:C/I:C/A:C", problem{errs.Invalid, "cvss.order", "metric AV is out of order: CVSS:2.0 lists metrics in the specification's order"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.vector)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want an error", tc.vector)
			}
			code, _ := errs.CodeOf(err)
			got := problem{errs.KindOf(err), code, errs.Message(err)}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse(%q) error mismatch (-want +got):\n%s", tc.vector, diff)
			}
		})
	}
}

func TestStringRoundTrip(t *testing.T) {
	for _, s := range []string{
		"AV:N/AC:L/Au:N/C:C/I:C/A:C/CDP:H/TD:ND/CR:M/IR:ND/AR:ND",
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X/MAV:X",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:X/CR:H/MSI:S/S:P/AU:Y/R:I/V:C/RE:H/U:Amber",
	} {
		v := mustParse(t, s)
		if got := v.String(); got != s {
			t.Errorf("String() = %q, want %q", got, s)
		}
		if v2 := mustParse(t, v.String()); v2 != v {
			t.Errorf("Parse(String()) = %v, want %v", v2, v)
		}
	}
}

func TestGet(t *testing.T) {
	v := mustParse(t, "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:Clear")
	got := []string{v.Get("AV"), v.Get("U"), v.Get("E"), v.Get("Au"), Vector{}.Get("AV")}
	if diff := cmp.Diff([]string{"N", "Clear", "", "", ""}, got); diff != "" {
		t.Errorf("Get mismatch (-want +got):\n%s", diff)
	}
	var zero Vector
	if v.Version() != V40 || zero.Version() != "" || zero.String() != "" {
		t.Errorf("Version() = %q, zero Vector: %q %q", v.Version(), zero.Version(), zero.String())
	}
}

func TestRating(t *testing.T) {
	type named struct {
		Severity Severity
		Chinese  string
	}
	var got []named
	for _, s := range []float64{0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10} {
		r := Rating(s)
		got = append(got, named{r, r.Chinese()})
	}
	want := []named{
		{None, "无"}, {Low, "低"}, {Low, "低"}, {Medium, "中"}, {Medium, "中"},
		{High, "高"}, {High, "高"}, {Critical, "严重"}, {Critical, "严重"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ratings mismatch (-want +got):\n%s", diff)
	}
}

func TestOverall(t *testing.T) {
	tests := []struct {
		vector string
		want   float64
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U", 9.0},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/MAV:P", 6.2},
		{"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P", 5.9},
	}
	for _, tc := range tests {
		got, _ := mustParse(t, tc.vector).Score().Overall()
		if got != tc.want {
			t.Errorf("%s: Overall() = %v, want %v", tc.vector, got, tc.want)
		}
	}
}

func mustParse(t testing.TB, s string) Vector {
	t.Helper()
	v, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return v
}

// FuzzParse feeds Parse outside input: it must not panic, must reject with
// errs.Invalid, and whatever it accepts must survive String and Parse
// unchanged and score within 0–10.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"AV:N/AC:L/Au:N/C:C/I:C/A:C/E:F/RL:OF/RC:C/CDP:H/TD:M/CR:L/IR:M/AR:H",
		"CVSS:3.0/S:U/AV:N/AC:L/PR:H/UI:N/C:L/I:L/A:N/E:F/RL:X",
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/E:P/RL:O/RC:C/CR:L/IR:H/AR:M/MAV:L/MAC:H/MPR:L/MUI:R/MS:U/MC:L/MI:N/MA:H",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P/CR:H/IR:M/AR:L/MAV:A/MAC:H/MAT:P/MPR:L/MUI:A/MVC:L/MVI:N/MVA:H/MSC:L/MSI:S/MSA:N/S:P/AU:Y/R:I/V:C/RE:H/U:Amber",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
		"", "CVSS:", "CVSS:3.1/", "AV:N", "CVSS:4.0/AV:N/AV:N", "//:", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("Parse(%q): error of kind %v: %v", s, errs.KindOf(err), err)
			}
			return
		}
		v2, err := Parse(v.String())
		if err != nil {
			t.Fatalf("Parse(%q) accepted, but Parse(String() = %q): %v", s, v.String(), err)
		}
		if v2 != v {
			t.Fatalf("Parse(%q).String() = %q parses differently", s, v.String())
		}
		sc := v.Score()
		for _, x := range []*float64{&sc.Base, sc.Temporal, sc.Threat, sc.Environmental} {
			if x != nil && (*x < 0 || *x > 10) {
				t.Fatalf("%q: score %v out of range: %+v", s, *x, sc)
			}
		}
	})
}

// BenchmarkScore measures scoring a parsed vector of each version.
func BenchmarkScore(b *testing.B) {
	for _, s := range []string{
		"AV:N/AC:L/Au:N/C:C/I:C/A:C/E:F/RL:OF/RC:C",
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/E:P/RL:O/RC:C/CR:L/MAV:L",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
		"CVSS:4.0/AV:L/AC:H/AT:P/PR:N/UI:A/VC:H/VI:L/VA:N/SC:L/SI:N/SA:N/E:P/CR:M/IR:L/MAV:N/MSI:S",
	} {
		v := mustParse(b, s)
		name := v.Version().String()
		if n := v.Score().Nomenclature; n != "" {
			name += "/" + n
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				v.Score()
			}
		})
	}
}

// BenchmarkParse measures parsing a full CVSS v4.0 vector.
func BenchmarkParse(b *testing.B) {
	s := "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P/CR:H/IR:M/AR:L/MAV:A/MAC:H/MAT:P/MPR:L/MUI:A/MVC:L/MVI:N/MVA:H/MSC:L/MSI:S/MSA:N/S:P/AU:Y/R:I/V:C/RE:H/U:Amber"
	for b.Loop() {
		if _, err := Parse(s); err != nil {
			b.Fatal(err)
		}
	}
}
