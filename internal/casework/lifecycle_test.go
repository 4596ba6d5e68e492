package casework_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/severity/gbt30279"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// TestProviderLifecycle walks a provider's case from receipt to closure
// (GB/T 30276), with the refusals on the way: an invalid move, confirming
// without a grade and scope (CN-07-3), rejecting without a resolution.
func TestProviderLifecycle(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, dsn(t))
			tri := w.p["triager"]
			c, err := w.svc.Create(ctx, tri, casework.NewCase{Title: "路由器命令注入"})
			if err != nil {
				t.Fatal(err)
			}
			if c.Kind != casework.ProviderCase || c.Status != casework.Received || c.T0Source != "internal" || c.T0.IsZero() {
				t.Fatalf("new case = %+v", c)
			}
			move := func(to casework.Status, m casework.Move) error {
				m.To = to
				_, err := w.svc.Transition(ctx, tri, c.ID, m)
				return err
			}
			if err := move(casework.Fixed, casework.Move{}); !errs.Is(err, errs.Conflict) || !strings.Contains(err.Error(), "verifying, rejected") {
				t.Errorf("received → fixed: err = %v", err)
			}
			if err := move(casework.Verifying, casework.Move{Reason: "开始验证"}); err != nil {
				t.Fatal(err)
			}
			if err := move(casework.Confirmed, casework.Move{}); !errs.Is(err, errs.Conflict) {
				t.Errorf("confirm without assessment: err = %v", err)
			}
			if err := move(casework.Rejected, casework.Move{}); !errs.Is(err, errs.Invalid) {
				t.Errorf("reject without resolution: err = %v", err)
			}
			for _, bad := range []casework.Assessment{{Grade: "severe"}, {Grade: "high", CVSS: "AV:N/AC:L"},
				{Grade: "high", Scope: []casework.Affected{{Product: "AX3000"}}}} {
				if _, err := w.svc.Assess(ctx, tri, c.ID, bad); !errs.Is(err, errs.Invalid) {
					t.Errorf("assess %+v: err = %v", bad, err)
				}
			}
			scope := []casework.Affected{{Product: "AX3000 路由器", Model: "AX3000-CN", Versions: ">=1.0.0 <1.0.4"}}
			if _, err := w.svc.Assess(ctx, tri, c.ID, casework.Assessment{Grade: "high",
				CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Scope: scope}); err != nil {
				t.Fatal(err)
			}
			for _, to := range []casework.Status{casework.Confirmed, casework.Remediating, casework.Fixed, casework.Published, casework.Closed} {
				if err := move(to, casework.Move{}); err != nil {
					t.Fatalf("→ %s: %v", to, err)
				}
			}
			if err := move(casework.Verifying, casework.Move{}); !errs.Is(err, errs.Conflict) || !strings.Contains(err.Error(), "closed") {
				t.Errorf("closed → verifying: err = %v", err)
			}
			got, err := w.svc.Get(ctx, tri, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != casework.Closed || got.Grade != "high" || cmp.Diff(scope, got.Scope) != "" {
				t.Errorf("closed case = %+v", got)
			}
			tl, err := w.svc.Timeline(ctx, tri, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			var path []casework.Status
			for _, tr := range tl {
				path = append(path, tr.To)
				if tr.Actor != tri.Actor() || tr.At.IsZero() {
					t.Errorf("transition without actor or time: %+v", tr)
				}
			}
			want := []casework.Status{casework.Verifying, casework.Confirmed, casework.Remediating, casework.Fixed, casework.Published, casework.Closed}
			if diff := cmp.Diff(want, path); diff != "" || tl[0].Reason != "开始验证" {
				t.Errorf("timeline (-want +got):\n%s", diff)
			}
			if _, err := w.svc.Timeline(ctx, w.p["other"], c.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("other organisation's timeline: err = %v", err)
			}
			if n := countActions(t, w, "case.transition"); n != 6 {
				t.Errorf("%d case.transition events, want 6", n)
			}
		})
	}
}

