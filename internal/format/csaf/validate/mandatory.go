package validate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/package-url/packageurl-go"
	"golang.org/x/text/language"
)

// mandatory are the tests of CSAF 2.0 §6.1, in its order.
var mandatory = []Test{
	{"6.1.1", "Missing Definition of Product ID", missingProductID},
	{"6.1.2", "Multiple Definition of Product ID", multipleProductID},
	{"6.1.3", "Circular Definition of Product ID", circularProductID},
	{"6.1.4", "Missing Definition of Product Group ID", missingGroupID},
	{"6.1.5", "Multiple Definition of Product Group ID", multipleGroupID},
	{"6.1.6", "Contradicting Product Status", contradictingStatus},
	{"6.1.7", "Multiple Scores with same Version per Product", multipleScores},
	{"6.1.8", "Invalid CVSS", invalidCVSS},
	{"6.1.9", "Invalid CVSS computation", invalidCVSSComputation},
	{"6.1.10", "Inconsistent CVSS", inconsistentCVSS},
	{"6.1.11", "CWE", cweNames},
	{"6.1.12", "Language", languages},
	{"6.1.13", "purl", purls},
	{"6.1.14", "Sorted Revision History", sortedRevisionHistory},
	{"6.1.15", "Translator", translator},
	{"6.1.16", "Latest Document Version", latestDocumentVersion},
	{"6.1.17", "Document Status Draft", documentStatusDraft},
	{"6.1.18", "Released Revision History", releasedRevisionHistory},
	{"6.1.19", "Revision History Entries for Pre-release Versions", preReleaseRevisions},
	{"6.1.20", "Non-draft Document Version", nonDraftVersion},
	{"6.1.21", "Missing Item in Revision History", missingRevision},
	{"6.1.22", "Multiple Definition in Revision History", multipleRevision},
	{"6.1.23", "Multiple Use of Same CVE", multipleCVE},
	{"6.1.24", "Multiple Definition in Involvements", multipleInvolvements},
	{"6.1.25", "Multiple Use of Same Hash Algorithm", multipleHashAlgorithm},
	{"6.1.26", "Prohibited Document Category Name", prohibitedCategory},
	{"6.1.27.1", "Document Notes", profileDocumentNotes},
	{"6.1.27.2", "Document References", profileDocumentReferences},
	{"6.1.27.3", "Vulnerabilities", profileNoVulnerabilities},
	{"6.1.27.4", "Product Tree", profileProductTree},
	{"6.1.27.5", "Vulnerability Notes", profileVulnerabilityNotes},
	{"6.1.27.6", "Product Status", profileProductStatus},
	{"6.1.27.7", "VEX Product Status", profileVEXProductStatus},
	{"6.1.27.8", "Vulnerability ID", profileVulnerabilityID},
	{"6.1.27.9", "Impact Statement", profileImpactStatement},
	{"6.1.27.10", "Action Statement", profileActionStatement},
	{"6.1.27.11", "Vulnerabilities", profileVulnerabilities},
	{"6.1.28", "Translation", translation},
	{"6.1.29", "Remediation without Product Reference", remediationWithoutProduct},
	{"6.1.30", "Mixed Integer and Semantic Versioning", mixedVersioning},
	{"6.1.31", "Version Range in Product Version", versionRange},
	{"6.1.32", "Flag without Product Reference", flagWithoutProduct},
	{"6.1.33", "Multiple Flags with VEX Justification Codes per Product", multipleFlags},
}

// violation builds a violation at p; Run fills in the test.
func violation(p pointer, format string, args ...any) Violation {
	return Violation{Path: string(p), Message: fmt.Sprintf(format, args...)}
}

// 6.1.1: every product ID used is defined in the product tree.
func missingProductID(doc any) []Violation {
	defined := map[string]bool{}
	for _, d := range productDefinitions(doc) {
		defined[d.id] = true
	}
	var out []Violation
	for _, r := range productReferences(doc) {
		if !defined[r.id] {
			out = append(out, violation(r.path, "product ID %s is not defined in the product tree", r.id))
		}
	}
	return out
}

