package identity

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"golang.org/x/oauth2"
)

// PendingMaxAge is how long a sign-in started by OIDC.Begin may take. The
// web layer keeps the Pending in a cookie with this max age, and Complete
// refuses an older one.
const PendingMaxAge = 10 * time.Minute

// OIDCConfig configures single sign-on with one OpenID Connect provider.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL; discovery reads
	// Issuer + "/.well-known/openid-configuration".
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is Embargo's callback, registered at the provider.
	RedirectURL string
	// Scopes to request; "openid" is always added. Empty means openid,
	// email and profile.
	Scopes []string
	// GroupsClaim names the ID token claim that lists the user's groups;
	// "" means "groups".
	GroupsClaim string
	// GroupRoles maps provider groups to roles. A user in several mapped
	// groups gets the first of their roles in access.Roles() order (the
	// most privileged); a user in none is refused.
	GroupRoles map[string]access.Role
	// OrgID is the organisation that the provider's users belong to; new
	// users are created in it, and users of other organisations are refused.
	OrgID int64
	// DefaultCountry is the jurisdiction of new users; "" means CN.
	DefaultCountry string
	// AllowedEmailDomains, when not empty, lists the only e-mail domains
	// accepted (compared case-insensitively).
	AllowedEmailDomains []string
}

// OIDC signs people in with an OpenID Connect provider, using the
// authorization code flow with PKCE (RFC 7636, S256).
type OIDC struct {
	cfg      OIDCConfig
	svc      *Service
	client   *http.Client
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// Pending is the state of a sign-in between Begin and Complete. The web
// layer keeps it in a short-lived (PendingMaxAge), HttpOnly, sealed cookie;
// it is JSON-serialisable.
type Pending struct {
	State     string    `json:"state"`
	Nonce     string    `json:"nonce"`
	Verifier  string    `json:"verifier"`
	CreatedAt time.Time `json:"created_at"`
}

// NewOIDC checks cfg and discovers the provider's endpoints and keys, with
// client for every request to the provider (nil means
// http.DefaultClient). It fails when the configuration is incomplete or the
// provider cannot be reached.
func NewOIDC(ctx context.Context, cfg OIDCConfig, svc *Service, client *http.Client) (*OIDC, error) {
	if client == nil {
		client = http.DefaultClient
	}
	cfg, err := checkOIDCConfig(cfg)
	if err != nil {
		return nil, err
	}
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, client), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("identity: oidc discovery of %s: %w", cfg.Issuer, err)
	}
	endpoint := provider.Endpoint()
	endpoint.AuthStyle = authStyle(provider)
	return &OIDC{
		cfg:    cfg,
		svc:    svc,
		client: client,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: endpoint, Scopes: cfg.Scopes},
		verifier: provider.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: svc.now}),
	}, nil
}

// authStyle returns how to send the client secret to the token endpoint:
// in the form when the provider supports only client_secret_post, else
// with HTTP Basic, the default (Discovery 1.0 §3). Saying so spares
// oauth2's guessing, which on a refusal retries the other way and reports
// the second answer.
func authStyle(p *oidc.Provider) oauth2.AuthStyle {
	var meta struct {
		Methods []string `json:"token_endpoint_auth_methods_supported"`
	}
	if p.Claims(&meta) == nil && !slices.Contains(meta.Methods, "client_secret_basic") &&
		slices.Contains(meta.Methods, "client_secret_post") {
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

// checkOIDCConfig validates cfg and fills in its defaults.
func checkOIDCConfig(cfg OIDCConfig) (OIDCConfig, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" || cfg.OrgID == 0 {
		return cfg, errors.New("identity: oidc: issuer, client ID, redirect URL and organisation are required")
	}
	if len(cfg.GroupRoles) == 0 {
		return cfg, errors.New("identity: oidc: map at least one group to a role")
	}
	for g, r := range cfg.GroupRoles {
		if _, ok := access.ParseRole(string(r)); !ok {
			return cfg, fmt.Errorf("identity: oidc: group %q maps to unknown role %q", g, r)
		}
	}
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	if cfg.DefaultCountry == "" {
		cfg.DefaultCountry = "CN"
	}
	if !countryCode.MatchString(cfg.DefaultCountry) {
		return cfg, fmt.Errorf("identity: oidc: default country %q is not an ISO 3166 alpha-2 code", cfg.DefaultCountry)
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"email", "profile"}
	}
	if !slices.Contains(cfg.Scopes, oidc.ScopeOpenID) {
		cfg.Scopes = append([]string{oidc.ScopeOpenID}, cfg.Scopes...)
	}
	return cfg, nil
}

