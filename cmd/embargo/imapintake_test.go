package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/mailin/mailintest"
	"github.com/embargohq/embargo/internal/pgp"
	"github.com/embargohq/embargo/internal/report"
)

// TestIMAPIntakeThroughTheServer polls a real IMAP mailbox from a running
// server: an inline OpenPGP-encrypted report, encrypted to the key the
// server publishes, lands in the triage inbox decrypted, marked encrypted,
// and in the receipt log as an imap receipt.
func TestIMAPIntakeThroughTheServer(t *testing.T) {
	data := t.TempDir()
	mustSetUp(t, data)
	triager := mustTriager(t, data)

	imapAddr := mailintest.StartIMAP(t, nil)
	base, _ := startServe(t, "--data", data, "--imap-addr", imapAddr, "--imap-tls", "none", "--imap-user", mailintest.User,
		"--imap-password", mailintest.Password, "--imap-interval", "200ms", "--smtp-recipients", mailintest.User)
	_, key := mustGet(t, base+".well-known/openpgp-key.asc")
	secret := "固件 2.1.4 的 /cgi-bin/admin 中 ping 参数可注入命令。"
	body, err := pgp.Encrypt(key, []byte(secret), true)
	if err != nil {
		t.Fatal(err)
	}
	mailintest.Append(t, imapAddr, "From: Li Lei <lilei@example.cn>\r\nTo: "+mailintest.User+"\r\nSubject: Router command injection\r\n"+
		"Message-ID: <imap-1@example.cn>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+strings.ReplaceAll(string(body), "\n", "\r\n"))

	get := func(path string, v any) { apiGet(t, base, triager.bearer, path, v) }
	var inbox []struct {
		TrackingID string `json:"tracking_id"`
		Channel    string `json:"channel"`
		Title      string `json:"title"`
		Encrypted  bool   `json:"encrypted"`
	}
	for deadline := time.Now().Add(20 * time.Second); len(inbox) == 0 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		get("api/v1/reports", &inbox)
	}
	if len(inbox) != 1 || inbox[0].Channel != "imap" || inbox[0].Title != "Router command injection" || !inbox[0].Encrypted {
		t.Fatalf("inbox: %+v", inbox)
	}
	var one struct {
		Description string `json:"description"`
	}
	get("api/v1/reports/"+inbox[0].TrackingID, &one)
	if !strings.Contains(one.Description, secret) {
		t.Errorf("description not decrypted: %q", one.Description)
	}
	out, err := runCLI(t, "export", "receipts", "--data", data, "--format", "json")
	var r report.ReceiptRecord
	if err != nil || json.Unmarshal([]byte(out), &r) != nil {
		t.Fatalf("export: %v: %s", err, out)
	}
	if r.Channel != report.IMAP || r.TrackingID != inbox[0].TrackingID || r.Reporter.Email != "lilei@example.cn" || !r.Encrypted {
		t.Errorf("IMAP receipt = %+v", r)
	}
}
