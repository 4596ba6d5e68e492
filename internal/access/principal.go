package access

import (
	"context"
	"slices"
	"strconv"

	"github.com/embargohq/embargo/internal/errs"
)

// Principal is who is acting: a signed-in person, or a program holding an
// API token on a person's behalf.
type Principal struct {
	UserID  int64
	Email   string
	Name    string
	OrgID   int64
	Role    Role
	Country string // ISO 3166-1 alpha-2, for the sharing gate (CN-09-7)
	// InstanceAdmin may manage the instance itself (organisations).
	InstanceAdmin bool
	// TokenID is the API token in use, 0 for a browser session.
	TokenID int64
	// Scopes limit a token to some of its owner's permissions; nil for a
	// browser session, which has all of them.
	Scopes []Permission
	// SecondFactor says the session passed two-factor authentication.
	SecondFactor bool
	// TwoFactorEnrolled says the account has two-factor authentication on.
	TwoFactorEnrolled bool
	// Language is the person's chosen UI language ("" = by browser).
	Language string
	// EmailVerified says the person proved their address by a mailed link.
	EmailVerified bool
	// ConfidentialityAccepted says the person accepted the current version
	// of their organisation's confidentiality statement (CN-11-2).
	ConfidentialityAccepted bool
	// Local marks the operator at the machine (the embargo CLI on the data
	// directory), who administers the instance for bootstrap and recovery.
	Local bool
	// System marks Embargo's own scheduled work (the retention purge).
	System bool
}

// System returns the principal of Embargo's own scheduled work: an
// instance administrator that is no person.
func System() *Principal {
	return &Principal{Role: Administrator, InstanceAdmin: true, SecondFactor: true, System: true, ConfidentialityAccepted: true}
}

// SystemFor returns the principal of Embargo's own work on behalf of
// organisation org, such as opening a case when a feed says a product
// version is vulnerable: a compliance officer of org that is no person
// (UserID 0, Actor "system"). It may read and write the organisation's
// cases, and nothing of another organisation.
func SystemFor(org int64) *Principal {
	return &Principal{OrgID: org, Role: ComplianceOfficer, SecondFactor: true, System: true, ConfidentialityAccepted: true}
}

// Operator returns the principal of the local operator: an instance
// administrator acting through the CLI.
func Operator() *Principal {
	return &Principal{Role: Administrator, InstanceAdmin: true, SecondFactor: true, Local: true, ConfidentialityAccepted: true}
}

// Actor names the principal in audit events: "user:42" or "token:7".
func (p *Principal) Actor() string {
	switch {
	case p == nil:
		return "anonymous"
	case p.System:
		return "system"
	case p.Local:
		return "cli"
	case p.TokenID != 0:
		return "token:" + itoa(p.TokenID)
	}
	return "user:" + itoa(p.UserID)
}

// Can reports whether p has permission perm: its role has it and, for a
// token, the token's scopes include it.
func (p *Principal) Can(perm Permission) bool {
	if p == nil || !p.Role.Can(perm) {
		return false
	}
	return p.TokenID == 0 || slices.Contains(p.Scopes, perm)
}

// Require returns nil when p may use perm; errs.Unauthenticated when there
// is no principal, errs.Forbidden otherwise.
func (p *Principal) Require(perm Permission) error {
	switch {
	case p == nil:
		return errs.New(errs.Unauthenticated, "sign in first")
	case !p.Can(perm):
		return errs.Coded(errs.Forbidden, "access.denied", "your role does not allow this")
	}
	return nil
}

type principalKey struct{}

// WithPrincipal returns a copy of ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// From returns the principal in ctx, or nil for an anonymous request.
func From(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
