package identity_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// The client registered at the test provider.
const (
	testClientID     = "embargo"
	testClientSecret = "s3cret"
	testRedirectURL  = "https://embargo.example.cn/sso/callback"
)

// testProvider is an OpenID provider on loopback (OIDC Core 1.0 and
// Discovery 1.0), for the authorization code flow with PKCE (RFC 7636).
// It issues RS256 ID tokens about one user, described by claims.
type testProvider struct {
	srv *httptest.Server
	now func() time.Time
	key *rsa.PrivateKey // advertised at /jwks

	mu sync.Mutex
	// claims are the user's claims (sub, email, groups, amr…); the token
	// endpoint adds iss, aud, exp, iat and nonce, then calls tweak.
	claims map[string]any
	tweak  func(claims map[string]any)
	// signKey, when set, signs ID tokens instead of key.
	signKey *rsa.PrivateKey
	grants  map[string]grant // by authorization code
}

// grant is what /authorize recorded for a code.
type grant struct {
	clientID, redirectURI, challenge, nonce string
}

// newTestProvider starts a provider signing with key, whose clock is now.
func newTestProvider(t testing.TB, key *rsa.PrivateKey, now func() time.Time) *testProvider {
	t.Helper()
	p := &testProvider{now: now, key: key, grants: map[string]grant{}, claims: map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// mustRSAKey returns a new RSA 2048 key.
func mustRSAKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// issuer is the provider's issuer URL.
func (p *testProvider) issuer() string { return p.srv.URL }

func (p *testProvider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.issuer(),
		"authorization_endpoint":                p.issuer() + "/authorize",
		"token_endpoint":                        p.issuer() + "/token",
		"jwks_uri":                              p.issuer() + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic"},
	})
}

func (p *testProvider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: string(jose.RS256), Use: "sig"}}})
}

// authorize signs the user in at once and redirects back with a code.
func (p *testProvider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("response_type") != "code" || q.Get("client_id") != testClientID || q.Get("redirect_uri") != testRedirectURL ||
		!strings.Contains(" "+q.Get("scope")+" ", " openid ") || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
		http.Error(w, "invalid_request", http.StatusBadRequest)
		return
	}
	code := rand.Text()
	p.mu.Lock()
	p.grants[code] = grant{clientID: testClientID, redirectURI: q.Get("redirect_uri"),
		challenge: q.Get("code_challenge"), nonce: q.Get("nonce")}
	p.mu.Unlock()
	back := url.Values{"code": {code}, "state": {q.Get("state")}}
	http.Redirect(w, r, q.Get("redirect_uri")+"?"+back.Encode(), http.StatusFound)
}

// token redeems a code once (RFC 6749 §4.1.3), checking the client, the
// redirect URI and the PKCE verifier (RFC 7636 §4.6).
func (p *testProvider) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok || id != testClientID || secret != testClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	p.mu.Lock()
	g, found := p.grants[r.PostFormValue("code")]
	delete(p.grants, r.PostFormValue("code"))
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	if r.PostFormValue("grant_type") != "authorization_code" || !found || g.redirectURI != r.PostFormValue("redirect_uri") ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	idToken, err := p.idToken(g)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": rand.Text(), "token_type": "Bearer",
		"expires_in": 300, "id_token": idToken})
}

// idToken returns a signed ID token for grant g.
func (p *testProvider) idToken(g grant) (string, error) {
	p.mu.Lock()
	claims := maps.Clone(p.claims)
	tweak, key := p.tweak, p.signKey
	p.mu.Unlock()
	if key == nil {
		key = p.key
	}
	now := p.now()
	claims["iss"], claims["aud"], claims["nonce"] = p.issuer(), g.clientID, g.nonce
	claims["iat"], claims["exp"] = now.Unix(), now.Add(5*time.Minute).Unix()
	if tweak != nil {
		tweak(claims)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// set replaces the user's claims, the tweak and the signing key.
func (p *testProvider) set(claims map[string]any, tweak func(map[string]any), signKey *rsa.PrivateKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.claims, p.tweak, p.signKey = claims, tweak, signKey
}

// mustAuthorize follows authURL as a browser would, up to the redirect
// back to Embargo, and returns the code and state of that redirect.
func (p *testProvider) mustAuthorize(t testing.TB, authURL string) (code, state string) {
	t.Helper()
	c := *p.srv.Client() // a copy: Embargo's client keeps following redirects
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), testRedirectURL+"?") {
		t.Fatalf("authorize: %s, Location %q (%v)", resp.Status, resp.Header.Get("Location"), err)
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
