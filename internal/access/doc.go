package access

import (
	"fmt"
	"strings"
)

// permissionHelp says what each permission allows, for docs/permissions.md.
var permissionHelp = map[Permission]string{
	ReadCases:         "read cases on whose access list they are",
	ReadAllCases:      "read every case of the organisation, without being on its access list",
	WriteCases:        "create cases, edit them and move them through their lifecycle",
	TriageReports:     "work the intake inbox: duplicates, spam, promotion to a case",
	ManageObligations: "record regulator submissions; mark a duty not applicable",
	ApproveSharing:    "record the legal decision that allows a foreign transfer (RMSV Art. 9(7))",
	WriteRemediation:  "record fixes per version and send notices to affected users",
	WriteAdvisories:   "draft advisories",
	PublishAdvisories: "approve and publish advisories (never their own: four-eyes, CN-09-P)",
	ManageProducts:    "keep the product catalogue: products, models, versions, components, suppliers, customers; import it (reading it needs `case.read` or this)",
	ReadAudit:         "read the audit log and evidence packs",
	SignAccessReview:  "sign off the quarterly access review (CN-11-2)",
	ManageUsers:       "create and disable accounts, assign roles, reset two-factor",
	ManageOrg:         "organisation settings, SSO, integrations, retention",
	ManageOwnTokens:   "create and revoke their own API tokens",
	ReadOwnReports:    "follow the reports they submitted and talk to the team",
	ReadSharedNotices: "read what was shared with their party (upstream notices, customer notices)",
}

// Markdown renders the permission table as the text of docs/permissions.md.
func Markdown() string {
	var b strings.Builder
	b.WriteString("# Permissions\n\n")
	b.WriteString("Generated from `internal/access` (`go test ./internal/access -update`); do not edit by hand.\n")
	b.WriteString("The domain services enforce this table. A role marked ✓ has the permission; an API token has\n")
	b.WriteString("the permissions of its owner's role that its scopes name, and no others.\n\n")
	b.WriteString("| permission | meaning |")
	for _, r := range Roles() {
		fmt.Fprintf(&b, " %s |", r)
	}
	b.WriteString("\n| --- | --- |" + strings.Repeat(" :-: |", len(Roles())) + "\n")
	for _, p := range Permissions() {
		fmt.Fprintf(&b, "| `%s` | %s |", p, permissionHelp[p])
		for _, r := range Roles() {
			mark := ""
			if r.Can(p) {
				mark = "✓"
			}
			fmt.Fprintf(&b, " %s |", mark)
		}
		b.WriteString("\n")
	}
	b.WriteString("\nNeed-to-know: a role with `case.read` but not `case.read_all` sees a case only when it is on the\n")
	b.WriteString("case's access list; a case it may not see answers 404, never 403, so its existence does not leak.\n")
	b.WriteString("Staff roles that can read undisclosed cases must use two-factor authentication and accept the\n")
	b.WriteString("organisation's confidentiality statement before their first access (CN-11-1, CN-11-2).\n")
	return b.String()
}
