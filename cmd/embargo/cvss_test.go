package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCVSSText(t *testing.T) {
	tests := []struct {
		name, vector, want string
	}{
		{"v3.1 base", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			"CVSS:3.1  base 9.8 Critical\n"},
		{"v3.1 temporal and environmental", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C/CR:L/MAV:L",
			"CVSS:3.1  base 9.8 Critical\n          temporal 8.8 High\n          environmental 7.3 High\n"},
		{"v2", "AV:N/AC:L/Au:N/C:P/I:P/A:P",
			"CVSS:2.0  base 7.5 High\n"},
		{"v4.0 threat and environmental", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P/CR:H/IR:H/AR:H/MSI:S/MSA:S",
			"CVSS:4.0  base (CVSS-B) 10.0 Critical\n          threat (CVSS-BT) 9.3 Critical\n          environmental (CVSS-BTE) 9.8 Critical\n"},
		{"v4.0 environmental", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MAV:P",
			"CVSS:4.0  base (CVSS-B) 9.3 Critical\n          environmental (CVSS-BE) 7.0 High\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCLI(t, "cvss", tc.vector)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, out); diff != "" {
				t.Errorf("embargo cvss %s (-want +got):\n%s", tc.vector, diff)
			}
		})
	}
}

func TestCVSSJSON(t *testing.T) {
	const vector = "CVSS:3.0/S:U/AV:N/AC:L/PR:H/UI:N/C:L/I:L/A:N/E:F/RL:X"
	want := map[string]any{
		"version": "3.0", "vector": "CVSS:3.0/AV:N/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:N/E:F/RL:X",
		"base_score": 3.8, "base_severity": "Low", "temporal_score": 3.7, "temporal_severity": "Low",
	}
	for _, args := range [][]string{{"cvss", "--json", vector}, {"cvss", vector, "--json"}} {
		out, err := runCLI(t, args...)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("embargo %s (-want +got):\n%s", strings.Join(args, " "), diff)
		}
	}
}

func TestCVSSErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
		usage   bool
	}{
		{"bad value", []string{"cvss", "CVSS:3.1/AV:N/AC:M/PR:N/UI:N/S:U/C:H/I:H/A:H"}, `metric AC cannot be "M"; use one of L, H`, false},
		{"missing metric", []string{"cvss", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N"}, "base metric SA is missing", false},
		{"no vector", []string{"cvss"}, "embargo cvss VECTOR", true},
		{"two vectors", []string{"cvss", "AV:N/AC:L/Au:N/C:P/I:P/A:P", "AV:N/AC:L/Au:N/C:P/I:P/A:N"}, "embargo cvss VECTOR", true},
		{"unknown flag", []string{"cvss", "--xml", "AV:N/AC:L/Au:N/C:P/I:P/A:P"}, "flag provided but not defined", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCLI(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("embargo %s: err = %v, want %q", strings.Join(tc.args, " "), err, tc.wantErr)
			}
			if errors.Is(err, errUsage) != tc.usage {
				t.Errorf("usage error = %v, want %v", errors.Is(err, errUsage), tc.usage)
			}
			if out != "" {
				t.Errorf("printed %q on error", out)
			}
		})
	}
}
