package cyclonedx

import (
	"bytes"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// EncodeJSON writes a BOM as CycloneDX 1.6 JSON with cyclonedx-go's
// encoder (which drops what 1.6 cannot hold). What it writes, DecodeJSON
// reads.
func EncodeJSON(bom *cdx.BOM) ([]byte, error) {
	var buf bytes.Buffer
	enc := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	if err := enc.EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