// Begin starts a sign-in: it returns the provider URL to redirect the
// browser to, and the Pending to keep until the provider redirects back.
// The state, nonce and PKCE verifier are fresh random values.
func (o *OIDC) Begin() (authURL string, state Pending, err error) {
	p := Pending{State: newSecret(""), Nonce: newSecret(""), Verifier: oauth2.GenerateVerifier(),
		CreatedAt: o.svc.now().UTC()}
	u := o.oauth.AuthCodeURL(p.State, oidc.Nonce(p.Nonce), oauth2.S256ChallengeOption(p.Verifier))
	return u, p, nil
}

// errSSOFailed is the answer to every sign-in that the provider or its
// ID token did not prove: the details are for the logs only.
var errSSOFailed = errs.Coded(errs.Unauthenticated, "sso.failed", "single sign-on failed; try again")

// ssoFailed returns errSSOFailed with cause attached for the logs.
func ssoFailed(cause error) error {
	return fmt.Errorf("%w: %w", errSSOFailed, cause)
}

// Complete finishes a sign-in when the provider redirects back with state
// and code, and starts a session like SignIn; it returns the session token
// for the cookie.
//
// It checks that state is p's and p is at most PendingMaxAge old, exchanges
// code with p's PKCE verifier, verifies the ID token (signature, issuer,
// audience, expiry, nonce) and requires a verified e-mail address. The
// account is found by its link to the provider's (issuer, subject), else by
// e-mail address (and linked), else created in OIDCConfig.OrgID. Its role
// follows the groups claim at every sign-in. The session passes the second
// factor only when the ID token's amr claim says the provider used one
// ("mfa" or "otp", RFC 8176). Each Pending works once.
//
// Errors: errs.Unauthenticated when the flow or the token fails a check
// (code sso.failed, or sso.expired when too slow); errs.Forbidden when the
// e-mail address is unverified or outside the allowed domains, no group
// maps to a role, the account is disabled or in another organisation;
// errs.Unavailable when the provider cannot be reached.
func (o *OIDC) Complete(ctx context.Context, p Pending, state, code string, c Client) (string, User, error) {
	if err := checkPending(p, state, o.svc.now().UTC()); err != nil {
		return "", User{}, err
	}
	idt, err := o.exchange(ctx, p, code)
	if err != nil {
		return "", User{}, err
	}
	id, err := o.identify(idt)
	if err != nil {
		return "", User{}, err
	}
	u, linked, err := o.findUser(ctx, id)
	if err != nil {
		return "", User{}, err
	}
	return o.signIn(ctx, id, u, linked, p.Nonce, c)
}

// checkPending checks the state parameter against p, and p's age.
func checkPending(p Pending, state string, now time.Time) error {
	if p.State == "" || subtle.ConstantTimeCompare([]byte(p.State), []byte(state)) != 1 {
		return ssoFailed(errors.New("state mismatch"))
	}
	if age := now.Sub(p.CreatedAt); age > PendingMaxAge || age < -time.Minute {
		return errs.Coded(errs.Unauthenticated, "sso.expired", "the sign-in took too long; try again")
	}
	return nil
}

// exchange redeems code at the provider's token endpoint and verifies the
// ID token it returns, including its nonce.
func (o *OIDC) exchange(ctx context.Context, p Pending, code string) (*oidc.IDToken, error) {
	ctx = oidc.ClientContext(ctx, o.client)
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(p.Verifier))
	var refused *oauth2.RetrieveError
	switch {
	case errors.As(err, &refused):
		return nil, ssoFailed(err)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", errs.Coded(errs.Unavailable, "sso.unavailable",
			"the identity provider cannot be reached; try again later"), err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, ssoFailed(errors.New("no id_token in the token response"))
	}
	idt, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, ssoFailed(err)
	}
	if p.Nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(p.Nonce)) != 1 {
		return nil, ssoFailed(errors.New("nonce mismatch"))
	}
	return idt, nil
}

// ssoIdentity is what a verified ID token says about its user.
type ssoIdentity struct {
	Issuer, Subject string
	Email, Name     string
	Role            access.Role
	// SecondFactor is whether the provider authenticated the user with more
	// than one factor.
	SecondFactor bool
}

