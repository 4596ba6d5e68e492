package exposure

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/format/csaf"
)

// csafExtTitle opens the title of the CSAF notes that carry the x_embargo
// extension of one product's statement: "x_embargo <product_id> <status>".
const csafExtTitle = "x_embargo "

// csafStatusOrder is the order product statuses are read in.
var csafStatusOrder = []string{"known_not_affected", "known_affected", "first_affected", "last_affected",
	"fixed", "first_fixed", "recommended", "under_investigation"}

// csafStatusLists returns a product status's lists by category.
func csafStatusLists(ps *csaf.ProductStatus) map[string]*[]string {
	return map[string]*[]string{"known_not_affected": &ps.KnownNotAffected, "known_affected": &ps.KnownAffected,
		"first_affected": &ps.FirstAffected, "last_affected": &ps.LastAffected, "fixed": &ps.Fixed,
		"first_fixed": &ps.FirstFixed, "recommended": &ps.Recommended, "under_investigation": &ps.UnderInvestigation}
}

// FromCSAFVEX reads the VEX statements of a CSAF document: one per
// vulnerability, product status and product. Flags give the justification,
// threats of category impact the impact statement, remediations the
// action statement (their category, unless none_available, is kept in
// Native). The publisher is the author, the current release date the
// timestamp. Statements are returned in SortVEXStatements' order.
func FromCSAFVEX(d csaf.Document) []VEXStatement {
	products := d.Products()
	groups := map[string][]string{}
	if d.ProductTree != nil {
		for _, g := range d.ProductTree.ProductGroups {
			groups[g.GroupID] = g.ProductIDs
		}
	}
	var out []VEXStatement
	for _, v := range d.Vulnerabilities {
		if v.ProductStatus == nil {
			continue
		}
		lists := csafStatusLists(v.ProductStatus)
		for _, cat := range csafStatusOrder {
			for _, pid := range *lists[cat] {
				if finerStatus(lists, cat, pid) {
					continue
				}
				s := VEXStatement{Vulnerability: csafVulnerability(v), Status: statusOfCSAF[cat],
					Timestamp: d.Document.Tracking.CurrentReleaseDate, Author: d.Document.Publisher.Name}
				if csafStatusOf[s.Status] != cat {
					s.Native.CSAFStatus = cat
				}
				s.Product = csafProduct(products[pid])
				csafDetails(&s, v, pid, groups)
				applyCSAFExt(&s, v.Notes, pid+" "+cat)
				out = append(out, s)
			}
		}
	}
	SortVEXStatements(out)
	return out
}

// finerStatus reports whether the product pid, listed with the plain
// status cat (known_affected, fixed), is also listed with a finer status
// of the same meaning (first_affected, last_affected; first_fixed,
// recommended), which then makes its statement.
func finerStatus(lists map[string]*[]string, cat, pid string) bool {
	for finer, st := range statusOfCSAF {
		if finer != cat && csafStatusOf[st] == cat && slices.Contains(*lists[finer], pid) {
			return true
		}
	}
	return false
}

// csafVulnerability names a CSAF vulnerability: its CVE, else its first
// other ID; the other IDs are aliases.
func csafVulnerability(v csaf.Vulnerability) VEXVulnerability {
	var ids []string
	for _, id := range v.IDs {
		ids = append(ids, id.Text)
	}
	if v.CVE != "" {
		return VEXVulnerability{ID: v.CVE, Aliases: ids}
	}
	if len(ids) == 0 {
		return VEXVulnerability{}
	}
	return VEXVulnerability{ID: ids[0], Aliases: ids[1:]}
}

// csafProduct is the product of a product tree entry.
func csafProduct(p csaf.Product) VEXProduct {
	vp := VEXProduct{Purl: p.PURL, Name: p.Name, Version: p.Version}
	if vp.Name == vp.Purl {
		vp.Name = ""
	}
	return vp
}

