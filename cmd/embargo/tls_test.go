package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mustWriteCert writes a self-signed certificate for 127.0.0.1 and its key.
func mustWriteCert(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "embargo test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	_ = os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	_ = os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	return certFile, keyFile
}

// TestServeTLS serves HTTPS from certificate files and checks HSTS.
func TestServeTLS(t *testing.T) {
	cert, key := mustWriteCert(t)
	base, _ := startServe(t, "--data", t.TempDir(), "--tls-cert", cert, "--tls-key", key)
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("base URL %q is not https", base)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := client.Get(base + "healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("GET /healthz over TLS: %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
}

// TestMigrateCommands runs `migrate` and `migrate status` on a new database.
func TestMigrateCommands(t *testing.T) {
	data := t.TempDir()
	if _, err := runCLI(t, "migrate", "status", "--data", data); err == nil {
		t.Error("migrate status on a missing database succeeded")
	}
	out, err := runCLI(t, "migrate", "--data", data)
	if err != nil || !strings.Contains(out, "applied 0001_foundation") {
		t.Fatalf("migrate = %q, %v", out, err)
	}
	if out, _ := runCLI(t, "migrate", "up", "--data", data); !strings.Contains(out, "up to date") {
		t.Errorf("second migrate = %q", out)
	}
	out, err = runCLI(t, "migrate", "status", "--data", data)
	if err != nil || !strings.Contains(out, "foundation") || strings.Contains(out, "pending") {
		t.Errorf("migrate status = %q, %v", out, err)
	}
}
