package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/report"
	"github.com/embargohq/embargo/internal/securitytxt"
)

// TestIntakeThroughTheServer submits reports to a running server through
// the API and the form, and finds each in the receipt log with the right
// fields (CN-05-2), exported and verified by the CLI.
func TestIntakeThroughTheServer(t *testing.T) {
	data := t.TempDir()
	mustSetUp(t, data)
	base, _ := startServe(t, "--data", data, "--report-rate", "5")

	body := `{"title":"AX3000 路由器命令注入","description":"ping 参数未过滤","product":"AX3000","reporter":{"name":"张三","email":"zhangsan@example.cn"}}`
	resp, err := http.Post(base+"api/v1/reports", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var ack struct {
		TrackingID string         `json:"tracking_id"`
		Receipt    report.Receipt `json:"receipt"`
		StatusURL  string         `json:"status_url"`
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/v1/reports: %d %s", resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, &ack); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	if !report.ValidTrackingID(ack.TrackingID) || ack.Receipt.ID != "rcpt-1" || ack.Receipt.SHA256 != hex.EncodeToString(sum[:]) ||
		ack.Receipt.ReceivedAt.IsZero() || !strings.HasPrefix(ack.StatusURL, "/report/s/") {
		t.Errorf("ack = %s", raw)
	}
	// The reporter's private link works without an account.
	if r, page := mustGet(t, base+strings.TrimPrefix(ack.StatusURL, "/")); r.StatusCode != 200 || !strings.Contains(page, ack.TrackingID) {
		t.Errorf("status page: %d", r.StatusCode)
	}

	// Bad input: a clear problem, nothing stored.
	for _, tc := range []struct{ body, want string }{
		{`{"title":"x"`, "JSON"},
		{`{"title":"","description":"y"}`, "title"},
		{`{"title":"x","description":"y","unknown":1}`, "unknown"},
	} {
		resp, err := http.Post(base+"api/v1/reports", "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(b), tc.want) {
			t.Errorf("%s: %d %s", tc.body, resp.StatusCode, b)
		}
	}

	// The form, with a file, in Chinese.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	_ = mw.WriteField("title", "管理界面越权访问")
	_ = mw.WriteField("description", "未登录即可访问 /admin/config")
	_ = mw.WriteField("email", "lisi@example.cn")
	fw, _ := mw.CreateFormFile("files", "poc.html")
	_, _ = fw.Write([]byte("<script>alert(1)</script>"))
	mw.Close()
	req, _ := http.NewRequest("POST", base+"report", bytes.NewReader(form.Bytes()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept-Language", "zh-CN")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(page), "跟踪编号") || !strings.Contains(string(page), "rcpt-2") {
		t.Errorf("form: %d %s", resp.StatusCode, page)
	}
	formSum := sha256.Sum256(form.Bytes())

	// The rate limit: five submissions an hour from this address, counted
	// across the API and the form (the refused ones count too).
	resp, err = http.Post(base+"api/v1/reports", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("over the limit: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	// The CLI exports both with every field, and the chain verifies.
	e := envFrom(nil)
	if err := run(t.Context(), []string{"embargo", "export", "receipts", "--data", data, "--format", "json"}, e.getenv, e.stdout, e.stderr); err != nil {
		t.Fatal(err)
	}
	var got []report.ReceiptRecord
	dec := json.NewDecoder(e.stdout.(*bytes.Buffer))
	for dec.More() {
		var r report.ReceiptRecord
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if len(got) != 2 {
		t.Fatalf("exported %d receipts, want 2", len(got))
	}
	if r := got[0]; r.Channel != report.API || r.TrackingID != ack.TrackingID || r.Reporter.Email != "zhangsan@example.cn" ||
		r.Product != "AX3000" || r.SHA256 != ack.Receipt.SHA256 || r.Size != int64(len(body)) || r.ReceivedCST == "" {
		t.Errorf("API receipt = %+v", r)
	}
	if r := got[1]; r.Channel != report.Web || r.Reporter.Email != "lisi@example.cn" || r.Attachments != 1 ||
		r.SHA256 != hex.EncodeToString(formSum[:]) {
		t.Errorf("form receipt = %+v", r)
	}
	e = envFrom(nil)
	if err := run(t.Context(), []string{"embargo", "verify", "receipts", "--data", data}, e.getenv, e.stdout, e.stderr); err != nil {
		t.Errorf("verify receipts: %v", err)
	}
	if out := e.stdout.(*bytes.Buffer).String(); !strings.Contains(out, "2 events") {
		t.Errorf("verify printed %q", out)
	}
	e = envFrom(nil)
	if err := run(t.Context(), []string{"embargo", "receipts", "purge", "--dry-run", "--data", data}, e.getenv, e.stdout, e.stderr); err != nil {
		t.Fatal(err)
	}
	if out := e.stdout.(*bytes.Buffer).String(); !strings.HasPrefix(out, "would remove 0 receipts") || !strings.Contains(out, "retention 12 months") {
		t.Errorf("purge --dry-run printed %q", out)
	}
	e = envFrom(map[string]string{"EMBARGO_RECEIPT_RETENTION": "5"})
	if err := run(t.Context(), []string{"embargo", "receipts", "purge", "--data", data}, e.getenv, e.stdout, e.stderr); err == nil ||
		!strings.Contains(err.Error(), "at least 6 months") {
		t.Errorf("purge with 5 months: %v", err)
	}
}

// TestSMTPIntakeThroughTheServer sends a report in a real SMTP session to
// the listener of a running server and finds it in the receipt log.
func TestSMTPIntakeThroughTheServer(t *testing.T) {
	data := t.TempDir()
	mustSetUp(t, data)
	triager := mustTriager(t, data)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base, _ := startServe(t, "--data", data, "--smtp-addr", addr, "--smtp-recipients", "psirt@example.cn")
	msg := "From: =?UTF-8?B?546L5LqU?= <wangwu@example.cn>\r\nTo: psirt@example.cn\r\n" +
		"Subject: =?UTF-8?B?6Lev55Sx5Zmo5ZG95Luk5rOo5YWl?=\r\nMessage-ID: <r1@example.cn>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nping 参数未过滤。\r\n"
	if err := smtp.SendMail(addr, nil, "wangwu@example.cn", []string{"psirt@example.cn"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := smtp.SendMail(addr, nil, "wangwu@example.cn", []string{"someone-else@example.cn"}, []byte(msg)); err == nil {
		t.Error("mail to an address the listener does not take was accepted")
	}
	e := envFrom(nil)
	if err := run(t.Context(), []string{"embargo", "export", "receipts", "--data", data, "--format", "json"}, e.getenv, e.stdout, e.stderr); err != nil {
		t.Fatal(err)
	}
	var r report.ReceiptRecord
	if err := json.Unmarshal(e.stdout.(*bytes.Buffer).Bytes(), &r); err != nil {
		t.Fatalf("export: %v: %s", err, e.stdout)
	}
	if r.Channel != report.SMTP || r.Reporter.Email != "wangwu@example.cn" || r.Reporter.Name != "王五" || !strings.HasPrefix(r.Actor, "smtp:127.0.0.1") {
		t.Errorf("SMTP receipt = %+v", r)
	}
	// And in the triage inbox, with the decoded subject as its title.
	var inbox []struct {
		TrackingID string `json:"tracking_id"`
		Channel    string `json:"channel"`
		Title      string `json:"title"`
	}
	apiGet(t, base, triager.bearer, "api/v1/reports", &inbox)
	if len(inbox) != 1 || inbox[0].TrackingID != r.TrackingID || inbox[0].Channel != "smtp" || inbox[0].Title != "路由器命令注入" {
		t.Errorf("inbox = %+v", inbox)
	}
}

// mustTriager adds a triager to the instance in data, with two-factor,
// the statement accepted and an API token, before the server starts.
func mustTriager(t *testing.T, data string) caller {
	t.Helper()
	return mustRoleCaller(t, data, "triager", access.Triager)
}

// apiGet GETs path with a bearer token and decodes the JSON answer into v.
func apiGet(t *testing.T, base, bearer, path string, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || json.Unmarshal(b, v) != nil {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
}

// TestSecurityTxt fetches security.txt from a running server and checks it
// against RFC 9116 (RFC-9116-1): text/plain in UTF-8, a Contact, one
// Expires in the future, the key it names served, and a valid signature
// block around it.
func TestSecurityTxt(t *testing.T) {
	data := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	startServe(t, "--data", data, "--addr", addr, "--base-url", "https://psirt.example.cn")
	base := "http://" + addr + "/"
	resp, body := mustGet(t, base+".well-known/security.txt")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("security.txt: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	problems, warnings := securitytxt.Lint([]byte(body), time.Now())
	if len(problems)+len(warnings) != 0 {
		t.Errorf("RFC 9116 check: %q %q\n%s", problems, warnings, body)
	}
	for _, want := range []string{"-----BEGIN PGP SIGNED MESSAGE-----", "Contact: https://psirt.example.cn/report",
		"Encryption: https://psirt.example.cn/.well-known/openpgp-key.asc", "Preferred-Languages: zh, en",
		"Canonical: https://psirt.example.cn/.well-known/security.txt", "Policy: https://psirt.example.cn/policy",
		"-----END PGP SIGNATURE-----"} {
		if !strings.Contains(body, want) {
			t.Errorf("security.txt lacks %q:\n%s", want, body)
		}
	}
	resp, key := mustGet(t, base+".well-known/openpgp-key.asc")
	if resp.StatusCode != 200 || !strings.HasPrefix(key, "-----BEGIN PGP PUBLIC KEY BLOCK-----") {
		t.Errorf("openpgp key: %d %.40q", resp.StatusCode, key)
	}
}
