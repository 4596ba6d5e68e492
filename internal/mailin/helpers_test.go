package mailin_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/pgp"
	"github.com/embargohq/embargo/internal/report"
)

// memKeys is an in-memory pgp.Store and keyring.Store.
type memKeys struct {
	mu   sync.Mutex
	keys []pgp.StoredKey
	deks []keyring.WrappedKey
}

func (m *memKeys) OpenPGPKeys(context.Context) ([]pgp.StoredKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]pgp.StoredKey(nil), m.keys...), nil
}

func (m *memKeys) AddOpenPGPKey(_ context.Context, k pgp.StoredKey) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.keys) > 0 {
		return false, nil
	}
	k.Active = true
	m.keys = append(m.keys, k)
	return true, nil
}

func (m *memKeys) DataKeys(context.Context) ([]keyring.WrappedKey, error) {
	return append([]keyring.WrappedKey(nil), m.deks...), nil
}

func (m *memKeys) AddDataKey(_ context.Context, kekID string, wrapped []byte) (int64, error) {
	m.deks = append(m.deks, keyring.WrappedKey{ID: int64(len(m.deks) + 1), KEKID: kekID, Wrapped: wrapped, Active: true})
	return int64(len(m.deks)), nil
}

// mustInstanceKey returns a fresh instance key, as pgp.Open makes it.
func mustInstanceKey(t testing.TB) *pgp.Key {
	t.Helper()
	ctx := context.Background()
	st := &memKeys{}
	kr, err := keyring.Open(ctx, keyring.NewKey(), st)
	if err != nil {
		t.Fatal(err)
	}
	k, err := pgp.Open(ctx, st, kr, pgp.Identity{Name: "Embargo security intake", Email: "security@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// mustEncrypt encrypts plaintext to k's public key, armored, as a
// reporter's mail program would.
func mustEncrypt(t testing.TB, k *pgp.Key, plaintext string) string {
	t.Helper()
	armored, err := pgp.Encrypt(k.PublicKey(), []byte(plaintext), true)
	if err != nil {
		t.Fatal(err)
	}
	return string(armored)
}

// crlf joins lines with CRLF, the line end of mail on the wire.
func crlf(lines ...string) string {
	return strings.ReplaceAll(strings.Join(lines, "\n"), "\n", "\r\n")
}

// fakeSink records submissions; it fails while fail is set.
type fakeSink struct {
	mu   sync.Mutex
	subs []report.Submission
	seen map[string]bool
	fail bool
}

func (f *fakeSink) Submit(_ context.Context, s report.Submission) (report.Ack, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return report.Ack{}, errors.New("database is down")
	}
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	if s.DedupKey != "" && f.seen[s.DedupKey] {
		return report.Ack{TrackingID: "dup", Duplicate: true}, nil
	}
	f.seen[s.DedupKey] = true
	f.subs = append(f.subs, s)
	return report.Ack{TrackingID: "t", Receipt: report.Receipt{ID: fmt.Sprintf("rcpt-%d", len(f.subs))}}, nil
}

func (f *fakeSink) setFail(fail bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fail
}

func (f *fakeSink) submissions() []report.Submission {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]report.Submission(nil), f.subs...)
}

// mustTLS returns a server configuration with a fresh self-signed
// certificate for 127.0.0.1, and a client configuration that trusts it.
func mustTLS(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mail.test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	return server, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

// innerEntity is the MIME entity a PGP/MIME test message encrypts: a
// protected Subject, a text and an attachment.
func innerEntity() string {
	return crlf(
		`Content-Type: multipart/mixed; boundary="in"; protected-headers="v1"`,
		"Subject: =?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte("真正的标题"))+"?=",
		"",
		"--in",
		"Content-Type: text/plain; charset=utf-8",
		"",
		"秘密细节",
		"--in",
		`Content-Type: text/x-c; name="poc.c"`,
		`Content-Disposition: attachment; filename="poc.c"`,
		"",
		"int main(){}",
		"--in--",
		"",
	)
}

// pgpMIMEMessage returns an RFC 3156 encrypted message of inner to k.
func pgpMIMEMessage(t testing.TB, k *pgp.Key, inner string) string {
	return crlf(
		"From: Reporter <r@example.org>",
		"To: security@example.com",
		"Subject: ...",
		"Message-ID: <enc-1@example.org>",
		"MIME-Version: 1.0",
		`Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="enc"`,
		"",
		"This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)",
		"--enc",
		"Content-Type: application/pgp-encrypted",
		"Content-Description: PGP/MIME version identification",
		"",
		"Version: 1",
		"",
		"--enc",
		`Content-Type: application/octet-stream; name="encrypted.asc"`,
		`Content-Disposition: inline; filename="encrypted.asc"`,
		"",
		mustEncrypt(t, k, inner),
		"--enc--",
		"",
	)
}

// inlineMessage returns a text/plain message whose body has an inline
// encrypted block of plaintext to k between two clear lines.
func inlineMessage(t testing.TB, k *pgp.Key, plaintext string) string {
	return crlf(
		"From: r@example.org",
		"To: security@example.com",
		"Subject: inline",
		"Content-Type: text/plain; charset=utf-8",
		"",
		"clear before",
		mustEncrypt(t, k, plaintext),
		"clear after",
		"",
	)
}
