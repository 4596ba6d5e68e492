package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/store"
	"github.com/google/go-cmp/cmp"
)

// testAdvisories: an advisory per case round-trips with its JSON
// records; published revisions are frozen (the triggers refuse updates
// and deletes); due advisories are found by release time; blackouts are
// kept per organisation.
func testAdvisories(t *testing.T, d Database) {
	ctx := context.Background()
	at := time.Date(2027, 3, 1, 2, 0, 0, 0, time.UTC)
	org, other := mustOrg(t, d.DB, "Acme"), mustOrg(t, d.DB, "Other")
	caseID := mustCase(t, d.DB, org)
	// The working copy is sealed by the service; the store keeps bytes.
	a := advisory.Advisory{OrgID: org, CaseID: caseID, CaseRef: "EMB-T-1", Ref: "EMB-T-1-SA", State: advisory.Draft,
		Editors: []string{"user:1"}, CreatedAt: at, UpdatedAt: at}
	content := advisory.Content{Title: advisory.Text{ZH: "命令注入", EN: "Command injection"}, Grade: "high",
		Affected: []advisory.Affected{{Product: "AX3000", Versions: "<1.0.4", Fixed: "1.0.4"}}}
	sealed := []byte{0, 1, 2, 0xff}
	mustTransact(t, d.DB, func(tx *store.Tx) (err error) {
		a.ID, err = tx.CreateAdvisory(ctx, a, []byte("draft"))
		return err
	})
	err := d.DB.Transact(ctx, func(tx *store.Tx) error { _, err := tx.CreateAdvisory(ctx, a, sealed); return err })
	if !errs.Is(err, errs.Conflict) {
		t.Errorf("second advisory of a case: err = %v, want Conflict", err)
	}
	a.State, a.ApprovedBy, a.ApprovedAt = advisory.Scheduled, "user:2", at
	a.ReleaseAt, a.ReleaseZone = at.Add(time.Hour), "Asia/Shanghai"
	a.NotOperator = []advisory.Dismissal{{Key: "url:https://dl.acme.example/", Reason: "our download site", By: "user:1", At: at}}
	a.Early.MIITReport = disclosure.Evidence{Reference: "NVDB-1", Date: at, Text: "submitted"}
	a.MPSConsent = []advisory.Consent{{BlackoutID: 9, Reference: "MPS-1", Date: at, By: "user:3"}}
	rev := advisory.Revision{AdvisoryID: a.ID, Number: 1, Kind: advisory.Release, Content: content,
		Note: advisory.Text{ZH: "首次发布", EN: "Initial release"}, SHA256: "ab", PublishedAt: at, PublishedBy: "user:2", ApprovedBy: "user:2"}
	mustTransact(t, d.DB, func(tx *store.Tx) error {
		if err := tx.UpdateAdvisory(ctx, a, sealed); err != nil {
			return err
		}
		return tx.AddRevision(ctx, org, rev)
	})
	mustTransact(t, d.DB, func(tx *store.Tx) error {
		got, gotSealed, err := tx.AdvisoryByCase(ctx, caseID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(a, got); diff != "" {
			t.Errorf("AdvisoryByCase (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(sealed, gotSealed); diff != "" {
			t.Errorf("AdvisoryByCase sealed content (-want +got):\n%s", diff)
		}
		revs, err := tx.Revisions(ctx, a.ID)
		if diff := cmp.Diff([]advisory.Revision{rev}, revs); err != nil || diff != "" {
			t.Errorf("Revisions: %v (-want +got):\n%s", err, diff)
		}
		for _, now := range []time.Time{at, at.Add(time.Hour)} {
			due, err := tx.DueAdvisories(ctx, now, 10)
			if err != nil {
				return err
			}
			if want := now.Equal(a.ReleaseAt); len(due) == 1 != want {
				t.Errorf("DueAdvisories(%v) = %d advisories, want due %v", now, len(due), want)
			}
		}
		return nil
	})
	for _, q := range []string{`UPDATE security_advisory_revisions SET note_en = 'changed'`, `DELETE FROM security_advisory_revisions`} {
		if _, err := d.Raw.ExecContext(ctx, q); err == nil {
			t.Errorf("%s: a frozen revision changed", q)
		}
	}
	testBlackouts(t, d, org, other, at)
}

func testBlackouts(t *testing.T, d Database, org, other int64, at time.Time) {
	ctx := context.Background()
	b := disclosure.Blackout{NameZH: "国庆", NameEN: "National Day", Start: at, End: at.Add(7 * 24 * time.Hour), Zone: "Asia/Shanghai"}
	mustTransact(t, d.DB, func(tx *store.Tx) (err error) {
		b.ID, err = tx.PutBlackout(ctx, org, b)
		return err
	})
	b.NameEN = "National Day holiday"
	mustTransact(t, d.DB, func(tx *store.Tx) error {
		if _, err := tx.PutBlackout(ctx, org, b); err != nil {
			return err
		}
		if _, err := tx.PutBlackout(ctx, other, b); !errs.Is(err, errs.NotFound) {
			t.Errorf("another organisation's blackout changed: err = %v", err)
		}
		if err := tx.DeleteBlackout(ctx, other, b.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("another organisation's blackout deleted: err = %v", err)
		}
		got, err := tx.Blackouts(ctx, org)
		if diff := cmp.Diff([]disclosure.Blackout{b}, got); err != nil || diff != "" {
			t.Errorf("Blackouts: %v (-want +got):\n%s", err, diff)
		}
		return tx.DeleteBlackout(ctx, org, b.ID)
	})
}
