package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/google/go-cmp/cmp"
)

// fakeIdentity knows one token, "emb_good", a triager's, scoped to case.read.
type fakeIdentity struct{ revoked []int64 }

func (f *fakeIdentity) AuthenticateToken(_ context.Context, secret string) (*access.Principal, error) {
	if secret != "emb_good" {
		return nil, errs.Coded(errs.Unauthenticated, "token.invalid", "the API token is not valid")
	}
	return &access.Principal{UserID: 3, Email: "t@example.cn", Name: "T", OrgID: 1, Role: access.Triager,
		Country: "CN", TokenID: 7, Scopes: []access.Permission{access.ReadCases, access.ManageOwnTokens}}, nil
}

func (f *fakeIdentity) Tokens(context.Context, *access.Principal) ([]identity.Token, error) {
	return []identity.Token{{ID: 7, Name: "ci", Scopes: []access.Permission{access.ReadCases}}}, nil
}

func (f *fakeIdentity) RevokeToken(_ context.Context, _ *access.Principal, id int64) error {
	if id != 7 {
		return errs.New(errs.NotFound, "no such token")
	}
	f.revoked = append(f.revoked, id)
	return nil
}

type fakeOrgs struct{}

func (fakeOrgs) Organisation(context.Context, int64) (identity.Organisation, error) {
	return identity.Organisation{ID: 1, Name: "Acme"}, nil
}

func TestMe(t *testing.T) {
	h := mustNew(t, Config{Identity: &fakeIdentity{}, Orgs: fakeOrgs{}})
	tests := []struct {
		name, auth string
		wantStatus int
		wantBearer bool // a WWW-Authenticate challenge
	}{
		{"no token", "", 401, false},
		{"bad token", "Bearer emb_bad", 401, true},
		{"not bearer", "Basic dXNlcjpwYXNz", 401, true},
		{"good token", "Bearer emb_good", 200, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRequest("GET", "/api/v1/me", "", "")
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			rec := httptestRecorder(h, r)
			if rec.Code != tc.wantStatus || (rec.Header().Get("WWW-Authenticate") != "") != tc.wantBearer {
				t.Fatalf("status %d, WWW-Authenticate %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
			}
			if tc.wantStatus != 200 {
				return
			}
			var got Me
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			want := Me{UserID: 3, Email: "t@example.cn", Name: "T", Role: access.Triager, Country: "CN",
				Organisation: OrganisationRef{ID: 1, Name: "Acme"}, TokenID: 7,
				// The triager's role also has case.write, but the token's scopes do not.
				Permissions: []access.Permission{access.ReadCases, access.ManageOwnTokens}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("me (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTokensAPI(t *testing.T) {
	f := &fakeIdentity{}
	h := mustNew(t, Config{Identity: f})
	do := func(method, path string) int {
		r := newRequest(method, path, "", "")
		r.Header.Set("Authorization", "Bearer emb_good")
		return httptestRecorder(h, r).Code
	}
	if got := do("GET", "/api/v1/tokens"); got != 200 {
		t.Errorf("list tokens: %d", got)
	}
	if got := do("DELETE", "/api/v1/tokens/8"); got != 404 {
		t.Errorf("revoke someone else's token: %d, want 404", got)
	}
	if got := do("DELETE", "/api/v1/tokens/7"); got != http.StatusNoContent || len(f.revoked) != 1 {
		t.Errorf("revoke own token: %d, revoked %v", got, f.revoked)
	}
	if got := httptestRecorder(h, newRequest("GET", "/api/v1/tokens", "", "")).Code; got != 401 {
		t.Errorf("anonymous token list: %d, want 401", got)
	}
}

func httptestRecorder(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}
