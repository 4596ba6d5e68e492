package advisory_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/remediation"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// world is one organisation with a triager, an engineer, two publishers
// and a compliance officer, and a provider's case that is fixed.
type world struct {
	db    *store.DB
	raw   *sql.DB
	cases *casework.Service
	fixes *remediation.Service
	svc   *advisory.Service
	p     map[string]*access.Principal
	c     casework.Case
	kr    *keyring.Keyring
}

func newWorld(t *testing.T, dsn string) *world {
	t.Helper()
	ctx := context.Background()
	d := storetest.Open(t, dsn, store.Options{})
	kr, err := keyring.Open(ctx, keyring.NewKey(), d.DB)
	if err != nil {
		t.Fatal(err)
	}
	cases := casework.NewService(d.DB, kr, "EMB").WithGuard(casework.Guards(remediation.Guard, casework.HandPublishGuard))
	w := &world{db: d.DB, raw: d.Raw, cases: cases, fixes: remediation.NewService(d.DB, cases), svc: advisory.NewService(d.DB, cases, kr),
		p: map[string]*access.Principal{}, kr: kr}
	w.svc.WithCredits(func(context.Context, []string) ([]advisory.Credit, error) { return nil, nil })
	ids := identity.NewService(d.DB, identity.DefaultPolicy, nil)
	org, err := ids.CreateOrganisation(ctx, access.Operator(), identity.Organisation{Name: "Acme", Kinds: []string{"provider"}, Country: "CN"})
	if err != nil {
		t.Fatal(err)
	}
	var people []int64
	for _, u := range []struct {
		name string
		role access.Role
	}{{"triager", access.Triager}, {"engineer", access.Engineer}, {"author", access.Publisher}, {"approver", access.Publisher},
		{"compliance", access.ComplianceOfficer}} {
		user, err := ids.CreateUser(ctx, access.Operator(), identity.NewUser{Email: u.name + "@example.cn", DisplayName: u.name,
			Password: "tangerine rooftop lantern", OrgID: org.ID, Role: u.role})
		if err != nil {
			t.Fatal(err)
		}
		p := user.Principal(true)
		p.ConfidentialityAccepted = true
		w.p[u.name] = p
		people = append(people, user.ID)
	}
	w.c = w.fixedCase(t, casework.ProviderCase, people[1:])
	return w
}

