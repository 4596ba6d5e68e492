package evidence

import (
	"regexp"
	"slices"
	"testing"
)

// TestEvidenceLabelsUsed checks that the template's labels and the label
// table agree: every label used exists, and every label exists for use.
func TestEvidenceLabelsUsed(t *testing.T) {
	var used []string
	for _, m := range regexp.MustCompile(`\{\{l \$zh "([a-z_0-9]+)"\}\}`).FindAllStringSubmatch(packTemplateText, -1) {
		used = append(used, m[1])
	}
	for key := range pageLabels() {
		if !slices.Contains(used, key) {
			t.Errorf("label %q is not used by pack.html.tmpl", key)
		}
	}
	for _, key := range used {
		if _, ok := pageLabels()[key]; !ok {
			t.Errorf("pack.html.tmpl uses label %q, which labels.go lacks", key)
		}
	}
}
