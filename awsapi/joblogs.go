package awsapi

import (
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/service"
)

// LogsPath is Pier's API extension that streams a job's log as text:
// GET /pier/logs?appId=ID&branchName=NAME[&jobId=N][&follow=true],
// SigV4-signed like every amplify call. Without jobId it is the branch's
// latest job; with follow the response goes on until the job has ended.
// Query parameters, unlike path labels, carry branch names with "/" as they
// are.
const LogsPath = "/pier/logs"

// serveLogs answers a signed GET of LogsPath for the caller's account. Errors
// before the response starts are returned, to be written as AWS errors; once
// it has started, the stream just ends.
func (s *Server) serveLogs(w http.ResponseWriter, r *http.Request, account string) error {
	if r.Method != http.MethodGet {
		return wireError{errMethodNotAllowed, "Use GET " + LogsPath + "."}
	}
	q := r.URL.Query()
	in := service.JobLogInput{JobID: q.Get("jobId")}
	appID, branch := q.Get("appId"), q.Get("branchName")
	if appID == "" {
		return pier.Errorf(pier.EINVALID, "Missing required parameter 'appId'.")
	}
	if branch == "" {
		return pier.Errorf(pier.EINVALID, "Missing required parameter 'branchName'.")
	}
	var err error
	if in.Follow, err = followParam(q); err != nil {
		return err
	}
	return s.stream(w, r, "text/plain; charset=utf-8", "job log", func(out io.Writer, flush func()) error {
		return s.svc.FollowJobLog(r.Context(), account, appID, branch, in, out, flush)
	}, "app", appID, "branch", branch, "job", in.JobID)
}

// followParam reads the optional follow parameter of a streaming endpoint.
func followParam(q url.Values) (bool, error) {
	f := q.Get("follow")
	if f == "" {
		return false, nil
	}
	follow, err := strconv.ParseBool(f)
	if err != nil {
		return false, pier.Errorf(pier.EINVALID, "Invalid follow %q: want true or false.", f)
	}
	return follow, nil
}

// stream answers a streaming GET: run writes the body to out and calls flush
// whenever a client should see what it wrote; the first flush sends the
// status and headers. An error before that is returned, to be written as an
// AWS error; once the response has started the stream just ends, and a
// failure that is not the client leaving is logged (what names the stream,
// attrs identify it).
func (s *Server) stream(w http.ResponseWriter, r *http.Request, contentType, what string, run func(out io.Writer, flush func()) error, attrs ...any) error {
	started := false
	rc := http.NewResponseController(w)
	flush := func() {
		if !started {
			started = true
			h := w.Header()
			h.Set("Content-Type", contentType)
			h.Set("Cache-Control", "no-store")
			h.Set("X-Content-Type-Options", "nosniff")
			w.WriteHeader(http.StatusOK)
		}
		_ = rc.Flush() // a writer that cannot flush still gets the whole body
	}
	sw := &streamWriter{w: w}
	err := run(sw, flush)
	switch {
	case !started:
		return err
	case err != nil && sw.err == nil && r.Context().Err() == nil:
		// Not the client leaving: a store failed mid-stream.
		s.log.Error(what+" stream failed", append([]any{"request_id", w.Header().Get("x-amzn-RequestId"), "err", err}, attrs...)...)
	}
	return nil
}

// streamWriter remembers whether writing to the client failed.
type streamWriter struct {
	w   http.ResponseWriter
	err error
}

func (sw *streamWriter) Write(p []byte) (int, error) {
	n, err := sw.w.Write(p)
	if err != nil {
		sw.err = err
	}
	return n, err
}