// csafDetails reads the flags, threats and remediations naming pid.
func csafDetails(s *VEXStatement, v csaf.Vulnerability, pid string, groups map[string][]string) {
	names := func(ids, gids []string) bool {
		if slices.Contains(ids, pid) {
			return true
		}
		return slices.ContainsFunc(gids, func(g string) bool { return slices.Contains(groups[g], pid) })
	}
	for _, f := range v.Flags {
		if s.Status == VEXNotAffected && s.Justification == "" && names(f.ProductIDs, f.GroupIDs) {
			s.Justification = VEXJustification(f.Label)
		}
	}
	for _, t := range v.Threats {
		if t.Category == "impact" && s.ImpactStatement == "" && names(t.ProductIDs, nil) {
			s.ImpactStatement = t.Details
		}
	}
	for _, r := range v.Remediations {
		if s.ActionStatement == "" && names(r.ProductIDs, r.GroupIDs) {
			s.ActionStatement = r.Details
			if r.Category != "none_available" {
				s.Native.CSAFRemediation = r.Category
			}
		}
	}
}

// applyCSAFExt applies the extension note of the statement key names.
func applyCSAFExt(s *VEXStatement, notes []csaf.Note, key string) {
	for _, n := range notes {
		if n.Category != "other" || n.Title != csafExtTitle+key {
			continue
		}
		var ext map[string]string
		if json.Unmarshal([]byte(n.Text), &ext) != nil {
			continue
		}
		applyExt(s, ext)
	}
}

// applyExt applies the extension values every format shares.
func applyExt(s *VEXStatement, ext map[string]string) {
	if a, ok := ext[extAuthor]; ok {
		s.Author = a
	}
	if ts, err := time.Parse(time.RFC3339Nano, ext[extTimestamp]); err == nil {
		s.Timestamp = ts
	}
	if n, ok := ext[extProductName]; ok {
		s.Product.Name = n
	}
	if v, ok := ext[extProductVersion]; ok {
		s.Product.Version = v
	}
	if c, ok := ext[extSubcomponents]; ok {
		s.Product.Subcomponents = strings.Fields(c)
	}
	readNativeExt(&s.Native, ext)
}

// SortVEXStatements sorts statements by vulnerability, product, status
// and CSAF status: the order the readers return them in.
func SortVEXStatements(ss []VEXStatement) {
	slices.SortStableFunc(ss, func(a, b VEXStatement) int {
		return cmp.Or(cmp.Compare(a.Vulnerability.ID, b.Vulnerability.ID),
			cmp.Compare(a.Product.Purl, b.Product.Purl), cmp.Compare(a.Product.Name, b.Product.Name),
			cmp.Compare(a.Product.Version, b.Product.Version), cmp.Compare(a.Status, b.Status),
			cmp.Compare(a.Native.CSAFStatus, b.Native.CSAFStatus))
	})
}

// ToCSAFVEX writes statements as a CSAF document of category csaf_vex:
// one vulnerability per vulnerability ID, one product per distinct
// product (a purl as its identification helper; a version as a
// product_version branch), the status in product_status, justifications as
// flags, impact statements as threats, action statements as remediations.
// What CSAF cannot say goes in a note titled "x_embargo <product_id>
// <status>". Returns an error if a statement is not valid.
func ToCSAFVEX(doc VEXDocument, ss []VEXStatement) (csaf.Document, error) {
	version := fmt.Sprint(max(doc.Version, 1))
	d := csaf.Document{Document: csaf.Meta{Category: "csaf_vex", CSAFVersion: "2.0", Title: "VEX " + doc.ID,
		Publisher: csaf.Publisher{Category: "vendor", Name: doc.Author, Namespace: doc.Namespace},
		Tracking: csaf.Tracking{ID: doc.ID, Status: "final", Version: version, InitialReleaseDate: doc.Timestamp,
			CurrentReleaseDate: doc.Timestamp,
			RevisionHistory:    []csaf.Revision{{Date: doc.Timestamp, Number: version, Summary: "Written by Embargo."}}}},
		ProductTree: &csaf.ProductTree{}}
	w := csafWriter{doc: doc, d: &d, pids: map[string]string{}, vulns: map[string]int{}}
	for _, s := range ss {
		if err := s.Validate(); err != nil {
			return csaf.Document{}, err
		}
		w.add(s)
	}
	return d, nil
}

// csafWriter builds one CSAF VEX document.
type csafWriter struct {
	doc   VEXDocument
	d     *csaf.Document
	pids  map[string]string // product key → product ID
	vulns map[string]int    // vulnerability key → index
}

