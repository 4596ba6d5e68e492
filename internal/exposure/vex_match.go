package exposure

import (
	"strings"

	"github.com/package-url/packageurl-go"
)

// Suppresses reports whether the statement takes the match away
// (CN-08-2: known_not_affected suppresses): it is a not_affected
// statement, it names the match's vulnerability (by ID or alias, on
// either side), and its product is the match's component. A purl with a
// version speaks of that version only; a purl without one, of every
// version of the package. When the statement lists subcomponents, the
// component must be one of them; a product named without a purl is
// compared by package name (and version, if the statement gives one).
// Qualifiers and subpaths are not compared.
func (s VEXStatement) Suppresses(m Match) bool {
	if s.Status != VEXNotAffected || !s.names(m) {
		return false
	}
	targets := s.Product.Subcomponents
	if len(targets) == 0 && s.Product.Purl != "" {
		targets = []string{s.Product.Purl}
	}
	for _, t := range targets {
		if purlCovers(t, m.Component) {
			return true
		}
	}
	if len(targets) == 0 {
		return nameCovers(s.Product, m.Component)
	}
	return false
}

// names reports whether the statement's vulnerability is the match's.
func (s VEXStatement) names(m Match) bool {
	ours := append([]string{s.Vulnerability.ID}, s.Vulnerability.Aliases...)
	theirs := append([]string{m.Advisory}, m.Aliases...)
	for _, a := range ours {
		for _, b := range theirs {
			if a != "" && strings.EqualFold(a, b) {
				return true
			}
		}
	}
	return false
}

// purlCovers reports whether the purl stmt names component c: the same
// type, namespace and package, and, when stmt has a version, the same
// version.
func purlCovers(stmt string, c Component) bool {
	sp, err := sbomParsePurl(stmt)
	if err != nil || c.Purl == "" {
		return false
	}
	cp, err := sbomParsePurl(c.Purl)
	if err != nil || sp.Type != cp.Type {
		return false
	}
	if sp.Type != packageurl.TypeGolang && !strings.EqualFold(sp.Namespace, cp.Namespace) {
		return false
	}
	eco := sbomEcosystem(cp)
	if NormalizePackage(eco, sbomPackage(sp)) != NormalizePackage(eco, sbomPackage(cp)) {
		return false
	}
	version := cp.Version
	if version == "" {
		version = c.Version
	}
	return sp.Version == "" || sp.Version == version
}

// nameCovers compares a product named without a purl with a component.
func nameCovers(p VEXProduct, c Component) bool {
	if p.Name == "" || NormalizePackage(c.Ecosystem, p.Name) != NormalizePackage(c.Ecosystem, c.Package) {
		return false
	}
	return p.Version == "" || p.Version == c.Version
}
