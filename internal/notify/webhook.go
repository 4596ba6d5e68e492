package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The webhook headers. X-Embargo-Signature is "v1=<hex>", the lower-case
// hex HMAC-SHA256, keyed with the target's secret, of
// "<X-Embargo-Timestamp>.<request body>"; it may list several
// comma-separated signatures (during a secret rotation), and a receiver
// accepts the request when any v1 signature matches.
const (
	HeaderTimestamp = "X-Embargo-Timestamp" // Unix seconds of the attempt
	HeaderSignature = "X-Embargo-Signature"
	HeaderDelivery  = "X-Embargo-Delivery" // the dedup key: the same on every attempt
	HeaderEvent     = "X-Embargo-Event"
)

// WebhookBody is the JSON a webhook receives.
type WebhookBody struct {
	ID      string          `json:"id"` // the dedup key, as X-Embargo-Delivery
	Event   string          `json:"event,omitempty"`
	OrgID   int64           `json:"org_id,omitempty"`
	Subject string          `json:"subject,omitempty"`
	Text    string          `json:"text,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// WebhookSender posts signed JSON to webhook targets.
type WebhookSender struct {
	Client *http.Client     // http.Client with no redirects when nil
	Now    func() time.Time // time.Now when nil
	// UserAgent is sent with each request ("Embargo-Webhook/1").
	UserAgent string
}

// Send implements Sender. A 2xx answer is delivery; 4xx other than 408
// and 429 is a permanent failure; anything else is retried, no sooner
// than a Retry-After header asks.
func (s *WebhookSender) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(WebhookBody{ID: m.DedupKey, Event: m.Event, OrgID: m.OrgID, Subject: m.Subject,
		Text: m.Text, Data: m.Data})
	if err != nil {
		return Permanent(fmt.Errorf("webhook: encode: %w", err))
	}
	ts := strconv.FormatInt(nowOr(s.Now)().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Target, bytes.NewReader(body))
	if err != nil {
		return Permanent(errors.New("webhook: the target is not a valid URL"))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", cmpStr(s.UserAgent, "Embargo-Webhook/1"))
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, "v1="+Sign(m.Secret, ts, body))
	req.Header.Set(HeaderDelivery, m.DedupKey)
	if m.Event != "" {
		req.Header.Set(HeaderEvent, m.Event)
	}
	resp, err := client(s.Client).Do(req)
	if err != nil {
		return Temporary(fmt.Errorf("webhook: %w", transportError(err)), 0)
	}
	defer drain(resp)
	return statusError("webhook", resp)
}

// Sign returns the hex HMAC-SHA256 of "<timestamp>.<body>" keyed with
// secret: the v1 signature.
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// The errors of Verify.
var (
	ErrNoSignature  = errors.New("notify: no v1 signature in " + HeaderSignature)
	ErrBadTimestamp = errors.New("notify: " + HeaderTimestamp + " is not a Unix time in seconds")
	ErrStale        = errors.New("notify: the webhook's timestamp is outside the tolerance window")
	ErrBadSignature = errors.New("notify: no signature matches the body")
)

// Verify checks a webhook request for a receiver: h holds its headers,
// body its raw body. The timestamp must be within tolerance of now (either
// way; 5 minutes when tolerance is 0), which bounds replays, and one v1
// signature must match. It returns nil, or one of ErrNoSignature,
// ErrBadTimestamp, ErrStale and ErrBadSignature.
func Verify(h http.Header, body []byte, secret string, now time.Time, tolerance time.Duration) error {
	ts := h.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec < 0 || len(ts) > 12 || ts != strconv.FormatInt(sec, 10) {
		return ErrBadTimestamp
	}
	if tolerance <= 0 {
		tolerance = 5 * time.Minute
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	sigs := parseSignatures(h.Get(HeaderSignature))
	if len(sigs) == 0 {
		return ErrNoSignature
	}
	want, _ := hex.DecodeString(Sign(secret, ts, body))
	for _, sig := range sigs {
		if hmac.Equal(sig, want) {
			return nil
		}
	}
	return ErrBadSignature
}

// parseSignatures returns the well-formed v1 signatures of a signature
// header ("v1=<hex>[,v1=<hex>…]"); other schemes and malformed entries are
// skipped.
func parseSignatures(header string) [][]byte {
	var out [][]byte
	for part := range strings.SplitSeq(header, ",") {
		scheme, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || scheme != "v1" || len(value) != 2*sha256.Size {
			continue
		}
		if b, err := hex.DecodeString(value); err == nil {
			out = append(out, b)
		}
		if len(out) == 8 { // enough for any rotation; bounds the work
			break
		}
	}
	return out
}

// statusError classifies an HTTP answer: nil for 2xx.
func statusError(what string, resp *http.Response) error {
	c := resp.StatusCode
	switch {
	case c >= 200 && c < 300:
		return nil
	case c >= 400 && c < 500 && c != http.StatusRequestTimeout && c != http.StatusTooManyRequests:
		return Permanent(fmt.Errorf("%s: the receiver refused the message: HTTP %d", what, c))
	}
	return Temporary(fmt.Errorf("%s: HTTP %d", what, c), parseRetryAfter(resp.Header.Get("Retry-After")))
}

// parseRetryAfter reads a Retry-After header in seconds (RFC 9110 §10.2.3;
// the HTTP-date form is rare from webhooks and ignored).
func parseRetryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(min(n, 86400)) * time.Second
}

// transportError strips the URL from a client error: robot URLs carry
// their tokens, and the error is stored and logged.
func transportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}

// noRedirects is the default client: a signed POST is not followed
// elsewhere, and a redirect counts as a failure to retry.
var noRedirects = &http.Client{
	Timeout:       time.Minute,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func client(c *http.Client) *http.Client {
	if c == nil {
		return noRedirects
	}
	return c
}

// drain reads a little of the body, so the connection can be reused, and
// closes it.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

func nowOr(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

func cmpStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
