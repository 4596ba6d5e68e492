package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
)

// Identity is the part of identity.Service the API uses.
type Identity interface {
	AuthenticateToken(ctx context.Context, secret string) (*access.Principal, error)
	Tokens(ctx context.Context, p *access.Principal) ([]identity.Token, error)
	RevokeToken(ctx context.Context, p *access.Principal, id int64) error
}

// Orgs looks up organisations.
type Orgs interface {
	Organisation(ctx context.Context, id int64) (identity.Organisation, error)
}

// authenticate reads an "Authorization: Bearer <token>" header and puts
// the token's principal in the request's context. A request without the
// header stays anonymous, and operations that need a caller refuse it; a
// request with a bad token is refused outright (401), so that a client
// never mistakes a broken token for anonymous access.
func (h *Handler) authenticate(r *http.Request) (*http.Request, error) {
	hdr := r.Header.Get("Authorization")
	if hdr == "" {
		return r, nil
	}
	scheme, secret, ok := strings.Cut(hdr, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return r, errs.New(errs.Unauthenticated, `use "Authorization: Bearer <token>"`)
	}
	if h.identity == nil {
		return r, errs.New(errs.Unauthenticated, "this server does not accept API tokens")
	}
	p, err := h.identity.AuthenticateToken(r.Context(), strings.TrimSpace(secret))
	if err != nil {
		return r, err
	}
	return r.WithContext(access.WithPrincipal(r.Context(), p)), nil
}

// caller returns the request's principal, or errs.Unauthenticated.
func caller(r *http.Request) (*access.Principal, error) {
	p := access.From(r.Context())
	if p == nil {
		return nil, errs.New(errs.Unauthenticated, "this operation needs an API token")
	}
	return p, nil
}