// 6.1.2: no product ID is defined twice.
func multipleProductID(doc any) []Violation {
	return duplicates(productDefinitions(doc), "product ID")
}

// duplicates reports every definition of an ID after its first.
func duplicates(defs []ref, what string) []Violation {
	first := map[string]pointer{}
	var out []Violation
	for _, d := range defs {
		if p, ok := first[d.id]; ok {
			out = append(out, violation(d.path, "%s %s is already defined at %s", what, d.id, p))
			continue
		}
		first[d.id] = d.path
	}
	return out
}

// 6.1.3: no product defined by a relationship refers back to itself,
// directly or through other relationships.
func circularProductID(doc any) []Violation {
	edges := map[string][]string{} // product ID → the IDs its relationships combine
	type rel struct {
		id   string
		path pointer
	}
	var rels []rel
	for i, r := range arr(get(doc, "product_tree", "relationships")) {
		id, ok := get(r, "full_product_name", "product_id").(string)
		if !ok {
			continue
		}
		for _, k := range []string{"product_reference", "relates_to_product_reference"} {
			if s, ok := get(r, k).(string); ok {
				edges[id] = append(edges[id], s)
			}
		}
		rels = append(rels, rel{id, pointer("/product_tree/relationships").index(i)})
	}
	onCycle := cyclic(edges)
	var out []Violation
	for _, r := range rels {
		if onCycle[r.id] {
			out = append(out, violation(r.path, "product ID %s refers to itself through its relationships", r.id))
		}
	}
	return out
}

