// Package disclosure holds the gates that undisclosed vulnerability
// information passes on its way out. This file is the sharing gate (RMSV
// Art. 9(7), CN-09-7): every transfer of a case's undisclosed information
// to anyone outside the organisation (a regulator report, an upstream
// notice, a customer notice, a CNA, a foreign staff account, an API
// client) asks Check first. To a foreign recipient other than the
// product's provider it is refused unless a recorded legal decision
// allows it; every verdict is audited.
//
// "Foreign" (境外) is a property of the recipient: the country of the
// organisation, or the nationality or residence of the person, recorded on
// every party Embargo can share with. Everything outside the mainland
// ("CN") is foreign, including Hong Kong, Macao and Taiwan, as in Chinese
// data-export rules. Embargo enforces the gate and records the decisions;
// it does not decide the law (../shared/regulation/RMSV.md).
package disclosure

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
)

// Role is what a recipient is to the case.
type Role string

// The roles of recipients.
const (
	// Provider is the network product's provider: the vendor of the
	// product (or upstream component) the vulnerability is in. Art. 9(7)
	// lets it receive undisclosed details wherever it is.
	Provider  Role = "provider"
	Regulator Role = "regulator" // MIIT's NVDB, an EU CSIRT or ENISA, …
	Customer  Role = "customer"  // users and downstream vendors
	CNA       Role = "cna"       // a CVE numbering authority
	Staff     Role = "staff"     // a person with an account here
	APIClient Role = "api_client"
	Reporter  Role = "reporter" // the finder, about their own report
)

// Recipient is whoever undisclosed information would go to.
type Recipient struct {
	Name    string
	Country string // ISO 3166-1 alpha-2
	Role    Role
}

// Foreign reports whether the recipient is outside the mainland of China.
func (r Recipient) Foreign() bool { return strings.ToUpper(r.Country) != "CN" }

// Decision is a recorded legal decision that lets a case's undisclosed
// information go to one foreign recipient until it expires.
type Decision struct {
	ID        int64
	CaseID    int64
	Recipient string
	Country   string
	Basis     string // the legal reasoning or approval reference
	DecidedBy string
	DecidedAt time.Time
	ExpiresAt time.Time
}

// Verdict is the gate's answer.
type Verdict struct {
	Allowed bool
	// Why is a stable reason: "disclosed", "domestic", "provider",
	// "legal_decision" (allowed), "foreign_without_decision" (refused).
	Why        string
	DecisionID int64
}

// Decide applies Art. 9(7) to one transfer of a case's information.
func Decide(r Recipient, disclosed bool, decisions []Decision, now time.Time) Verdict {
	switch {
	case disclosed:
		return Verdict{Allowed: true, Why: "disclosed"}
	case !r.Foreign():
		return Verdict{Allowed: true, Why: "domestic"}
	case r.Role == Provider:
		return Verdict{Allowed: true, Why: "provider"}
	}
	for _, d := range decisions {
		if strings.EqualFold(d.Recipient, r.Name) && strings.EqualFold(d.Country, r.Country) && now.Before(d.ExpiresAt) {
			return Verdict{Allowed: true, Why: "legal_decision", DecisionID: d.ID}
		}
	}
	return Verdict{Why: "foreign_without_decision"}
}

// Case is what the gate needs to know of a case.
type Case struct {
	ID        int64
	OrgID     int64
	Ref       string
	Disclosed bool
}

// Tx is the transaction a transfer happens in.
type Tx interface {
	Now() time.Time
	SharingDecisions(ctx context.Context, caseID int64) ([]Decision, error)
	AddSharingDecision(ctx context.Context, orgID int64, d Decision) (int64, error)
	AppendAudit(ctx context.Context, e audit.Event) (audit.Event, error)
}

// Check decides a transfer of case c's information (what: "nvdb_report",
// "upstream_notice", "case.read", …) to r, in tx, and audits the verdict
// (sharing.allowed or sharing.blocked). A refusal is a verdict, not an
// error, so that the caller commits tx with its audit event and then
// returns Blocked: a refused transfer must stay on the record.
func Check(ctx context.Context, tx Tx, p *access.Principal, c Case, r Recipient, what string) (Verdict, error) {
	ds, err := tx.SharingDecisions(ctx, c.ID)
	if err != nil {
		return Verdict{}, err
	}
	v := Decide(r, c.Disclosed, ds, tx.Now())
	action := "sharing.allowed"
	if !v.Allowed {
		action = "sharing.blocked"
	}
	ev, err := audit.New(ctx, p.Actor(), action, "case:"+c.Ref, map[string]any{"what": what, "recipient": r.Name,
		"country": strings.ToUpper(r.Country), "role": r.Role, "why": v.Why, "decision": v.DecisionID})
	if err != nil {
		return v, err
	}
	ev.OrgID = c.OrgID
	if _, err := tx.AppendAudit(ctx, ev); err != nil {
		return v, err
	}
	return v, nil
}

// Blocked is the error for a refused transfer.
func Blocked(r Recipient) error {
	return errs.Coded(errs.Forbidden, "sharing.blocked",
		"undisclosed vulnerability information may not go to %s (%s), a foreign recipient other than the product's provider, without a recorded legal decision (RMSV Art. 9(7))",
		r.Name, strings.ToUpper(r.Country))
}

// NewDecision is a request to record a legal decision.
type NewDecision struct {
	Recipient string
	Country   string
	Basis     string
	ExpiresAt time.Time
}

// Record stores a legal decision allowing case c's undisclosed information
// to go to a foreign recipient; audited (sharing.decision). Needs
// access.ApproveSharing (compliance officers).
func Record(ctx context.Context, tx Tx, p *access.Principal, c Case, nd NewDecision) (Decision, error) {
	if err := p.Require(access.ApproveSharing); err != nil {
		return Decision{}, err
	}
	d := Decision{CaseID: c.ID, Recipient: strings.TrimSpace(nd.Recipient), Country: strings.ToUpper(strings.TrimSpace(nd.Country)),
		Basis: strings.TrimSpace(nd.Basis), DecidedBy: p.Actor(), DecidedAt: tx.Now(), ExpiresAt: nd.ExpiresAt.UTC()}
	if d.Recipient == "" || utf8.RuneCountInString(d.Recipient) > 200 || len(d.Country) != 2 {
		return Decision{}, errs.Coded(errs.Invalid, "sharing.recipient", "name the recipient and its two-letter country code")
	}
	if d.Basis == "" || utf8.RuneCountInString(d.Basis) > 4000 {
		return Decision{}, errs.Coded(errs.Invalid, "sharing.basis", "give the legal basis or approval reference of the decision")
	}
	if !d.ExpiresAt.After(d.DecidedAt) || d.ExpiresAt.After(d.DecidedAt.AddDate(1, 0, 0)) {
		return Decision{}, errs.Coded(errs.Invalid, "sharing.expiry", "a decision needs an expiry within a year")
	}
	var err error
	if d.ID, err = tx.AddSharingDecision(ctx, c.OrgID, d); err != nil {
		return Decision{}, fmt.Errorf("disclosure: record decision: %w", err)
	}
	ev, err := audit.New(ctx, p.Actor(), "sharing.decision", "case:"+c.Ref, map[string]any{"recipient": d.Recipient,
		"country": d.Country, "basis": d.Basis, "expires_at": d.ExpiresAt, "decision": d.ID})
	if err != nil {
		return Decision{}, err
	}
	ev.OrgID = c.OrgID
	_, err = tx.AppendAudit(ctx, ev)
	return d, err
}
