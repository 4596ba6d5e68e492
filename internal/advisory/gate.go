package advisory

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/remediation"
)

// gather collects in tx what the publication gate decides on for
// advisory a of case c, published at at.
func gather(ctx context.Context, tx Tx, c casework.Case, a Advisory, at time.Time) (disclosure.Input, error) {
	rows, err := remediation.Plan(ctx, tx, c)
	if err != nil {
		return disclosure.Input{}, err
	}
	files, err := tx.CaseFiles(ctx, c.ID)
	if err != nil {
		return disclosure.Input{}, err
	}
	blackouts, err := tx.Blackouts(ctx, c.OrgID)
	if err != nil {
		return disclosure.Input{}, err
	}
	ct := a.Content
	in := disclosure.Input{
		At: at, OperatorCase: c.Kind == casework.OperatorCase, Authors: a.Editors, Approver: a.ApprovedBy,
		Early: a.Early, Public: ct.PublicFields(), Assessed: disclosure.Severity{Grade: c.Grade, CVSS: c.CVSS},
		Shown: disclosure.Severity{Grade: ct.Grade, CVSS: ct.CVSS}, OverrideReason: ct.OverrideReason,
		RemediationZH: strings.TrimSpace(ct.Remediation.ZH + "\n" + ct.Workarounds.ZH),
		RemediationEN: strings.TrimSpace(ct.Remediation.EN + "\n" + ct.Workarounds.EN),
		Blackouts:     blackouts,
	}
	// Every affected version needs its fix or mitigation: publishing
	// while one has none exposes its users (RMSV Art. 9(1), CN-07-8).
	in.FixAvailable = len(rows) > 0
	for _, r := range rows {
		in.FixAvailable = in.FixAvailable && r.Fix.Covers()
	}
	for _, f := range files {
		if f.Restricted {
			in.Restricted = append(in.Restricted, disclosure.Attachment{Name: f.Name, SHA256: f.SHA256, Restricted: true})
		}
	}
	for _, r := range ct.References {
		in.References = append(in.References, disclosure.Reference{URL: r.URL, Kind: r.Kind})
	}
	for _, d := range a.NotOperator {
		in.NotOperator = append(in.NotOperator, d.Key)
	}
	for _, m := range a.MPSConsent {
		in.MPSConsent = append(in.MPSConsent, m.BlackoutID)
	}
	return in, nil
}

// Blocked is the error of a publication the gate refused; Violations
// says why, each with its rule.
type Blocked struct {
	Violations []disclosure.Violation
}

// Error lists the rules broken.
func (b *Blocked) Error() string {
	var rules []string
	for _, v := range b.Violations {
		rules = append(rules, v.Rule)
	}
	return fmt.Sprintf("advisory: the publication gate refused: %s", strings.Join(rules, ", "))
}

// Unwrap makes b an errs.Conflict (advisory.blocked) that names the rules.
func (b *Blocked) Unwrap() error {
	var rules []string
	for _, v := range b.Violations {
		rules = append(rules, v.Rule)
	}
	return errs.Coded(errs.Conflict, "advisory.blocked",
		"the publication gate refused (%s); the advisory shows each rule and what to do", strings.Join(rules, ", "))
}
