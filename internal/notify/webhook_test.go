package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/notify"
	"github.com/google/go-cmp/cmp"
)

var hookNow = time.Date(2026, 4, 1, 9, 30, 0, 0, time.UTC)

// receiver is a webhook receiver that verifies each request with
// notify.Verify and answers status.
type receiver struct {
	secret string
	status int
	header http.Header // extra answer headers
	got    []notify.WebhookBody
	hdrs   []http.Header
	errs   []error
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	err := notify.Verify(r.Header, body, rc.secret, hookNow.Add(10*time.Second), time.Minute)
	rc.errs = append(rc.errs, err)
	var b notify.WebhookBody
	if err := json.Unmarshal(body, &b); err != nil {
		rc.errs = append(rc.errs, err)
	}
	rc.got, rc.hdrs = append(rc.got, b), append(rc.hdrs, r.Header.Clone())
	for k, v := range rc.header {
		w.Header()[k] = v
	}
	w.WriteHeader(cmpInt(rc.status, http.StatusNoContent))
}

func cmpInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func TestWebhookSenderSignsAndDelivers(t *testing.T) {
	rc := &receiver{secret: "whsec-1"}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	s := &notify.WebhookSender{Now: func() time.Time { return hookNow }}
	m := notify.Message{OrgID: 3, Kind: notify.Webhook, DedupKey: "case:EMB-1:published", Target: srv.URL + "/hooks/embargo",
		Secret: "whsec-1", Event: "case.published", Subject: "公告", Text: "已发布", Data: json.RawMessage(`{"case":"EMB-1"}`)}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if len(rc.errs) != 1 || rc.errs[0] != nil {
		t.Fatalf("receiver's verification: %v", rc.errs)
	}
	want := notify.WebhookBody{ID: m.DedupKey, Event: m.Event, OrgID: 3, Subject: "公告", Text: "已发布", Data: m.Data}
	if diff := cmp.Diff(want, rc.got[0]); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	h := rc.hdrs[0]
	gotH := map[string]string{}
	for _, k := range []string{notify.HeaderTimestamp, notify.HeaderDelivery, notify.HeaderEvent, "Content-Type"} {
		gotH[k] = h.Get(k)
	}
	wantH := map[string]string{notify.HeaderTimestamp: strconv.FormatInt(hookNow.Unix(), 10), notify.HeaderDelivery: m.DedupKey,
		notify.HeaderEvent: "case.published", "Content-Type": "application/json; charset=utf-8"}
	if diff := cmp.Diff(wantH, gotH); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	if sig := h.Get(notify.HeaderSignature); !strings.HasPrefix(sig, "v1=") || len(sig) != 3+64 {
		t.Errorf("signature header %q, want v1=<64 hex digits>", sig)
	}
}

func TestWebhookSenderClassifiesAnswers(t *testing.T) {
	tests := []struct {
		status        int
		retryAfter    string
		wantErr       bool
		wantPermanent bool
	}{
		{200, "", false, false},
		{202, "", false, false},
		{301, "", true, false},
		{400, "", true, true},
		{404, "", true, true},
		{408, "", true, false},
		{410, "", true, true},
		{429, "120", true, false},
		{500, "", true, false},
		{503, "", true, false},
	}
	for _, tc := range tests {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			rc := &receiver{secret: "s", status: tc.status, header: http.Header{"Location": {"https://elsewhere.example/"}}}
			if tc.retryAfter != "" {
				rc.header.Set("Retry-After", tc.retryAfter)
			}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			err := (&notify.WebhookSender{}).Send(context.Background(), notify.Message{Kind: notify.Webhook, DedupKey: "k",
				Target: srv.URL + "/?token=hidden", Secret: "s", Event: "e"})
			if (err != nil) != tc.wantErr || notify.IsPermanent(err) != tc.wantPermanent {
				t.Errorf("Send = %v; want error %v, permanent %v", err, tc.wantErr, tc.wantPermanent)
			}
			if len(rc.got) != 1 {
				t.Errorf("the receiver got %d requests, want 1 (redirects are not followed)", len(rc.got))
			}
			var se *notify.SendError
			if tc.retryAfter != "" && (!errors.As(err, &se) || se.RetryAfter != 2*time.Minute) {
				t.Errorf("Send = %#v, want a retry after 2m", err)
			}
		})
	}
}

func TestWebhookSenderHidesURLInErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	target := srv.URL + "/hook?token=very-secret"
	srv.Close() // connection refused
	err := (&notify.WebhookSender{}).Send(context.Background(), notify.Message{Kind: notify.Webhook, DedupKey: "k",
		Target: target, Secret: "s", Event: "e"})
	if err == nil || notify.IsPermanent(err) {
		t.Fatalf("Send to a closed port = %v, want a temporary error", err)
	}
	if strings.Contains(err.Error(), "very-secret") {
		t.Errorf("the error shows the URL's token: %v", err)
	}
}

