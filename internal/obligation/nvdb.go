package obligation

import (
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/severity/gbt30279"
)

// PackageFormat identifies the NVDB report package's JSON layout.
const PackageFormat = "embargo-nvdb-package/1"

// Package is the report to MIIT's vulnerability information sharing
// platform (NVDB) built from a case (RMSV Art. 7(2), CN-07-6): the fields
// the article names (product name, model, version, technical
// characteristics, harm, scope of impact) and a recommended superset. No
// public specification of the platform's form exists; the layout follows
// its web form's fields for copy and paste.
type Package struct {
	Format   string `json:"format"`
	Case     string `json:"case"`
	Title    string `json:"title"`
	Provider string `json:"provider"`
	// Products are the affected products, models and versions (产品名称,
	// 型号, 版本).
	Products []casework.Affected `json:"products"`
	// Technical are the technical characteristics (漏洞技术特点).
	Technical string `json:"technical_characteristics"`
	// Harm is the vulnerability's harm (漏洞危害): its grade and scores.
	Harm Harm `json:"harm"`
	// Scope is the scope of impact (影响范围), in words.
	Scope string `json:"scope"`
	// The recommended superset.
	DiscoveredAt   time.Time `json:"discovered_at"` // T0
	T0Source       string    `json:"t0_source"`
	Identifiers    []string  `json:"identifiers,omitempty"`
	RootComponent  string    `json:"root_component,omitempty"`
	UpstreamVendor string    `json:"upstream_vendor,omitempty"`
	Status         string    `json:"status"`
	FixAvailableAt time.Time `json:"fix_available_at,omitzero"`
	UserAction     bool      `json:"user_action_required"`
	Exploited      bool      `json:"actively_exploited"`
	// FixPlan and Contact are written parts (fields.go).
	FixPlan string `json:"fix_plan,omitempty"`
	Contact string `json:"contact,omitempty"`
	// Provisional says the grade came from Embargo's provisional GB/T
	// 30279 table (docs/severity.md), not one transcribed from the standard.
	Provisional bool `json:"grade_table_provisional,omitempty"`
}

// Harm is the vulnerability's harm: the GB/T 30279 grade and the CVSS
// vector, with the category.
type Harm struct {
	Grade     string `json:"grade"`
	GradeZH   string `json:"grade_zh"`
	CVSS      string `json:"cvss,omitempty"`
	Category  string `json:"category,omitempty"`
	CWE       string `json:"cwe,omitempty"`
	Statement string `json:"statement"`
}

// gradeZH are the grades' names in GB/T 30279-2020.
var gradeZH = map[string]string{"critical": "超危", "high": "高危", "medium": "中危", "low": "低危"}

// BuildPackage builds case c's NVDB package; provider is the
// organisation's name.
func BuildPackage(c casework.Case, f casework.Facts, provider string) Package {
	p := Package{Format: PackageFormat, Case: c.Ref, Title: c.Title, Provider: provider, Products: c.Scope,
		Technical: strings.TrimSpace(c.Summary), DiscoveredAt: c.T0, T0Source: c.T0Source, Identifiers: c.Aliases,
		RootComponent: f.RootComponent, Status: string(c.Status), FixAvailableAt: f.FixAvailableAt, UserAction: f.UserAction,
		Exploited: !f.ExploitedAt.IsZero(), Provisional: c.Grading.Provisional}
	if f.Upstream != nil {
		p.UpstreamVendor = f.Upstream.Name
	}
	p.Harm = Harm{Grade: c.Grade, GradeZH: gradeZH[c.Grade], CVSS: c.CVSS, Category: c.Grading.Category, CWE: c.Grading.CWE}
	if c.Grade != "" {
		p.Harm.Statement = "GB/T 30279-2020 " + gradeZH[c.Grade] + " (" + c.Grade + ")"
		if c.Grading.Category != "" {
			if cat, ok := gbt30279.LookupCategory(c.Grading.Category); ok {
				p.Harm.Statement += "；" + cat.Label.Chinese
			}
		}
		if c.CVSS != "" {
			p.Harm.Statement += "；" + c.CVSS
		}
	}
	var scope []string
	for _, a := range c.Scope {
		scope = append(scope, strings.TrimSpace(a.Product+" "+a.Model+" "+a.Versions))
	}
	p.Scope = strings.Join(scope, "；")
	return p
}

// Missing names the mandatory fields (Art. 7(2)) the package lacks, as
// stable keys: product, model, version, technical, harm, scope. A package
// with any missing cannot be marked submitted.
func (p Package) Missing() []string {
	var out []string
	product, model, version := len(p.Products) > 0, len(p.Products) > 0, len(p.Products) > 0
	for _, a := range p.Products {
		product = product && strings.TrimSpace(a.Product) != ""
		model = model && strings.TrimSpace(a.Model) != ""
		version = version && strings.TrimSpace(a.Versions) != ""
	}
	for _, m := range []struct {
		ok  bool
		key string
	}{{product, "product"}, {model, "model"}, {version, "version"}, {p.Technical != "", "technical"},
		{p.Harm.Grade != "", "harm"}, {p.Scope != "", "scope"}} {
		if !m.ok {
			out = append(out, m.key)
		}
	}
	return out
}

// apply puts the written parts of an NVDB report into the package: the
// harm and scope in the team's own words replace the derived ones.
func (p *Package) apply(values map[string]string) {
	if v := values["harm_statement"]; v != "" && p.Harm.Grade != "" {
		p.Harm.Statement = v
	}
	if v := values["scope_statement"]; v != "" {
		p.Scope = v
	}
	p.FixPlan, p.Contact = values["fix_plan"], values["contact"]
}
