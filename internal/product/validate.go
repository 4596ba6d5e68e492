package product

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/errs"
)

// issue is one thing wrong with a product tree: where (a JSON-style path
// such as "products[0].models[1]", and a human one), in which field of
// which kind of entity, and the coded error.
type issue struct {
	path   string // of the entity
	entity string // product, model, version, component, supplier, customer
	field  string // JSON field name
	err    error
}

// checker validates and normalises product trees, collecting issues.
type checker struct {
	issues []issue
	// parties seen so far, by kind and name, with where first seen.
	parties map[string]seenParty
}

type seenParty struct {
	p     Party
	where string
}

// maxIssues bounds how many problems one check reports.
const maxIssues = 20

func newChecker() *checker { return &checker{parties: map[string]seenParty{}} }

func (c *checker) add(path, entity, field string, err error) {
	if len(c.issues) < maxIssues {
		c.issues = append(c.issues, issue{path: path, entity: entity, field: field, err: err})
	}
}

// first returns the first issue's error, or nil.
func (c *checker) first() error {
	if len(c.issues) == 0 {
		return nil
	}
	return c.issues[0].err
}

// where builds the human location of an entity: `product "R" › model "A"`.
func where(parent, kind, name string) string {
	s := fmt.Sprintf("%s %q", kind, name)
	if parent == "" {
		return s
	}
	return parent + " › " + s
}

// product checks and normalises p, whose path is path.
func (c *checker) product(path string, p *Product) {
	p.Name, p.Description = clean(p.Name), strings.TrimSpace(p.Description)
	w := where("", "product", p.Name)
	if !validName(p.Name, 200) {
		c.add(path, "product", "name", errs.Coded(errs.Invalid, "product.name", "%s: give the product a name of 1 to 200 characters", w))
	}
	if utf8.RuneCountInString(p.Description) > 4000 {
		c.add(path, "product", "description", errs.Coded(errs.Invalid, "product.description", "%s: keep the description under 4000 characters", w))
	}
	names := map[string]bool{}
	for i := range p.Models {
		m := &p.Models[i]
		mp := fmt.Sprintf("%s.models[%d]", path, i)
		m.Name = clean(m.Name)
		mw := where(w, "model", m.Name)
		if !validName(m.Name, 200) {
			c.add(mp, "model", "name", errs.Coded(errs.Invalid, "product.model", "%s: give the model a name of 1 to 200 characters", mw))
		}
		c.unique(names, m.Name, mp, "model", mw)
		c.model(mp, mw, m)
	}
}

func (c *checker) model(path, w string, m *Model) {
	seen := map[string]bool{}
	for i := range m.Versions {
		v := &m.Versions[i]
		vp := fmt.Sprintf("%s.versions[%d]", path, i)
		v.Version, v.Line = strings.TrimSpace(v.Version), clean(v.Line)
		vw := where(w, "version", v.Version)
		if !validToken(v.Version, 100) {
			c.add(vp, "version", "version", errs.Coded(errs.Invalid, "product.version",
				"%s: give the version as 1 to 100 characters without spaces", vw))
		}
		if utf8.RuneCountInString(v.Line) > 50 || !InLine(v.Line, v.Version) {
			c.add(vp, "version", "line", errs.Coded(errs.Invalid, "product.line",
				"%s: the release line %q must be at most 50 characters and, written as a wildcard, select the version", vw, v.Line))
		}
		c.unique(seen, v.Version, vp, "version", vw)
		c.version(vp, vw, v)
	}
}

func (c *checker) version(path, w string, v *Version) {
	seen := map[string]bool{}
	for i := range v.Components {
		cp := fmt.Sprintf("%s.components[%d]", path, i)
		c.component(cp, w, &v.Components[i])
		c.unique(seen, v.Components[i].Name, cp, "component", where(w, "component", v.Components[i].Name))
	}
	seen = map[string]bool{}
	for i := range v.Customers {
		pp := fmt.Sprintf("%s.customers[%d]", path, i)
		cw := where(w, "customer", v.Customers[i].Name)
		c.party(pp, "customer", cw, &v.Customers[i])
		c.unique(seen, v.Customers[i].Name, pp, "customer", cw)
	}
}

