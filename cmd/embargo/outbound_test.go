package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/notify/notifytest"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"
)

// TestOutboundMail runs the server with a real SMTP relay on loopback: a
// report with an address gets its acknowledgement by mail with the
// receipt and a working private link, the team's address hears of the
// report without its content, and a recipient the relay refuses ends as a
// dead letter that an administrator sees and sends again.
func TestOutboundMail(t *testing.T) {
	mb := &notifytest.Mailbox{RejectTo: map[string]*smtp.SMTPError{
		"gone@example.cn": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}}}
	relay := notifytest.Start(t, mb, nil)
	data := t.TempDir()
	mustSetUp(t, data)
	out, err := runCLI(t, "token", "create", "--data", data, "--user", "admin@example.cn", "--name", "ops", "--scopes", "org.manage")
	admin := regexp.MustCompile(`emb_[A-Za-z0-9_-]{43}`).FindString(out)
	if err != nil || admin == "" {
		t.Fatalf("token create = %q, %v", out, err)
	}
	base, _ := startServe(t, "--data", data, "--mail-relay", relay, "--mail-relay-tls", "none",
		"--mail-from", "Acme PSIRT <psirt@example.cn>", "--report-notify", "mailto:team@example.cn,mailto:gone@example.cn")

	body := `{"title":"AX3000 路由器命令注入","description":"ping 参数未过滤","reporter":{"name":"张三","email":"zhangsan@example.cn"}}`
	resp, err := http.Post(base+"api/v1/reports", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var ack struct {
		TrackingID string `json:"tracking_id"`
		Receipt    struct {
			ID     string `json:"id"`
			SHA256 string `json:"sha256"`
		} `json:"receipt"`
		StatusURL string `json:"status_url"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ack); err != nil || resp.StatusCode != 201 {
		t.Fatalf("submit: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()

	got := mb.Wait(t, 2, 20*time.Second)
	byTo := map[string]string{}
	for _, d := range got {
		if d.From != "psirt@example.cn" || len(d.To) != 1 {
			t.Errorf("envelope %q → %q", d.From, d.To)
			continue
		}
		byTo[d.To[0]] = mailText(t, d.Raw)
	}
	mailAck := byTo["zhangsan@example.cn"]
	for _, want := range []string{ack.TrackingID, ack.Receipt.ID, ack.Receipt.SHA256, base + strings.TrimPrefix(ack.StatusURL, "/")} {
		if !strings.Contains(mailAck, want) {
			t.Errorf("acknowledgement lacks %q:\n%s", want, mailAck)
		}
	}
	if r, page := mustGet(t, base+strings.TrimPrefix(ack.StatusURL, "/")); r.StatusCode != 200 || !strings.Contains(page, ack.TrackingID) {
		t.Errorf("the mailed link: %d", r.StatusCode)
	}
	if team := byTo["team@example.cn"]; !strings.Contains(team, base+"reports/"+ack.TrackingID) || strings.Contains(team, "命令注入") {
		t.Errorf("team announcement:\n%s", team)
	}

	// The refused recipient: a dead letter, listed for the administrator.
	api := func(method, path string) (int, []byte) {
		req, _ := http.NewRequest(method, base+path, nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	var dead []struct {
		ID        int64  `json:"id"`
		Target    string `json:"target"`
		LastError string `json:"last_error"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(dead) == 0 && time.Now().Before(deadline) {
		status, b := api("GET", "api/v1/outbox?state=dead")
		if status != 200 {
			t.Fatalf("GET outbox: %d %s", status, b)
		}
		if err := json.Unmarshal(b, &dead); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(dead) == 0 {
		_, all := api("GET", "api/v1/outbox")
		t.Logf("outbox: %s", all)
	}
	if len(dead) != 1 || strings.Contains(dead[0].Target, "gone@") || !strings.Contains(dead[0].LastError, "550") {
		t.Fatalf("dead letters: %+v", dead)
	}
	if status, b := api("POST", "api/v1/outbox/"+strconv.FormatInt(dead[0].ID, 10)+"/retry"); status != 204 {
		t.Errorf("retry: %d %s", status, b)
	}
	if status, b := api("POST", "api/v1/outbox/"+strconv.FormatInt(dead[0].ID, 10)+"/retry"); status != 409 && status != 204 {
		t.Errorf("retry again: %d %s", status, b) // 204 only if it already died again
	}
}

// mailText returns the text of a received message: its subject and
// every text part.
func mailText(t *testing.T, raw []byte) string {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := r.Header.Subject()
	var b strings.Builder
	b.WriteString(subject + "\n")
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h, ok := p.Header.(*mail.InlineHeader); ok && strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
			text, _ := io.ReadAll(p.Body)
			b.Write(text)
		}
	}
	return b.String()
}

// TestPasswordResetByMail resets the administrator's password through the
// link the server mails to a real SMTP relay, then signs in with it.
func TestPasswordResetByMail(t *testing.T) {
	mb := &notifytest.Mailbox{}
	relay := notifytest.Start(t, mb, nil)
	data := t.TempDir()
	mustSetUp(t, data)
	base, _ := startServe(t, "--data", data, "--mail-relay", relay, "--mail-relay-tls", "none")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values) (int, string) {
		resp, err := noRedirect.PostForm(base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, page := post("signin/forgot", url.Values{"email": {"nobody@example.cn"}}); status != 200 || !strings.Contains(page, "nobody@example.cn") {
		t.Errorf("unknown address: %d", status)
	}
	if status, _ := post("signin/forgot", url.Values{"email": {"admin@example.cn"}}); status != 200 {
		t.Fatalf("forgot: %d", status)
	}
	got := mb.Wait(t, 1, 20*time.Second)
	text := mailText(t, got[0].Raw)
	link := regexp.MustCompile(regexp.QuoteMeta(base) + `signin/reset\?token=[A-Za-z0-9_-]+`).FindString(text)
	if len(got) != 1 || got[0].To[0] != "admin@example.cn" || link == "" {
		t.Fatalf("mail to %v:\n%s", got[0].To, text)
	}
	if r, page := mustGet(t, link); r.StatusCode != 200 || !strings.Contains(page, `name="token"`) {
		t.Fatalf("reset page: %d", r.StatusCode)
	}
	token := strings.SplitN(link, "token=", 2)[1]
	if status, _ := post("signin/reset", url.Values{"token": {token}, "password": {"short"}}); status != 400 {
		t.Errorf("weak password: %d", status)
	}
	if status, _ := post("signin/reset", url.Values{"token": {token}, "password": {"a brand new passphrase"}}); status != 200 {
		t.Fatalf("reset: %d", status)
	}
	if status, _ := post("signin/reset", url.Values{"token": {token}, "password": {"another new passphrase"}}); status != 404 {
		t.Errorf("the link worked twice: %d", status)
	}
	if status, _ := post("signin", url.Values{"email": {"admin@example.cn"}, "password": {"a brand new passphrase"}}); status != 303 {
		t.Errorf("sign in with the new password: %d", status)
	}
}
