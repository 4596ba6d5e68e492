package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/notify/notifytest"
	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"
)

// TestNoticeCampaign runs a case from confirmed to fixed on a real server,
// with two affected release lines and customers on both, and sends the
// notice through a real SMTP server on loopback and a webhook receiver:
// delivery is recorded per recipient, the affected-user duty turns met,
// the bounced address shows as not reached and is sent the notice again
// once corrected, and the customer abroad gets no undisclosed detail.
// The recipient acknowledges and asks for help through its link; the
// question is a comment on the case.
func TestNoticeCampaign(t *testing.T) {
	mb := &notifytest.Mailbox{RejectTo: map[string]*smtp.SMTPError{
		"bounce@cust.example.cn": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}}}
	relay := notifytest.Start(t, mb, nil)
	hooks := newHookSink(t)
	data := t.TempDir()
	mustSetUp(t, data)
	co := mustRoleCaller(t, data, "compliance", access.ComplianceOfficer)
	base, _ := startServe(t, "--data", data, "--mail-relay", relay, "--mail-relay-tls", "none", "--mail-from", "Acme PSIRT <psirt@example.cn>")
	call := func(method, path, body string, want int, v any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+co.bearer)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
		}
		if v != nil {
			if err := json.Unmarshal(b, v); err != nil {
				t.Fatalf("%s %s: %v: %s", method, path, err, b)
			}
		}
	}
	call("POST", "api/v1/products/import", `{"format":"embargo.products.v1","products":[{"name":"Router","models":[{"name":"R1","versions":[
		{"version":"1.0","line":"1.x"},{"version":"1.1","line":"1.x"},{"version":"2.0","line":"2.x"},{"version":"2.1","line":"2.x"}]}]}]}`, 200, nil)
	customers := func(bounce string) string {
		return `{"customers":[
			{"name":"甲客户","country":"CN","email":"ops@jia.example.cn","runs":[{"product":"Router","model":"R1","version":"1.0"}]},
			{"name":"Bounce Ltd","country":"CN","language":"en","email":"` + bounce + `","runs":[{"product":"Router","model":"R1","version":"2.1"}]},
			{"name":"下游厂商","kind":"downstream_vendor","country":"CN","webhook_url":"` + hooks.URL + `/in","runs":[
				{"product":"Router","model":"R1","version":"1.1"},{"product":"Router","model":"R1","version":"2.0"}]},
			{"name":"Beta GmbH","country":"DE","language":"en","email":"psirt@beta.example.de","runs":[{"product":"Router","model":"R1","version":"2.0"}]}]}`
	}
	call("PUT", "api/v1/customers", customers("bounce@cust.example.cn"), 200, nil)

	var c struct {
		ID  int64  `json:"id"`
		Ref string `json:"ref"`
	}
	call("POST", "api/v1/cases", `{"title":"路由器远程命令执行","summary":"管理接口未校验输入。"}`, 201, &c)
	cases := "api/v1/cases/" + strconv.FormatInt(c.ID, 10)
	call("PATCH", cases+"/facts", `{"user_action":true}`, 200, nil)
	call("PUT", cases+"/assessment", `{"grade":"high","scope":[{"product":"Router","model":"R1","versions":"1.x || 2.x"}]}`, 200, nil)
	for _, to := range []string{"verifying", "confirmed", "remediating"} {
		call("POST", cases+"/transitions", `{"to":"`+to+`"}`, 200, nil)
	}
	call("POST", cases+"/transitions", `{"to":"fixed"}`, 409, nil)
	call("PUT", cases+"/remediation", `{"line":"1.x","status":"fixed","fixed_version":"1.2"}`, 200, nil)
	call("PUT", cases+"/remediation", `{"line":"2.x","status":"fixed","fixed_version":"2.2","workaround":"关闭远程管理"}`, 200, nil)
	call("POST", cases+"/transitions", `{"to":"fixed"}`, 200, nil)

	var cp campaignJSON
	call("POST", cases+"/campaigns", `{"message_zh":"攻击者可远程执行命令。","message_en":"Remote command execution."}`, 201, &cp)
	campaign := cases + "/campaigns/" + strconv.FormatInt(cp.ID, 10)
	call("POST", campaign+"/send", "", 202, nil)
	waitCampaign := func(want []string) campaignJSON {
		t.Helper()
		var got campaignJSON
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			call("GET", campaign, "", 200, &got)
			if got.State != "sending" && cmp.Diff(want, got.states()) == "" {
				return got
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("campaign %s, recipients (-want +got):\n%s", got.State, cmp.Diff(want, got.states()))
		return got
	}
	got := waitCampaign([]string{"Beta GmbH delivered reduced", "Bounce Ltd bounced full", "下游厂商 delivered full", "甲客户 delivered full"})
	if got.State != "delivered" {
		t.Errorf("campaign state %s", got.State)
	}
	var duties []struct {
		Duty     string `json:"duty"`
		State    string `json:"state"`
		Evidence []struct {
			Ref string `json:"ref"`
		} `json:"evidence"`
	}
	call("GET", cases+"/obligations", "", 200, &duties)
	i := slices.IndexFunc(duties, func(d struct {
		Duty     string `json:"duty"`
		State    string `json:"state"`
		Evidence []struct {
			Ref string `json:"ref"`
		} `json:"evidence"`
	}) bool {
		return d.Duty == "cn.user_notice"
	})
	if i < 0 || duties[i].State != "met" || len(duties[i].Evidence) != 1 || duties[i].Evidence[0].Ref != "campaign:"+strconv.FormatInt(cp.ID, 10) {
		t.Errorf("affected-user duty: %+v", duties)
	}
	mails := map[string]string{}
	for _, m := range mb.Messages() {
		mails[m.To[0]] = mailText(t, m.Raw)
	}
	if beta := mails["psirt@beta.example.de"]; !strings.Contains(beta, "upgrade to 2.2") || strings.Contains(beta, "路由器远程命令执行") ||
		strings.Contains(beta, "Remote command execution") || strings.Contains(beta, c.Ref) {
		t.Errorf("the customer abroad got:\n%s", beta)
	}
	if jia := mails["ops@jia.example.cn"]; !strings.Contains(jia, "路由器远程命令执行") || !strings.Contains(jia, "升级到 1.2") {
		t.Errorf("the domestic customer got:\n%s", jia)
	}
	if b := hooks.bodies(); len(b) != 1 || !strings.Contains(string(b[0].Data), `"versions":["Router R1 1.1","Router R1 2.0"]`) {
		t.Errorf("webhooks: %+v", b)
	}

	// The bounced address, corrected, gets the notice again.
	call("PUT", "api/v1/customers", customers("ops@bounce.example.cn"), 200, nil)
	call("POST", campaign+"/resend", "", 202, nil)
	waitCampaign([]string{"Beta GmbH delivered reduced", "Bounce Ltd delivered full", "下游厂商 delivered full", "甲客户 delivered full"})

	// The recipient's link: acknowledge, then ask for help.
	token := regexp.MustCompile(`notices/r/([0-9a-f]{40})`).FindStringSubmatch(mails["ops@jia.example.cn"])
	if token == nil {
		t.Fatalf("no link in:\n%s", mails["ops@jia.example.cn"])
	}
	link := base + "notices/r/" + token[1]
	for _, form := range []struct{ path, body string }{{"/ack", ""}, {"/reply", "body=" + "升级后需要重启吗"}} {
		resp, err := http.Post(link+form.path, "application/x-www-form-urlencoded", strings.NewReader(form.body))
		if err != nil || resp.StatusCode != 200 { // after the redirect
			t.Fatalf("POST %s: %v %v", form.path, resp, err)
		}
		resp.Body.Close()
	}
	if r, page := mustGet(t, link); r.StatusCode != 200 || strings.Contains(page, "路由器远程命令执行") {
		t.Errorf("the recipient's page: %d\n%s", r.StatusCode, page)
	}
	var comments []struct {
		Author string `json:"author"`
		Body   string `json:"body"`
	}
	call("GET", cases+"/comments", "", 200, &comments)
	if len(comments) != 1 || comments[0].Author != "recipient:甲客户" || !strings.Contains(comments[0].Body, "重启") {
		t.Errorf("comments: %+v", comments)
	}
	waitCampaign([]string{"Beta GmbH delivered reduced", "Bounce Ltd delivered full", "下游厂商 delivered full", "甲客户 acknowledged full"})

	// A public subscription through the page /customers links to, listed
	// there masked, awaiting its confirmation.
	customersPage := func() string {
		t.Helper()
		req, _ := http.NewRequest("GET", base+"customers", nil)
		req.AddCookie(&http.Cookie{Name: "embargo_session", Value: co.cookie})
		req.Header.Set("Accept-Language", "en")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET /customers: %d", resp.StatusCode)
		}
		return string(b)
	}
	sub := regexp.MustCompile(`href="/(notices/subscribe/[0-9]+)"`).FindStringSubmatch(customersPage())
	if sub == nil {
		t.Fatal("/customers links to no subscription page")
	}
	resp, err := http.Post(base+sub[1], "application/x-www-form-urlencoded", strings.NewReader("email=reader%40example.org"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("subscribing: %v %v", resp, err)
	}
	resp.Body.Close()
	if page := customersPage(); !strings.Contains(page, "awaiting confirmation") || strings.Contains(page, "reader@example.org") {
		t.Errorf("/customers does not list the subscription masked and pending")
	}
}

