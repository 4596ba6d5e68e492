// Package demo fills an empty instance with a realistic organisation and
// its work, so that a newcomer sees the whole flow at once: intake,
// casework in every state, the legal duties with their clocks, fixes per
// affected version, a notice campaign to affected users, and advisories
// taken through the publication gate (issue 9).
//
// Everything is made through the domain services, as people of the
// organisation acting in the order they would: no row is written behind a
// service's back, so every rule applies and every step is in the audit
// log. Nothing is back-dated but what the services let a person record
// as having happened earlier, with a reason: a case's T0 (CN-07-1), when
// a fix became available, when a report was submitted to the regulator.
package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/notice"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/remediation"
	"github.com/embargohq/embargo/internal/report"
)

// Services are the domain services the demo acts through, wired as the
// server wires them.
type Services struct {
	Setup       *identity.Setup
	Identity    *identity.Service
	Products    *product.Service
	Reports     *report.Service
	Cases       *casework.Service
	Obligations *obligation.Service
	Fixes       *remediation.Service
	Notices     *notice.Service
	Advisories  *advisory.Service
}

// Account is a demo sign-in.
type Account struct {
	Email    string
	Name     string
	Role     access.Role
	Password string
}

// Summary says what Seed made.
type Summary struct {
	Organisation identity.Organisation
	Accounts     []Account
	Products     int
	Customers    int
	Reports      int
	// Cases are the cases by reference, with their status.
	Cases     []casework.Case
	Duties    DutyCount
	Campaigns int
	Published []string // advisory references
	Drafts    []string
}

// DutyCount counts the obligations by their state when seeding ended.
type DutyCount struct {
	Met, Open, Overdue, Closed int
}

// ErrNotEmpty is returned by Seed for an instance that has organisations
// already: the demo only ever fills an empty one.
var ErrNotEmpty = errs.New(errs.Conflict,
	"this instance is not empty (it has organisations); the demo fills only an empty one: point --data (or EMBARGO_DATA, or --database) at a new, empty data directory and run `embargo seed demo` there")

// Empty reports whether the instance has no organisation yet (so no user,
// product, report or case either).
func Empty(ctx context.Context, ids *identity.Service) (bool, error) {
	orgs, err := ids.Organisations(ctx, access.Operator())
	return len(orgs) == 0, err
}

// Seed fills an empty instance. setupToken is the one-time setup token of
// the instance (the demo's administrator is its first administrator);
// progress, when not nil, is told of each step. Returns ErrNotEmpty when
// the instance has an organisation; any other error leaves what was made
// before it, as a person's work stopped half-way would.
func Seed(ctx context.Context, s Services, setupToken string, progress func(string)) (Summary, error) {
	if progress == nil {
		progress = func(string) {}
	}
	empty, err := Empty(ctx, s.Identity)
	if err != nil {
		return Summary{}, err
	}
	if !empty {
		return Summary{}, ErrNotEmpty
	}
	w := &world{s: s, token: setupToken, now: time.Now().UTC(), progress: progress, people: map[access.Role]*access.Principal{},
		cases: map[string]casework.Case{}}
	for _, step := range []struct {
		what string
		fn   func(context.Context) error
	}{
		{"organisation and people", w.organisation},
		{"product catalogue and customers", w.catalogue},
		{"reports through intake", w.intake},
		{"cases, assessments and T0", w.casework},
		{"duties and regulator submissions", w.duties},
		{"fixes per affected version", w.remediation},
		{"notice campaign to affected users", w.campaign},
		{"advisories through the publication gate", w.advisories},
		{"cases closed", w.close},
	} {
		progress(step.what)
		if err := step.fn(ctx); err != nil {
			return w.sum, fmt.Errorf("demo: %s: %w", step.what, err)
		}
	}
	return w.sum, w.count(ctx)
}

// world is the state of one seeding run.
type world struct {
	s        Services
	now      time.Time
	progress func(string)
	token    string // the instance's one-time setup token
	password string
	people   map[access.Role]*access.Principal
	ids      map[access.Role]int64
	// cases by the story's key.
	cases map[string]casework.Case
	// tracking IDs of reports by the story's key.
	tracking map[string]string
	sum      Summary
}

// ago returns the time d before the run began.
func (w *world) ago(d time.Duration) time.Time { return w.now.Add(-d) }

// day is a day, for readable offsets.
const day = 24 * time.Hour

// newPassword returns a password for the demo accounts: random for each
// run, so that a demo instance left reachable is not open to anyone who
// read these sources. Printed once by the command.
func newPassword() string {
	const letters = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 15)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	out := make([]byte, 0, 17)
	for i, c := range b {
		if i > 0 && i%5 == 0 {
			out = append(out, '-')
		}
		out = append(out, letters[int(c)%len(letters)])
	}
	return string(out)
}