// TestOperatorLifecycle walks an operator's case (Art. 8): detected,
// verified, its risk accepted until a date, then remediated and closed;
// a rejection needs a resolution.
func TestOperatorLifecycle(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, dsn(t))
			tri := w.p["triager"]
			c, err := w.svc.Create(ctx, tri, casework.NewCase{Title: "边界防火墙固件漏洞", Kind: casework.OperatorCase,
				T0: time.Now().Add(-48 * time.Hour), T0Source: "third_party:CNVD notice"})
			if err != nil || c.Status != casework.Detected {
				t.Fatalf("operator case = %+v, %v", c, err)
			}
			if _, err := w.svc.Create(ctx, tri, casework.NewCase{Title: "x", Kind: "vendor"}); !errs.Is(err, errs.Invalid) {
				t.Errorf("unknown kind: err = %v", err)
			}
			if _, err := w.svc.Create(ctx, tri, casework.NewCase{Title: "x", T0: time.Now().Add(time.Hour), T0Source: "internal"}); !errs.Is(err, errs.Invalid) {
				t.Errorf("future T0: err = %v", err)
			}
			step := func(m casework.Move) (casework.Case, error) { return w.svc.Transition(ctx, tri, c.ID, m) }
			if _, err := step(casework.Move{To: casework.Confirmed}); !errs.Is(err, errs.Conflict) {
				t.Errorf("operator case confirmed: err = %v", err)
			}
			if _, err := step(casework.Move{To: casework.Verifying}); err != nil {
				t.Fatal(err)
			}
			if _, err := step(casework.Move{To: casework.RiskAccepted, Reason: "补丁需停机"}); !errs.Is(err, errs.Invalid) {
				t.Errorf("risk accepted without expiry: err = %v", err)
			}
			until := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Second)
			got, err := step(casework.Move{To: casework.RiskAccepted, Reason: "补丁需停机，已加访问控制", RiskExpiresAt: until})
			if err != nil || !got.RiskExpiresAt.Equal(until) {
				t.Fatalf("risk accepted = %+v, %v", got, err)
			}
			for _, to := range []casework.Status{casework.Remediated, casework.Closed} {
				if _, err := step(casework.Move{To: to}); err != nil {
					t.Fatalf("→ %s: %v", to, err)
				}
			}
			// A second operator case is rejected as a duplicate.
			d, _ := w.svc.Create(ctx, tri, casework.NewCase{Title: "重复", Kind: casework.OperatorCase})
			w.svc.Transition(ctx, tri, d.ID, casework.Move{To: casework.Verifying})
			r, err := w.svc.Transition(ctx, tri, d.ID, casework.Move{To: casework.Rejected, Resolution: casework.DuplicateCase, Reason: "同 " + c.Ref})
			if err != nil || r.Resolution != casework.DuplicateCase {
				t.Errorf("rejected = %+v, %v", r, err)
			}
		})
	}
}

