// Package proxy is the reverse proxy behind Amplify's 200 rewrites to an
// absolute https:// URL (hosting-semantics §1.4).
//
// A Proxy forwards the request to the target URL computed by the rules
// engine and streams the upstream response back, status, headers and body,
// without following redirects. On the way it:
//
//   - refuses http:// targets unless Config.AllowHTTP, and destinations that
//     are not public (loopback, private, link-local, unspecified, multicast,
//     carrier-grade NAT, documentation and other special-purpose ranges)
//     unless Config.Allow lists them. IP literals and "localhost" names are
//     refused before anything is dialed; other host names are checked on
//     the address they resolve to, when connecting, so DNS rebinding cannot
//     reach a refused address;
//   - removes hop-by-hop headers both ways: Connection and the headers it
//     names, Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding and
//     Upgrade (so protocol upgrades such as WebSocket are not proxied);
//   - sets Host to the target's host and X-Forwarded-For (the client's
//     address only: forwarded headers from the client are not trusted),
//     X-Forwarded-Host and X-Forwarded-Proto;
//   - streams request bodies of at most 10 MiB; a larger one gets 413.
//
// Timing follows Amplify: each attempt must produce response headers within
// Config.AttemptTimeout (15 s), all attempts within Config.TotalTimeout
// (30 s). Once the response has started, each read of its body may wait at
// most AttemptTimeout; a stalled body is cut off, as the status has gone
// out already. GET, HEAD and OPTIONS requests without a body are retried,
// up to Config.Attempts (3) attempts in all, when connecting fails or an
// attempt times out before any response arrived; other requests are tried
// once.
//
// Every other failure before the response starts — a refused target, an
// unreachable or failing upstream, a timeout — is answered 502 Bad Gateway
// with a short body; the reason goes to the log, never to the client.
package proxy

import (
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"
)

// maxBody is the largest request body forwarded, in bytes.
const maxBody = 10 << 20

// Config configures a Proxy. Zero values mean the defaults.
type Config struct {
	// AllowHTTP permits http:// targets (Amplify proxies only to https).
	AllowHTTP bool
	// Allow lists destinations that may be reached even though they are
	// loopback, private, link-local or otherwise non-public: CIDR prefixes
	// ("127.0.0.0/8"), single IP addresses and host names ("api.internal").
	// A listed host name may resolve to any address. Everything non-public
	// is refused by default.
	Allow []string
	// AttemptTimeout bounds each attempt until response headers arrive, and
	// each wait for response body bytes; 15 s by default.
	AttemptTimeout time.Duration
	// TotalTimeout bounds all attempts until response headers arrive; 30 s
	// by default.
	TotalTimeout time.Duration
	// Attempts is the most attempts made for a retryable request; 3 by
	// default.
	Attempts int
	// Transport replaces the connection-level transport, for tests. The
	// default one re-checks every address it connects to against the
	// policy; a replacement gets only the checks made before dialing.
	Transport http.RoundTripper
	// Logger receives the reason of every 502; slog.Default() if nil.
	Logger *slog.Logger
}

// Proxy forwards requests to upstream URLs. It is safe for concurrent use.
type Proxy struct {
	policy    *policy
	transport *retrier
	logger    *slog.Logger
	errorLog  *log.Logger // for ReverseProxy's errors once a response has started
}

// New returns a Proxy configured by cfg, or an error naming the first
// invalid Allow entry.
func New(cfg Config) (*Proxy, error) {
	pol, err := newPolicy(cfg.AllowHTTP, cfg.Allow)
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	rt := &retrier{next: cfg.Transport, attempts: cfg.Attempts, attempt: cfg.AttemptTimeout, total: cfg.TotalTimeout}
	if rt.next == nil {
		rt.next = newTransport(pol)
	}
	if rt.attempts <= 0 {
		rt.attempts = 3
	}
	if rt.attempt <= 0 {
		rt.attempt = 15 * time.Second
	}
	if rt.total <= 0 {
		rt.total = 30 * time.Second
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	errorLog := slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	return &Proxy{policy: pol, transport: rt, logger: logger, errorLog: errorLog}, nil
}

// newTransport returns a transport that dials through the policy: a
// connection to an address it refuses fails before it is made, unless the
// host name was allowed by name. It ignores proxy environment variables,
// which would hide the destination address from the check.
func newTransport(pol *policy) *http.Transport {
	return &http.Transport{
		DialContext:       pol.guard.DialContext,
		ForceAttemptHTTP2: true,
		MaxIdleConns:      100,
		// Many requests go to the same few API hosts.
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// Check reports whether the policy allows target, without dialing: nil, or
// an error saying why not. A host name that is neither allowed by name nor
// a loopback name passes; its addresses are checked when connecting.
func (p *Proxy) Check(target *url.URL) error {
	return p.policy.check(target)
}

// Serve proxies r to target, an absolute URL whose scheme, host, path and
// query the rules engine computed. The request's headers are forwarded as
// they are, except hop-by-hop ones: a caller that consumed Authorization
// for basic auth removes it first. Serve replaces r.Body with a limited
// reader.
func (p *Proxy) Serve(w http.ResponseWriter, r *http.Request, target *url.URL) {
	if err := p.Check(target); err != nil {
		p.fail(w, r, target, err)
		return
	}
	if r.ContentLength > maxBody {
		p.fail(w, r, target, &http.MaxBytesError{Limit: maxBody})
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	rp := &httputil.ReverseProxy{
		Rewrite:        func(pr *httputil.ProxyRequest) { rewrite(pr, target) },
		Transport:      p.transport,
		ModifyResponse: func(res *http.Response) error { deleteProxyHeaders(res.Header); return nil },
		ErrorHandler:   func(w http.ResponseWriter, r *http.Request, err error) { p.fail(w, r, target, err) },
		ErrorLog:       p.errorLog,
	}
	rp.ServeHTTP(w, r)
}

// rewrite points the outgoing request at target. ReverseProxy has removed
// the standard hop-by-hop headers already, but keeps "TE: trailers" and
// protocol upgrades, which Amplify does not proxy.
func rewrite(pr *httputil.ProxyRequest, target *url.URL) {
	u := *target
	pr.Out.URL = &u
	pr.Out.Host = ""
	pr.SetXForwarded()
	for _, h := range []string{"Connection", "Te", "Upgrade"} {
		pr.Out.Header.Del(h)
	}
	deleteProxyHeaders(pr.Out.Header)
}

// deleteProxyHeaders deletes every Proxy-* header, which concern the hop
// between a client and its proxy.
func deleteProxyHeaders(h http.Header) {
	for k := range h {
		if strings.HasPrefix(http.CanonicalHeaderKey(k), "Proxy-") {
			delete(h, k)
		}
	}
}

// fail answers a request that could not be proxied: 413 for a body over the
// limit, else 502. The reason is logged, not shown.
func (p *Proxy) fail(w http.ResponseWriter, r *http.Request, target *url.URL, err error) {
	status, level := http.StatusBadGateway, slog.LevelWarn
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		status, level = http.StatusRequestEntityTooLarge, slog.LevelInfo
	case r.Context().Err() != nil:
		// The client went away; there is nobody to answer.
		level = slog.LevelDebug
	}
	p.logger.LogAttrs(r.Context(), level, "proxy failed",
		slog.String("method", r.Method), slog.String("host", target.Host),
		slog.Int("status", status), slog.String("error", err.Error()))
	http.Error(w, http.StatusText(status), status)
}
