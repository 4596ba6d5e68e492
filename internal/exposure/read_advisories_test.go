package exposure

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/google/go-cmp/cmp"
)

const osvRecord = `{"schema_version":"1.6.0","id":"GO-2024-0001","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2024-0001"],
"affected":[{"package":{"ecosystem":"Go","name":"example.com/m"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.3"}]}]}]}`

func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadAdvisories(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		wantIDs []string
		wantErr bool
	}{
		{"osv", []byte(osvRecord), []string{"GO-2024-0001"}, false},
		{"osv zip", zipOf(t, map[string]string{"a.json": osvRecord}), []string{"GO-2024-0001"}, false},
		{"malformed osv", []byte(`{"id":"GO-1","modified":"yesterday"}`), nil, true},
		{"zip with a bad record", zipOf(t, map[string]string{"a.json": osvRecord, "b.json": `{"id":1,"modified":""}`}), nil, true},
		{"not json", []byte("hello"), nil, true},
		{"other json", []byte(`{"a":1}`), nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			advs, err := ReadAdvisories("in", tc.in)
			if (err != nil) != tc.wantErr || err != nil && !errs.Is(err, errs.Invalid) {
				t.Fatalf("err = %v, want error %v (Invalid)", err, tc.wantErr)
			}
			var ids []string
			for _, a := range advs {
				ids = append(ids, a.ID)
			}
			if diff := cmp.Diff(tc.wantIDs, ids); diff != "" {
				t.Errorf("IDs (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzReadAdvisories checks that no input makes the sniffing reader panic,
// and that it returns advisories or an error, never both.
func FuzzReadAdvisories(f *testing.F) {
	f.Add([]byte(osvRecord))
	f.Add(zipOf(f, map[string]string{"a.json": osvRecord}))
	f.Add([]byte(`{"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{"cveId":"CVE-2024-0001"}}`))
	f.Add([]byte(`{"document":{"csaf_version":"2.0"},"vulnerabilities":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		advs, err := ReadAdvisories("fuzz", b)
		if err != nil && advs != nil {
			t.Fatalf("advisories and an error: %v", err)
		}
	})
}
