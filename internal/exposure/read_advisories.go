package exposure

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/format/csaf"
	"github.com/embargohq/embargo/internal/format/cve5"
	"github.com/embargohq/embargo/internal/format/osv"
)

// AdvisoryFormat names the format of an advisory file, as sniffed from its
// content: "osv-zip", "cve5", "csaf" or "osv"; "" for none of them.
func AdvisoryFormat(b []byte) string {
	if bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		return "osv-zip"
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(b, &top) != nil {
		return ""
	}
	switch {
	case top["dataType"] != nil && top["cveMetadata"] != nil:
		return "cve5"
	case top["document"] != nil && top["vulnerabilities"] != nil || top["document"] != nil && top["product_tree"] != nil:
		return "csaf"
	case top["id"] != nil && top["modified"] != nil:
		return "osv"
	}
	return ""
}

// ReadAdvisories reads the advisories in b, whose format it sniffs (see
// AdvisoryFormat): an OSV record, a zip of OSV records, a CVE JSON 5
// record, or a CSAF document (one advisory per vulnerability); name names
// it in errors. A malformed file gives no advisories and an errs.Invalid
// error naming the file and, where the parser knows it, the field.
func ReadAdvisories(name string, b []byte) ([]Advisory, error) {
	format := AdvisoryFormat(b)
	advs, err := readAdvisories(format, name, b)
	if err != nil {
		return nil, errs.Coded(errs.Invalid, "advisory.format", "%s: %v", name, err)
	}
	return advs, nil
}

func readAdvisories(format, name string, b []byte) ([]Advisory, error) {
	switch format {
	case "osv-zip":
		recs, err := osv.LoadZip(bytes.NewReader(b), int64(len(b)), name, osv.Options{})
		if err != nil {
			return nil, err
		}
		return AdvisoriesFromOSV(recs), nil
	case "osv":
		r, err := osv.Parse(name, b)
		if err != nil {
			return nil, err
		}
		return []Advisory{FromOSV(r)}, nil
	case "cve5":
		r, err := cve5.Parse(b)
		if err != nil {
			return nil, err
		}
		return []Advisory{FromCVE5(r)}, nil
	case "csaf":
		d, err := csaf.Parse(b)
		if err != nil {
			return nil, err
		}
		return FromCSAF(d), nil
	}
	return nil, fmt.Errorf("not an OSV, CVE JSON 5 or CSAF record, nor a zip of OSV records")
}

// ReadAdvisoryPath reads the advisories at path: a directory of OSV
// records (every *.json file beneath it, as osv.Load reads them) or one
// file that ReadAdvisories reads.
func ReadAdvisoryPath(path string) ([]Advisory, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		recs, err := osv.Load(path, osv.Options{})
		if err != nil {
			return nil, errs.Coded(errs.Invalid, "advisory.format", "%v", err)
		}
		return AdvisoriesFromOSV(recs), nil
	}
	if st.Size() > osv.MaxRecordSize*16 {
		return nil, fmt.Errorf("%s: %d bytes is too large", path, st.Size())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ReadAdvisories(filepath.Base(path), b)
}
