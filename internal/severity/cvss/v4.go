package cvss

import (
	"strings"
)

// CVSS v4.0 scoring (Specification §8): a vector falls into one of 270
// MacroVectors, given by its levels in six equivalence classes (EQ1–EQ6).
// Its score is the MacroVector's (macroScores) less the mean, over the
// classes, of how far the vector lies below the class's most severe vectors,
// scaled to the score gap to the next lower MacroVector. The constants and
// tables below are the specification's, as FIRST's calculator
// (cvss40.js) encodes them.

// The metrics whose severity distance counts, and their severity levels.
const (
	dAV = iota
	dPR
	dUI
	dAC
	dAT
	dVC
	dVI
	dVA
	dSC
	dSI
	dSA
	dCR
	dIR
	dAR
	nDims
)

// dimNames are the metrics in dim order.
var dimNames = [nDims]string{"AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA", "SC", "SI", "SA", "CR", "IR", "AR"}

// dimLevels spells each metric's values from most to least severe, so a
// value's index is its severity level in steps of 0.1 (the calculator's
// AV_levels etc.). SC has no S, so its first level, 0, is never used.
var dimLevels = [nDims]string{"NALP", "NLH", "NPA", "LH", "NP", "HLN", "HLN", "HLN", "SHLN", "SHLN", "SHLN", "HML", "HML", "HML"}

// levels holds a vector's severity level for each metric.
type levels [nDims]int8

// maxSeverity is the depth of each EQ level in steps of 0.1: the greatest
// severity distance a vector can have from its MacroVector's most severe
// vector. EQ3 and EQ6 are scored together, indexed [eq3][eq6].
var (
	maxSeverityEQ1    = [3]int{1, 4, 5}
	maxSeverityEQ2    = [2]int{1, 2}
	maxSeverityEQ3EQ6 = [3][2]int{{7, 6}, {8, 8}, {0, 10}}
	maxSeverityEQ4    = [3]int{6, 5, 4}
)

// maxComposed lists, for each level of each EQ, the most severe vectors
// (partial, in spec notation) in the order the calculator tries them.
var (
	maxEQ1 = [3][]string{
		{"AV:N/PR:N/UI:N"},
		{"AV:A/PR:N/UI:N", "AV:N/PR:L/UI:N", "AV:N/PR:N/UI:P"},
		{"AV:P/PR:N/UI:N", "AV:A/PR:L/UI:P"},
	}
	maxEQ2    = [2][]string{{"AC:L/AT:N"}, {"AC:H/AT:N", "AC:L/AT:P"}}
	maxEQ3EQ6 = [3][2][]string{
		{{"VC:H/VI:H/VA:H/CR:H/IR:H/AR:H"}, {"VC:H/VI:H/VA:L/CR:M/IR:M/AR:H", "VC:H/VI:H/VA:H/CR:M/IR:M/AR:M"}},
		{
			{"VC:L/VI:H/VA:H/CR:H/IR:H/AR:H", "VC:H/VI:L/VA:H/CR:H/IR:H/AR:H"},
			{"VC:L/VI:H/VA:L/CR:H/IR:M/AR:H", "VC:L/VI:H/VA:H/CR:H/IR:M/AR:M", "VC:H/VI:L/VA:H/CR:M/IR:H/AR:M", "VC:H/VI:L/VA:L/CR:M/IR:H/AR:H", "VC:L/VI:L/VA:H/CR:H/IR:H/AR:M"},
		},
		{nil, {"VC:L/VI:L/VA:L/CR:H/IR:H/AR:H"}},
	}
	maxEQ4 = [3][]string{{"SC:H/SI:S/SA:S"}, {"SC:H/SI:H/SA:H"}, {"SC:L/SI:L/SA:L"}}
)

// partial is a most-severe vector restricted to some metrics: the dims it
// sets and their levels.
type partial struct {
	dims []int
	lvls []int8
}

// maxes holds maxEQ* decoded once, at package initialisation.
var maxes = struct {
	eq1    [3][]partial
	eq2    [2][]partial
	eq3eq6 [3][2][]partial
	eq4    [3][]partial
}{}