// idClaims are the ID token claims Complete reads besides the groups
// (OIDC Core §5.1; amr: RFC 8176).
type idClaims struct {
	Email         string   `json:"email"`
	EmailVerified any      `json:"email_verified"`
	Name          string   `json:"name"`
	AMR           []string `json:"amr"`
}

// identify reads and checks the claims of a verified ID token.
// email_verified must be the JSON boolean true: a string "true" (some
// providers' mistake) is refused.
func (o *OIDC) identify(idt *oidc.IDToken) (ssoIdentity, error) {
	var c idClaims
	var all map[string]json.RawMessage
	if err := idt.Claims(&c); err != nil {
		return ssoIdentity{}, ssoFailed(err)
	}
	if err := idt.Claims(&all); err != nil {
		return ssoIdentity{}, ssoFailed(err)
	}
	email, err := normaliseEmail(c.Email)
	if err != nil || c.EmailVerified != true {
		return ssoIdentity{}, errs.Coded(errs.Forbidden, "sso.email_unverified",
			"your identity provider did not confirm a verified e-mail address")
	}
	if err := o.checkDomain(email); err != nil {
		return ssoIdentity{}, err
	}
	role, ok := o.roleFor(groupsOf(all[o.cfg.GroupsClaim]))
	if !ok {
		return ssoIdentity{}, errs.Coded(errs.Forbidden, "sso.no_role",
			"none of your groups at the identity provider gives access to Embargo; ask your administrator")
	}
	mfa := slices.Contains(c.AMR, "mfa") || slices.Contains(c.AMR, "otp")
	return ssoIdentity{Issuer: idt.Issuer, Subject: idt.Subject, Email: email, Name: c.Name, Role: role,
		SecondFactor: mfa}, nil
}

// checkDomain refuses an address outside OIDCConfig.AllowedEmailDomains.
func (o *OIDC) checkDomain(email string) error {
	if len(o.cfg.AllowedEmailDomains) == 0 {
		return nil
	}
	domain := email[strings.LastIndexByte(email, '@')+1:]
	for _, d := range o.cfg.AllowedEmailDomains {
		if strings.EqualFold(d, domain) {
			return nil
		}
	}
	return errs.Coded(errs.Forbidden, "sso.email_domain", "e-mail addresses at %s may not sign in here", domain)
}

// groupsOf decodes a groups claim: a list of strings, or one string.
func groupsOf(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return []string{one}
	}
	return nil
}

// roleFor returns the role that groups map to: of all the mapped roles,
// the first in access.Roles() order, so the most privileged one wins.
func (o *OIDC) roleFor(groups []string) (access.Role, bool) {
	have := map[access.Role]bool{}
	for _, g := range groups {
		if r, ok := o.cfg.GroupRoles[g]; ok {
			have[r] = true
		}
	}
	for _, r := range access.Roles() {
		if have[r] {
			return r, true
		}
	}
	return "", false
}

// findUser returns the account linked to id, else the one with id's
// e-mail address (linked false), else a zero User (ID 0). It refuses
// disabled accounts and accounts of another organisation.
func (o *OIDC) findUser(ctx context.Context, id ssoIdentity) (u User, linked bool, err error) {
	u, err = o.svc.store.UserByIdentity(ctx, id.Issuer, id.Subject)
	linked = err == nil
	if errs.Is(err, errs.NotFound) {
		u, err = o.svc.store.UserByEmail(ctx, id.Email)
		if errs.Is(err, errs.NotFound) {
			return User{}, false, nil
		}
	}
	if err != nil {
		return User{}, false, err
	}
	if u.OrgID != o.cfg.OrgID {
		return User{}, false, errs.Coded(errs.Forbidden, "sso.other_org",
			"your account belongs to another organisation; sign in the way it uses")
	}
	if !u.DisabledAt.IsZero() {
		return User{}, false, errs.Coded(errs.Forbidden, "sso.disabled", "your account is disabled")
	}
	return u, linked, nil
}

