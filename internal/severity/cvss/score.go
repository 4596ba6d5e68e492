package cvss

import (
	"strings"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
)

// Severity is a qualitative severity rating, named as in the CVSS v3.1 and
// v4.0 specifications (§5 and §6 respectively).
type Severity string

// The ratings, from least to most severe.
const (
	None     Severity = "None"
	Low      Severity = "Low"
	Medium   Severity = "Medium"
	High     Severity = "High"
	Critical Severity = "Critical"
)

// chinese holds the ratings' usual Chinese names.
var chinese = map[Severity]string{None: "无", Low: "低", Medium: "中", High: "高", Critical: "严重"}

// String returns the rating's English name.
func (s Severity) String() string { return string(s) }

// Chinese returns the rating's Chinese name: 无, 低, 中, 高 or 严重; "" for
// an unknown rating.
func (s Severity) Chinese() string { return chinese[s] }

// Rating returns the CVSS v3 and v4 qualitative rating of a score: None
// (0.0), Low (0.1–3.9), Medium (4.0–6.9), High (7.0–8.9) or Critical
// (9.0–10.0).
func Rating(score float64) Severity {
	switch {
	case score >= 9:
		return Critical
	case score >= 7:
		return High
	case score >= 4:
		return Medium
	case score > 0:
		return Low
	}
	return None
}

// ratingV2 rates a v2 score. CVSS v2 defines no ratings; this is NVD's
// widely used scale: Low (0.0–3.9), Medium (4.0–6.9), High (7.0–10.0).
func ratingV2(score float64) Severity {
	switch {
	case score >= 7:
		return High
	case score >= 4:
		return Medium
	}
	return Low
}

// Scores are the scores a vector carries. The base score is always there;
// the others only when the vector defines metrics of their group (a value
// other than X, or ND in v2).
type Scores struct {
	Version      Version  `json:"version"`
	Vector       string   `json:"vector"` // in the specification's metric order
	Base         float64  `json:"base_score"`
	BaseSeverity Severity `json:"base_severity"`
	// Temporal is the v2 or v3 Temporal score.
	Temporal         *float64 `json:"temporal_score,omitempty"`
	TemporalSeverity Severity `json:"temporal_severity,omitempty"`
	// Threat is the v4.0 CVSS-BT score: Base and Threat metrics, without the
	// Environmental ones.
	Threat         *float64 `json:"threat_score,omitempty"`
	ThreatSeverity Severity `json:"threat_severity,omitempty"`
	// Environmental is the v2 or v3 Environmental score, or the v4.0
	// CVSS-BE or CVSS-BTE score; it includes any temporal or threat metrics.
	Environmental         *float64 `json:"environmental_score,omitempty"`
	EnvironmentalSeverity Severity `json:"environmental_severity,omitempty"`
	// Nomenclature names the v4.0 score the vector carries (§1.3):
	// CVSS-B, CVSS-BT, CVSS-BE or CVSS-BTE. It is empty for earlier versions.
	Nomenclature string `json:"nomenclature,omitempty"`
}

// Overall returns the most specific score the vector carries: the
// Environmental score if it has one, else the Temporal or Threat score,
// else the Base score.
func (s Scores) Overall() (float64, Severity) {
	switch {
	case s.Environmental != nil:
		return *s.Environmental, s.EnvironmentalSeverity
	case s.Temporal != nil:
		return *s.Temporal, s.TemporalSeverity
	case s.Threat != nil:
		return *s.Threat, s.ThreatSeverity
	}
	return s.Base, s.BaseSeverity
}

// Score computes the vector's scores. It panics on the zero Vector.
func (v Vector) Score() Scores {
	s := Scores{Version: v.spec.version, Vector: v.String()}
	rate := Rating
	var all [3]float64 // base, temporal or threat, environmental
	switch v.spec {
	case specV2:
		rate = ratingV2
		all = v.scoresV2()
	case specV30, specV31:
		all = v.scoresV3()
	case specV4:
		all = v.scoresV4()
	}
	s.Base, s.BaseSeverity = all[0], rate(all[0])
	if v.has(temporal) {
		t, sev := all[1], rate(all[1])
		if v.spec == specV4 {
			s.Threat, s.ThreatSeverity = &t, sev
		} else {
			s.Temporal, s.TemporalSeverity = &t, sev
		}
	}
	if v.has(environmental) {
		e := all[2]
		s.Environmental, s.EnvironmentalSeverity = &e, rate(e)
	}
	if v.spec == specV4 {
		s.Nomenclature = v.nomenclature()
	}
	return s
}

// scoresV2 returns go-cvss's v2 base, temporal and environmental scores;
// the last two as if every missing metric were Not Defined.
func (v Vector) scoresV2() [3]float64 {
	c, err := gocvss20.ParseVector(v.v2Complete())
	if err != nil {
		panic("cvss: go-cvss rejects a v2 vector that Parse accepted: " + err.Error())
	}
	return [3]float64{c.BaseScore(), c.TemporalScore(), c.EnvironmentalScore()}
}

// v2Complete returns v in the form go-cvss parses: a metric group is either
// absent or complete, so a partly given group is filled with ND.
func (v Vector) v2Complete() string {
	var b strings.Builder
	for i, m := range v.spec.metrics {
		val := v.value(i)
		if val == "" && m.group != base && v.mentions(m.group) {
			val = "ND"
		}
		if val != "" {
			if b.Len() > 0 {
				b.WriteByte('/')
			}
			b.WriteString(m.abbr + ":" + val)
		}
	}
	return b.String()
}

// mentions reports whether v gives any metric of group g, even Not Defined.
func (v Vector) mentions(g group) bool {
	for i, m := range v.spec.metrics {
		if m.group == g && v.vals[i] > 0 {
			return true
		}
	}
	return false
}

// scoresV3 returns go-cvss's v3.0 or v3.1 base, temporal and environmental
// scores; the last two as if every missing metric were X.
func (v Vector) scoresV3() [3]float64 {
	type scorer interface {
		BaseScore() float64
		TemporalScore() float64
		EnvironmentalScore() float64
	}
	var c scorer
	var err error
	if v.spec == specV30 {
		c, err = gocvss30.ParseVector(v.String())
	} else {
		c, err = gocvss31.ParseVector(v.String())
	}
	if err != nil {
		panic("cvss: go-cvss rejects a v3 vector that Parse accepted: " + err.Error())
	}
	return [3]float64{c.BaseScore(), c.TemporalScore(), c.EnvironmentalScore()}
}
