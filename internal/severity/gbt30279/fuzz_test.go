package gbt30279_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/severity/gbt30279"
)

// FuzzLoadTable feeds arbitrary table files, which organisations upload:
// LoadTable must never panic, must refuse with an Invalid error, and a
// table it accepts must grade every pre-filled vector without error.
func FuzzLoadTable(f *testing.F) {
	def, err := os.ReadFile("default_table.json")
	if err != nil {
		f.Fatal(err)
	}
	// Inputs are either a whole file, or the default table with a few
	// bytes patched (patch is offset, byte pairs): the corpus stays small,
	// so the fuzzer does not spend its time minimising a 15 KB file, and
	// near-valid tables are still explored.
	f.Add([]byte(nil), []byte{0, 0})
	f.Add([]byte(nil), []byte{0, 40, 'x', 0, 41, 'y'})
	f.Add([]byte(`{"format":"embargo.gbt30279.table/v1","name":"x","provisional":false}`), []byte(nil))
	f.Add([]byte(`{"exploitability":[{"access_path":"network","level":"high"}]}`), []byte(nil))
	f.Add([]byte(`[]`), []byte(nil))
	f.Add([]byte(`{} x`), []byte(nil))
	probe := mustPrefill(f, "CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:U/C:L/I:H/A:N")
	probe.ExploitationCost, probe.FixDifficulty, probe.ImpactScope = gbt30279.CostLow, gbt30279.FixMedium, gbt30279.ScopeNone
	f.Fuzz(func(t *testing.T, raw, patch []byte) {
		if len(raw) == 0 {
			raw = bytes.Clone(def)
			for i := 0; i+3 < len(patch); i += 3 {
				raw[(int(patch[i])<<8|int(patch[i+1]))%len(raw)] = patch[i+2]
			}
		}
		tab, err := gbt30279.LoadTable(bytes.NewReader(raw))
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("error is not Invalid: %v", err)
			}
			return
		}
		r, err := tab.Grade(probe)
		if err != nil {
			t.Fatalf("an accepted table cannot grade: %v", err)
		}
		if !r.Technical.Valid() || !r.Comprehensive.Valid() || !r.Exploitability.Valid() || !r.Impact.Valid() || !r.Environment.Valid() {
			t.Fatalf("an accepted table graded %+v", r)
		}
	})
}

// FuzzPrefill feeds arbitrary vector strings: Prefill must never panic,
// must refuse with an Invalid error, and what it accepts must validate.
func FuzzPrefill(f *testing.F) {
	for _, v := range []string{
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		"CVSS:3.0/AV:P/AC:H/PR:H/UI:R/S:C/C:N/I:L/A:N/E:U",
		"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:A/VC:H/VI:N/VA:L/SC:N/SI:N/SA:N",
		"CVSS:3.1/AV:N/AV:N",
		"CVSS:4.0/",
		"",
	} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, vector string) {
		in, err := gbt30279.Prefill(vector)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("error is not Invalid: %v", err)
			}
			return
		}
		if err := in.ValidateTechnical(); err != nil {
			t.Fatalf("Prefill(%q) = %+v, which does not validate: %v", vector, in, err)
		}
		if _, err := gbt30279.DefaultTable().Grade(in); err != nil {
			t.Fatalf("cannot grade %+v: %v", in, err)
		}
	})
}
