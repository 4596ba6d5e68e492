package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// result is what one load run measured.
type result struct {
	acked     int            // 201 with a tracking ID
	errors    int            // transport errors and other statuses
	byStatus  map[string]int // errors by status (or "transport")
	elapsed   time.Duration
	latencies []time.Duration // of acknowledged submissions
}

// load submits reports from o.concurrency clients for d, or until
// o.requests were sent, and measures them.
func load(ctx context.Context, o options, d time.Duration) result {
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		MaxIdleConns: o.concurrency, MaxIdleConnsPerHost: o.concurrency, IdleConnTimeout: time.Minute,
	}}
	defer client.CloseIdleConnections()
	var sent atomic.Int64
	parts := make([]result, o.concurrency)
	start := time.Now()
	// Clients start no submission after the deadline but finish the one in
	// flight: cancelling it would only measure the server's error path.
	deadline := start.Add(d)
	if o.requests > 0 {
		deadline = start.Add(24 * time.Hour)
	}
	var wg sync.WaitGroup
	for i := range parts {
		wg.Go(func() {
			parts[i] = client1(ctx, client, o, deadline, &sent)
		})
	}
	wg.Wait()
	return merge(parts, time.Since(start))
}

// client1 is one client: it submits one report after another.
func client1(ctx context.Context, c *http.Client, o options, deadline time.Time, sent *atomic.Int64) result {
	r := result{byStatus: map[string]int{}}
	for ctx.Err() == nil && time.Now().Before(deadline) {
		n := sent.Add(1)
		if o.requests > 0 && n > int64(o.requests) {
			break
		}
		t0 := time.Now()
		status, err := submit(ctx, c, o, n)
		if err != nil {
			r.errors++
			r.byStatus[status]++
			continue
		}
		r.acked++
		r.latencies = append(r.latencies, time.Since(t0))
	}
	return r
}

// submit sends report n and checks the acknowledgement.
func submit(ctx context.Context, c *http.Client, o options, n int64) (status string, err error) {
	body := reportJSON(n, o.size)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.url+"api/v1/reports", strings.NewReader(body))
	if err != nil {
		return "request", err
	}
	req.Header.Set("Content-Type", "application/json")
	if o.token != "" {
		req.Header.Set("Authorization", "Bearer "+o.token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "transport", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return "transport", err
	}
	if resp.StatusCode != http.StatusCreated {
		return resp.Status, fmt.Errorf("%s: %.200s", resp.Status, raw)
	}
	var ack struct {
		TrackingID string `json:"tracking_id"`
	}
	if err := json.Unmarshal(raw, &ack); err != nil || ack.TrackingID == "" {
		return "bad ack", fmt.Errorf("acknowledgement without a tracking ID: %.200s", raw)
	}
	return resp.Status, nil
}

// reportJSON is the body of report n, with about size bytes of
// description.
func reportJSON(n int64, size int) string {
	desc := fmt.Sprintf("Load test report %d. ", n)
	desc += strings.Repeat("x", max(size-len(desc), 1))
	b, _ := json.Marshal(map[string]any{
		"title": fmt.Sprintf("Bench report %d: command injection in ping", n), "description": desc,
		"product": "AX3000", "reporter": map[string]string{"name": "Bench", "email": "bench@example.cn"},
	})
	return string(b)
}

// merge adds up the clients' results.
func merge(parts []result, elapsed time.Duration) result {
	out := result{byStatus: map[string]int{}, elapsed: elapsed}
	for _, p := range parts {
		out.acked += p.acked
		out.errors += p.errors
		out.latencies = append(out.latencies, p.latencies...)
		for k, v := range p.byStatus {
			out.byStatus[k] += v
		}
	}
	slices.Sort(out.latencies)
	return out
}

// percentile returns the p-th percentile (0–100) of sorted latencies.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

func (r result) print(w io.Writer, o options) {
	secs := r.elapsed.Seconds()
	fmt.Fprintf(w, "clients %d, %.1fs: %d acknowledged (%.0f/s), %d errors %v\n",
		o.concurrency, secs, r.acked, float64(r.acked)/secs, r.errors, r.byStatus)
	l := r.latencies
	fmt.Fprintf(w, "latency p50 %s  p90 %s  p99 %s  max %s\n", ms(percentile(l, 50)), ms(percentile(l, 90)),
		ms(percentile(l, 99)), ms(percentile(l, 100)))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
