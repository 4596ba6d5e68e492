package validate

import "slices"

// category returns /document/category.
func category(doc any) string {
	return str(get(doc, "document", "category"))
}

// 6.1.27.1: informational advisories and security incident responses
// have a note of category description, details, general or summary.
func profileDocumentNotes(doc any) []Violation {
	if c := category(doc); c != "csaf_informational_advisory" && c != "csaf_security_incident_response" {
		return nil
	}
	for _, n := range arr(get(doc, "document", "notes")) {
		if slices.Contains([]string{"description", "details", "general", "summary"}, str(get(n, "category"))) {
			return nil
		}
	}
	return []Violation{violation("/document/notes", "a %s needs a document note of category description, details, general or summary", category(doc))}
}

// 6.1.27.2: informational advisories and security incident responses
// have an external reference.
func profileDocumentReferences(doc any) []Violation {
	if c := category(doc); c != "csaf_informational_advisory" && c != "csaf_security_incident_response" {
		return nil
	}
	for _, r := range arr(get(doc, "document", "references")) {
		if get(r, "category") == "external" {
			return nil
		}
	}
	return []Violation{violation("/document/references", "a %s needs a document reference of category external", category(doc))}
}

// 6.1.27.3: informational advisories have no vulnerabilities.
func profileNoVulnerabilities(doc any) []Violation {
	if category(doc) == "csaf_informational_advisory" && get(doc, "vulnerabilities") != nil {
		return []Violation{violation("/vulnerabilities", "a csaf_informational_advisory has no vulnerabilities; use csaf_security_advisory")}
	}
	return nil
}

// isAdvisoryOrVEX reports whether the document is a security advisory or
// a VEX document.
func isAdvisoryOrVEX(doc any) bool {
	c := category(doc)
	return c == "csaf_security_advisory" || c == "csaf_vex"
}

// 6.1.27.4: security advisories and VEX documents have a product tree.
func profileProductTree(doc any) []Violation {
	if isAdvisoryOrVEX(doc) && get(doc, "product_tree") == nil {
		return []Violation{violation("/product_tree", "a %s needs a product_tree", category(doc))}
	}
	return nil
}

// forEachVulnerability reports, for documents of the given categories,
// the vulnerabilities that check rejects.
func forEachVulnerability(doc any, categories []string, check func(v map[string]any) bool, format string) []Violation {
	if !slices.Contains(categories, category(doc)) {
		return nil
	}
	var out []Violation
	for _, v := range vulnerabilities(doc) {
		if !check(v.v) {
			out = append(out, violation(v.path, format, category(doc)))
		}
	}
	return out
}

// 6.1.27.5: in security advisories and VEX documents, every
// vulnerability has notes.
func profileVulnerabilityNotes(doc any) []Violation {
	return forEachVulnerability(doc, []string{"csaf_security_advisory", "csaf_vex"},
		func(v map[string]any) bool { return v["notes"] != nil }, "a vulnerability of a %s needs notes")
}

// 6.1.27.6: in security advisories, every vulnerability has a product
// status.
func profileProductStatus(doc any) []Violation {
	return forEachVulnerability(doc, []string{"csaf_security_advisory"},
		func(v map[string]any) bool { return v["product_status"] != nil }, "a vulnerability of a %s needs a product_status")
}

// 6.1.27.7: in VEX documents, every vulnerability lists products as
// fixed, known affected, known not affected or under investigation.
func profileVEXProductStatus(doc any) []Violation {
	return forEachVulnerability(doc, []string{"csaf_vex"}, func(v map[string]any) bool {
		ps := obj(v["product_status"])
		for _, k := range []string{"fixed", "known_affected", "known_not_affected", "under_investigation"} {
			if ps[k] != nil {
				return true
			}
		}
		return false
	}, "a vulnerability of a %s needs at least one of the product statuses fixed, known_affected, known_not_affected, under_investigation")
}

// 6.1.27.8: in VEX documents, every vulnerability has a CVE or an ID.
func profileVulnerabilityID(doc any) []Violation {
	return forEachVulnerability(doc, []string{"csaf_vex"},
		func(v map[string]any) bool { return v["cve"] != nil || v["ids"] != nil }, "a vulnerability of a %s needs a cve or ids")
}

// 6.1.27.9: in VEX documents, every product known not to be affected has
// an impact statement: a flag or a threat of category impact.
func profileImpactStatement(doc any) []Violation {
	return statusStatement(doc, "known_not_affected", func(v map[string]any, gs map[string][]string) map[string]bool {
		ok := map[string]bool{}
		for _, f := range arr(v["flags"]) {
			for id := range covered(obj(f), gs) {
				ok[id] = true
			}
		}
		for _, t := range arr(v["threats"]) {
			if get(t, "category") == "impact" {
				for id := range covered(obj(t), gs) {
					ok[id] = true
				}
			}
		}
		return ok
	}, "product ID %s is known not affected but has no impact statement (a flag or a threat of category impact)")
}

// 6.1.27.10: in VEX documents, every product known to be affected has an
// action statement: a remediation.
func profileActionStatement(doc any) []Violation {
	return statusStatement(doc, "known_affected", func(v map[string]any, gs map[string][]string) map[string]bool {
		ok := map[string]bool{}
		for _, r := range arr(v["remediations"]) {
			for id := range covered(obj(r), gs) {
				ok[id] = true
			}
		}
		return ok
	}, "product ID %s is known affected but has no action statement (a remediation)")
}

// statusStatement reports, in VEX documents, the products of a status
// that the statements returned by have do not cover.
func statusStatement(doc any, name string, have func(v map[string]any, gs map[string][]string) map[string]bool, format string) []Violation {
	if category(doc) != "csaf_vex" {
		return nil
	}
	gs := groups(doc)
	var out []Violation
	for _, v := range vulnerabilities(doc) {
		ok := have(v.v, gs)
		for _, r := range stringItems(get(v.v, "product_status", name), v.path.key("product_status").key(name)) {
			if !ok[r.id] {
				out = append(out, violation(r.path, format, r.id))
			}
		}
	}
	return out
}

// 6.1.27.11: security advisories and VEX documents have vulnerabilities.
func profileVulnerabilities(doc any) []Violation {
	if isAdvisoryOrVEX(doc) && get(doc, "vulnerabilities") == nil {
		return []Violation{violation("/vulnerabilities", "a %s needs vulnerabilities", category(doc))}
	}
	return nil
}
