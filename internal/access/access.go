// Package access is the one place where Embargo decides who may do what:
// the roles, the permissions, the table that joins them, and the principal
// (the authenticated person or program) that domain services check.
//
// Domain services enforce it, not handlers and not SQL: a service method
// takes the principal from its context and calls Require before it reads or
// writes. RMSV Art. 11 (CN-11-1) asks that vulnerability information be kept
// from leaking; least privilege starts here. The table is rendered into
// docs/permissions.md, and a test keeps the two equal.
package access

import (
	"slices"
)

// Role is what a person does in an organisation.
type Role string

// Staff roles, then external roles.
const (
	Administrator     Role = "administrator"      // users, roles, SSO, keys, retention, integrations
	ComplianceOfficer Role = "compliance_officer" // clocks, regulator reports, approvals, foreign sharing
	Triager           Role = "triager"            // verifies, deduplicates, assesses, scopes
	Engineer          Role = "engineer"           // plans and ships fixes
	Publisher         Role = "publisher"          // writes advisories, passes the publication gate
	Auditor           Role = "auditor"            // reads logs and evidence; changes nothing
	Reporter          Role = "reporter"           // an outside finder following their own reports
	PartyContact      Role = "party_contact"      // an upstream vendor's or customer's person
)

// Permission is one thing a role may do.
type Permission string

// The permissions. "Undisclosed" means case content that is not yet public.
const (
	ReadCases         Permission = "case.read"          // see case lists and details on the access list
	ReadAllCases      Permission = "case.read_all"      // see every case of the organisation (no access list needed)
	WriteCases        Permission = "case.write"         // create, update, transition cases
	TriageReports     Permission = "report.triage"      // work the intake inbox
	ManageObligations Permission = "obligation.manage"  // record submissions, decide not-applicable
	ApproveSharing    Permission = "sharing.approve"    // record legal decisions for foreign sharing (Art. 9(7))
	WriteRemediation  Permission = "remediation.write"  // fixes per affected version, notice campaigns to affected users
	WriteAdvisories   Permission = "advisory.write"     // draft advisories
	PublishAdvisories Permission = "advisory.publish"   // approve and publish (four-eyes)
	ReadAudit         Permission = "audit.read"         // read the audit log and evidence packs
	ManageUsers       Permission = "user.manage"        // create, disable, assign roles
	ManageOrg         Permission = "org.manage"         // organisation settings, SSO, integrations
	ManageOwnTokens   Permission = "token.manage_own"   // create and revoke one's own API tokens
	ReadOwnReports    Permission = "report.read_own"    // follow one's own reports
	ReadSharedNotices Permission = "notice.read_shared" // read what was shared with one's party
	SignAccessReview  Permission = "access_review.sign" // sign off the quarterly access review (CN-11-2)
	ManageProducts    Permission = "product.manage"     // keep the product catalogue: products, versions, components, customers
)

// table is the permission table: the only place that says which role may
// do what.
var table = map[Role][]Permission{
	Administrator:     {ManageUsers, ManageOrg, ReadAudit, SignAccessReview, ManageProducts, ManageOwnTokens},
	ComplianceOfficer: {ReadCases, ReadAllCases, WriteCases, ManageObligations, ApproveSharing, WriteRemediation, PublishAdvisories, ReadAudit, SignAccessReview, ManageProducts, ManageOwnTokens},
	Triager:           {ReadCases, WriteCases, TriageReports, ManageOwnTokens},
	Engineer:          {ReadCases, WriteRemediation, ManageProducts, ManageOwnTokens},
	Publisher:         {ReadCases, WriteAdvisories, PublishAdvisories, ManageOwnTokens},
	Auditor:           {ReadAudit, ManageOwnTokens},
	Reporter:          {ReadOwnReports},
	PartyContact:      {ReadSharedNotices},
}

// Roles returns every role, staff first.
func Roles() []Role {
	return []Role{Administrator, ComplianceOfficer, Triager, Engineer, Publisher, Auditor, Reporter, PartyContact}
}

// Permissions returns every permission, in a stable order.
func Permissions() []Permission {
	return []Permission{ReadCases, ReadAllCases, WriteCases, TriageReports, ManageObligations, ApproveSharing,
		WriteRemediation, WriteAdvisories, PublishAdvisories, ManageProducts, ReadAudit, SignAccessReview, ManageUsers, ManageOrg,
		ManageOwnTokens, ReadOwnReports, ReadSharedNotices}
}

// ParseRole returns the role named s, or false.
func ParseRole(s string) (Role, bool) {
	r := Role(s)
	_, ok := table[r]
	return r, ok
}

// Can reports whether role r has permission p.
func (r Role) Can(p Permission) bool {
	return slices.Contains(table[r], p)
}

// Staff reports whether r is a role of the organisation's own staff (as
// opposed to reporters and party contacts).
func (r Role) Staff() bool {
	return r != Reporter && r != PartyContact && r != ""
}

// ReadsUndisclosed reports whether r can read undisclosed case content.
// Such roles must use two-factor authentication (CN-11-1) and accept the
// confidentiality statement first (CN-11-2).
func (r Role) ReadsUndisclosed() bool {
	return r.Can(ReadCases)
}
