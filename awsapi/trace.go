package awsapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/pier-hosting/pier"
)

// TracePath is Pier's API extension that explains how the edge answers a
// request: GET /pier/trace?url=URL[&header=K:V…][&country=CC], SigV4-signed
// like every amplify call.
const TracePath = "/pier/trace"

// Tracer traces requests through the edge; the result is sent as JSON.
type Tracer interface {
	Trace(ctx context.Context, account, rawURL string, header http.Header, country string) (any, error)
}

// serveTrace answers a signed GET of TracePath for the caller's account.
func (s *Server) serveTrace(w http.ResponseWriter, r *http.Request, account string) error {
	if s.Tracer == nil {
		return wireError{errUnknownOperation, "This Pier node runs no edge to trace."}
	}
	if r.Method != http.MethodGet {
		return wireError{errMethodNotAllowed, "Use GET " + TracePath + "."}
	}
	q := r.URL.Query()
	target := q.Get("url")
	if target == "" {
		return pier.Errorf(pier.EINVALID, "Missing required parameter 'url'.")
	}
	header := http.Header{}
	for _, kv := range q["header"] {
		k, v, ok := strings.Cut(kv, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return pier.Errorf(pier.EINVALID, "Invalid header %q: want Key:Value.", kv)
		}
		header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	country := strings.ToUpper(q.Get("country"))
	if country != "" && len(country) != 2 {
		return pier.Errorf(pier.EINVALID, "Invalid country %q: want a two-letter code.", country)
	}
	t, err := s.Tracer.Trace(r.Context(), account, target, header, country)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}
