package cve5

import (
	"strings"
	"testing"
)

const good = `{"dataType":"CVE_RECORD","dataVersion":"5.0","cveMetadata":{"cveId":"CVE-2026-0001"},
"containers":{"cna":{"title":"t","descriptions":[{"lang":"en","value":"d"}],"affected":[{"product":"p","versions":[{"version":"1","status":"affected"}]}]}}}`

func TestParse(t *testing.T) {
	r, err := Parse([]byte(good))
	if err != nil || r.Metadata.ID != "CVE-2026-0001" || r.English() != "d" || r.Rejected() {
		t.Fatalf("Parse = %+v, %v", r, err)
	}
	bad := []struct{ in, want string }{
		{`{`, "unexpected EOF"},
		{strings.Replace(good, "CVE_RECORD", "CVE_X", 1), "dataType"},
		{strings.Replace(good, `"5.0"`, `"4.0"`, 1), "dataVersion"},
		{strings.Replace(good, "CVE-2026-0001", "CVE-26-1", 1), "cveId"},
		{strings.Replace(good, `"cveId"`, `"state":"DRAFT","cveId"`, 1), "state"},
		{strings.Replace(good, `"product":"p",`, ``, 1), "neither product nor packageName"},
		{strings.Replace(good, `"status":"affected"`, `"status":"maybe"`, 1), "status"},
		{strings.Replace(good, `"status":"affected"`, `"status":"affected","lessThan":"2","lessThanOrEqual":"3"`, 1), "both lessThan"},
		{strings.Replace(good, `"product":"p"`, `"product":"p","defaultStatus":"sometimes"`, 1), "defaultStatus"},
		{good + `{}`, "trailing data"},
		{strings.Repeat(" ", MaxRecordSize+1), "limit"},
	}
	for _, tc := range bad {
		if _, err := Parse([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%.60q) = %v, want an error about %q", tc.in, err, tc.want)
		}
	}
}

// FuzzParse: outside input never panics; what is accepted passes the
// checks again after a round trip through its fields.
func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte(`{"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{"cveId":"CVE-2026-0002","state":"REJECTED"},"containers":{"cna":{}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(b)
		if err != nil {
			return
		}
		if err := r.check(); err != nil {
			t.Fatalf("accepted a record that fails its checks: %v", err)
		}
	})
}