// add writes one statement.
func (w *csafWriter) add(s VEXStatement) {
	pid := w.product(s.Product)
	v := w.vulnerability(s.Vulnerability)
	cat := cmp.Or(s.Native.CSAFStatus, csafStatusOf[s.Status])
	lists := csafStatusLists(v.ProductStatus)
	*lists[cat] = append(*lists[cat], pid)
	// A csaf_vex document states every product as fixed, known
	// (not) affected or under investigation (CSAF 2.0 §6.1.27.7): a
	// product given a finer status (first_affected, recommended…) is also
	// listed with the plain one, which FromCSAFVEX then skips.
	if plain := lists[csafStatusOf[s.Status]]; cat != csafStatusOf[s.Status] && !slices.Contains(*plain, pid) {
		*plain = append(*plain, pid)
	}
	ids := []string{pid}
	if s.Justification != "" {
		v.Flags = append(v.Flags, csaf.Flag{Label: string(s.Justification), ProductIDs: ids})
	}
	if s.ImpactStatement != "" {
		v.Threats = append(v.Threats, csaf.Threat{Category: "impact", Details: s.ImpactStatement, ProductIDs: ids})
	}
	if s.ActionStatement != "" {
		v.Remediations = append(v.Remediations, csaf.Remediation{Category: cmp.Or(s.Native.CSAFRemediation, "none_available"),
			Details: s.ActionStatement, ProductIDs: ids})
	}
	ext := nativeExt(s.Native, extCSAFStatus, extCSAFRemediation)
	if s.Author != w.doc.Author {
		ext[extAuthor] = s.Author
	}
	if !s.Timestamp.Equal(w.doc.Timestamp) {
		ext[extTimestamp] = s.Timestamp.Format(time.RFC3339Nano)
	}
	if len(s.Product.Subcomponents) > 0 {
		ext[extSubcomponents] = strings.Join(s.Product.Subcomponents, " ")
	}
	if len(ext) > 0 {
		b, _ := json.Marshal(ext) // a map of strings always marshals
		v.Notes = append(v.Notes, csaf.Note{Category: "other", Title: csafExtTitle + pid + " " + cat, Text: string(b)})
	}
}

// vulnerability returns the document's entry for v, adding it if new.
func (w *csafWriter) vulnerability(v VEXVulnerability) *csaf.Vulnerability {
	key := strings.Join(append([]string{v.ID}, v.Aliases...), " ")
	i, ok := w.vulns[key]
	if !ok {
		// Every vulnerability of a csaf_vex document has notes (CSAF 2.0
		// §6.1.27.5).
		cv := csaf.Vulnerability{ProductStatus: &csaf.ProductStatus{}, Notes: []csaf.Note{{Category: "general", Title: "VEX",
			Text: fmt.Sprintf("The status of the products of this document with regard to %s, as assessed by %s.", v.ID, w.doc.Author)}}}
		ids := v.Aliases
		if strings.HasPrefix(v.ID, "CVE-") {
			cv.CVE = v.ID
		} else {
			ids = append([]string{v.ID}, ids...)
		}
		for _, id := range ids {
			system, _, _ := strings.Cut(id, "-")
			cv.IDs = append(cv.IDs, csaf.ID{SystemName: system, Text: id})
		}
		i = len(w.d.Vulnerabilities)
		w.vulns[key] = i
		w.d.Vulnerabilities = append(w.d.Vulnerabilities, cv)
	}
	return &w.d.Vulnerabilities[i]
}

// product returns the product ID of p, adding it to the tree if new.
func (w *csafWriter) product(p VEXProduct) string {
	key := p.Purl + "\x00" + p.Name + "\x00" + p.Version
	if pid, ok := w.pids[key]; ok {
		return pid
	}
	pid := fmt.Sprintf("CSAFPID-%04d", len(w.pids)+1)
	w.pids[key] = pid
	fp := csaf.FullProductName{Name: cmp.Or(p.Name, p.Purl), ProductID: pid}
	if p.Purl != "" {
		fp.Helper = &csaf.Helper{PURL: p.Purl}
	}
	t := w.d.ProductTree
	if p.Version != "" {
		t.Branches = append(t.Branches, csaf.Branch{Category: "product_version", Name: p.Version, Product: &fp})
	} else {
		t.FullProductNames = append(t.FullProductNames, fp)
	}
	return pid
}
