package csaf

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Marshal writes a document as indented JSON, after the checks Parse
// makes (so that what Embargo writes it can read). Returns an error
// naming the member at fault.
func Marshal(d Document) ([]byte, error) {
	if err := d.check(); err != nil {
		return nil, fmt.Errorf("csaf: %s: %w", d.Document.Tracking.ID, err)
	}
	return json.MarshalIndent(d, "", "  ")
}

// FileName returns the file name CSAF 2.0 §5.1 gives a document with
// tracking ID id: the ID in lower case, every run of characters other
// than "+", "-", a–z and 0–9 replaced by one "_", and ".json".
func FileName(id string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(id) {
		if r == '+' || r == '-' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			under = false
			continue
		}
		if !under {
			b.WriteByte('_')
			under = true
		}
	}
	return b.String() + ".json"
}
