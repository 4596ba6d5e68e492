package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/google/go-cmp/cmp"
)

// TestCRAUserNotice is EU-14-6 (CRA Art. 14(8)) on a real server, as
// serve wires it: on an exploited case with EU-CRA on, the delivered
// notice campaign leaves eu.user_notice open, and publishing the advisory
// (GET …/advisory/csaf then answers) meets it with both as evidence.
func TestCRAUserNotice(t *testing.T) {
	hooks := newHookSink(t)
	data := t.TempDir()
	mustSetUp(t, data)
	co := mustRoleCaller(t, data, "compliance", access.ComplianceOfficer)
	author := mustRoleCaller(t, data, "author", access.Publisher)
	base, _ := startServe(t, "--data", data)
	call := func(who caller, method, path, body string, want int, v any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+who.bearer)
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
	type duty struct {
		Duty     string `json:"duty"`
		State    string `json:"state"`
		Evidence []struct {
			Kind string `json:"kind"`
			Ref  string `json:"ref"`
		} `json:"evidence"`
	}
	craNotice := func(cases string) (string, []string) {
		t.Helper()
		var ds []duty
		call(co, "GET", cases+"/obligations", "", 200, &ds)
		for _, d := range ds {
			if d.Duty == "eu.user_notice" {
				var ev []string
				for _, e := range d.Evidence {
					ev = append(ev, e.Kind+" "+e.Ref)
				}
				return d.State, ev
			}
		}
		t.Fatalf("no eu.user_notice on an exploited case under the CRA: %+v", ds)
		return "", nil
	}

	call(co, "PUT", "api/v1/obligation-settings", `{"regimes":{"EU-CRA":true}}`, 200, nil)
	call(co, "POST", "api/v1/products/import", `{"format":"embargo.products.v1","products":[{"name":"Router","models":[{"name":"R1","versions":[
		{"version":"1.0","line":"1.x"}]}]}]}`, 200, nil)
	call(co, "PUT", "api/v1/customers", `{"customers":[{"name":"下游厂商","kind":"downstream_vendor","country":"CN","webhook_url":"`+
		hooks.URL+`/in","runs":[{"product":"Router","model":"R1","version":"1.0"}]}]}`, 200, nil)
	var c struct {
		ID  int64  `json:"id"`
		Ref string `json:"ref"`
	}
	call(co, "POST", "api/v1/cases", `{"title":"路由器远程命令执行","summary":"管理接口未校验输入。"}`, 201, &c)
	cases := "api/v1/cases/" + strconv.FormatInt(c.ID, 10)
	call(co, "POST", cases+"/people", `{"user_id":`+strconv.FormatInt(author.userID, 10)+`,"role":"assignee"}`, 204, nil)
	aware := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	call(co, "PATCH", cases+"/facts", `{"user_action":true,"exploited_at":"`+aware+`","exploited_evidence":"CERT 通报"}`, 200, nil)
	call(co, "PUT", cases+"/assessment", `{"grade":"high","scope":[{"product":"Router","model":"R1","versions":"1.x"}]}`, 200, nil)
	for _, to := range []string{"verifying", "confirmed", "remediating"} {
		call(co, "POST", cases+"/transitions", `{"to":"`+to+`"}`, 200, nil)
	}
	call(co, "PUT", cases+"/remediation", `{"line":"1.x","status":"fixed","fixed_version":"1.2"}`, 200, nil)
	call(co, "POST", cases+"/transitions", `{"to":"fixed"}`, 200, nil)
	if st, ev := craNotice(cases); st != "pending" || len(ev) != 0 {
		t.Fatalf("eu.user_notice before anything: %s %v", st, ev)
	}
	// The case page offers a report package for the CRA's reports, not
	// for the user notice, which no report meets.
	req, _ := http.NewRequest("GET", base+"cases/"+strconv.FormatInt(c.ID, 10), nil)
	req.AddCookie(&http.Cookie{Name: "embargo_session", Value: co.cookie})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `id="duty-eu.user_notice"`) ||
		!strings.Contains(string(page), "/packages/eu.notification") || strings.Contains(string(page), "/packages/eu.user_notice") {
		t.Errorf("case page (%d): want the eu.user_notice row, a package for eu.notification and none for eu.user_notice", resp.StatusCode)
	}

	var cp campaignJSON
	call(co, "POST", cases+"/campaigns", `{"message_zh":"已被在野利用，请升级到 1.2。","message_en":"Exploited in the wild; upgrade to 1.2."}`, 201, &cp)
	campaign := cases + "/campaigns/" + strconv.FormatInt(cp.ID, 10)
	call(co, "POST", campaign+"/send", "", 202, nil)
	for deadline := time.Now().Add(30 * time.Second); cp.State != "delivered" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		call(co, "GET", campaign, "", 200, &cp)
	}
	if cp.State != "delivered" {
		t.Fatalf("campaign %s, want delivered", cp.State)
	}
	want := []string{"notice campaign:" + strconv.FormatInt(cp.ID, 10)}
	if st, ev := craNotice(cases); st == "met" || cmp.Diff(want, ev) != "" {
		t.Fatalf("eu.user_notice after the campaign alone: %s, evidence (-want +got):\n%s", st, cmp.Diff(want, ev))
	}

	var adv struct {
		Ref string `json:"ref"`
	}
	call(author, "POST", cases+"/advisory", "", 201, &adv)
	call(author, "POST", cases+"/advisory/submit", "", 200, nil)
	call(co, "POST", cases+"/advisory/approve", "", 200, nil)
	call(co, "POST", cases+"/advisory/publish", `{}`, 200, nil)
	call(co, "GET", cases+"/advisory/csaf", "", 200, nil)
	want = append(want, "advisory advisory:"+adv.Ref+"/1")
	if st, ev := craNotice(cases); st != "met" || cmp.Diff(want, ev) != "" {
		t.Errorf("eu.user_notice after the advisory: %s, evidence (-want +got):\n%s", st, cmp.Diff(want, ev))
	}
}
