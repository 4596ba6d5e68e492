package casework_test

import (
	"context"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// CN-09-7: a staff account in another jurisdiction reads no undisclosed
// case without a recorded legal decision naming it; the refusal is
// audited, and lists leave the case out.
func TestForeignReader(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) { testForeignReader(t, newWorld(t, dsn(t))) })
	}
}

func testForeignReader(t *testing.T, w *world) {
	ctx := context.Background()
	ids := identity.NewService(w.d.DB, identity.DefaultPolicy, nil)
	u, err := ids.CreateUser(ctx, access.Operator(), identity.NewUser{Email: "analyst@example.de", DisplayName: "Analyst",
		Password: "tangerine rooftop lantern", OrgID: w.p["compliance"].OrgID, Role: access.ComplianceOfficer, Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	foreign := u.Principal(true)
	foreign.ConfidentialityAccepted = true
	c, err := w.svc.Create(ctx, w.p["triager"], casework.NewCase{Title: "未公开漏洞", Summary: "细节"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Get(ctx, w.p["compliance"], c.ID); err != nil {
		t.Fatalf("a domestic reader: %v", err)
	}
	_, err = w.svc.Get(ctx, foreign, c.ID)
	if code, _ := errs.CodeOf(err); code != "sharing.blocked" || !errs.Is(err, errs.Forbidden) {
		t.Fatalf("foreign read: %v, want sharing.blocked", err)
	}
	blocked := func() int {
		var n int
		if err := w.d.Raw.QueryRow(`SELECT count(*) FROM audit_events WHERE action = 'sharing.blocked' AND actor = $1`,
			foreign.Actor()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := blocked(); n != 1 {
		t.Errorf("%d sharing.blocked events, want 1", n)
	}
	list, err := w.svc.List(ctx, foreign)
	if err != nil || len(list) != 0 {
		t.Fatalf("foreign list: %d cases, %v; want none", len(list), err)
	}
	// A legal decision naming the account lets it read.
	err = w.d.DB.TransactCases(ctx, func(tx casework.Tx) error {
		_, err := disclosure.Record(ctx, tx, w.p["compliance"], disclosure.Case{ID: c.ID, OrgID: c.OrgID, Ref: c.Ref},
			disclosure.NewDecision{Recipient: foreign.Actor(), Country: "DE", Basis: "集团法务批准 2026-11", ExpiresAt: tx.Now().Add(30 * 24 * time.Hour)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := w.svc.Get(ctx, foreign, c.ID); err != nil || got.Summary != "细节" {
		t.Fatalf("foreign read with a decision: %v", err)
	}
	if list, _ := w.svc.List(ctx, foreign); len(list) != 1 {
		t.Errorf("foreign list with a decision: %d cases, want 1", len(list))
	}
	if n := blocked(); n != 1 {
		t.Errorf("%d sharing.blocked events after the decision, want still 1", n)
	}
}