// TestT0AndAliases keeps T0 fixed but for an audited correction with a
// reason (CN-07-1), and validates identifiers.
func TestT0AndAliases(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, dsn(t))
			tri := w.p["triager"]
			c, err := w.svc.Create(ctx, tri, casework.NewCase{Title: "t"})
			if err != nil {
				t.Fatal(err)
			}
			earlier := c.T0.Add(-72 * time.Hour)
			if _, err := w.svc.CorrectT0(ctx, tri, c.ID, earlier, "third_party:vendor mail", ""); !errs.Is(err, errs.Invalid) {
				t.Errorf("correction without reason: err = %v", err)
			}
			if _, err := w.svc.CorrectT0(ctx, tri, c.ID, time.Now().Add(time.Hour), "internal", "typo"); !errs.Is(err, errs.Invalid) {
				t.Errorf("future T0: err = %v", err)
			}
			if _, err := w.svc.CorrectT0(ctx, w.p["engineer"], c.ID, earlier, "internal", "x"); !errs.Is(err, errs.Forbidden) {
				t.Errorf("engineer corrects T0: err = %v", err)
			}
			got, err := w.svc.CorrectT0(ctx, tri, c.ID, earlier, "third_party:vendor mail", "the vendor told us three days earlier")
			if err != nil || !got.T0.Equal(earlier.UTC()) || got.T0Source != "third_party:vendor mail" {
				t.Fatalf("corrected = %+v, %v", got, err)
			}
			if countActions(t, w, "case.t0_correct") != 1 {
				t.Error("the correction is not audited")
			}

			for in, want := range map[string]string{"cve-2026-12345": "CVE-2026-12345", "CNVD-2026-01234": "CNVD-2026-01234",
				"CNNVD-202612-123": "CNNVD-202612-123", "GHSA-aaaa-bbbb-1111": "", "GHSA-2c4m-59x9-fr2g": "GHSA-2c4m-59x9-fr2g",
				"ghsa-2C4M-59X9-FR2G": "GHSA-2c4m-59x9-fr2g", "GO-2026-4321": "GO-2026-4321", "CVE-26-1": "", "CNVD-2026-123": "", "RHSA-2026:1": ""} {
				got, err := casework.NormaliseAlias(in)
				if (want == "") != (err != nil) || got != want {
					t.Errorf("NormaliseAlias(%q) = %q, %v; want %q", in, got, err, want)
				}
			}
			if _, err := w.svc.AddAlias(ctx, tri, c.ID, "cve-2026-12345"); err != nil {
				t.Fatal(err)
			}
			other, _ := w.svc.Create(ctx, tri, casework.NewCase{Title: "u"})
			if _, err := w.svc.AddAlias(ctx, tri, other.ID, "CVE-2026-12345"); !errs.Is(err, errs.Conflict) {
				t.Errorf("the same CVE on a second case: err = %v", err)
			}
			if g, _ := w.svc.Get(ctx, tri, c.ID); cmp.Diff([]string{"CVE-2026-12345"}, g.Aliases) != "" {
				t.Errorf("aliases = %q", g.Aliases)
			}
		})
	}
}

func countActions(t *testing.T, w *world, action string) int {
	t.Helper()
	evs, err := w.d.DB.SearchAudit(context.Background(), audit.Filter{Stream: audit.Main, Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

// TestSearch finds cases by Chinese title words of any length, by
// reference and identifier, and by filters, never showing a case the
// reader may not see.
func TestSearch(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, dsn(t))
			tri := w.p["triager"]
			mk := func(title string, kind casework.Kind) casework.Case {
				c, err := w.svc.Create(ctx, tri, casework.NewCase{Title: title, Kind: kind})
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			router := mk("路由器管理界面命令注入", "")
			sw := mk("交换机固件缓冲区溢出", "")
			vpn := mk("VPN 网关认证绕过 (100% reproducible)", casework.OperatorCase)
			if _, err := w.svc.Assess(ctx, tri, sw.ID, casework.Assessment{Grade: "critical",
				Scope: []casework.Affected{{Product: "S5700 交换机", Versions: "V200R019"}}}); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.AddAlias(ctx, tri, router.ID, "CVE-2026-1111"); err != nil {
				t.Fatal(err)
			}
			w.svc.Transition(ctx, tri, router.ID, casework.Move{To: casework.Verifying})
			refs := func(f casework.Filter, p string) []string {
				t.Helper()
				cs, err := w.svc.Search(ctx, w.p[p], f)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, c := range cs {
					out = append(out, c.Title)
				}
				return out
			}
			tests := []struct {
				name string
				f    casework.Filter
				want []string
			}{
				{"four characters", casework.Filter{Query: "命令注入"}, []string{router.Title}},
				{"two characters", casework.Filter{Query: "溢出"}, []string{sw.Title}},
				{"one character", casework.Filter{Query: "绕"}, []string{vpn.Title}},
				{"latin, any case", casework.Filter{Query: "vpn"}, []string{vpn.Title}},
				{"two latin letters, any case", casework.Filter{Query: "vP"}, []string{vpn.Title}},
				{"two characters, a wildcard", casework.Filter{Query: "0%"}, []string{vpn.Title}},
				{"two characters, a pair across a space", casework.Filter{Query: "N "}, []string{vpn.Title}},
				{"wildcards are literal", casework.Filter{Query: "100%"}, []string{vpn.Title}},
				{"no match", casework.Filter{Query: "不存在的词"}, nil},
				{"reference", casework.Filter{Query: sw.Ref}, []string{sw.Title}},
				{"identifier", casework.Filter{Query: "cve-2026-1111"}, []string{router.Title}},
				{"status", casework.Filter{Status: casework.Verifying}, []string{router.Title}},
				{"kind", casework.Filter{Kind: casework.OperatorCase}, []string{vpn.Title}},
				{"grade", casework.Filter{Grade: "critical"}, []string{sw.Title}},
				{"product", casework.Filter{Product: "S5700"}, []string{sw.Title}},
				{"source", casework.Filter{Source: "internal", Limit: 2}, []string{vpn.Title, sw.Title}},
				{"page", casework.Filter{Before: sw.ID}, []string{router.Title}},
			}
			for _, tc := range tests {
				if diff := cmp.Diff(tc.want, refs(tc.f, "triager")); diff != "" {
					t.Errorf("%s (-want +got):\n%s", tc.name, diff)
				}
			}
			// The compliance officer reads all; the engineer is on no access list; another organisation sees nothing.
			if got := refs(casework.Filter{}, "compliance"); len(got) != 3 {
				t.Errorf("compliance officer sees %q", got)
			}
			for _, who := range []string{"engineer", "other"} {
				if got := refs(casework.Filter{Query: "命令注入"}, who); len(got) != 0 {
					t.Errorf("%s sees %q", who, got)
				}
			}
		})
	}
}

