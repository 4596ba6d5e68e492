package csaf

import (
	"encoding/json"
	"fmt"
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
