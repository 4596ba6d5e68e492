package product

import (
	"testing"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/google/go-cmp/cmp"
)

func TestCompareVersions(t *testing.T) {
	// Each list is in ascending order.
	ordered := []string{
		"0.9", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1", "1.0", "1.0.0", "1.0.0+build.5", "1.0.1", "1.2", "1.10", "2.0.0.1",
		"10", "V100R001C00", "abc",
	}
	for i := range ordered {
		for j := range ordered {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			if got := CompareVersions(ordered[i], ordered[j]); got != want {
				t.Errorf("CompareVersions(%q, %q) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in   string
		want VersionNumber
		ok   bool
	}{
		{"2.1.4", VersionNumber{Parts: []uint64{2, 1, 4}}, true},
		{"3.0.0-rc.1", VersionNumber{Parts: []uint64{3, 0, 0}, Prerelease: []string{"rc", "1"}}, true},
		{"1.2+meta-1", VersionNumber{Parts: []uint64{1, 2}}, true},
		{"", VersionNumber{}, false},
		{"v1.2", VersionNumber{}, false},
		{"1..2", VersionNumber{}, false},
		{"1.2-", VersionNumber{}, false},
		{"1.2-rc..1", VersionNumber{}, false},
		{"1.2-rc_1", VersionNumber{}, false},
		{"1.2.3.4.5.6.7.8.9", VersionNumber{}, false},
		{"99999999999999999999", VersionNumber{}, false},
	}
	for _, tc := range tests {
		got, ok := ParseVersion(tc.in)
		if ok != tc.ok {
			t.Errorf("ParseVersion(%q) ok = %v, want %v", tc.in, ok, tc.ok)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseVersion(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

var catalogueVersions = []string{
	"1.9.7", "2.0.0-rc.1", "2.0.0", "2.0.5", "2.1.0", "2.1.4-rc.1", "2.1.4", "2.10.0", "3.0", "V100R001C00",
}

func TestRangeSelect(t *testing.T) {
	tests := []struct {
		rng  string
		want []string
	}{
		{">=2.0.0 <2.1.4", []string{"2.0.0", "2.0.5", "2.1.0", "2.1.4-rc.1"}},
		{">= 2.0.0, < 2.1.4", []string{"2.0.0", "2.0.5", "2.1.0", "2.1.4-rc.1"}},
		{"2.x", []string{"2.0.0-rc.1", "2.0.0", "2.0.5", "2.1.0", "2.1.4-rc.1", "2.1.4", "2.10.0"}},
		{"2.1.*", []string{"2.1.0", "2.1.4-rc.1", "2.1.4"}},
		{"1.9.7 || >=2.0 <2.0.5", []string{"1.9.7", "2.0.0"}},
		{"=3", []string{"3.0"}},
		{"3.0.0", []string{"3.0"}},
		{">2.1.4", []string{"2.10.0", "3.0"}},
		{"<=2.0.0", []string{"1.9.7", "2.0.0-rc.1", "2.0.0"}},
		{"=V100R001C00", []string{"V100R001C00"}},
		{"V100R001C00 || 3.x", []string{"3.0", "V100R001C00"}},
		{"*", catalogueVersions},
		{">=4", nil},
	}
	for _, tc := range tests {
		r, err := ParseRange(tc.rng)
		if err != nil {
			t.Errorf("ParseRange(%q): %v", tc.rng, err)
			continue
		}
		if diff := cmp.Diff(tc.want, r.Select(catalogueVersions)); diff != "" {
			t.Errorf("%q selects (-want +got):\n%s", tc.rng, diff)
		}
	}
}

func TestParseRangeErrors(t *testing.T) {
	for _, in := range []string{
		"", "   ", ">=", ">= ", "2.0 ||", "|| 2.0", ">>2", ">=2.x", ">=V100R001", "<", "=>2",
	} {
		if _, err := ParseRange(in); !errs.Is(err, errs.Invalid) {
			t.Errorf("ParseRange(%q) err = %v, want Invalid", in, err)
		} else if code, _ := errs.CodeOf(err); code != "product.range" {
			t.Errorf("ParseRange(%q) code = %q", in, code)
		}
	}
}

func TestInLine(t *testing.T) {
	tests := []struct {
		line, version string
		want          bool
	}{
		{"2.x", "2.1.4", true},
		{"2.x", "3.0.0", false},
		{"2.1.x", "2.1.0-rc.1", true},
		{"LTS", "anything", true},
		{"", "1.0", true},
	}
	for _, tc := range tests {
		if got := InLine(tc.line, tc.version); got != tc.want {
			t.Errorf("InLine(%q, %q) = %v, want %v", tc.line, tc.version, got, tc.want)
		}
	}
}