// cyclic returns the nodes of a directed graph that lie on a cycle: those
// of a strongly connected component of more than one node, and those with
// an edge to themselves (Tarjan's algorithm, linear in the graph's size).
func cyclic(edges map[string][]string) map[string]bool {
	index, low := map[string]int{}, map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	out := map[string]bool{}
	var visit func(v string)
	visit = func(v string) {
		index[v], low[v] = len(index), len(index)
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range edges[v] {
			if w == v {
				out[v] = true
			}
			if _, seen := index[w]; !seen {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var scc []string
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			scc = append(scc, w)
			if w == v {
				break
			}
		}
		if len(scc) > 1 {
			for _, w := range scc {
				out[w] = true
			}
		}
	}
	for _, v := range slices.Sorted(maps.Keys(edges)) {
		if _, seen := index[v]; !seen {
			visit(v)
		}
	}
	return out
}

// 6.1.4: every product group ID used is defined.
func missingGroupID(doc any) []Violation {
	defined := map[string]bool{}
	for _, d := range groupDefinitions(doc) {
		defined[d.id] = true
	}
	var out []Violation
	for _, r := range groupReferences(doc) {
		if !defined[r.id] {
			out = append(out, violation(r.path, "product group ID %s is not defined in the product tree", r.id))
		}
	}
	return out
}

// 6.1.5: no product group ID is defined twice.
func multipleGroupID(doc any) []Violation {
	return duplicates(groupDefinitions(doc), "product group ID")
}

// statusGroup puts each product status into the group that excludes the
// others: affected, not affected, fixed, under investigation.
// "recommended" belongs to none.
var statusGroup = map[string]string{
	"first_affected": "affected", "known_affected": "affected", "last_affected": "affected",
	"known_not_affected": "not affected",
	"first_fixed":        "fixed", "fixed": "fixed",
	"under_investigation": "under investigation",
}

// 6.1.6: no product is in two contradicting status groups of one
// vulnerability.
func contradictingStatus(doc any) []Violation {
	var out []Violation
	for _, v := range vulnerabilities(doc) {
		ps := obj(v.v["product_status"])
		group := map[string]string{} // product ID → its first status
		for _, name := range statusNames {
			g := statusGroup[name]
			if g == "" {
				continue
			}
			for _, r := range stringItems(ps[name], v.path.key("product_status").key(name)) {
				first, ok := group[r.id]
				if !ok {
					group[r.id] = name
					continue
				}
				if statusGroup[first] != g {
					out = append(out, violation(r.path, "product ID %s is both %s (%s) and %s (%s)", r.id, statusGroup[first], first, g, name))
				}
			}
		}
	}
	return out
}

// 6.1.12: lang and source_lang are registered language tags.
func languages(doc any) []Violation {
	var out []Violation
	for _, k := range []string{"lang", "source_lang"} {
		s, ok := get(doc, "document", k).(string)
		if !ok {
			continue
		}
		if _, err := language.Parse(s); err != nil {
			out = append(out, violation(pointer("/document").key(k), "%q is not a valid language tag: %v", s, err))
		}
	}
	return out
}

// 6.1.13: every purl is a valid package URL.
func purls(doc any) []Violation {
	var out []Violation
	for _, f := range fullProductNames(doc) {
		helper := obj(f.v["product_identification_helper"])
		s, ok := helper["purl"].(string)
		if !ok {
			continue
		}
		if _, err := packageurl.FromString(s); err != nil {
			out = append(out, violation(f.path.key("product_identification_helper").key("purl"), "%q is not a valid package URL: %v", s, err))
		}
	}
	return out
}

// 6.1.15: a document published by a translator names its source language.
func translator(doc any) []Violation {
	if get(doc, "document", "publisher", "category") != "translator" {
		return nil
	}
	if _, ok := get(doc, "document", "source_lang").(string); ok {
		return nil
	}
	return []Violation{violation("/document/source_lang", "the publisher is a translator but the document has no source_lang")}
}

// 6.1.23: no CVE is the subject of two vulnerabilities.
func multipleCVE(doc any) []Violation {
	var defs []ref
	for _, v := range vulnerabilities(doc) {
		if s, ok := v.v["cve"].(string); ok {
			defs = append(defs, ref{v.path.key("cve"), s})
		}
	}
	first := map[string]pointer{}
	var out []Violation
	for _, d := range defs {
		if p, ok := first[d.id]; ok {
			out = append(out, violation(d.path, "%s is already the subject of %s", d.id, strings.TrimSuffix(string(p), "/cve")))
			continue
		}
		first[d.id] = d.path
	}
	return out
}

// 6.1.24: no two involvements of a vulnerability have the same party and
// date.
func multipleInvolvements(doc any) []Violation {
	var out []Violation
	for _, v := range vulnerabilities(doc) {
		type key struct{ party, date string }
		first := map[key]pointer{}
		for _, in := range items(v.v, v.path, "involvements") {
			party, _ := in.v["party"].(string)
			date, _ := in.v["date"].(string)
			if date == "" {
				continue
			}
			k := key{party, normalDate(date)}
			if p, ok := first[k]; ok {
				out = append(out, violation(in.path, "party %s at %s is already listed at %s", party, date, p))
				continue
			}
			first[k] = in.path
		}
	}
	return out
}

// 6.1.25: within one set of file hashes, no algorithm is used twice.
func multipleHashAlgorithm(doc any) []Violation {
	var out []Violation
	for _, f := range fullProductNames(doc) {
		helper := obj(f.v["product_identification_helper"])
		hp := f.path.key("product_identification_helper")
		for _, h := range items(helper, hp, "hashes") {
			seen := map[string]bool{}
			for _, fh := range items(h.v, h.path, "file_hashes") {
				alg, ok := fh.v["algorithm"].(string)
				if !ok {
					continue
				}
				if seen[alg] {
					out = append(out, violation(fh.path.key("algorithm"), "hash algorithm %s is used more than once for the same file", alg))
				}
				seen[alg] = true
			}
		}
	}
	return out
}

// profiles are the document categories of the profiles other than CSAF
// Base, with their names.
var profiles = map[string]string{
	"csaf_security_incident_response": "Security incident response",
	"csaf_informational_advisory":     "Informational Advisory",
	"csaf_security_advisory":          "Security Advisory",
	"csaf_vex":                        "VEX",
}

// 6.1.26: a document category that is not a profile's does not look like
// one: it does not start with csaf_, and, ignoring case, hyphens,
// underscores and white space, it is not a profile's name or category.
func prohibitedCategory(doc any) []Violation {
	cat, ok := get(doc, "document", "category").(string)
	if !ok || cat == "csaf_base" || profiles[cat] != "" {
		return nil
	}
	if strings.HasPrefix(strings.ToLower(cat), "csaf_") {
		return []Violation{violation("/document/category", "category %q starts with the reserved prefix csaf_ but is no profile's", cat)}
	}
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '-' || r == '_' || r == '\u2212' || r == '\u2010' || r == '\u2011' || strings.ContainsRune(" \t\n\r\f\v\u00a0", r) {
				return -1
			}
			return r
		}, strings.ToLower(s))
	}
	n := norm(cat)
	for value, name := range profiles {
		if n == norm(value) || n == norm(strings.TrimPrefix(value, "csaf_")) || n == norm(name) {
			return []Violation{violation("/document/category", "category %q is too close to the profile %s (%s)", cat, value, name)}
		}
	}
	return nil
}

