package web

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/identity"
)

// acceptedIdentity signs in someone who accepted the confidentiality
// statement.
type acceptedIdentity struct{ *fakeIdentity }

func (f acceptedIdentity) Authenticate(ctx context.Context, token string) (*access.Principal, identity.Session, error) {
	p, s, err := f.fakeIdentity.Authenticate(ctx, token)
	if p != nil {
		p.ConfidentialityAccepted = true
	}
	return p, s, err
}

// fakeCase is case 11 for whoever asks.
type fakeCase struct{ Cases }

func (fakeCase) Get(context.Context, *access.Principal, int64) (casework.Case, error) {
	return casework.Case{ID: 11, Ref: "EMB-2026-0011", Title: "路由器命令注入"}, nil
}

// fakeAdvisories has case 11's advisory in review, with what the gate
// says of it.
type fakeAdvisories struct{ Advisories }

func (fakeAdvisories) Get(context.Context, *access.Principal, int64) (advisory.View, error) {
	ct := advisory.Content{Title: advisory.Text{ZH: "路由器命令注入", EN: "Router command injection"}, Grade: "high",
		Remediation: advisory.Text{ZH: "升级到 1.0.4。"}}
	return advisory.View{Advisory: advisory.Advisory{ID: 1, CaseID: 11, Ref: "EMB-2026-0011-SA", State: advisory.InReview, Content: ct,
		Editors: []string{"user:2"}, NotOperator: []advisory.Dismissal{{Key: "url:https://dl.acme.example/"}}},
		Verdict:  []disclosure.Violation{{Rule: "CN-09-P", Code: "unapproved"}, {Rule: "CN-09-5", Code: "no_remediation", Detail: "en"}},
		Findings: []disclosure.Finding{{Kind: "url", Value: "https://dl.acme.example/"}, {Kind: "ipv4", Value: "10.1.2.3"}}}, nil
}

func (fakeAdvisories) Blackouts(context.Context, *access.Principal) ([]disclosure.Blackout, error) {
	return nil, nil
}

// The advisory page shows each violation with its rule ID and what to
// do, offers the approval to a publisher, a mark for each finding not
// yet marked, and previews the advisory in both languages.
func TestPublicationPage(t *testing.T) {
	h := mustNew(t, Config{Identity: acceptedIdentity{&fakeIdentity{role: access.Publisher}}, Cases: fakeCase{}, Advisories: fakeAdvisories{}})
	resp, doc := mustGetPage(t, h, signedInRequest("GET", "/cases/11/publication", nil))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d (%s)", resp.StatusCode, resp.Header.Get("Location"))
	}
	var rules []string
	for _, tr := range doc.find("#publication-verdict tbody tr") {
		td := tr.find("td")
		rules = append(rules, squash(td[0].textContent())+" | "+squash(td[2].textContent()))
	}
	want := []string{"CN-09-P | Ask a publisher or compliance officer who did not write it to approve it.",
		"CN-09-5 | Write the fix or protective measures in both languages; they are published together with the advisory."}
	if diff := cmp.Diff(want, rules); diff != "" {
		t.Errorf("verdict (-want +got):\n%s", diff)
	}
	var marks, previews, actions []string
	for _, in := range doc.find(`.findings input[name=finding]`) {
		marks = append(marks, in.attrs["value"])
	}
	for _, a := range doc.find("article.advisory-preview") {
		previews = append(previews, a.attrs["lang"]+" "+squash(a.find("h3")[0].textContent()))
	}
	for _, f := range doc.find(".actions form") {
		actions = append(actions, f.attrs["action"])
	}
	if diff := cmp.Diff([]string{"ipv4:10.1.2.3"}, marks); diff != "" {
		t.Errorf("findings to mark (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"zh-CN 路由器命令注入", "en Router command injection"}, previews); diff != "" {
		t.Errorf("previews (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/cases/11/publication/approve"}, actions); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
}
