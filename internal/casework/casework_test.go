package casework_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// world is a store with two organisations and staff in them.
type world struct {
	d   storetest.Database
	kr  *keyring.Keyring
	svc *casework.Service
	// principals by name
	p map[string]*access.Principal
}

func newWorld(t *testing.T, dsn string) *world {
	t.Helper()
	ctx := context.Background()
	d := storetest.Open(t, dsn, store.Options{})
	kr, err := keyring.Open(ctx, keyring.NewKey(), d.DB)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{d: d, kr: kr, svc: casework.NewService(d.DB, kr, "EMB"), p: map[string]*access.Principal{}}
	ids := identity.NewService(d.DB, identity.DefaultPolicy, nil)
	var orgs [2]int64
	err = d.DB.Transact(ctx, func(tx *store.Tx) error {
		for i, name := range []string{"Acme", "Other"} {
			var err error
			if orgs[i], err = tx.CreateOrganisation(ctx, identity.Organisation{Name: name, Kinds: []string{"provider"}, Country: "CN", CreatedAt: tx.Now()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name string
		org  int64
		role access.Role
	}{
		{"triager", orgs[0], access.Triager}, {"engineer", orgs[0], access.Engineer},
		{"compliance", orgs[0], access.ComplianceOfficer}, {"auditor", orgs[0], access.Auditor},
		{"other", orgs[1], access.ComplianceOfficer},
	} {
		user, err := ids.CreateUser(ctx, access.Operator(), identity.NewUser{Email: u.name + "@example.cn", DisplayName: u.name,
			Password: "tangerine rooftop lantern", OrgID: u.org, Role: u.role})
		if err != nil {
			t.Fatal(err)
		}
		p := user.Principal(true)
		p.ConfidentialityAccepted = true
		w.p[u.name] = p
	}
	return w
}

// TestNeedToKnow walks the access rules on every dialect under test.
func TestNeedToKnow(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) { testNeedToKnow(t, newWorld(t, dsn(t))) })
	}
}

func testNeedToKnow(t *testing.T, w *world) {
	ctx := context.Background()
	c, err := w.svc.Create(ctx, w.p["triager"], casework.NewCase{Title: "路由器管理界面命令注入", Summary: "PoC: curl …"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Ref != "EMB-"+c.CreatedAt.Format("2006")+"-0001" {
		t.Errorf("ref = %q", c.Ref)
	}
	tests := []struct {
		who  string
		want errs.Kind // Internal stands for success
	}{
		{"triager", errs.Internal},    // creator, on the access list
		{"compliance", errs.Internal}, // reads every case of the organisation
		{"engineer", errs.NotFound},   // may read cases, but not on the list
		{"auditor", errs.Forbidden},   // reads logs, not cases
		{"other", errs.NotFound},      // another organisation, whatever its role
	}
	for _, tc := range tests {
		got, err := w.svc.Get(ctx, w.p[tc.who], c.ID)
		if (tc.want == errs.Internal) != (err == nil) || (err != nil && errs.KindOf(err) != tc.want) {
			t.Errorf("%s: Get err = %v, want %v", tc.who, err, tc.want)
		}
		if err == nil && got.Summary != "PoC: curl …" {
			t.Errorf("%s: summary = %q", tc.who, got.Summary)
		}
	}
	if _, err := w.svc.Get(ctx, w.p["triager"], c.ID+100); !errs.Is(err, errs.NotFound) {
		t.Errorf("missing case: err = %v", err)
	}
	if err := w.svc.GrantAccess(ctx, w.p["triager"], c.ID, w.p["other"].UserID); !errs.Is(err, errs.Invalid) {
		t.Errorf("granting another organisation's user: err = %v, want Invalid", err)
	}
	if err := w.svc.GrantAccess(ctx, w.p["triager"], c.ID, w.p["engineer"].UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Get(ctx, w.p["engineer"], c.ID); err != nil {
		t.Errorf("engineer after the grant: %v", err)
	}
	list, err := w.svc.List(ctx, w.p["other"])
	if err != nil || len(list) != 0 {
		t.Errorf("another organisation lists %d cases, %v", len(list), err)
	}
	unaccepted := *w.p["compliance"]
	unaccepted.ConfidentialityAccepted = false
	if _, err := w.svc.Get(ctx, &unaccepted, c.ID); !errs.Is(err, errs.Forbidden) {
		t.Errorf("before accepting the statement: err = %v, want Forbidden", err)
	}

	// Every successful read of the undisclosed case is in the audit log,
	// with its reader; refused reads are not reads.
	events, _ := w.d.DB.AuditEvents(ctx, audit.Main, 0, 1000)
	readers := map[string]int{}
	for _, e := range events {
		if e.Action == "case.read" && e.Subject == "case:"+c.Ref {
			readers[e.Actor]++
		}
	}
	for who, n := range map[string]int{"triager": 1, "compliance": 1, "engineer": 1, "other": 0, "auditor": 0} {
		if got := readers[w.p[who].Actor()]; got != n {
			t.Errorf("case.read events by %s = %d, want %d", who, got, n)
		}
	}
	mustVerify(t, w.d.DB)
}

// TestSummarySealed checks that the summary is not stored in plain text.
func TestSummarySealed(t *testing.T) {
	w := newWorld(t, storetest.SQLiteDSN(t))
	c, err := w.svc.Create(context.Background(), w.p["triager"], casework.NewCase{Title: "t", Summary: "secret exploit details"})
	if err != nil {
		t.Fatal(err)
	}
	var raw []byte
	if err := w.d.Raw.QueryRow(`SELECT summary FROM cases WHERE id = $1`, c.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if len(raw) == 0 || bytes.Contains(raw, []byte("exploit")) {
		t.Errorf("stored summary = %q, want it sealed", raw)
	}
	if _, err := w.svc.Create(context.Background(), w.p["engineer"], casework.NewCase{Title: "x"}); !errs.Is(err, errs.Forbidden) {
		t.Errorf("engineer creating a case: err = %v, want Forbidden", err)
	}
}

func mustVerify(t *testing.T, db *store.DB) {
	t.Helper()
	rep, err := audit.Verify(context.Background(), db, audit.Main, nil)
	if err != nil || !rep.Intact() {
		t.Fatalf("audit chain: %v, %v", rep.Break, err)
	}
}

// TestAccessReview lists who can see what, on every dialect under test.
func TestAccessReview(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, dsn(t))
			c, err := w.svc.Create(ctx, w.p["triager"], casework.NewCase{Title: "t"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.AccessReview(ctx, w.p["engineer"], w.d.DB, time.Now()); !errs.Is(err, errs.Forbidden) {
				t.Errorf("engineer: err = %v, want Forbidden", err)
			}
			at := time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC) // already 2027 in Beijing
			rev, err := w.svc.AccessReview(ctx, w.p["auditor"], w.d.DB, at)
			if err != nil {
				t.Fatal(err)
			}
			type row struct {
				Email          string
				AllCases, Read bool
				Cases          []string
			}
			var got []row
			for _, e := range rev.Entries {
				got = append(got, row{e.Email, e.AllCases, e.CanReadCases, e.CaseRefs})
			}
			want := []row{
				{"auditor@example.cn", false, false, nil},
				{"compliance@example.cn", true, true, nil},
				{"engineer@example.cn", false, true, nil},
				{"triager@example.cn", false, true, []string{c.Ref}},
			}
			if diff := cmp.Diff(want, got); diff != "" || rev.Quarter != "2027-Q1" || rev.StatementVersion != 1 {
				t.Errorf("review %s v%d (-want +got):\n%s", rev.Quarter, rev.StatementVersion, diff)
			}
		})
	}
}

// TestQuarterlyReviews records each organisation's review once a quarter
// as evidence, lets a compliance officer sign it off once, and keeps
// other organisations and roles out (CN-11-2).
func TestQuarterlyReviews(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, dsn(t))
			q4 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
			woken := 0
			w.svc.WithReviewNotices(notify.NewService(w.d.DB, w.kr, nil), "https://psirt.example.cn/", func() { woken++ })
			if _, err := w.svc.RecordQuarterlyReviews(ctx, w.p["compliance"], w.d.DB, q4); !errs.Is(err, errs.Forbidden) {
				t.Errorf("a person recording: err = %v, want Forbidden", err)
			}
			got, err := w.svc.RecordQuarterlyReviews(ctx, access.System(), w.d.DB, q4)
			if err != nil || len(got) != 2 {
				t.Fatalf("first run recorded %d, %v; want both organisations", len(got), err)
			}
			// Those who may sign off hear of it: the compliance officers of
			// both organisations, not the auditor.
			msgs, err := w.d.DB.ListOutbox(ctx, notify.Filter{AnyOrg: true, Limit: 50})
			var to []string
			for _, m := range msgs {
				to = append(to, m.DedupKey)
			}
			slices.Sort(to)
			wantTo := []string{fmt.Sprintf("access-review:%d:2026-Q4:%d", w.p["compliance"].OrgID, w.p["compliance"].UserID),
				fmt.Sprintf("access-review:%d:2026-Q4:%d", w.p["other"].OrgID, w.p["other"].UserID)}
			if diff := cmp.Diff(wantTo, to); err != nil || diff != "" || woken != 1 {
				t.Errorf("notices (-want +got), %d wakes, %v:\n%s", woken, err, diff)
			}
			again, err := w.svc.RecordQuarterlyReviews(ctx, access.System(), w.d.DB, q4.AddDate(0, 0, 20))
			if err != nil || len(again) != 0 {
				t.Errorf("same quarter again recorded %d, %v", len(again), err)
			}
			// 2026-12-31 20:00 UTC is already 2027 in Beijing: a new quarter.
			next, err := w.svc.RecordQuarterlyReviews(ctx, access.System(), w.d.DB, time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC))
			if err != nil || len(next) != 2 || next[0].Quarter != "2027-Q1" {
				t.Fatalf("next quarter: %+v, %v", next, err)
			}

			list, err := w.svc.RecordedReviews(ctx, w.p["auditor"], w.d.DB)
			if err != nil || len(list) != 2 || list[0].Quarter != "2027-Q1" || list[1].Quarter != "2026-Q4" || list[1].People != 4 {
				t.Fatalf("auditor's list: %+v, %v", list, err)
			}
			rec, err := w.svc.RecordedReview(ctx, w.p["auditor"], list[1].ID)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(rec.Content)
			var rev casework.Review
			if hex.EncodeToString(sum[:]) != rec.SHA256 || json.Unmarshal(rec.Content, &rev) != nil || len(rev.Entries) != 4 {
				t.Errorf("recorded content does not match its hash or does not parse: %s", rec.Content)
			}
			if _, err := w.svc.RecordedReview(ctx, w.p["other"], list[1].ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("other organisation reads: err = %v, want NotFound", err)
			}
			if _, err := w.svc.RecordedReviews(ctx, w.p["engineer"], w.d.DB); !errs.Is(err, errs.Forbidden) {
				t.Errorf("engineer lists: err = %v, want Forbidden", err)
			}

			for who, want := range map[string]errs.Kind{"auditor": errs.Forbidden, "other": errs.NotFound} {
				if err := w.svc.SignReview(ctx, w.p[who], list[1].ID, "ok"); !errs.Is(err, want) {
					t.Errorf("%s signs: err = %v, want %v", who, err, want)
				}
			}
			if err := w.svc.SignReview(ctx, w.p["compliance"], list[1].ID, strings.Repeat("长", casework.MaxReviewNote+1)); !errs.Is(err, errs.Invalid) {
				t.Errorf("long note: err = %v", err)
			}
			if err := w.svc.SignReview(ctx, w.p["compliance"], list[1].ID, "撤销了一名离职工程师的账号。"); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.SignReview(ctx, w.p["compliance"], list[1].ID, "again"); !errs.Is(err, errs.Conflict) {
				t.Errorf("second sign-off: err = %v, want Conflict", err)
			}
			list, _ = w.svc.RecordedReviews(ctx, w.p["auditor"], w.d.DB)
			if s := list[1]; !s.Signed() || s.SignedBy != w.p["compliance"].Actor() || s.Note != "撤销了一名离职工程师的账号。" || s.SignedAt.IsZero() {
				t.Errorf("signed review: %+v", s)
			}
			// The chain holds the records and the sign-off.
			evs, err := w.d.DB.SearchAudit(ctx, audit.Filter{Stream: audit.Main, Action: "access_review.", Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, e := range evs {
				actions = append(actions, e.Action)
			}
			slices.Sort(actions)
			if diff := cmp.Diff([]string{"access_review.record", "access_review.record", "access_review.record", "access_review.record", "access_review.sign"}, actions); diff != "" {
				t.Errorf("audit (-want +got):\n%s", diff)
			}
			mustVerify(t, w.d.DB)
		})
	}
}
