package advisory

import (
	"errors"
	"fmt"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/embargohq/embargo/internal/format/openvex"
)

// ToOpenVEX writes a published advisory as an OpenVEX 0.2.0 document in
// lang ("en", the default, or "zh-CN"): for every affected version an
// `affected` statement whose action statement is the remediation (else
// the workarounds), and for every fixed version a `fixed` one. The
// vulnerability is named by the CVE alias, else by the advisory's ref;
// the document's @id is under namespace (the publisher's URL), its
// version the revision's number.
//
// A product is named by a generic package URL of the publisher and the
// product (pkg:generic/vendor/product@version): the advisory knows no
// ecosystem. A version range has no purl form, so its statement names
// the product without a version and says the range in status_notes.
//
// Errors: no revision, a withdrawn advisory (it no longer states
// anything), no namespace, a versions text that is no version or range.
func ToOpenVEX(pub Public, namespace, lang string) (openvex.Document, error) {
	if len(pub.Revisions) == 0 {
		return openvex.Document{}, errors.New("advisory: not published")
	}
	if pub.Withdrawn() {
		return openvex.Document{}, fmt.Errorf("advisory %s: withdrawn in revision %d", pub.Ref, pub.Current().Number)
	}
	if namespace == "" {
		return openvex.Document{}, fmt.Errorf("advisory %s: OpenVEX needs the publisher's URL for the document's @id", pub.Ref)
	}
	text := func(t Text) string { return strings.TrimSpace(cmpOr(t.EN, t.ZH)) }
	if lang == "zh-CN" {
		text = func(t Text) string { return strings.TrimSpace(cmpOr(t.ZH, t.EN)) }
	}
	ct := pub.Content()
	updated := pub.Updated().UTC()
	d := openvex.Document{Context: openvex.Context, Author: pub.Publisher, Timestamp: pub.Released().UTC(), LastUpdated: &updated,
		ID:      fmt.Sprintf("%s/advisories/%s/openvex/%d", strings.TrimSuffix(namespace, "/"), pub.Ref, pub.Current().Number),
		Version: pub.Current().Number, Tooling: "Embargo", Statements: []openvex.Statement{}}
	vuln := openvex.Vulnerability{Name: cmpOr(cveAlias(ct.Aliases), pub.Ref), Description: text(ct.Title)}
	for _, a := range cleanAliases(ct.Aliases) {
		if a != vuln.Name {
			vuln.Aliases = append(vuln.Aliases, a)
		}
	}
	if vuln.Name != pub.Ref {
		vuln.Aliases = append(vuln.Aliases, pub.Ref)
	}
	action := cmpOr(text(ct.Remediation), text(ct.Workarounds))
	if action == "" {
		action = map[bool]string{true: "暂无修复方案；请关注本公告的更新。", false: "No fix is available yet; watch this advisory for updates."}[lang == "zh-CN"]
	}
	for _, a := range ct.Affected {
		ss, err := spans(a.Versions)
		if err != nil {
			return openvex.Document{}, fmt.Errorf("advisory %s: %s: %w", pub.Ref, a.Product, err)
		}
		name := strings.TrimSpace(a.Product + " " + a.Model)
		for _, s := range ss {
			st := openvex.Statement{Vulnerability: vuln, Status: openvex.StatusAffected, ActionStatement: action,
				Products: []openvex.Product{{Component: openvex.Component{ID: genericPurl(pub.Publisher, name, s.Exact)}}}}
			if s.Exact == "" {
				st.StatusNotes = "versions: " + strings.TrimSpace(a.Versions)
			}
			d.Statements = append(d.Statements, st)
		}
		for _, f := range fixedVersions(a.Fixed) {
			d.Statements = append(d.Statements, openvex.Statement{Vulnerability: vuln, Status: openvex.StatusFixed,
				Products: []openvex.Product{{Component: openvex.Component{ID: genericPurl(pub.Publisher, name, f)}}}})
		}
	}
	return d, d.Check()
}

// genericPurl names a vendor's product (at version, if any) by a package
// URL of type generic.
func genericPurl(vendor, product, version string) string {
	p := packageurl.NewPackageURL("generic", vendor, product, version, nil, "")
	return p.ToString()
}
