package advisory

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The affected-versions texts the exporters understand, and those they
// refuse rather than guess.
func TestSpans(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []span
		err  string
	}{
		{text: "", want: []span{{All: true}}},
		{text: "*", want: []span{{All: true}}},
		{text: "2.1.4", want: []span{{Exact: "2.1.4"}}},
		{text: "=2.1.4", want: []span{{Exact: "2.1.4"}}},
		{text: ">=1.0.0 <2.0.0", want: []span{{From: "1.0.0", LessThan: "2.0.0"}}},
		{text: ">=1.0,<=1.9", want: []span{{From: "1.0", LessEqual: "1.9"}}},
		{text: "<3.0", want: []span{{From: "0", LessThan: "3.0"}}},
		{text: ">=4.0", want: []span{{From: "4.0", LessThan: "*"}}},
		{text: "2.x || 1.9.7", want: []span{{From: "2.0", LessThan: "2.*"}, {Exact: "1.9.7"}}},
		{text: ">1.0", err: "exclusive lower bound"},
		{text: "<2.0 <3.0", err: "not a version"},
		{text: "1.0 2.0", err: "not a version"},
		{text: "1.0 ||", err: "empty alternative"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			got, err := spans(tc.text)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(span{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