// TestGrading grades a case from its GB/T 30279 indicators with the grade
// table (GB-30279-2, -3), pre-filled from CVSS, and derives the category
// from the CWE (GB-30279-4).
func TestGrading(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, storetest.SQLiteDSN(t))
	tri := w.p["triager"]
	c, err := w.svc.Create(ctx, tri, casework.NewCase{Title: "t"})
	if err != nil {
		t.Fatal(err)
	}
	vector := "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
	in, err := gbt30279.Prefill(vector)
	if err != nil {
		t.Fatal(err)
	}
	table := gbt30279.DefaultTable()
	want, err := table.Grade(in)
	if err != nil {
		t.Fatal(err)
	}
	scope := []casework.Affected{{Product: "AX3000", Versions: "1.0.3"}}
	got, err := w.svc.Assess(ctx, tri, c.ID, casework.Assessment{Indicators: &in, Grade: "low", CVSS: vector, CWE: "cwe-78", Scope: scope})
	if err != nil {
		t.Fatal(err)
	}
	if got.Grade != string(want.Technical) || got.Grading.TableSHA256 != table.SHA256() || !got.Grading.Provisional ||
		got.Grading.CWE != "CWE-78" || got.Grading.Category == "" {
		t.Errorf("graded case: grade %q (want %q), grading %+v", got.Grade, want.Technical, got.Grading)
	}
	// With the environment factors, the comprehensive grade.
	in.ExploitationCost, in.FixDifficulty, in.ImpactScope = gbt30279.CostHigh, gbt30279.FixLow, gbt30279.ScopeLow
	want, _ = table.Grade(in)
	got, err = w.svc.Assess(ctx, tri, c.ID, casework.Assessment{Indicators: &in, Scope: scope})
	if err != nil || got.Grade != string(want.Comprehensive) {
		t.Errorf("comprehensive: %q, %v; want %q", got.Grade, err, want.Comprehensive)
	}
	stored, _ := w.svc.Get(ctx, tri, c.ID)
	if stored.Grading.Indicators == nil || *stored.Grading.Indicators != in {
		t.Errorf("stored indicators = %+v", stored.Grading.Indicators)
	}
	for _, bad := range []casework.Assessment{{CWE: "78"}, {Category: "nonsense"}, {Indicators: &gbt30279.Indicators{AccessPath: "remote"}},
		{CVSS: "CVSS:3.1/AV:X"}, {CVSS: "AV:N/AC:L/Au:N/C:P/I:P/A:P"}} {
		if _, err := w.svc.Assess(ctx, tri, c.ID, bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("assess %+v: err = %v", bad, err)
		}
	}
}