// campaignJSON is a campaign as the API returns it.
type campaignJSON struct {
	ID         int64  `json:"id"`
	State      string `json:"state"`
	Recipients []struct {
		Name   string `json:"name"`
		State  string `json:"state"`
		Detail string `json:"detail"`
	} `json:"recipients"`
}

// states lists "name state detail", sorted.
func (c campaignJSON) states() []string {
	var out []string
	for _, r := range c.Recipients {
		out = append(out, r.Name+" "+r.State+" "+r.Detail)
	}
	slices.Sort(out)
	return out
}

// hookSink is a webhook receiver that keeps what it receives.
type hookSink struct {
	*httptest.Server
	mu  sync.Mutex
	got []notify.WebhookBody
}

func newHookSink(t testing.TB) *hookSink {
	h := &hookSink{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body notify.WebhookBody
		b, _ := io.ReadAll(r.Body)
		if err := json.NewDecoder(bytes.NewReader(b)).Decode(&body); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.got = append(h.got, body)
		h.mu.Unlock()
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookSink) bodies() []notify.WebhookBody {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

// mustRoleCaller adds a user with role to the instance in data, with
// two-factor, the statement accepted and an API token, before the server
// starts.
func mustRoleCaller(t *testing.T, data, name string, role access.Role) caller {
	t.Helper()
	c, _, _ := parseConfig(envFrom(nil), "test", []string{"--data", data}, nil)
	db, kr, err := openInstance(context.Background(), c, envFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return mustCaller(t, identity.NewService(db, identity.DefaultPolicy, nil).WithSealer(kr), name, 1, role)
}
