// Package server assembles Embargo's HTTP surfaces (web UI, REST API,
// health and metrics endpoints) into one http.Handler behind the shared
// middleware: request IDs, structured access logs, metrics, security
// headers, cross-origin protection and request size limits.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Surface is one HTTP surface: a handler that knows the patterns it serves.
type Surface interface {
	http.Handler
	Patterns() []string
}

// Config is what New needs. Logger and Registry are required; Web and API
// may be nil in tests that exercise the middleware alone.
type Config struct {
	Logger   *slog.Logger
	Registry *prometheus.Registry
	// Ready reports whether the server can serve (the database answers).
	Ready func(context.Context) error
	// TLS says the server is reached over HTTPS, which turns on HSTS and
	// Secure cookies.
	TLS bool
	// MaxBodyBytes caps every request body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// BodyLimits raise (or lower) the cap for some requests: a key is a
	// method and a path prefix, "POST /report", and the longest matching
	// prefix wins. Uploads with attachments use it.
	BodyLimits map[string]int64
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; with none, the connection's peer is the client.
	TrustedProxies []netip.Prefix
	Web            Surface
	API            Surface
}

// DefaultMaxBodyBytes is the request body limit when Config leaves it 0.
// Larger uploads (attachments) get their own, explicit limits.
const DefaultMaxBodyBytes = 1 << 20

// APIPrefix is the path under which the REST API is mounted.
const APIPrefix = "/api/v1/"

// New returns the root handler.
func New(cfg Config) http.Handler {
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", readyHandler(cfg))
	mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{Registry: cfg.Registry}))
	if cfg.API != nil {
		mux.Handle(APIPrefix, cfg.API)
	}
	if cfg.Web != nil {
		mux.Handle("/", cfg.Web)
	}
	m := newMetrics(cfg.Registry)
	var h http.Handler = mux
	h = limitBody(h, cfg.MaxBodyBytes, cfg.BodyLimits)
	h = http.NewCrossOriginProtection().Handler(h)
	h = secureHeaders(h, cfg.TLS)
	h = observe(h, cfg.Logger, m, cfg.TrustedProxies)
	h = recoverPanics(h, cfg.Logger)
	return h
}

func readyHandler(cfg Config) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if cfg.Ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			if err := cfg.Ready(ctx); err != nil {
				cfg.Logger.Warn("not ready", "err", err)
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte("not ready\n"))
				return
			}
		}
		_, _ = w.Write([]byte("ready\n"))
	}
}