// TestWorkingOnACase assigns and watches, comments (sealed, audited without
// the text), and filters the list by assignee, on every dialect.
func TestWorkingOnACase(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, dsn(t))
			tri, eng := w.p["triager"], w.p["engineer"]
			c, err := w.svc.Create(ctx, tri, casework.NewCase{Title: "固件签名绕过"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Get(ctx, eng, c.ID); !errs.Is(err, errs.NotFound) {
				t.Fatalf("engineer before assignment: err = %v", err)
			}
			if err := w.svc.AddPerson(ctx, eng, c.ID, eng.UserID, casework.Assignee); !errs.Is(err, errs.Forbidden) {
				t.Errorf("engineer assigns: err = %v", err)
			}
			if err := w.svc.AddPerson(ctx, tri, c.ID, w.p["other"].UserID, casework.Watcher); !errs.Is(err, errs.Invalid) {
				t.Errorf("another organisation's user: err = %v", err)
			}
			if err := w.svc.AddPerson(ctx, tri, c.ID, eng.UserID, "owner"); !errs.Is(err, errs.Invalid) {
				t.Errorf("unknown role: err = %v", err)
			}
			if err := w.svc.AddPerson(ctx, tri, c.ID, eng.UserID, casework.Assignee); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.AddPerson(ctx, tri, c.ID, tri.UserID, casework.Watcher); err != nil {
				t.Fatal(err)
			}
			// Assigned, the engineer sees the case and comments on it.
			if _, err := w.svc.Get(ctx, eng, c.ID); err != nil {
				t.Fatalf("engineer after assignment: %v", err)
			}
			if _, err := w.svc.AddComment(ctx, eng, c.ID, "  "); !errs.Is(err, errs.Invalid) {
				t.Errorf("empty comment: err = %v", err)
			}
			if _, err := w.svc.AddComment(ctx, eng, c.ID, "已在 2.1.5 中修复，待回归测试。"); err != nil {
				t.Fatal(err)
			}
			cms, err := w.svc.Comments(ctx, tri, c.ID)
			if err != nil || len(cms) != 1 || cms[0].Body != "已在 2.1.5 中修复，待回归测试。" || cms[0].Author != eng.Actor() {
				t.Fatalf("comments = %+v, %v", cms, err)
			}
			var raw []byte
			if err := w.d.DB.Transact(ctx, func(tx *store.Tx) error {
				sc, err := tx.CaseComments(ctx, c.ID)
				if err == nil && len(sc) == 1 {
					raw = sc[0].Body
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(raw), "修复") || len(raw) == 0 {
				t.Errorf("the comment is not sealed at rest: %q", raw)
			}
			people, err := w.svc.People(ctx, tri, c.ID)
			if err != nil || len(people) != 2 || !casework.Assigned(people, eng.UserID) || casework.Assigned(people, tri.UserID) {
				t.Errorf("people = %+v, %v", people, err)
			}
			other, _ := w.svc.Create(ctx, tri, casework.NewCase{Title: "另一个"})
			mine, err := w.svc.Search(ctx, tri, casework.Filter{Assignee: eng.UserID})
			if err != nil || len(mine) != 1 || mine[0].ID != c.ID || other.ID == c.ID {
				t.Errorf("assigned to the engineer: %+v, %v", mine, err)
			}
			if err := w.svc.RemovePerson(ctx, tri, c.ID, eng.UserID, casework.Assignee); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.RemovePerson(ctx, tri, c.ID, eng.UserID, casework.Assignee); !errs.Is(err, errs.NotFound) {
				t.Errorf("second removal: err = %v", err)
			}
			if countActions(t, w, "case.comment") != 1 || countActions(t, w, "case.person_add") != 2 {
				t.Error("the work is not audited")
			}
		})
	}
}

