package product

import (
	"fmt"
	"strings"
)

// csvRow is one data row, read by column.
type csvRow struct {
	line                                        int
	product, description, model, version, vline string
	component, compVersion, purl, thirdParty    string
	supplier                                    Party
	customer                                    Party
}

func (b *csvBuilder) row(line int, rec []string) {
	g := func(n string) string { return b.get(rec, n) }
	r := csvRow{line: line, product: clean(g("product")), description: g("product_description"),
		model: clean(g("model")), version: g("version"), vline: clean(g("line")),
		component: clean(g("component")), compVersion: g("component_version"), purl: g("purl"), thirdParty: g("third_party"),
		supplier: Party{Name: clean(g("supplier")), Country: g("supplier_country"), Email: g("supplier_email")},
		customer: Party{Name: clean(g("customer")), Country: g("customer_country"), Email: g("customer_email")}}
	if strings.Join(rec, "") == "" {
		return // a blank row, as spreadsheets leave
	}
	third, ok := parseBool(r.thirdParty)
	if !ok {
		b.problem(line, "third_party", fmt.Sprintf("write true or false, not %q", r.thirdParty))
	}
	if !b.structure(r) || !ok {
		return
	}
	if r.supplier != (Party{}) && r.thirdParty == "" {
		third = true // a supplier makes a component third-party
	}
	b.merge(r, third)
}

// parseBool reads a third_party cell; empty is false.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "", "false", "no", "0", "n":
		return false, true
	case "true", "yes", "1", "y":
		return true, true
	}
	return false, false
}

// structure checks that each part a row names has its parents.
func (b *csvBuilder) structure(r csvRow) bool {
	n := len(b.problems)
	comp := r.component != "" || r.compVersion != "" || r.purl != "" || r.thirdParty != "" || r.supplier != (Party{})
	rules := []struct {
		bad          bool
		column, text string
	}{
		{r.product == "", "product", "every row needs the product's name"},
		{r.model == "" && r.version != "", "model", "a version needs its model"},
		{r.version == "" && r.vline != "", "line", "a release line belongs to a version; give the version"},
		{r.version == "" && comp, "version", "a component belongs to a version; give the version"},
		{r.version == "" && r.customer != (Party{}), "version", "a customer belongs to a version; give the version"},
		{r.component == "" && comp, "component", "give the component's name"},
		{r.supplier.Name == "" && r.supplier != (Party{}), "supplier", "give the supplier's name"},
		{r.customer.Name == "" && r.customer != (Party{}), "customer", "give the customer's name"},
	}
	for _, rule := range rules {
		if rule.bad {
			b.problem(r.line, rule.column, rule.text)
		}
	}
	return len(b.problems) == n
}

// merge adds the parts a row names to the catalogue.
func (b *csvBuilder) merge(r csvRow, third bool) {
	pi := b.child("", "products", r.product, r.line, func() int {
		b.cat.Products = append(b.cat.Products, Product{Name: r.product})
		return len(b.cat.Products) - 1
	})
	p := &b.cat.Products[pi]
	b.agree(&p.Description, r.description, r.line, "product_description")
	if r.model == "" {
		return
	}
	ppath := fmt.Sprintf("products[%d]", pi)
	mi := b.child(ppath, "models", r.model, r.line, func() int {
		p.Models = append(p.Models, Model{Name: r.model})
		return len(p.Models) - 1
	})
	m := &p.Models[mi]
	if r.version == "" {
		return
	}
	mpath := fmt.Sprintf("%s.models[%d]", ppath, mi)
	vi := b.child(mpath, "versions", r.version, r.line, func() int {
		m.Versions = append(m.Versions, Version{Version: r.version})
		return len(m.Versions) - 1
	})
	v := &m.Versions[vi]
	b.agree(&v.Line, r.vline, r.line, "line")
	vpath := fmt.Sprintf("%s.versions[%d]", mpath, vi)
	if r.component != "" {
		c := Component{Name: r.component, Version: r.compVersion, PURL: r.purl, ThirdParty: third}
		if r.supplier != (Party{}) {
			s := r.supplier
			c.Supplier = &s
		}
		ci := b.child(vpath, "components", r.component, r.line, func() int {
			v.Components = append(v.Components, c)
			return len(v.Components) - 1
		})
		b.lines[fmt.Sprintf("%s.components[%d].supplier", vpath, ci)] = r.line
	}
	if r.customer.Name != "" {
		b.child(vpath, "customers", r.customer.Name, r.line, func() int {
			v.Customers = append(v.Customers, r.customer)
			return len(v.Customers) - 1
		})
	}
}

// child returns the index of the part named name in list of the part at
// parent, calling add to create it when it is new. Components and
// customers are never merged: a second row naming one is a problem.
func (b *csvBuilder) child(parent, list, name string, line int, add func() int) int {
	key := parent + "." + list + "\x00" + name
	if i, ok := b.index[key]; ok {
		if list == "components" || list == "customers" {
			b.problem(line, strings.TrimSuffix(list, "s"),
				fmt.Sprintf("%q appears twice in this version (first on line %d)", name, b.lines[b.path(parent, list, i)]))
		}
		return i
	}
	i := add()
	b.index[key] = i
	b.lines[b.path(parent, list, i)] = line
	return i
}

func (b *csvBuilder) path(parent, list string, i int) string {
	if parent == "" {
		return fmt.Sprintf("%s[%d]", list, i)
	}
	return fmt.Sprintf("%s.%s[%d]", parent, list, i)
}

// agree sets *dst to val, which must equal what earlier rows gave (an
// empty cell means "as above").
func (b *csvBuilder) agree(dst *string, val string, line int, column string) {
	switch {
	case val == "" || val == *dst:
	case *dst == "":
		*dst = val
	default:
		b.problem(line, column, fmt.Sprintf("%q differs from %q given on an earlier row", val, *dst))
	}
}
