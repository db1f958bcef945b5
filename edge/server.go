// Package edge is Pier's hosting data plane: it serves the live deployment of
// every branch by Host header, as Amplify Hosting serves
// {displayName}.{appId}.amplifyapp.com.
//
// A request goes through these steps (DESIGN.md, "Request paths"):
//
//  1. Host → app and branch, from a per-app cache refreshed every SiteTTL.
//  2. Basic auth: the app's credentials if it has them on, else the
//     branch's (hosting-semantics §7.1).
//  3. File resolution with clean URLs (§1.5) in the branch's deployment.
//     Custom rules will run between steps 2 and 3.
//  4. The file: precompressed variant, ETag, Last-Modified, conditional and
//     range requests, Cache-Control. Small files come from memory; large
//     ones are copied from an *os.File, so the kernel's sendfile does it.
//
// Deployments are immutable, so the only state that can go stale is the
// branch → deployment mapping; callers that change it call Invalidate.
package edge

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/edge/rules"
)

// Store is the part of the metadata store the edge reads; every pier.Store
// satisfies it. Methods must be safe for concurrent use and return ENOTFOUND
// for what does not exist.
type Store interface {
	// FindApp returns an app by id whatever its account.
	FindApp(ctx context.Context, appID string) (*pier.App, error)
	// ListBranches lists an app's branches in creation order.
	ListBranches(ctx context.Context, accountID, appID string, p pier.Page) ([]*pier.Branch, string, error)
	// GetDeployment returns a deployment by id.
	GetDeployment(ctx context.Context, id string) (*pier.Deployment, error)
	// FindDomainAssociation returns the association of a custom domain
	// whatever its account.
	FindDomainAssociation(ctx context.Context, domain string) (*pier.DomainAssociation, error)
}

var _ Store = pier.Store(nil)

// Config configures a Server. Zero durations and sizes mean the defaults.
type Config struct {
	// BaseDomain is the parent of every app's default domain (required):
	// app appId is {appId}.{BaseDomain} and its branches are served at
	// {displayName}.{appId}.{BaseDomain}.
	BaseDomain string
	// Store is where apps, branches and deployments are read (required).
	Store Store
	// Blobs holds file bodies under pier.ContentKey(sha256) (required). A
	// store whose Open returns an *os.File lets large files go out by
	// sendfile.
	Blobs pier.BlobStore
	// Logger receives errors the edge cannot show clients; slog.Default()
	// if nil.
	Logger *slog.Logger
	// SiteTTL is how long an app's resolved branches and live deployments
	// are reused before the store is asked again (default 1s, so an edge on
	// another node than the one that published learns of a new deployment
	// within a second). Invalidate forgets them at once.
	SiteTTL time.Duration
	// MemoryBytes is the budget for file bodies held in memory, evicted
	// least recently used first (default 64 MiB).
	MemoryBytes int64
	// SmallFileBytes is the largest file held in memory (default 256 KiB,
	// at most MemoryBytes); larger files are read from Blobs per request.
	SmallFileBytes int64
	// Country returns the viewer's two-letter country code for the <CC>
	// conditions of custom rules, "" when unknown (nil: always unknown).
	Country func(*http.Request) string
	// Proxy serves the 200 rules whose target is an absolute URL; nil
	// answers them 502.
	Proxy Proxy
}

// Proxy forwards a request to an absolute URL (package edge/proxy).
type Proxy interface {
	Serve(w http.ResponseWriter, r *http.Request, target *url.URL)
	// Check reports whether target may be proxied to, without dialing.
	Check(target *url.URL) error
}

// Defaults of Config.
const (
	DefaultSiteTTL        = time.Second
	DefaultMemoryBytes    = 64 << 20
	DefaultSmallFileBytes = 256 << 10
)

// maxSites bounds how many apps' resolutions are cached (unknown apps
// included, so that a flood of random hosts cannot grow memory without
// bound); maxDeployments bounds the cached deployment manifests.
const (
	maxSites       = 10000
	maxDeployments = 64
)

// Server serves branches' live deployments. It is safe for concurrent use.
type Server struct {
	suffix         string // "." + lowercased base domain
	store          Store
	blobs          pier.BlobStore
	log            *slog.Logger
	smallFileBytes int64
	country        func(*http.Request) string
	proxy          Proxy

	sites       *cache[*site]           // by app id, for SiteTTL
	domains     *cache[*customDomain]   // by domain name, for SiteTTL (nil: none)
	deployments *cache[*deployment]     // by id, immutable
	bodies      *cache[*representation] // small files by sha256
}

// New returns a Server for cfg.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.SiteTTL <= 0 {
		cfg.SiteTTL = DefaultSiteTTL
	}
	if cfg.MemoryBytes <= 0 {
		cfg.MemoryBytes = DefaultMemoryBytes
	}
	if cfg.SmallFileBytes <= 0 {
		cfg.SmallFileBytes = DefaultSmallFileBytes
	}
	return &Server{
		suffix:         "." + strings.ToLower(strings.TrimSuffix(cfg.BaseDomain, ".")),
		store:          cfg.Store,
		blobs:          cfg.Blobs,
		log:            cfg.Logger,
		smallFileBytes: min(cfg.SmallFileBytes, cfg.MemoryBytes),
		country:        cfg.Country,
		proxy:          cfg.Proxy,
		sites:          newCache[*site](maxSites, cfg.SiteTTL),
		domains:        newCache[*customDomain](maxSites, cfg.SiteTTL),
		deployments:    newCache[*deployment](maxDeployments, 0),
		bodies:         newCache[*representation](cfg.MemoryBytes, 0),
	}
}

