package validate

import (
	"strconv"
	"strings"
)

// The tests read the document as generic JSON (maps, slices, strings,
// float64), so that they see every member, including those the typed model
// of package csaf leaves out, and so that a member of the wrong type
// (already reported by the schema) is simply absent for them.

// obj returns v as a JSON object, or nil.
func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// arr returns v as a JSON array, or nil.
func arr(v any) []any {
	a, _ := v.([]any)
	return a
}

// str returns v as a string, or "".
func str(v any) string {
	s, _ := v.(string)
	return s
}

// get follows keys through nested objects; nil when one is missing.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m := obj(v)
		if m == nil {
			return nil
		}
		v = m[k]
	}
	return v
}

// pointer is a JSON pointer (RFC 6901) into the document.
type pointer string

// key returns the pointer to member k of the object at p.
func (p pointer) key(k string) pointer {
	k = strings.ReplaceAll(k, "~", "~0")
	k = strings.ReplaceAll(k, "/", "~1")
	return p + "/" + pointer(k)
}

// index returns the pointer to item i of the array at p.
func (p pointer) index(i int) pointer {
	return p + "/" + pointer(strconv.Itoa(i))
}

// ref is a string found in the document (a product ID, a group ID…) and
// where.
type ref struct {
	path pointer
	id   string
}

// strings returns the string items of the array at v, with their paths.
func stringItems(v any, p pointer) []ref {
	var out []ref
	for i, x := range arr(v) {
		if s, ok := x.(string); ok {
			out = append(out, ref{p.index(i), s})
		}
	}
	return out
}

// statusNames are the members of a vulnerability's product_status.
var statusNames = []string{"first_affected", "first_fixed", "fixed", "known_affected", "known_not_affected", "last_affected", "recommended", "under_investigation"}

// vulnerability is one item of /vulnerabilities with its path.
type vulnerability struct {
	path pointer
	v    map[string]any
}

// vulnerabilities lists the document's vulnerabilities that are objects.
func vulnerabilities(doc any) []vulnerability {
	var out []vulnerability
	for i, v := range arr(get(doc, "vulnerabilities")) {
		if m := obj(v); m != nil {
			out = append(out, vulnerability{pointer("/vulnerabilities").index(i), m})
		}
	}
	return out
}

// items returns the objects of the array member name of v, with paths.
func items(v map[string]any, p pointer, name string) []vulnerability {
	var out []vulnerability
	for i, x := range arr(v[name]) {
		if m := obj(x); m != nil {
			out = append(out, vulnerability{p.key(name).index(i), m})
		}
	}
	return out
}

// fullProductName is a full_product_name_t of the product tree, where it is.
type fullProductName struct {
	path pointer
	v    map[string]any
}

// fullProductNames lists every full product name the product tree
// defines: in branches (at any depth), full_product_names and
// relationships.
func fullProductNames(doc any) []fullProductName {
	tree := obj(get(doc, "product_tree"))
	if tree == nil {
		return nil
	}
	root := pointer("/product_tree")
	var out []fullProductName
	var walk func(bs any, p pointer, depth int)
	walk = func(bs any, p pointer, depth int) {
		if depth > maxDepth {
			return
		}
		for i, b := range arr(bs) {
			bp := p.index(i)
			if prod := obj(get(b, "product")); prod != nil {
				out = append(out, fullProductName{bp.key("product"), prod})
			}
			walk(get(b, "branches"), bp.key("branches"), depth+1)
		}
	}
	walk(tree["branches"], root.key("branches"), 0)
	for i, f := range arr(tree["full_product_names"]) {
		if m := obj(f); m != nil {
			out = append(out, fullProductName{root.key("full_product_names").index(i), m})
		}
	}
	for i, r := range arr(tree["relationships"]) {
		if m := obj(get(r, "full_product_name")); m != nil {
			out = append(out, fullProductName{root.key("relationships").index(i).key("full_product_name"), m})
		}
	}
	return out
}

