package cvss

// group is the metric group a metric belongs to; it decides which scores a
// vector carries.
type group uint8

const (
	base          group = iota
	temporal            // v2 and v3 Temporal; v4 Threat
	environmental       // Environmental, including v4's Security Requirements
	supplemental        // v4 Supplemental: never changes a score
)

// metric is one metric of a CVSS version: its abbreviation as written in
// vectors and the values it may take, in the specification's order.
type metric struct {
	abbr   string
	group  group
	values []string
}

// spec describes one CVSS version's vector syntax.
type spec struct {
	version Version
	prefix  string   // "CVSS:3.1/"; empty for v2, whose vectors have none
	metrics []metric // in the specification's order
	ordered bool     // metrics must appear in that order
	unset   string   // the "Not Defined" value: "ND" in v2, "X" later
}

// maxMetrics bounds the number of metrics of any version (v4 has 32), so a
// Vector can hold its values in a fixed-size, comparable array.
const maxMetrics = 32

var (
	lmh  = []string{"N", "L", "H"} // v3 C/I/A, v4 VC/VI/VA/SC/SI/SA: value sets, order irrelevant
	xhml = []string{"X", "H", "M", "L"}
	xhln = []string{"X", "H", "L", "N"}
)

// specV2 follows the CVSS v2 Complete Guide §3.2.1 (Table 13). NVD and
// everyone else write v2 vectors without a prefix.
var specV2 = &spec{
	version: V2, ordered: true, unset: "ND",
	metrics: []metric{
		{"AV", base, []string{"L", "A", "N"}},
		{"AC", base, []string{"H", "M", "L"}},
		{"Au", base, []string{"M", "S", "N"}},
		{"C", base, []string{"N", "P", "C"}},
		{"I", base, []string{"N", "P", "C"}},
		{"A", base, []string{"N", "P", "C"}},
		{"E", temporal, []string{"U", "POC", "F", "H", "ND"}},
		{"RL", temporal, []string{"OF", "TF", "W", "U", "ND"}},
		{"RC", temporal, []string{"UC", "UR", "C", "ND"}},
		{"CDP", environmental, []string{"N", "L", "LM", "MH", "H", "ND"}},
		{"TD", environmental, []string{"N", "L", "M", "H", "ND"}},
		{"CR", environmental, []string{"L", "M", "H", "ND"}},
		{"IR", environmental, []string{"L", "M", "H", "ND"}},
		{"AR", environmental, []string{"L", "M", "H", "ND"}},
	},
}

// v3Metrics follows the CVSS v3.1 Specification §6 (Table 15); v3.0 has the
// same metrics. Metrics may appear in any order (§6: "the order in Table 15
// is preferred").
var v3Metrics = []metric{
	{"AV", base, []string{"N", "A", "L", "P"}},
	{"AC", base, []string{"L", "H"}},
	{"PR", base, []string{"N", "L", "H"}},
	{"UI", base, []string{"N", "R"}},
	{"S", base, []string{"U", "C"}},
	{"C", base, lmh},
	{"I", base, lmh},
	{"A", base, lmh},
	{"E", temporal, []string{"X", "H", "F", "P", "U"}},
	{"RL", temporal, []string{"X", "U", "W", "T", "O"}},
	{"RC", temporal, []string{"X", "C", "R", "U"}},
	{"CR", environmental, xhml},
	{"IR", environmental, xhml},
	{"AR", environmental, xhml},
	{"MAV", environmental, []string{"X", "N", "A", "L", "P"}},
	{"MAC", environmental, []string{"X", "L", "H"}},
	{"MPR", environmental, []string{"X", "N", "L", "H"}},
	{"MUI", environmental, []string{"X", "N", "R"}},
	{"MS", environmental, []string{"X", "U", "C"}},
	{"MC", environmental, xhln},
	{"MI", environmental, xhln},
	{"MA", environmental, xhln},
}

var (
	specV30 = &spec{version: V30, prefix: "CVSS:3.0/", metrics: v3Metrics, unset: "X"}
	specV31 = &spec{version: V31, prefix: "CVSS:3.1/", metrics: v3Metrics, unset: "X"}
)

// specV4 follows the CVSS v4.0 Specification §7 (Table 23). FIRST's
// calculator and JSON schema require metrics in this order.
var specV4 = &spec{
	version: V40, prefix: "CVSS:4.0/", ordered: true, unset: "X",
	metrics: []metric{
		{"AV", base, []string{"N", "A", "L", "P"}},
		{"AC", base, []string{"L", "H"}},
		{"AT", base, []string{"N", "P"}},
		{"PR", base, []string{"N", "L", "H"}},
		{"UI", base, []string{"N", "P", "A"}},
		{"VC", base, lmh},
		{"VI", base, lmh},
		{"VA", base, lmh},
		{"SC", base, lmh},
		{"SI", base, lmh},
		{"SA", base, lmh},
		{"E", temporal, []string{"X", "A", "P", "U"}},
		{"CR", environmental, xhml},
		{"IR", environmental, xhml},
		{"AR", environmental, xhml},
		{"MAV", environmental, []string{"X", "N", "A", "L", "P"}},
		{"MAC", environmental, []string{"X", "L", "H"}},
		{"MAT", environmental, []string{"X", "N", "P"}},
		{"MPR", environmental, []string{"X", "N", "L", "H"}},
		{"MUI", environmental, []string{"X", "N", "P", "A"}},
		{"MVC", environmental, xhln},
		{"MVI", environmental, xhln},
		{"MVA", environmental, xhln},
		{"MSC", environmental, xhln},
		{"MSI", environmental, []string{"X", "S", "H", "L", "N"}},
		{"MSA", environmental, []string{"X", "S", "H", "L", "N"}},
		{"S", supplemental, []string{"X", "N", "P"}},
		{"AU", supplemental, []string{"X", "N", "Y"}},
		{"R", supplemental, []string{"X", "A", "U", "I"}},
		{"V", supplemental, []string{"X", "D", "C"}},
		{"RE", supplemental, []string{"X", "L", "M", "H"}},
		{"U", supplemental, []string{"X", "Clear", "Green", "Amber", "Red"}},
	},
}

// index returns the position of the metric abbr in s, or -1.
func (s *spec) index(abbr string) int {
	for i, m := range s.metrics {
		if m.abbr == abbr {
			return i
		}
	}
	return -1
}
