package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/demo"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/format/csaf"
	"github.com/embargohq/embargo/internal/format/csaf/validate"
	"github.com/embargohq/embargo/internal/modtest"
	"github.com/embargohq/embargo/internal/notice"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// TestSeedDemo seeds an empty instance on every dialect under test and
// checks, through the services, the flow a newcomer is promised: a case in
// every state of a provider's lifecycle, duties met, open and overdue
// (CN-07-5), notice campaigns sent (CN-07-9), two published advisories
// whose revisions are valid CSAF 2.0 and one draft (CN-09-P), and an
// intact audit chain. A second run is refused and changes nothing.
func TestSeedDemo(t *testing.T) {
	for name, newDSN := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			data, dsn := t.TempDir(), newDSN(t)
			flags := []string{"--data", data, "--database", dsn}
			out, err := runCLI(t, append([]string{"seed", "demo"}, flags...)...)
			if err != nil {
				t.Fatalf("seed demo: %v\n%s", err, out)
			}
			for _, want := range []string{"Demo ready", "compliance@huarui.example", "auditor@huarui.example", "embargo serve"} {
				if !strings.Contains(out, want) {
					t.Errorf("the summary lacks %q:\n%s", want, out)
				}
			}
			checkSeeded(t, flags)
			before, err := runCLI(t, append([]string{"verify", "audit"}, flags...)...)
			if err != nil || !strings.Contains(before, "audit: intact") {
				t.Fatalf("verify audit = %q, %v", before, err)
			}
			again, err := runCLI(t, append([]string{"seed", "demo"}, flags...)...)
			if err == nil || !strings.Contains(err.Error(), "not empty") || !strings.Contains(err.Error(), "empty data directory") {
				t.Errorf("a second seed: err = %v, out %q; want the not-empty refusal", err, again)
			}
			after, err := runCLI(t, append([]string{"verify", "audit"}, flags...)...)
			if err != nil || after != before {
				t.Errorf("the refused run changed the log: %v\nbefore %s\nafter  %s", err, before, after)
			}
		})
	}
}

// checkSeeded opens the seeded instance and looks at it as its
// compliance officer.
func checkSeeded(t *testing.T, flags []string) {
	t.Helper()
	ctx := context.Background()
	c, _, err := parseConfig(envFrom(nil), "test", flags, nil)
	if err != nil {
		t.Fatal(err)
	}
	db, kr, err := openInstance(ctx, c, envFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc, err := demoServices(c, db, kr)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Reports.Close()
	users, err := svc.Identity.Users(ctx, access.Operator())
	if err != nil {
		t.Fatal(err)
	}
	var co *access.Principal
	var roles []access.Role
	for _, u := range users {
		roles = append(roles, u.Role)
		if u.Role == access.ComplianceOfficer {
			co = u.Principal(true)
		}
	}
	slices.Sort(roles)
	wantRoles := []access.Role{access.Administrator, access.Auditor, access.ComplianceOfficer, access.Engineer, access.Publisher, access.Triager}
	if diff := cmp.Diff(wantRoles, roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if co == nil || !co.ConfidentialityAccepted {
		t.Fatalf("no compliance officer who accepted the statement: %+v", co)
	}
	cases, err := svc.Cases.List(ctx, co)
	if err != nil {
		t.Fatal(err)
	}
	checkStates(t, cases)
	checkDuties(t, svc, co, cases)
	checkAdvisories(t, svc, co, cases)
}

func checkStates(t *testing.T, cases []casework.Case) {
	t.Helper()
	var got []string
	for _, c := range cases {
		if !slices.Contains(got, string(c.Status)) {
			got = append(got, string(c.Status))
		}
	}
	slices.Sort(got)
	want := []string{"closed", "confirmed", "fixed", "published", "received", "rejected", "remediating", "verifying"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("case states (-want +got):\n%s", diff)
	}
}

func checkDuties(t *testing.T, svc demo.Services, co *access.Principal, cases []casework.Case) {
	t.Helper()
	states := map[obligation.State]int{}
	sent := 0
	for _, c := range cases {
		obs, err := svc.Obligations.ForCase(context.Background(), co, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range obs {
			states[o.StateAt(time.Now())]++
		}
		cps, err := svc.Notices.Campaigns(context.Background(), co, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, cp := range cps {
			if cp.State != notice.Draft && !cp.SentAt.IsZero() {
				sent++
			}
		}
	}
	if states[obligation.Met] < 5 || states[obligation.Pending]+states[obligation.DueSoon] == 0 || states[obligation.Overdue] != 1 {
		t.Errorf("duties by state: %v; want some met, some open, one overdue", states)
	}
	if sent == 0 {
		t.Error("no notice campaign was sent")
	}
}

func checkAdvisories(t *testing.T, svc demo.Services, co *access.Principal, cases []casework.Case) {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "conformance", "csaf-2.0", "json_schema")
	if _, err := os.Stat(filepath.Join(dir, validate.SchemaFile)); err != nil {
		modtest.Unavailable(t, "the CSAF 2.0 schema in ../shared/conformance")
	}
	schema, err := validate.LoadSchema(dir)
	if err != nil {
		t.Fatal(err)
	}
	byState := map[advisory.State]int{}
	for _, c := range cases {
		v, err := svc.Advisories.Get(context.Background(), co, c.ID)
		if errs.Is(err, errs.NotFound) {
			continue // no advisory
		}
		if err != nil {
			t.Fatal(err)
		}
		byState[v.State]++
		if v.State != advisory.Published {
			continue
		}
		for _, lang := range []string{"zh-CN", "en"} {
			d, err := advisory.ToCSAF(v.Ref, v.Revisions, advisory.CSAFPublisher{Name: "华睿网络 PSIRT", Namespace: "https://huarui.example"}, lang)
			if err != nil {
				t.Fatal(err)
			}
			b, err := csaf.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			vs, err := validate.Validate(b, schema)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				t.Errorf("%s %s: %s", c.Ref, lang, v)
			}
			if !regexp.MustCompile(`"cvss_v3"`).Match(b) {
				t.Errorf("%s %s: no CVSS score in the CSAF document", c.Ref, lang)
			}
		}
	}
	if byState[advisory.Published] != 2 || byState[advisory.Draft] != 1 {
		t.Errorf("advisories by state: %v; want 2 published and 1 draft", byState)
	}
}