// signed returns headers signed with secret at ts.
func signed(secret string, ts int64, body string) http.Header {
	t := strconv.FormatInt(ts, 10)
	return http.Header{notify.HeaderTimestamp: {t}, notify.HeaderSignature: {"v1=" + notify.Sign(secret, t, []byte(body))}}
}

func TestVerify(t *testing.T) {
	const body = `{"id":"k"}`
	now := hookNow
	good := signed("s1", now.Unix(), body)
	tests := []struct {
		name string
		h    http.Header
		body string
		want error
	}{
		{"good", good, body, nil},
		{"edge of the window", signed("s1", now.Add(-5*time.Minute).Unix(), body), body, nil},
		{"too old", signed("s1", now.Add(-5*time.Minute-time.Second).Unix(), body), body, notify.ErrStale},
		{"from the future", signed("s1", now.Add(6*time.Minute).Unix(), body), body, notify.ErrStale},
		{"body changed", good, `{"id":"K"}`, notify.ErrBadSignature},
		{"wrong secret", signed("s2", now.Unix(), body), body, notify.ErrBadSignature},
		{"rotation: second signature matches", http.Header{notify.HeaderTimestamp: good[notify.HeaderTimestamp],
			notify.HeaderSignature: {"v1=" + strings.Repeat("0", 64) + ", " + good.Get(notify.HeaderSignature)}}, body, nil},
		{"unknown scheme only", http.Header{notify.HeaderTimestamp: good[notify.HeaderTimestamp],
			notify.HeaderSignature: {"v0=" + good.Get(notify.HeaderSignature)[3:]}}, body, notify.ErrNoSignature},
		{"no signature", http.Header{notify.HeaderTimestamp: good[notify.HeaderTimestamp]}, body, notify.ErrNoSignature},
		{"short signature", http.Header{notify.HeaderTimestamp: good[notify.HeaderTimestamp],
			notify.HeaderSignature: {"v1=abcd"}}, body, notify.ErrNoSignature},
		{"no timestamp", http.Header{notify.HeaderSignature: good[notify.HeaderSignature]}, body, notify.ErrBadTimestamp},
		{"timestamp in milliseconds", signed("s1", now.UnixMilli(), body), body, notify.ErrBadTimestamp},
		{"signed timestamp differs", http.Header{notify.HeaderTimestamp: {strconv.FormatInt(now.Unix()+1, 10)},
			notify.HeaderSignature: good[notify.HeaderSignature]}, body, notify.ErrBadSignature},
		{"padded timestamp", http.Header{notify.HeaderTimestamp: {"0" + good.Get(notify.HeaderTimestamp)},
			notify.HeaderSignature: good[notify.HeaderSignature]}, body, notify.ErrBadTimestamp},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := notify.Verify(tc.h, []byte(tc.body), "s1", now, 0); got != tc.want {
				t.Errorf("Verify = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSignKnownVector pins the v1 scheme (computed with Python's hmac), so
// receivers in other languages can check their code against it.
func TestSignKnownVector(t *testing.T) {
	const want = "b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
	if got := notify.Sign("secret", "1700000000", []byte("{}")); got != want {
		t.Errorf("Sign(secret, 1700000000, {}) = %s, want %s", got, want)
	}
}

// FuzzVerify feeds Verify arbitrary headers and bodies: it must never
// panic, and accept only what Sign signed.
func FuzzVerify(f *testing.F) {
	ts := strconv.FormatInt(hookNow.Unix(), 10)
	f.Add(ts, "v1="+notify.Sign("k", ts, []byte("{}")), "{}")
	f.Add(ts, "v1=zz,v1=,=,,v2=00", "")
	f.Add("-1", "v1="+strings.Repeat("a", 64), "x")
	f.Add("99999999999999999999", "", "")
	f.Fuzz(func(t *testing.T, ts, sig, body string) {
		h := http.Header{notify.HeaderTimestamp: {ts}, notify.HeaderSignature: {sig}}
		err := notify.Verify(h, []byte(body), "k", hookNow, time.Minute)
		// Hex digits may come in either case: they encode the same bytes.
		if err == nil && !strings.Contains(strings.ToLower(sig), notify.Sign("k", ts, []byte(body))) {
			t.Errorf("Verify accepted a signature Sign did not make: ts %q sig %q", ts, sig)
		}
	})
}