// fixedCase opens a case of kind k with the given people on its access
// list, assesses it, records a fix and, for a provider's case, moves it
// to fixed.
func (w *world) fixedCase(t *testing.T, k casework.Kind, access []int64) casework.Case {
	t.Helper()
	ctx := context.Background()
	tri := w.p["triager"]
	c, err := w.cases.Create(ctx, tri, casework.NewCase{Title: "AX3000 路由器命令注入", Summary: "Web 管理界面命令注入", Kind: k, Access: access})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.cases.Assess(ctx, tri, c.ID, casework.Assessment{Grade: "high", CWE: "CWE-78",
		CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Scope: []casework.Affected{{Product: "AX3000", Versions: "<1.0.4"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.fixes.Put(ctx, w.p["engineer"], c.ID, remediation.Fix{Version: remediation.Version{Product: "AX3000", Version: "<1.0.4"},
		Status: remediation.Fixed, FixedVersion: "1.0.4"}); err != nil {
		t.Fatal(err)
	}
	if k == casework.OperatorCase {
		return c
	}
	for _, to := range []casework.Status{casework.Verifying, casework.Confirmed, casework.Remediating} {
		if c, err = w.cases.Transition(ctx, tri, c.ID, casework.Move{To: to}); err != nil {
			t.Fatal(err)
		}
	}
	if c, err = w.cases.Transition(ctx, tri, c.ID, casework.Move{To: casework.Fixed}); err != nil {
		t.Fatal(err)
	}
	return c
}

// approved drafts, edits, submits and approves case id's advisory.
func (w *world) approved(t *testing.T, id int64) advisory.Advisory {
	t.Helper()
	ctx := context.Background()
	a, err := w.svc.Create(ctx, w.p["author"], id)
	if err != nil {
		t.Fatal(err)
	}
	ct := a.Content
	ct.Title.EN = "Command injection in the AX3000 router"
	ct.Description.EN = "The web management interface of AX3000 before 1.0.4 passes a parameter to a shell."
	if _, err := w.svc.Edit(ctx, w.p["author"], id, ct); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Submit(ctx, w.p["author"], id); err != nil {
		t.Fatal(err)
	}
	if a, err = w.svc.Approve(ctx, w.p["approver"], id); err != nil {
		t.Fatal(err)
	}
	return a
}

func rulesOf(err error) []string {
	var b *advisory.Blocked
	if !errors.As(err, &b) {
		return nil
	}
	var out []string
	for _, v := range b.Violations {
		out = append(out, v.Rule)
	}
	return out
}

// A complete advisory, approved by someone who did not write it,
// publishes; the case becomes public and moves to published, which no
// one may do by hand.
func TestPublish(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, dsn(t))
			if _, err := w.cases.Transition(ctx, w.p["triager"], w.c.ID, casework.Move{To: casework.Published}); errCode(err) != "case.publish_by_advisory" {
				t.Errorf("published by hand: err = %v", err)
			}
			a, err := w.svc.Create(ctx, w.p["author"], w.c.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := advisory.Content{Title: advisory.Text{ZH: "AX3000 路由器命令注入", EN: "AX3000 路由器命令注入"},
				Description: advisory.Text{ZH: "Web 管理界面命令注入", EN: "Web 管理界面命令注入"}, Grade: "high",
				CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CWE: "CWE-78", Category: a.Content.Category,
				Affected:    []advisory.Affected{{Product: "AX3000", Versions: "<1.0.4", Fixed: "1.0.4"}},
				Remediation: advisory.Text{ZH: "AX3000 <1.0.4：升级到 1.0.4。", EN: "AX3000 <1.0.4: upgrade to 1.0.4."}}
			if diff := cmp.Diff(want, a.Content); diff != "" {
				t.Errorf("drafted from the case (-want +got):\n%s", diff)
			}
			var stored []byte
			if err := w.raw.QueryRowContext(ctx, `SELECT content FROM security_advisories`).Scan(&stored); err != nil ||
				bytes.Contains(stored, []byte("AX3000")) || bytes.Contains(stored, []byte("管理界面")) {
				t.Errorf("the undisclosed working copy is not sealed at rest: %q, %v", stored, err)
			}
			if _, err := w.svc.Create(ctx, w.p["author"], w.c.ID); errCode(err) != "advisory.exists" {
				t.Errorf("second draft: err = %v", err)
			}
			if _, err := w.svc.Submit(ctx, w.p["author"], w.c.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Approve(ctx, w.p["author"], w.c.ID); errCode(err) != "advisory.four_eyes" {
				t.Errorf("approved by its author: err = %v", err)
			}
			if _, err := w.svc.Publish(ctx, w.p["approver"], w.c.ID, advisory.Text{}); errCode(err) != "advisory.state" {
				t.Errorf("published unapproved: err = %v", err)
			}
			if _, err := w.svc.Approve(ctx, w.p["approver"], w.c.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Publish(ctx, w.p["approver"], w.c.ID, advisory.Text{}); err != nil {
				t.Fatalf("publish: %v", err)
			}
			v, err := w.svc.Get(ctx, w.p["author"], w.c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if v.State != advisory.Published || v.Live != 1 || len(v.Revisions) != 1 || v.Revisions[0].Kind != advisory.Release ||
				v.Case.Status != casework.Published || !v.Case.Disclosed() {
				t.Errorf("after publishing: state %s, live %d, revisions %+v, case %s disclosed %v", v.State, v.Live, v.Revisions,
					v.Case.Status, v.Case.Disclosed())
			}
			if _, err := w.svc.Withdraw(ctx, w.p["approver"], w.c.ID, advisory.Text{EN: "published in error"}); err != nil {
				t.Fatal(err)
			}
			if v, _ = w.svc.Get(ctx, w.p["author"], w.c.ID); v.State != advisory.Withdrawn || len(v.Revisions) != 2 ||
				v.Revisions[1].Kind != advisory.Withdrawal {
				t.Errorf("after withdrawal: state %s, revisions %+v", v.State, v.Revisions)
			}
		})
	}
}

// An operator's (event-type) case is never published: the gate refuses
// with CN-09-2, and the refusal is on the record.
func TestOperatorCaseBlocked(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, storetest.SQLiteDSN(t))
	oc := w.fixedCase(t, casework.OperatorCase, []int64{w.p["engineer"].UserID, w.p["author"].UserID, w.p["approver"].UserID})
	w.approved(t, oc.ID)
	_, err := w.svc.Publish(ctx, w.p["approver"], oc.ID, advisory.Text{})
	if diff := cmp.Diff([]string{disclosure.RuleOperator}, rulesOf(err)); diff != "" || !errs.Is(err, errs.Conflict) {
		t.Errorf("publish an operator case: %v (-want +got):\n%s", err, diff)
	}
}

// A scheduled release that enters a blackout does not go out: the sweep
// holds it and says why; with MPS's consent recorded it goes out.
func TestScheduledReleaseInBlackout(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, dsn(t))
			w.approved(t, w.c.ID)
			at := time.Now().Add(48 * time.Hour).Truncate(time.Second)
			if _, err := w.svc.Schedule(ctx, w.p["approver"], w.c.ID, at, "Asia/Shanghai"); err != nil {
				t.Fatal(err)
			}
			if rep, err := w.svc.Sweep(ctx, at.Add(-time.Minute)); err != nil || rep != (advisory.SweepReport{}) {
				t.Errorf("sweep before the release: %+v, %v", rep, err)
			}
			b, err := w.svc.PutBlackout(ctx, w.p["compliance"], disclosure.Blackout{NameZH: "国庆", NameEN: "National Day",
				Start: at.Add(-time.Hour), End: at.Add(7 * 24 * time.Hour), Zone: "Asia/Shanghai"})
			if err != nil {
				t.Fatal(err)
			}
			if rep, err := w.svc.Sweep(ctx, at); err != nil || rep != (advisory.SweepReport{Held: 1}) {
				t.Errorf("sweep in the blackout: %+v, %v", rep, err)
			}
			v, err := w.svc.Get(ctx, w.p["author"], w.c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if v.State != advisory.Approved || v.Held == "" || v.Live != 0 || v.Case.Status != casework.Fixed {
				t.Errorf("held release: state %s, held %q, live %d, case %s", v.State, v.Held, v.Live, v.Case.Status)
			}
			if _, err := w.svc.RecordConsent(ctx, w.p["compliance"], w.c.ID, advisory.Consent{BlackoutID: b.ID,
				Reference: "公安部同意函 2027-01", Date: at.Add(-24 * time.Hour)}); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Schedule(ctx, w.p["approver"], w.c.ID, at, "Asia/Shanghai"); err != nil {
				t.Fatal(err)
			}
			if rep, err := w.svc.Sweep(ctx, at); err != nil || rep != (advisory.SweepReport{Published: 1}) {
				t.Errorf("sweep with consent: %+v, %v", rep, err)
			}
		})
	}
}

func errCode(err error) string {
	c, _ := errs.CodeOf(err)
	return c
}