// Invalidate forgets what the edge knows about app appID, so the next
// request reads its branches afresh. Call it after publishing a deployment
// and after any change to the app or its branches (basic auth, display
// names, ttl, deletion); otherwise the change shows within SiteTTL.
func (s *Server) Invalidate(appID string) {
	s.sites.remove(strings.ToLower(appID))
}

// ServeHTTP serves r from the live deployment of the branch its Host names:
// basic auth, then custom rules and files (route), with custom headers on
// every response.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st, b, err := s.branch(r)
	if err != nil {
		s.fail(w, r, err)
		return
	} else if b == nil {
		writePage(w, http.StatusNotFound)
		return
	}
	if !authorized(b.auth, r) {
		setFields(w, st.headers.fields(r.URL.Path, http.StatusUnauthorized))
		w.Header().Set("WWW-Authenticate", challenge)
		writePage(w, http.StatusUnauthorized)
		return
	}
	if b.deploymentID == "" {
		writePage(w, http.StatusNotFound)
		return
	}
	d, err := s.deployment(r.Context(), b.deploymentID)
	if err != nil {
		if pier.ErrorCode(err) == pier.ENOTFOUND {
			// Deleted under a mapping up to SiteTTL old.
			writePage(w, http.StatusNotFound)
		} else {
			s.fail(w, r, err)
		}
		return
	}
	escaped := r.URL.EscapedPath()
	path, ok := cleanPath(escaped)
	if !ok {
		writePage(w, http.StatusBadRequest)
		return
	}
	req := rules.Request{Host: r.Host, Path: path, RawQuery: r.URL.RawQuery}
	if s.country != nil {
		req.Country = s.country(r)
	}
	o := route(st, d, req)
	hdr := d.headersFor(st)
	switch o.kind {
	case outRedirect, outCleanRedirect:
		location := o.target
		if o.kind == outCleanRedirect && r.URL.RawQuery != "" {
			location += "?" + r.URL.RawQuery
		}
		setFields(w, hdr.fields(path, o.status))
		w.Header().Set("Location", location)
		writePage(w, o.status)
	case outProxy:
		if b.auth != nil {
			r.Header.Del("Authorization") // the site's password is not the upstream's
		}
		// Custom headers override the upstream's, as they override a file's;
		// which apply depends on the status the upstream sends.
		s.serveProxy(&headerWriter{ResponseWriter: w, custom: hdr, path: path}, r, o.target)
	default:
		if o.file == nil {
			setFields(w, hdr.fields(path, o.status))
			writePage(w, o.status)
			return
		}
		s.serveFile(w, r, b, d, o, hdr.fields(path, o.status))
	}
}

// serveProxy forwards r to target, an absolute URL from a 200 rule.
func (s *Server) serveProxy(w http.ResponseWriter, r *http.Request, target string) {
	u, err := url.Parse(target)
	if err != nil || s.proxy == nil {
		writePage(w, http.StatusBadGateway)
		return
	}
	s.proxy.Serve(w, r, u)
}

// headerWriter sets custom headers on a response whose status is known only
// when it is written: a proxied one.
type headerWriter struct {
	http.ResponseWriter
	custom *customHeaders
	path   string // the decoded request path
	done   bool
}

// WriteHeader sets the custom headers for the final status, then writes it.
// Informational (1xx) responses get none.
func (w *headerWriter) WriteHeader(status int) {
	if !w.done && status >= http.StatusOK {
		w.done = true
		setFields(w.ResponseWriter, w.custom.fields(w.path, status))
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *headerWriter) Write(b []byte) (int, error) {
	if !w.done {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection, to flush.
func (w *headerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// branch returns the site and branch r's Host names, or a nil branch if
// there is none.
func (s *Server) branch(r *http.Request) (*site, *branchSite, error) {
	return s.lookup(r.Context(), r.Host)
}

// site returns the compiled app appID, nil if there is none.
func (s *Server) site(ctx context.Context, appID string) (*site, error) {
	return s.sites.get(ctx, appID, 1, func(ctx context.Context) (*site, error) {
		return loadSite(ctx, s.store, appID, s.log)
	})
}

// deployment returns deployment id; ENOTFOUND if it is gone.
func (s *Server) deployment(ctx context.Context, id string) (*deployment, error) {
	return s.deployments.get(ctx, id, 1, func(ctx context.Context) (*deployment, error) {
		d, err := s.store.GetDeployment(ctx, id)
		if err != nil {
			return nil, err
		}
		return newDeployment(ctx, s.blobs, d, s.log)
	})
}

// fail answers a request that failed with a 500 whose cause goes only to the
// log, or with nothing if the client went away.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return
	}
	s.log.Error("edge: serve", "host", r.Host, "path", r.URL.Path, "err", err)
	writePage(w, http.StatusInternalServerError)
}

// writePage writes a minimal HTML page for status; it names nothing about
// the site or the cause.
func writePage(w http.ResponseWriter, status int) {
	text := strconv.Itoa(status) + " " + http.StatusText(status)
	body := "<!DOCTYPE html>\n<html><head><title>" + text + "</title></head><body><h1>" + text + "</h1></body></html>\n"
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
