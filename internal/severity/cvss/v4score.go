package cvss

import "math"

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
type step struct {
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