// 6.1.28: a translation's language differs from its source language.
func translation(doc any) []Violation {
	lang, _ := get(doc, "document", "lang").(string)
	src, _ := get(doc, "document", "source_lang").(string)
	if lang != "" && strings.EqualFold(lang, src) {
		return []Violation{violation("/document/source_lang", "source_lang is the document's own language %s", lang)}
	}
	return nil
}

// 6.1.29: every remediation names products or product groups.
func remediationWithoutProduct(doc any) []Violation {
	return withoutProduct(doc, "remediations", "remediation")
}

// 6.1.32: every flag names products or product groups.
func flagWithoutProduct(doc any) []Violation {
	return withoutProduct(doc, "flags", "flag")
}

// withoutProduct reports items of the vulnerabilities' member name that
// have neither product_ids nor group_ids.
func withoutProduct(doc any, name, what string) []Violation {
	var out []Violation
	for _, v := range vulnerabilities(doc) {
		for _, x := range items(v.v, v.path, name) {
			if x.v["product_ids"] == nil && x.v["group_ids"] == nil {
				out = append(out, violation(x.path, "the %s names no product_ids and no group_ids", what))
			}
		}
	}
	return out
}

// rangeWords are the words that make a product_version name a range.
var rangeWords = []string{"after", "all", "before", "earlier", "later", "prior", "versions"}

// 6.1.31: a branch of category product_version names one version, not a
// range.
func versionRange(doc any) []Violation {
	var out []Violation
	branches(doc, func(b map[string]any, p pointer) {
		if b["category"] != "product_version" {
			return
		}
		name, _ := b["name"].(string)
		if strings.ContainsAny(name, "<>") {
			out = append(out, violation(p.key("name"), "product version %q is a range (it compares with < or >); use the category product_version_range", name))
			return
		}
		for _, w := range strings.Fields(strings.ToLower(name)) {
			if slices.Contains(rangeWords, w) {
				out = append(out, violation(p.key("name"), "product version %q is a range (%q); use the category product_version_range", name, w))
				return
			}
		}
	})
	return out
}

// 6.1.33: within a vulnerability, at most one flag (and so one VEX
// justification) applies to each product.
func multipleFlags(doc any) []Violation {
	gs := groups(doc)
	var out []Violation
	for _, v := range vulnerabilities(doc) {
		first := map[string]pointer{}
		for _, f := range items(v.v, v.path, "flags") {
			ids := covered(f.v, gs)
			for _, id := range sortedKeys(ids) {
				if p, ok := first[id]; ok {
					out = append(out, violation(f.path, "product ID %s already has the flag %s", id, p))
					continue
				}
				first[id] = f.path
			}
		}
	}
	return out
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]bool) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
