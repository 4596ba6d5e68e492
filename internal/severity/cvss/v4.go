package cvss

import (
	"math"
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

// scoresV4 returns the CVSS-B, CVSS-BT and CVSS-BTE scores of v: its base
// metrics alone, with its threat metrics, and with everything.
func (v Vector) scoresV4() [3]float64 {
	return [3]float64{
		v.without(temporal, environmental).scoreV4(),
		v.without(environmental).scoreV4(),
		v.scoreV4(),
	}
}

// nomenclature names the v4.0 score v carries (§1.3).
func (v Vector) nomenclature() string {
	n := "CVSS-B"
	if v.has(temporal) {
		n += "T"
	}
	if v.has(environmental) {
		n += "E"
	}
	return n
}

// effective returns the value that counts for v4.0 base metric abbr: its
// modified value when the vector gives one other than X, else its own.
func (v Vector) effective(abbr string) string {
	if m := v.Get("M" + abbr); m != "" && m != "X" {
		return m
	}
	return v.Get(abbr)
}

// levelsV4 returns v's severity levels and its exploit maturity level (A 0,
// P 1, U 2), with X counting as the worst case: E:A and CR/IR/AR:H.
func (v Vector) levelsV4() (levels, int) {
	var l levels
	for d := range nDims {
		val := ""
		if d >= dCR {
			val = v.Get(dimNames[d])
			if val == "" || val == "X" {
				val = "H"
			}
		} else {
			val = v.effective(dimNames[d])
		}
		l[d] = int8(strings.Index(dimLevels[d], val))
	}
	e := max(strings.Index("APU", v.Get("E")), 0)
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

// scoreV4 scores v as it stands (§8.3): no temporal or environmental
// metrics are dropped here; scoresV4 does that.
func (v Vector) scoreV4() float64 {
	l, e := v.levelsV4()
	if l[dVC] == 2 && l[dVI] == 2 && l[dVA] == 2 && l[dSC] == 3 && l[dSI] == 3 && l[dSA] == 3 {
		return 0 // no impact on any system
	}
	mv := macroVector(l, e)
	value, _ := lookup(mv) // every valid vector has a MacroVector
	d := distances(l, mv)
	eq3, eq6 := mv[2], mv[5]
	steps := []step{
		withLower(mv, 0, d[0], maxSeverityEQ1[mv[0]]),
		withLower(mv, 1, d[1], maxSeverityEQ2[mv[1]]),
		lowerEQ3EQ6(mv, d[2], maxSeverityEQ3EQ6[eq3][eq6]),
		withLower(mv, 3, d[3], maxSeverityEQ4[mv[3]]),
		withLower(mv, 4, 0, 1), // EQ5 has no distance within its levels
	}
	sum, n := 0.0, 0
	for _, s := range steps {
		if !s.ok {
			continue // no lower MacroVector: this class does not count
		}
		n++
		sum += (value - s.lower) * float64(s.distance) / float64(s.depth)
	}
	if n > 0 {
		value -= sum / float64(n)
	}
	return roundV4(min(max(value, 0), 10))
}

// step is one equivalence class's part in the interpolation: the score of
// the next lower MacroVector (if ok), and the vector's severity distance in
// the class out of the class level's depth.
type step = struct {
	lower    float64
	ok       bool
	distance int
	depth    int
}

// withLower returns the step for class eq, whose next lower MacroVector is
// one level down in that class.
func withLower(mv [6]int, eq, distance, depth int) step {
	mv[eq]++
	lower, ok := lookup(mv)
	return step{lower, ok, distance, depth}
}

// lowerEQ3EQ6 returns the step for EQ3 and EQ6, which move together: from
// 00 the next lower is the higher-scoring of 01 and 10; from 01 and 10 it is
// 11; from 11 it is 21; 21 has none.
func lowerEQ3EQ6(mv [6]int, distance, depth int) step {
	switch eq3, eq6 := mv[2], mv[5]; {
	case eq3 == 0 && eq6 == 0:
		left, right := mv, mv
		left[5]++
		right[2]++
		l, _ := lookup(left)
		r, _ := lookup(right)
		return step{max(l, r), true, distance, depth}
	case eq3 == 1 && eq6 == 0:
		mv[5]++
	default:
		mv[2]++
	}
	lower, ok := lookup(mv)
	return step{lower, ok, distance, depth}
}

// distances returns the vector's severity distances, in steps of 0.1, from
// the first of its MacroVector's most severe vectors that it does not
// exceed in any metric, summed per class: EQ1, EQ2, EQ3 with EQ6, EQ4.
func distances(l levels, mv [6]int) [4]int {
	var d levels
	for _, p1 := range maxes.eq1[mv[0]] {
		for _, p2 := range maxes.eq2[mv[1]] {
			for _, p36 := range maxes.eq3eq6[mv[2]][mv[5]] {
				for _, p4 := range maxes.eq4[mv[3]] {
					if d = distanceFrom(l, p1, p2, p36, p4); d.nonNegative() {
						return d.perClass()
					}
				}
			}
		}
	}
	// As in FIRST's calculator, when no most severe vector fits, the last
	// one tried counts.
	return d.perClass()
}

// distanceFrom returns l's distance from the most severe vector made of ps.
func distanceFrom(l levels, ps ...partial) levels {
	d := l
	for _, p := range ps {
		for i, dim := range p.dims {
			d[dim] = l[dim] - p.lvls[i]
		}
	}
	return d
}

// nonNegative reports whether no distance in d is negative.
func (d levels) nonNegative() bool {
	for _, x := range d {
		if x < 0 {
			return false
		}
	}
	return true
}

// perClass sums distances per equivalence class.
func (d levels) perClass() [4]int {
	sum := func(dims ...int) int {
		s := 0
		for _, x := range dims {
			s += int(d[x])
		}
		return s
	}
	return [4]int{
		sum(dAV, dPR, dUI),
		sum(dAC, dAT),
		sum(dVC, dVI, dVA, dCR, dIR, dAR),
		sum(dSC, dSI, dSA),
	}
}

// roundV4 rounds half up to one decimal, as FIRST's calculator does since
// its rounding correction: Math.round((value + 1e-6) * 10) / 10. The
// epsilon keeps a true x.x5 that binary arithmetic lands just below from
// rounding down.
func roundV4(value float64) float64 {
	return math.Floor((value+1e-6)*10+0.5) / 10
}
