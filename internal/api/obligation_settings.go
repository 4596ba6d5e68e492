package api

import (
	"maps"
	"net/http"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/obligation"
)

// ObligationSettings are an organisation's obligation settings, with the
// rule packs they choose from.
type ObligationSettings struct {
	// Regimes turns rule packs on or off by regime; a pack not named is
	// on or off by its default.
	Regimes map[string]bool `json:"regimes"`
	// Offsets are the organisation's own spans for configurable duties,
	// by duty code ("code:grade" for graded duties).
	Offsets map[string]string `json:"offsets"`
	// Escalations are the thresholds ("24h,4h,overdue"); "" is the default.
	Escalations string `json:"escalations"`
	// ProductRegimes turn regimes on for named products only.
	ProductRegimes map[string][]string `json:"product_regimes"`
	// Submitters send reports by duty (e-mail or HTTP).
	Submitters map[string]obligation.Submitter `json:"submitters"`
	Packs      []RulePack                      `json:"packs"`
}

// ObligationSettingsChange is the body of PUT /api/v1/obligation-settings:
// the settings that replace the organisation's.
type ObligationSettingsChange struct {
	Regimes     map[string]bool                 `json:"regimes"`
	Offsets     map[string]string               `json:"offsets"`
	Escalations string                          `json:"escalations"`
	Submitters  map[string]obligation.Submitter `json:"submitters"`
	// ProductRegimes turn regimes on for named products only.
	ProductRegimes map[string][]string `json:"product_regimes"`
}

// RulePack is one regime's rules as shipped, and whether they apply to the
// organisation.
type RulePack struct {
	Regime    string     `json:"regime"`
	Version   string     `json:"version"`
	TitleEN   string     `json:"title_en"`
	TitleZH   string     `json:"title_zh"`
	DefaultOn bool       `json:"default_on"`
	Enabled   bool       `json:"enabled"`
	Duties    []RuleDuty `json:"duties"`
}

// RuleDuty is one duty of a pack.
type RuleDuty struct {
	Code        string `json:"code"`
	Requirement string `json:"requirement"`
	Article     string `json:"article,omitempty"`
	TitleEN     string `json:"title_en"`
	TitleZH     string `json:"title_zh"`
	// Offset is how long after its anchor the duty is due ("48h", "1mo");
	// OffsetByGrade replaces it for duties graded by GB/T 30279.
	Offset        string            `json:"offset,omitempty"`
	OffsetByGrade map[string]string `json:"offset_by_grade,omitempty"`
	Configurable  bool              `json:"configurable"`
}

// apiSettings describes st with the packs and which of them apply.
func apiSettings(st obligation.OrgSettings, packs []obligation.Pack) ObligationSettings {
	out := ObligationSettings{Regimes: map[string]bool{}, Offsets: map[string]string{}, Escalations: st.Escalations,
		Submitters: map[string]obligation.Submitter{}, ProductRegimes: map[string][]string{}, Packs: []RulePack{}}
	maps.Copy(out.Submitters, st.Submitters)
	for name, rs := range st.ProductRegimes {
		for _, r := range rs {
			out.ProductRegimes[name] = append(out.ProductRegimes[name], string(r))
		}
	}
	for r, on := range st.Regimes {
		out.Regimes[string(r)] = on
	}
	maps.Copy(out.Offsets, st.Offsets)
	applies := obligation.Settings{Regimes: st.Regimes}
	for _, p := range packs {
		rp := RulePack{Regime: string(p.Regime), Version: p.Version, TitleEN: p.TitleEN, TitleZH: p.TitleZH,
			DefaultOn: p.DefaultOn, Enabled: applies.Enabled(p), Duties: []RuleDuty{}}
		for _, d := range p.Duties {
			rp.Duties = append(rp.Duties, RuleDuty{Code: d.Code, Requirement: d.Requirement, Article: d.Article,
				TitleEN: d.TitleEN, TitleZH: d.TitleZH, Offset: d.Offset, OffsetByGrade: d.OffsetByGrade,
				Configurable: d.Configurable})
		}
		out.Packs = append(out.Packs, rp)
	}
	return out
}

// obligationSettings returns the caller's organisation's settings and the
// packs.
func (h *Handler) obligationSettings(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	return h.writeSettings(w, r, p)
}

func (h *Handler) writeSettings(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	st, err := h.obligations.Settings(r.Context(), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiSettings(st, h.obligations.Packs()))
}

// setObligationSettings replaces the organisation's settings and answers
// with them as stored.
func (h *Handler) setObligationSettings(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	var in ObligationSettingsChange
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	st := obligation.OrgSettings{Offsets: in.Offsets, Escalations: in.Escalations, Submitters: in.Submitters}
	if len(in.Regimes) > 0 {
		st.Regimes = map[obligation.Regime]bool{}
		for k, on := range in.Regimes {
			st.Regimes[obligation.Regime(k)] = on
		}
	}
	if len(in.ProductRegimes) > 0 {
		st.ProductRegimes = map[string][]obligation.Regime{}
		for name, rs := range in.ProductRegimes {
			for _, r := range rs {
				st.ProductRegimes[name] = append(st.ProductRegimes[name], obligation.Regime(r))
			}
		}
	}
	if err := h.obligations.SetSettings(r.Context(), p, st); err != nil {
		return err
	}
	return h.writeSettings(w, r, p)
}