// signIn spends the nonce, provisions the account and starts its session,
// in one transaction.
func (o *OIDC) signIn(ctx context.Context, id ssoIdentity, u User, linked bool, nonce string, c Client) (string, User, error) {
	if u.ID == 0 {
		// Nobody knows this password: the account signs in only through
		// the provider until an administrator sets one. Hashed outside the
		// transaction, which argon2id would hold for tens of milliseconds.
		u.PasswordHash = HashPassword(newSecret("sso_"))
	}
	token := newSecret("ses_")
	err := o.svc.store.TransactIdentity(ctx, func(tx Tx) (err error) {
		if err := spendNonce(ctx, tx, nonce); err != nil {
			return err
		}
		if u, err = o.provision(ctx, tx, id, u, linked); err != nil {
			return err
		}
		sess := Session{TokenHash: hashSecret(token), UserID: u.ID, CreatedAt: tx.Now(), LastSeenAt: tx.Now(),
			SecondFactor: id.SecondFactor, UserAgent: truncate(c.UserAgent, 300), RemoteAddr: c.RemoteAddr}
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		return record(ctx, tx, u.OrgID, userSubject(u.ID), "session.create", userSubject(u.ID), map[string]any{
			"method": "oidc", "issuer": id.Issuer, "second_factor": id.SecondFactor, "remote_addr": c.RemoteAddr})
	})
	if err != nil {
		return "", User{}, err
	}
	return token, u, nil
}

// spendNonce records a nonce as used, refusing one used before: the
// database, not this process, remembers, so replays are refused on every
// node. Nonces older than twice PendingMaxAge are forgotten, since their
// Pending can no longer complete (the margin covers clock skew).
func spendNonce(ctx context.Context, tx Tx, nonce string) error {
	if err := tx.DeleteOIDCNonces(ctx, tx.Now().Add(-2*PendingMaxAge)); err != nil {
		return err
	}
	err := tx.UseOIDCNonce(ctx, hashSecret(nonce), tx.Now())
	if errs.Is(err, errs.Conflict) {
		return ssoFailed(errors.New("nonce replayed"))
	}
	return err
}

// provision creates u when it is new (ID 0), links it to id when it is
// not linked yet, and gives it the role that id's groups map to.
func (o *OIDC) provision(ctx context.Context, tx Tx, id ssoIdentity, u User, linked bool) (User, error) {
	if u.ID == 0 {
		return o.createUser(ctx, tx, id, u.PasswordHash)
	}
	if !linked {
		if err := link(ctx, tx, id, u); err != nil {
			return u, err
		}
	}
	if u.Role == id.Role {
		return u, nil
	}
	if err := tx.SetRole(ctx, u.ID, id.Role); err != nil {
		return u, err
	}
	from := u.Role
	u.Role = id.Role
	return u, record(ctx, tx, u.OrgID, "oidc", "user.role_change", userSubject(u.ID),
		map[string]any{"from": from, "to": u.Role, "issuer": id.Issuer})
}

// createUser provisions the account of a first sign-in ("just in time").
func (o *OIDC) createUser(ctx context.Context, tx Tx, id ssoIdentity, passwordHash string) (User, error) {
	u := User{Email: id.Email, DisplayName: displayName(id), PasswordHash: passwordHash, OrgID: o.cfg.OrgID,
		Role: id.Role, Country: o.cfg.DefaultCountry, CreatedAt: tx.Now()}
	var err error
	if u.ID, err = tx.CreateUser(ctx, u); err != nil {
		return u, err
	}
	err = record(ctx, tx, u.OrgID, "oidc", "user.create", userSubject(u.ID), map[string]any{"email": u.Email,
		"org": u.OrgID, "role": u.Role, "country": u.Country, "method": "oidc", "issuer": id.Issuer})
	if err != nil {
		return u, err
	}
	return u, link(ctx, tx, id, u)
}

// link records that id's (issuer, subject) is account u.
func link(ctx context.Context, tx Tx, id ssoIdentity, u User) error {
	if err := tx.LinkIdentity(ctx, id.Issuer, id.Subject, u.ID, tx.Now()); err != nil {
		return err
	}
	return record(ctx, tx, u.OrgID, "oidc", "user.link_identity", userSubject(u.ID),
		map[string]any{"issuer": id.Issuer, "subject": id.Subject})
}

// displayName is the name claim, else the e-mail address's local part, at
// most 200 characters.
func displayName(id ssoIdentity) string {
	name := strings.TrimSpace(id.Name)
	if name == "" {
		name = id.Email[:strings.LastIndexByte(id.Email, '@')]
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}
