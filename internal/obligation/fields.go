package obligation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
)

// FieldSpec is a part of a report that people write: its key, its labels,
// and whether the report cannot be submitted without it.
type FieldSpec struct {
	Key       string
	LabelEN   string
	LabelZH   string
	Mandatory bool
}

// Field is a FieldSpec with its value in a draft.
type Field struct {
	FieldSpec
	Value string
}

// The written parts of each report. The NVDB report's mandatory contents
// come from the case; its written parts only reword them. The CRA reports'
// contents follow Art. 14(2) and 14(4) of Regulation (EU) 2024/2847.
var fieldSpecs = map[string][]FieldSpec{
	"cn.nvdb_report": {
		{"harm_statement", "Harm, in your words (replaces the derived statement)", "漏洞危害描述（替代自动生成的描述）", false},
		{"scope_statement", "Scope of impact, in your words (replaces the derived list)", "影响范围描述（替代自动生成的列表）", false},
		{"fix_plan", "Fix or mitigation plan", "修复或缓解计划", false},
		{"contact", "Contact person and telephone", "联系人及电话", false},
	},
	"eu.early_warning": {
		{"member_states", "Member States where the product is made available (ISO codes)", "产品在其境内提供的欧盟成员国（ISO 代码）", true},
	},
	"eu.notification": {
		{"nature_of_exploit", "General nature of the exploit and of the vulnerability", "利用方式及漏洞的一般性质", true},
		{"corrective_measures", "Corrective or mitigating measures taken", "已采取的纠正或缓解措施", true},
		{"user_measures", "Corrective or mitigating measures users can take", "用户可采取的纠正或缓解措施", true},
		{"sensitivity", "How sensitive the notified information is", "所通报信息的敏感程度", true},
	},
	"eu.final_report": {
		{"description", "Description of the vulnerability, its severity and impact", "漏洞描述、严重程度及影响", true},
		{"malicious_actor", "Information on any malicious actor that exploited it, where available", "利用该漏洞的恶意行为者信息（如有）", false},
		{"security_update", "The security update or other corrective measures made available", "已提供的安全更新或其他纠正措施", true},
	},
	"eu.incident_early_warning": {
		{"member_states", "Member States where the product is made available (ISO codes)", "产品在其境内提供的欧盟成员国（ISO 代码）", true},
		{"malicious_act", "Is the incident suspected of being caused by unlawful or malicious acts?", "是否怀疑事件由非法或恶意行为造成？", true},
	},
	"eu.incident_notification": {
		{"nature_of_incident", "General nature of the incident", "事件的一般性质", true},
		{"initial_assessment", "Initial assessment of the incident", "事件初步评估", true},
		{"corrective_measures", "Corrective or mitigating measures taken", "已采取的纠正或缓解措施", true},
		{"user_measures", "Corrective or mitigating measures users can take", "用户可采取的纠正或缓解措施", true},
		{"sensitivity", "How sensitive the notified information is", "所通报信息的敏感程度", true},
	},
	"eu.incident_final_report": {
		{"description", "Description of the incident, its severity and impact", "事件描述、严重程度及影响", true},
		{"threat_root_cause", "Type of threat or root cause that likely triggered it", "可能引发事件的威胁类型或根本原因", true},
		{"mitigation", "Applied and ongoing mitigation measures", "已实施和正在实施的缓解措施", true},
	},
}

// FieldSpecs returns the written parts of duty's report.
func FieldSpecs(duty string) []FieldSpec { return fieldSpecs[duty] }

// fields fills duty's specs from stored values.
func fieldsOf(duty string, values map[string]string) []Field {
	var out []Field
	for _, sp := range fieldSpecs[duty] {
		out = append(out, Field{FieldSpec: sp, Value: values[sp.Key]})
	}
	return out
}

// readFields opens a case's stored written parts for duty.
func (s *Service) readFields(ctx context.Context, tx Tx, caseID int64, duty string) (map[string]string, error) {
	sealed, err := tx.ReportFields(ctx, caseID, duty)
	if err != nil || sealed == nil {
		return map[string]string{}, err
	}
	plain, err := s.sealer.Unseal(sealed, fieldsAAD(caseID, duty))
	if err != nil {
		return nil, fmt.Errorf("obligation: report fields: %w", err)
	}
	m := map[string]string{}
	return m, json.Unmarshal(plain, &m)
}