// maxDepth bounds the recursion through nested branches; the JSON decoder
// already bounds nesting, this keeps the walks cheap on hostile input.
const maxDepth = 10000

// branches calls f for every branch of the product tree, at any depth.
func branches(doc any, f func(b map[string]any, p pointer)) {
	var walk func(bs any, p pointer, depth int)
	walk = func(bs any, p pointer, depth int) {
		if depth > maxDepth {
			return
		}
		for i, b := range arr(bs) {
			if m := obj(b); m != nil {
				f(m, p.index(i))
				walk(m["branches"], p.index(i).key("branches"), depth+1)
			}
		}
	}
	walk(get(doc, "product_tree", "branches"), "/product_tree/branches", 0)
}

// productDefinitions lists the product IDs the document defines.
func productDefinitions(doc any) []ref {
	var out []ref
	for _, f := range fullProductNames(doc) {
		if id, ok := f.v["product_id"].(string); ok {
			out = append(out, ref{f.path.key("product_id"), id})
		}
	}
	return out
}

// productReferences lists every use of a product ID outside its
// definition: product groups, relationships, and in vulnerabilities the
// product status, scores, remediations, threats and flags.
func productReferences(doc any) []ref {
	var out []ref
	tree := obj(get(doc, "product_tree"))
	root := pointer("/product_tree")
	for i, g := range arr(tree["product_groups"]) {
		p := root.key("product_groups").index(i).key("product_ids")
		out = append(out, stringItems(get(g, "product_ids"), p)...)
	}
	for i, r := range arr(tree["relationships"]) {
		p := root.key("relationships").index(i)
		for _, k := range []string{"product_reference", "relates_to_product_reference"} {
			if s, ok := get(r, k).(string); ok {
				out = append(out, ref{p.key(k), s})
			}
		}
	}
	for _, v := range vulnerabilities(doc) {
		ps := obj(v.v["product_status"])
		for _, name := range statusNames {
			out = append(out, stringItems(ps[name], v.path.key("product_status").key(name))...)
		}
		for _, s := range items(v.v, v.path, "scores") {
			out = append(out, stringItems(s.v["products"], s.path.key("products"))...)
		}
		for _, name := range []string{"remediations", "threats", "flags"} {
			for _, x := range items(v.v, v.path, name) {
				out = append(out, stringItems(x.v["product_ids"], x.path.key("product_ids"))...)
			}
		}
	}
	return out
}

// groupDefinitions lists the product group IDs the document defines.
func groupDefinitions(doc any) []ref {
	var out []ref
	for i, g := range arr(get(doc, "product_tree", "product_groups")) {
		if id, ok := get(g, "group_id").(string); ok {
			out = append(out, ref{pointer("/product_tree/product_groups").index(i).key("group_id"), id})
		}
	}
	return out
}

// groupReferences lists every use of a product group ID: in remediations,
// threats and flags.
func groupReferences(doc any) []ref {
	var out []ref
	for _, v := range vulnerabilities(doc) {
		for _, name := range []string{"remediations", "threats", "flags"} {
			for _, x := range items(v.v, v.path, name) {
				out = append(out, stringItems(x.v["group_ids"], x.path.key("group_ids"))...)
			}
		}
	}
	return out
}

// groups maps each product group ID to its product IDs.
func groups(doc any) map[string][]string {
	m := map[string][]string{}
	for _, g := range arr(get(doc, "product_tree", "product_groups")) {
		id := str(get(g, "group_id"))
		for _, r := range stringItems(get(g, "product_ids"), "") {
			m[id] = append(m[id], r.id)
		}
	}
	return m
}

// covered returns the product IDs an item (remediation, threat, flag)
// names directly or through its groups.
func covered(item map[string]any, groups map[string][]string) map[string]bool {
	out := map[string]bool{}
	for _, r := range stringItems(item["product_ids"], "") {
		out[r.id] = true
	}
	for _, g := range stringItems(item["group_ids"], "") {
		for _, id := range groups[g.id] {
			out[id] = true
		}
	}
	return out
}