func init() {
	for i, l := range maxEQ1 {
		maxes.eq1[i] = decodePartials(l)
	}
	for i, l := range maxEQ2 {
		maxes.eq2[i] = decodePartials(l)
	}
	for i, row := range maxEQ3EQ6 {
		for j, l := range row {
			maxes.eq3eq6[i][j] = decodePartials(l)
		}
	}
	for i, l := range maxEQ4 {
		maxes.eq4[i] = decodePartials(l)
	}
}

// decodePartials turns "AV:N/PR:N/UI:N" notation into partials.
func decodePartials(vectors []string) []partial {
	var ps []partial
	for _, s := range vectors {
		var p partial
		for part := range strings.SplitSeq(s, "/") {
			name, val, _ := strings.Cut(part, ":")
			for d, n := range dimNames {
				if n == name {
					p.dims = append(p.dims, d)
					p.lvls = append(p.lvls, int8(strings.Index(dimLevels[d], val)))
				}
			}
		}
		ps = append(ps, p)
	}
	return ps
}

// v4Index locates in specV4.metrics what levelsV4 reads: each dim's metric,
// the offset from a base metric to its modified one (AV to MAV), and E.
var v4Index = func() (ix struct {
	dim      [nDims]int
	modified int
	e        int
}) {
	for d, n := range dimNames {
		ix.dim[d] = specV4.index(n)
	}
	ix.modified = specV4.index("MAV") - specV4.index("AV")
	for i, m := range specV4.metrics {
		if m.group == base && specV4.metrics[i+ix.modified].abbr != "M"+m.abbr {
			panic("cvss: v4.0 modified metrics are not in base metric order")
		}
	}
	ix.e = specV4.index("E")
	return ix
}()

// levelsV4 returns v's severity levels and its exploit maturity level (A 0,
// P 1, U 2). A modified metric other than X replaces its base metric; X
// counts as the worst case: E:A and CR/IR/AR:H.
func (v Vector) levelsV4() (levels, int) {
	var l levels
	for d := range nDims {
		i := v4Index.dim[d]
		val := v.value(i)
		if d >= dCR {
			if val == "" || val == "X" {
				val = "H"
			}
		} else if m := v.value(i + v4Index.modified); m != "" && m != "X" {
			val = m
		}
		l[d] = int8(strings.Index(dimLevels[d], val))
	}
	e := max(strings.Index("APU", v.value(v4Index.e)), 0)
	return l, e
}

// macroVector returns the levels of EQ1…EQ6 (§8.2, Table 24–29).
func macroVector(l levels, e int) [6]int {
	var mv [6]int
	switch {
	case l[dAV] == 0 && l[dPR] == 0 && l[dUI] == 0:
		mv[0] = 0
	case (l[dAV] == 0 || l[dPR] == 0 || l[dUI] == 0) && l[dAV] != 3:
		mv[0] = 1
	default:
		mv[0] = 2
	}
	if l[dAC] != 0 || l[dAT] != 0 {
		mv[1] = 1
	}
	switch {
	case l[dVC] == 0 && l[dVI] == 0:
		mv[2] = 0
	case l[dVC] == 0 || l[dVI] == 0 || l[dVA] == 0:
		mv[2] = 1
	default:
		mv[2] = 2
	}
	switch {
	case l[dSI] == 0 || l[dSA] == 0:
		mv[3] = 0
	case l[dSC] == 1 || l[dSI] == 1 || l[dSA] == 1:
		mv[3] = 1
	default:
		mv[3] = 2
	}
	mv[4] = e
	if !(l[dCR] == 0 && l[dVC] == 0 || l[dIR] == 0 && l[dVI] == 0 || l[dAR] == 0 && l[dVA] == 0) {
		mv[5] = 1
	}
	return mv
}

// lookup returns the score of MacroVector mv, and false when there is no
// such MacroVector.
func lookup(mv [6]int) (float64, bool) {
	var key [6]byte
	for i, n := range mv {
		if n < 0 || n > 9 {
			return 0, false
		}
		key[i] = byte('0' + n)
	}
	s, ok := macroScores[string(key[:])]
	return s, ok
}