func fieldsAAD(caseID int64, duty string) []byte {
	return fmt.Appendf(nil, "report_drafts.fields:%d:%s", caseID, duty)
}

// SetFields saves the written parts of case id's report for duty; unknown
// keys are refused, empty values clear. Sealed at rest; audited
// (obligation.draft) with the keys changed, not their text. Needs
// access.ManageObligations or access.WriteCases, and sight of the case.
func (s *Service) SetFields(ctx context.Context, p *access.Principal, id int64, duty string, values map[string]string) ([]Field, error) {
	if !p.Can(access.ManageObligations) && !p.Can(access.WriteCases) {
		return nil, p.Require(access.ManageObligations)
	}
	if err := s.submittable(duty); err != nil {
		return nil, err
	}
	var out []Field
	err := s.transact(ctx, func(tx Tx) error {
		c, err := s.cases.Visible(ctx, tx, p, id)
		if err != nil {
			return err
		}
		for k, v := range values {
			if !isField(duty, k) {
				return errs.Coded(errs.Invalid, "obligation.field", "%s has no field %q", duty, k)
			}
			if utf8.RuneCountInString(v) > 20000 {
				return errs.Coded(errs.Invalid, "obligation.field_long", "a field may be at most 20,000 characters")
			}
		}
		cur, err := s.readFields(ctx, tx, c.ID, duty)
		if err != nil {
			return err
		}
		var changed []string
		for k, v := range values {
			if v = strings.TrimSpace(v); v != cur[k] {
				changed = append(changed, k)
			}
			if v == "" {
				delete(cur, k)
			} else {
				cur[k] = v
			}
		}
		b, err := json.Marshal(cur)
		if err != nil {
			return err
		}
		sealed, err := s.sealer.Seal(b, fieldsAAD(c.ID, duty))
		if err != nil {
			return err
		}
		if err := tx.PutReportFields(ctx, c.ID, duty, sealed, p.Actor()); err != nil {
			return err
		}
		out = fieldsOf(duty, cur)
		return auditObl(access.WithPrincipal(ctx, p), tx, "obligation.draft", c, Obligation{Duty: duty},
			map[string]any{"fields": changed})
	})
	return out, err
}

func isField(duty, key string) bool {
	for _, sp := range fieldSpecs[duty] {
		if sp.Key == key {
			return true
		}
	}
	return false
}

// CRAFormat identifies the layout of a CRA report's snapshot.
const CRAFormat = "embargo-cra-report/1"

// CRAReport is a report under Art. 14 of the EU Cyber Resilience Act: the
// product and the vulnerability from the case, and the written parts.
type CRAReport struct {
	Format        string              `json:"format"`
	Duty          string              `json:"duty"`
	Case          string              `json:"case"`
	Title         string              `json:"title"`
	Manufacturer  string              `json:"manufacturer"`
	Products      []casework.Affected `json:"products"`
	Grade         string              `json:"grade,omitempty"`
	CVSS          string              `json:"cvss,omitempty"`
	Identifiers   []string            `json:"identifiers,omitempty"`
	AwareAt       string              `json:"aware_at,omitempty"`
	FixAvailable  string              `json:"fix_available_at,omitempty"`
	WrittenFields map[string]string   `json:"fields"`
}

// craReport builds the CRA report for duty from the case and the written
// parts.
func craReport(duty string, pkg Package, c casework.Case, f casework.Facts, values map[string]string) *CRAReport {
	r := &CRAReport{Format: CRAFormat, Duty: duty, Case: c.Ref, Title: c.Title, Manufacturer: pkg.Provider, Products: pkg.Products,
		Grade: c.Grade, CVSS: c.CVSS, Identifiers: pkg.Identifiers, WrittenFields: map[string]string{}}
	aware := f.ExploitedAt
	if strings.HasPrefix(duty, "eu.incident") {
		aware = f.IncidentAt
	}
	if !aware.IsZero() {
		r.AwareAt = aware.UTC().Format("2006-01-02T15:04:05Z")
	}
	if !f.FixAvailableAt.IsZero() {
		r.FixAvailable = f.FixAvailableAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	for _, sp := range fieldSpecs[duty] {
		if v := values[sp.Key]; v != "" {
			r.WrittenFields[sp.Key] = v
		}
	}
	return r
}
