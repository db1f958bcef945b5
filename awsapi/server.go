// Package awsapi serves the AWS Amplify API over restJson1: one route table,
// one error table and one response writer in front of the service package.
package awsapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/awsapi/sigv4"
	"github.com/pier-hosting/pier/service"
)

// DefaultMaxBodyBytes bounds request bodies; the largest amplify inputs
// (build specs, custom headers, environment maps) are far smaller.
const DefaultMaxBodyBytes = 10 << 20

// Server is the http.Handler of the amplify API. Every request is
// authenticated with SigV4 before it is routed, except those of signed URLs
// and webhook URLs, which carry their credentials in the URL, and the Git
// provider events of GitEventsPath, which are signed with the app's secret.
type Server struct {
	svc      *service.Service
	verifier *sigv4.Verifier
	log      *slog.Logger
	routes   []*route
	// MaxBodyBytes bounds request bodies (DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// EdgeURL is the edge's base URL reported by /_pier/info ("" when this
	// node runs no edge).
	EdgeURL string
	// Tracer serves TracePath; nil when this node runs no edge.
	Tracer Tracer
	// webhookLimits rate-limits each webhook's calls on this node.
	webhookLimits *rateLimiter
	// gitEventLimits rate-limits each app's Git events on this node.
	gitEventLimits *rateLimiter

	// Certificates serves CertificatesPath (certificates.go); nil answers
	// that this server imports none.
	Certificates pier.CertificateImporter
}

// NewServer returns the API handler over svc, authenticating with verifier.
func NewServer(svc *service.Service, verifier *sigv4.Verifier, log *slog.Logger) *Server {
	return &Server{svc: svc, verifier: verifier, log: log, routes: append(amplifyRoutes(), backendRoutes()...), MaxBodyBytes: DefaultMaxBodyBytes,
		webhookLimits:  newRateLimiter(WebhookBurst, WebhookInterval, time.Now),
		gitEventLimits: newRateLimiter(GitEventBurst, GitEventInterval, time.Now)}
}

// request is what a handler gets: the caller's account and the decoded,
// validated input keyed by the model's member names.
type request struct {
	account string
	in      map[string]any
}

// ServeHTTP authenticates, routes, decodes, calls and encodes one API call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.EscapedPath(), signedPrefix) {
		s.serveSigned(w, r)
		return
	}
	if r.URL.EscapedPath() == WebhookPath {
		s.serveWebhook(w, r) // authenticated by the token in its URL, not SigV4
		return
	}
	if appID := gitEventsApp(r.URL.EscapedPath()); appID != "" {
		s.serveGitEvent(w, r, appID) // signed with the app's secret, not SigV4
		return
	}
	start := time.Now()
	reqID := pier.NewUUID()
	w.Header().Set("x-amzn-RequestId", reqID)
	op, status, err := s.serve(w, r)
	if err != nil {
		status = s.writeError(w, op, err)
	}
	attrs := []any{"request_id", reqID, "method", r.Method, "path", r.URL.EscapedPath(), "op", op.name(), "status", status, "duration", time.Since(start)}
	var we wireError
	if pier.ErrorCode(err) == pier.EINTERNAL && !errors.As(err, &we) {
		s.log.Error("api call failed", append(attrs, "err", err)...)
	} else {
		s.log.Debug("api call", attrs...)
	}
}

// serve runs one call and writes its success response; a returned error is
// written by the caller.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) (*route, int, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, 0, wireError{errEntityTooLarge, "The request body is larger than the limit."}
		}
		return nil, 0, pier.Errorf(pier.EINVALID, "Could not read the request body.")
	}
	id, err := s.verifier.Verify(r, body)
	if err != nil {
		return nil, 0, err
	}
	if r.URL.EscapedPath() == TracePath {
		return nil, http.StatusOK, s.serveTrace(w, r, id.AccountID)
	}
	if r.URL.EscapedPath() == GitEventsPath {
		return nil, http.StatusOK, s.serveGitEventsInfo(w, r, id.AccountID)
	}
	if r.URL.EscapedPath() == CertificatesPath {
		return nil, http.StatusOK, s.serveCertificates(w, r, id.AccountID, body)
	}
	if r.URL.EscapedPath() == LogsPath {
		return nil, http.StatusOK, s.serveLogs(w, r, id.AccountID)
	}
	if r.URL.EscapedPath() == BackendCredentialsPath {
		return nil, http.StatusOK, s.serveBackendCredentials(w, r, id.AccountID)
	}
	if r.URL.EscapedPath() == AccessLogsPath {
		return nil, http.StatusOK, s.serveAccessLogs(w, r, id.AccountID)
	}
	rt, labels, err := match(s.routes, r.Method, r.URL.EscapedPath())
	if err != nil {
		return nil, 0, err
	}
	in, err := rt.op.Decode(labels, r.URL.Query(), body)
	if err != nil {
		return rt, 0, err
	}
	out, err := rt.call(r.Context(), s, &request{account: id.AccountID, in: in})
	if err != nil {
		return rt, 0, err
	}
	return rt, http.StatusOK, writeJSON(w, http.StatusOK, out)
}

// wireError is an error that already names its wire shape (for failures that
// happen before an operation runs).
type wireError struct {
	shape awsError
	msg   string
}

func (e wireError) Error() string { return e.shape.Type + ": " + e.msg }

// writeError writes err as the modeled AWS error and returns the status.
func (s *Server) writeError(w http.ResponseWriter, rt *route, err error) int {
	var we wireError
	if errors.As(err, &we) {
		return writeShape(w, we.shape, we.msg)
	}
	code := pier.ErrorCode(err)
	shape := errorTable[code]
	if code == pier.ENOTFOUND && rt != nil && rt.notFound != nil {
		shape = *rt.notFound
	}
	return writeShape(w, shape, pier.ErrorMessage(err))
}

// writeShape writes one error response.
func writeShape(w http.ResponseWriter, shape awsError, msg string) int {
	w.Header().Set("x-amzn-ErrorType", shape.Type)
	_ = writeJSON(w, shape.Status, shape.body(msg))
	return shape.Status
}

// writeJSON writes v as the JSON response body.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return nil
}

// handler runs one operation.
type handler func(ctx context.Context, s *Server, r *request) (any, error)
