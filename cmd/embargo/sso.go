package main

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
)

// lazySSO discovers the OpenID provider on first use, and again after a
// failure, so that a provider that is down does not stop Embargo from
// starting: only single sign-on waits for it.
type lazySSO struct {
	cfg identity.OIDCConfig
	svc *identity.Service
	log *slog.Logger

	mu   sync.Mutex
	oidc *identity.OIDC
}

// newSSO returns the single sign-on service for c, or nil when SSO is off.
// It tries discovery once now, to report a misconfiguration early.
func newSSO(c *Config, log *slog.Logger, svc *identity.Service) *lazySSO {
	if c.OIDCIssuer == "" {
		return nil
	}
	l := &lazySSO{log: log, svc: svc, cfg: identity.OIDCConfig{
		Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID, ClientSecret: c.OIDCClientSecret,
		RedirectURL: c.BaseURL + "signin/sso/callback", GroupRoles: c.OIDCGroupRoles, OrgID: c.OIDCOrg,
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := l.provider(ctx); err != nil {
		log.Warn("single sign-on: provider discovery failed; retrying on first use", "issuer", c.OIDCIssuer, "err", err)
	}
	return l
}

func (l *lazySSO) provider(ctx context.Context) (*identity.OIDC, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.oidc != nil {
		return l.oidc, nil
	}
	o, err := identity.NewOIDC(ctx, l.cfg, l.svc, &http.Client{Timeout: 10 * time.Second})
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "the single sign-on provider cannot be reached; sign in with a password or try again later")
	}
	l.oidc = o
	return o, nil
}

// Begin implements web.SSOService.
func (l *lazySSO) Begin(ctx context.Context) (string, identity.Pending, error) {
	o, err := l.provider(ctx)
	if err != nil {
		return "", identity.Pending{}, err
	}
	return o.Begin()
}

// Complete implements web.SSOService.
func (l *lazySSO) Complete(ctx context.Context, p identity.Pending, state, code string, c identity.Client) (string, identity.User, error) {
	o, err := l.provider(ctx)
	if err != nil {
		return "", identity.User{}, err
	}
	return o.Complete(ctx, p, state, code, c)
}