// TestMerge folds a duplicate case into another: rejected as a duplicate,
// its identifiers moved, the earlier T0 kept.
func TestMerge(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, dsn(t))
			tri := w.p["triager"]
			early := time.Now().Add(-96 * time.Hour).Truncate(time.Second)
			dup, _ := w.svc.Create(ctx, tri, casework.NewCase{Title: "重复报告", T0: early, T0Source: "third_party:CNVD"})
			into, _ := w.svc.Create(ctx, tri, casework.NewCase{Title: "路由器命令注入"})
			if _, err := w.svc.AddAlias(ctx, tri, dup.ID, "CNVD-2026-12345"); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Merge(ctx, tri, dup.ID, dup.ID, ""); !errs.Is(err, errs.Invalid) {
				t.Errorf("merge into itself: err = %v", err)
			}
			if _, err := w.svc.Merge(ctx, w.p["other"], dup.ID, into.ID, ""); !errs.Is(err, errs.NotFound) {
				t.Errorf("another organisation merges: err = %v", err)
			}
			got, err := w.svc.Merge(ctx, tri, dup.ID, into.ID, "同一漏洞")
			if err != nil {
				t.Fatal(err)
			}
			if !got.T0.Equal(early.UTC()) || got.T0Source != "third_party:CNVD" {
				t.Errorf("merged T0 = %s %s", got.T0, got.T0Source)
			}
			d, _ := w.svc.Get(ctx, tri, dup.ID)
			g, _ := w.svc.Get(ctx, tri, into.ID)
			if d.Status != casework.Rejected || d.Resolution != casework.DuplicateCase || len(d.Aliases) != 0 ||
				cmp.Diff([]string{"CNVD-2026-12345"}, g.Aliases) != "" {
				t.Errorf("after the merge: dup %+v, into %+v", d, g)
			}
			if _, err := w.svc.Merge(ctx, tri, dup.ID, into.ID, ""); !errs.Is(err, errs.Conflict) {
				t.Errorf("merging a rejected case again: err = %v", err)
			}
			if countActions(t, w, "case.merge") != 2 {
				t.Error("the merge is not audited on both cases")
			}
		})
	}
}

// TestFiles keeps proof-of-concept files to the case's access list, even
// from roles that read every case, seals files at rest and audits reads.
func TestFiles(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, dsn(t))
			tri, co := w.p["triager"], w.p["compliance"]
			c, _ := w.svc.Create(ctx, tri, casework.NewCase{Title: "t"})
			poc, err := w.svc.AddFile(ctx, tri, c.ID, `..\..\exploit.py`, []byte("import socket # exploit"), true)
			if err != nil || poc.Name != "exploit.py" || poc.ContentType != "text/plain; charset=utf-8" || len(poc.SHA256) != 64 {
				t.Fatalf("restricted file = %+v, %v", poc, err)
			}
			log, err := w.svc.AddFile(ctx, tri, c.ID, "crash.log", []byte("segfault at 0x0"), false)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.AddFile(ctx, tri, c.ID, "big.bin", make([]byte, casework.MaxFileBytes+1), false); !errs.Is(err, errs.TooLarge) {
				t.Errorf("oversize file: err = %v", err)
			}
			names := func(p string) []string {
				fs, err := w.svc.Files(ctx, w.p[p], c.ID)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, f := range fs {
					out = append(out, f.Name)
				}
				return out
			}
			if diff := cmp.Diff([]string{"exploit.py", "crash.log"}, names("triager")); diff != "" {
				t.Errorf("triager's files (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"crash.log"}, names("compliance")); diff != "" {
				t.Errorf("compliance officer's files (-want +got):\n%s", diff)
			}
			if _, _, err := w.svc.OpenFile(ctx, co, c.ID, poc.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("compliance officer opens the PoC: err = %v", err)
			}
			if _, data, err := w.svc.OpenFile(ctx, co, c.ID, log.ID); err != nil || string(data) != "segfault at 0x0" {
				t.Errorf("compliance officer opens the log: %q, %v", data, err)
			}
			if _, data, err := w.svc.OpenFile(ctx, tri, c.ID, poc.ID); err != nil || string(data) != "import socket # exploit" {
				t.Errorf("triager opens the PoC: %q, %v", data, err)
			}
			if _, _, err := w.svc.OpenFile(ctx, w.p["other"], c.ID, log.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("another organisation: err = %v", err)
			}
			var sealed []byte
			w.d.DB.Transact(ctx, func(tx *store.Tx) error {
				sf, err := tx.CaseFile(ctx, c.ID, poc.ID)
				sealed = sf.Sealed
				return err
			})
			if len(sealed) == 0 || strings.Contains(string(sealed), "socket") {
				t.Errorf("the file is not sealed at rest")
			}
			if countActions(t, w, "case.file_read") != 2 || countActions(t, w, "case.file_add") != 2 {
				t.Error("files are not audited")
			}
		})
	}
}
