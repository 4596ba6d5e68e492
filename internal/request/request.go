// Package request carries per-request facts through a context: the request
// ID that ties log lines and audit events to one HTTP request or CLI call,
// the route pattern that served it (for metrics and logs), and the client's
// address as the server resolved it (behind trusted proxies, from
// X-Forwarded-For).
package request

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"net"
	"net/http"
	"sync/atomic"
)

// Info is what the server knows about a request in flight. The outermost
// middleware creates it; the router fills in Route once it has matched.
type Info struct {
	ID string
	// Client is the client's IP address: the connection's peer, or the
	// first untrusted address in X-Forwarded-For when the peer is a
	// trusted proxy. "" outside HTTP.
	Client string
	route  atomic.Pointer[string]
}

// Route returns the matched route pattern, or "" when nothing matched.
func (i *Info) Route() string {
	if p := i.route.Load(); p != nil {
		return *p
	}
	return ""
}

type infoKey struct{}

// WithInfo returns a copy of ctx that carries info.
func WithInfo(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, infoKey{}, info)
}

// WithID returns a copy of ctx that carries a request ID (for work that does
// not come through HTTP, such as a CLI command or a background job).
func WithID(ctx context.Context, id string) context.Context {
	return WithInfo(ctx, &Info{ID: id})
}

// ID returns the request ID carried by ctx, or "" when there is none.
func ID(ctx context.Context) string {
	if info, ok := ctx.Value(infoKey{}).(*Info); ok {
		return info.ID
	}
	return ""
}

// Client returns the client address carried by ctx, or "" when there is
// none.
func Client(ctx context.Context) string {
	if info, ok := ctx.Value(infoKey{}).(*Info); ok {
		return info.Client
	}
	return ""
}

// ClientAddr returns r's client address as the server resolved it, or,
// outside the server's middleware, the connection's peer without its port.
func ClientAddr(r *http.Request) string {
	if c := Client(r.Context()); c != "" {
		return c
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SetRoute records the matched route pattern on ctx's Info, if any.
func SetRoute(ctx context.Context, pattern string) {
	if info, ok := ctx.Value(infoKey{}).(*Info); ok {
		info.route.Store(&pattern)
	}
}

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a fresh random request ID: 16 characters of lower-case
// Crockford base32 (80 bits), short enough to quote in a support ticket.
func NewID() string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return idEncoding.EncodeToString(b[:])
}