func (c *checker) component(path, parent string, k *Component) {
	k.Name, k.Version, k.PURL = clean(k.Name), strings.TrimSpace(k.Version), strings.TrimSpace(k.PURL)
	w := where(parent, "component", k.Name)
	if !validName(k.Name, 200) {
		c.add(path, "component", "name", errs.Coded(errs.Invalid, "product.component", "%s: give the component a name of 1 to 200 characters", w))
	}
	if !validToken(k.Version, 100) {
		c.add(path, "component", "version", errs.Coded(errs.Invalid, "product.component_version",
			"%s: give the component's version as 1 to 100 characters without spaces", w))
	}
	if k.PURL != "" && !purl.MatchString(k.PURL) {
		c.add(path, "component", "purl", errs.Coded(errs.Invalid, "product.purl",
			"%s: give the package URL as pkg:type/name@version (or leave it empty)", w))
	}
	switch {
	case k.ThirdParty && k.Supplier == nil:
		c.add(path, "component", "supplier", errs.Coded(errs.Invalid, "product.supplier_missing",
			"%s: a third-party component needs its supplier (name and country), the upstream to notify", w))
	case !k.ThirdParty && k.Supplier != nil:
		c.add(path, "component", "third_party", errs.Coded(errs.Invalid, "product.supplier_first_party",
			"%s: only a third-party component has a supplier", w))
	case k.Supplier != nil:
		c.party(path+".supplier", "supplier", where(w, "supplier", k.Supplier.Name), k.Supplier)
	}
}

// party checks a supplier or customer, and that one name is one party
// throughout what the checker has seen.
func (c *checker) party(path, kind, w string, p *Party) {
	p.Name, p.Country, p.Email = clean(p.Name), strings.ToUpper(strings.TrimSpace(p.Country)), strings.ToLower(strings.TrimSpace(p.Email))
	if !validName(p.Name, 200) {
		c.add(path, kind, "name", errs.Coded(errs.Invalid, "product.party_name", "%s: give a name of 1 to 200 characters", w))
	}
	if !countryCode.MatchString(p.Country) {
		c.add(path, kind, "country", errs.Coded(errs.Invalid, "product.country",
			"%s: give the country as a two-letter ISO 3166 code, such as CN", w))
	}
	if p.Email != "" && !validEmail(p.Email) {
		c.add(path, kind, "email", errs.Coded(errs.Invalid, "product.email",
			"%s: give a valid contact e-mail address, such as psirt@example.cn, or none", w))
	}
	key := kind + "\x00" + p.Name
	if prev, ok := c.parties[key]; ok && prev.p != *p {
		c.add(path, kind, "name", errs.Coded(errs.Invalid, "product.party_mismatch",
			"%s: the same name has another country or contact at %s; one name is one party", w, prev.where))
	} else if !ok {
		c.parties[key] = seenParty{p: *p, where: w}
	}
}

func (c *checker) unique(seen map[string]bool, name, path, entity, w string) {
	if seen[name] && name != "" {
		c.add(path, entity, "name", errs.Coded(errs.Invalid, "product.duplicate", "%s: the name is used twice under the same parent", w))
	}
	seen[name] = true
}

var (
	countryCode = regexp.MustCompile(`^[A-Z]{2}$`)
	// purl is the outline of a package URL (github.com/package-url/purl-spec):
	// scheme, type, then a name, without spaces.
	purl = regexp.MustCompile(`^pkg:[A-Za-z.+-][A-Za-z0-9.+-]*/[^\s]+$`)
)

// clean trims s and folds runs of white space to one space.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// validName reports whether s has 1 to maxRunes runes and no control
// characters.
func validName(s string, maxRunes int) bool {
	n := utf8.RuneCountInString(s)
	return n > 0 && n <= maxRunes && utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}

// validToken is validName without any white space.
func validToken(s string, maxRunes int) bool {
	return validName(s, maxRunes) && strings.IndexFunc(s, unicode.IsSpace) < 0
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254 && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

// checkProduct validates and normalises one product for Create and
// Update; it returns the first problem's error.
func checkProduct(p *Product) error {
	c := newChecker()
	c.product("product", p)
	return c.first()
}
