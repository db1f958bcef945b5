package awsapi

import (
	"io"
	"net/http"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/service"
)

// AccessLogsPath is Pier's API extension that streams an app's access log
// as CSV (the columns of GenerateAccessLogs):
// GET /pier/access-logs?appId=ID[&domainName=D][&since=DURATION][&follow=true],
// SigV4-signed like every amplify call. since is a Go duration ("10m", the
// default); with follow the response goes on, a row per request as edge
// nodes flush them, until the client leaves.
const AccessLogsPath = "/pier/access-logs"

// serveAccessLogs answers a signed GET of AccessLogsPath for the caller's
// account. Errors before the response starts are returned, to be written as
// AWS errors; once it has started, the stream just ends.
func (s *Server) serveAccessLogs(w http.ResponseWriter, r *http.Request, account string) error {
	if r.Method != http.MethodGet {
		return wireError{errMethodNotAllowed, "Use GET " + AccessLogsPath + "."}
	}
	q := r.URL.Query()
	appID := q.Get("appId")
	if appID == "" {
		return pier.Errorf(pier.EINVALID, "Missing required parameter 'appId'.")
	}
	in := service.AccessLogInput{Domain: q.Get("domainName")}
	if v := q.Get("since"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return pier.Errorf(pier.EINVALID, "Invalid since %q: want a positive duration such as 10m.", v)
		}
		in.Since = d
	}
	var err error
	if in.Follow, err = followParam(q); err != nil {
		return err
	}
	return s.stream(w, r, "text/csv; charset=utf-8", "access log", func(out io.Writer, flush func()) error {
		return s.svc.FollowAccessLogs(r.Context(), account, appID, in, out, flush)
	}, "app", appID)
}
