package advisory

import (
	"strconv"
	"strings"
)

// CSAFFilename returns the file name of the CSAF document whose
// /document/tracking/id is id (CSAF 2.0 §5.1, CSAF-2): the ID in lower
// case, each run of characters other than +, -, a–z and 0–9 replaced by
// one "_", and ".json" added. "2022_#01-A" gives "2022_01-a.json".
func CSAFFilename(id string) string {
	var b strings.Builder
	run := false
	for _, c := range strings.ToLower(id) {
		if c == '+' || c == '-' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
			run = false
			continue
		}
		if !run {
			b.WriteByte('_')
		}
		run = true
	}
	return b.String() + ".json"
}

// CSAFPath returns where the trusted provider serves a's CSAF document
// (CSAF 2.0 §7.1.11 and §7.1.14, CSAF-3): under /.well-known/csaf/ the TLP
// label in lower case, the year (UTC) of the first publication, and the
// file named after the ref, e.g.
// /.well-known/csaf/white/2026/emb-2026-0001-sa.json.
func CSAFPath(a Public) string {
	return "/.well-known/csaf/" + strings.ToLower(a.Label()) + "/" + strconv.Itoa(a.Released().UTC().Year()) + "/" + CSAFFilename(a.Ref)
}
