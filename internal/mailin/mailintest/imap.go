// Package mailintest runs a real IMAP server (go-imap's in-memory one) on
// loopback for tests of mail intake.
package mailintest

import (
	"crypto/tls"
	"net"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// The one user of the server.
const User, Password = "security@example.com", "s3cret-imap-password"

// StartIMAP runs an IMAP server on a loopback port until the test ends,
// with STARTTLS when tlsConfig is set, and one user whose INBOX holds msgs
// and who has a Processed mailbox; it returns the server's address.
func StartIMAP(t testing.TB, tlsConfig *tls.Config, msgs ...string) string {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(User, Password)
	for _, name := range []string{"INBOX", "Processed"} {
		if err := u.Create(name, nil); err != nil {
			t.Fatal(err)
		}
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		TLSConfig:    tlsConfig,
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	Append(t, l.Addr().String(), msgs...)
	return l.Addr().String()
}

// Append delivers msgs to the INBOX of the server at addr.
func Append(t testing.TB, addr string, msgs ...string) {
	t.Helper()
	c := Client(t, addr)
	for _, m := range msgs {
		cmd := c.Append("INBOX", int64(len(m)), nil)
		if _, err := cmd.Write([]byte(m)); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

// Client returns a client signed in to the server at addr, closed when the
// test ends.
func Client(t testing.TB, addr string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(User, Password).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}
