package exposure

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path"
	"time"

	"github.com/embargohq/embargo/internal/access"
)

// MaxFeedBytes is the largest feed body a pull reads: a zip of OSV
// records of one ecosystem (osv.dev's Go/all.zip is a few MiB), or one
// OSV, CVE JSON 5 or CSAF record.
const MaxFeedBytes = 512 << 20

// FeedState is what the last import from a feed URL left: the validators
// the server sent with it, which the next pull sends back so that an
// unchanged feed is not downloaded again (RFC 9110 §13.1).
type FeedState struct {
	URL          string
	ETag         string // the ETag response header, as sent
	LastModified string // the Last-Modified response header, as sent
	Advisories   int    // how many advisories the copy held
	PulledAt     time.Time
}

// FeedStore keeps the feeds' states, so that a restart does not download
// them again.
type FeedStore interface {
	// FeedState returns the state of feed url: the zero state, with URL
	// set, for one never imported.
	FeedState(ctx context.Context, url string) (FeedState, error)
	// PutFeedState stores the state of feed s.URL.
	PutFeedState(ctx context.Context, s FeedState) error
}

// Feeds pulls advisory feeds from their URLs and imports them through
// Service.ImportAdvisories, as the system (access.System): a new record's
// matches open cases, an updated record is matched again, and a withdrawn
// one stops matching.
type Feeds struct {
	svc    *Service
	store  FeedStore
	client *http.Client
	urls   []string
}

// NewFeeds returns the puller of urls (each an OSV zip, or one OSV, CVE
// JSON 5 or CSAF record, sniffed by content), fetched with client and
// imported into svc.
func NewFeeds(svc *Service, st FeedStore, client *http.Client, urls []string) *Feeds {
	return &Feeds{svc: svc, store: st, client: client, urls: urls}
}

// PullResult says what one pull of one feed did.
type PullResult struct {
	URL string
	// NotModified is set when the server answered 304: nothing to do.
	NotModified bool
	Import      ImportSummary
	Took        time.Duration
	// Err is why the pull failed; the feed is tried again at the next
	// pull, with the validators of the last copy imported.
	Err error
}

// Pull pulls every feed once, one after the other, and says what each
// did. A failure stops only its own feed.
func (f *Feeds) Pull(ctx context.Context) []PullResult {
	out := make([]PullResult, 0, len(f.urls))
	for _, u := range f.urls {
		start := time.Now()
		r := f.pull(ctx, u)
		r.URL, r.Took = u, time.Since(start)
		out = append(out, r)
	}
	return out
}

// pull fetches url conditionally and imports what changed.
func (f *Feeds) pull(ctx context.Context, url string) (r PullResult) {
	defer func() {
		// A feed is remote, untrusted content: whatever it does to a
		// reader must not take the server down.
		if v := recover(); v != nil {
			r.Err = fmt.Errorf("feed %s: panic: %v", url, v)
		}
	}()
	st, err := f.store.FeedState(ctx, url)
	if err != nil {
		return PullResult{Err: err}
	}
	body, next, modified, err := f.fetch(ctx, st)
	if err != nil || !modified {
		return PullResult{NotModified: err == nil, Err: err}
	}
	advs, err := ReadAdvisories(path.Base(url), body)
	if err != nil {
		return PullResult{Err: fmt.Errorf("feed %s: %w", url, err)}
	}
	sum, err := f.svc.ImportAdvisories(ctx, access.System(), advs, nil)
	if err != nil {
		return PullResult{Import: sum, Err: fmt.Errorf("feed %s: %w", url, err)}
	}
	next.Advisories, next.PulledAt = len(advs), time.Now().UTC().Truncate(time.Microsecond)
	return PullResult{Import: sum, Err: f.store.PutFeedState(ctx, next)}
}

// fetch GETs st.URL with st's validators. It returns the body and the
// response's validators, or modified false when the server says the copy
// imported last is current (304 Not Modified).
func (f *Feeds) fetch(ctx context.Context, st FeedState) (body []byte, next FeedState, modified bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, st.URL, nil)
	if err != nil {
		return nil, st, false, fmt.Errorf("feed %s: %w", st.URL, err)
	}
	if st.ETag != "" {
		req.Header.Set("If-None-Match", st.ETag)
	}
	if st.LastModified != "" {
		req.Header.Set("If-Modified-Since", st.LastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, st, false, fmt.Errorf("feed %s: %w", st.URL, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		return nil, st, false, nil
	case http.StatusOK:
	default:
		return nil, st, false, fmt.Errorf("feed %s: HTTP %s", st.URL, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxFeedBytes+1))
	if err != nil {
		return nil, st, false, fmt.Errorf("feed %s: %w", st.URL, err)
	}
	if len(b) > MaxFeedBytes {
		return nil, st, false, fmt.Errorf("feed %s: over %d bytes", st.URL, MaxFeedBytes)
	}
	next = FeedState{URL: st.URL, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	return b, next, true, nil
}
