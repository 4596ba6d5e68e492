package report_test

import (
	"context"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/pgp"
	"github.com/embargohq/embargo/internal/report"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// TestEncryptedSubmission decrypts what a reporter encrypted to the
// instance's key on the form or the API: an armored block in the
// description and .gpg attachments, while the raw submission keeps the
// ciphertext; what cannot be decrypted is kept as it came.
func TestEncryptedSubmission(t *testing.T) {
	forEachDialect(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		key, err := pgp.Open(ctx, w.d.DB, w.kr, pgp.Identity{Name: "Acme PSIRT", Email: "psirt@example.cn"})
		if err != nil {
			t.Fatal(err)
		}
		w.svc.WithDecrypter(key)
		armored, err := pgp.Encrypt(key.PublicKey(), []byte("PoC: curl 'http://192.0.2.1/cgi-bin/admin?ping=;id'"), true)
		if err != nil {
			t.Fatal(err)
		}
		binary, err := pgp.Encrypt(key.PublicKey(), []byte("#!/bin/sh\necho exploit\n"), false)
		if err != nil {
			t.Fatal(err)
		}
		other, err := pgp.Encrypt(otherKey(t), []byte("not for us"), false)
		if err != nil {
			t.Fatal(err)
		}
		sub := sample()
		sub.Description = "细节已加密：\n" + string(armored) + "\n谢谢。"
		sub.Raw = []byte(sub.Description)
		sub.Attachments = []report.Attachment{{Name: "poc.sh.gpg", ContentType: "application/octet-stream", Data: binary},
			{Name: "wrong.gpg", Data: other}, {Name: "notes.txt", Data: []byte("plain")}}
		ack, err := w.svc.Submit(ctx, sub)
		if err != nil {
			t.Fatal(err)
		}
		d, err := w.svc.Get(ctx, w.p["triager"], ack.TrackingID)
		if err != nil {
			t.Fatal(err)
		}
		if !d.Encrypted || d.Description != "细节已加密：\nPoC: curl 'http://192.0.2.1/cgi-bin/admin?ping=;id'\n谢谢。" {
			t.Errorf("encrypted %v, description %q", d.Encrypted, d.Description)
		}
		var names []string
		for _, a := range d.Attachments {
			names = append(names, a.Name)
		}
		if strings.Join(names, ",") != "poc.sh,wrong.gpg,notes.txt" {
			t.Fatalf("attachments %q", names)
		}
		_, data, err := w.svc.Attachment(ctx, w.p["triager"], ack.TrackingID, d.Attachments[0].ID)
		if err != nil || string(data) != "#!/bin/sh\necho exploit\n" {
			t.Errorf("decrypted attachment %q, %v", data, err)
		}
		_, data, _ = w.svc.Attachment(ctx, w.p["triager"], ack.TrackingID, d.Attachments[1].ID)
		if string(data) != string(other) {
			t.Error("a message for another key was not kept as it came")
		}
		raw, err := w.svc.Raw(ctx, w.p["triager"], ack.TrackingID)
		if err != nil || !strings.Contains(string(raw), "-----BEGIN PGP MESSAGE-----") {
			t.Errorf("raw lost the ciphertext: %v", err)
		}
	})
}

// otherKey returns the public key of an instance that is not this one.
func otherKey(t *testing.T) string {
	t.Helper()
	other := newWorld(t, storetest.SQLiteDSN(t))
	k, err := pgp.Open(context.Background(), other.d.DB, other.kr, pgp.Identity{Name: "Other", Email: "other@example.cn"})
	if err != nil {
		t.Fatal(err)
	}
	return k.PublicKey()
}
