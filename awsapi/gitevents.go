package awsapi

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/service"
)

// GitEventsPath is Pier's API extension for the events of Git providers.
//
// POST /pier/events/{appId} receives an app's push, branch and pull request
// events from GitHub, GitLab, Gitea, Forgejo or Bitbucket, without SigV4:
// each is authenticated the provider's way with the app's secret (an HMAC
// of the body, or GitLab's token). GET /pier/events?appId=ID, SigV4-signed
// like every amplify call, returns the app's endpoint URL and secret as
// JSON {"url": …, "secret": …}.
const GitEventsPath = "/pier/events"

// MaxGitEventBytes bounds the body of a Git provider event: Amplify, too,
// ignores payloads over 256 KB.
const MaxGitEventBytes = 256 << 10

// Each app's endpoint takes GitEventBurst events at once, then one per
// GitEventInterval, per API node; only correctly signed events count.
const (
	GitEventBurst    = 30
	GitEventInterval = time.Second
)

// gitEventsAnswer is the answer to an accepted event: what it did to each
// branch concerned.
type gitEventsAnswer struct {
	Provider string            `json:"provider"`
	Event    string            `json:"event"`
	Results  []gitEventOutcome `json:"results"`
}

// gitEventOutcome is the result of one GitEvent.
type gitEventOutcome struct {
	Kind service.GitEventKind `json:"kind"`
	service.GitEventResult
	JobID string `json:"jobId,omitempty"`
}

// serveGitEvent answers one POST of an app's Git event endpoint and logs it.
func (s *Server) serveGitEvent(w http.ResponseWriter, r *http.Request, appID string) {
	start := time.Now()
	reqID := pier.NewUUID()
	w.Header().Set("x-amzn-RequestId", reqID)
	attrs := []any{"request_id", reqID, "app_id", appID}
	out, err := s.handleGitEvent(w, r, appID)
	if err == nil {
		_ = writeJSON(w, http.StatusOK, out)
		s.log.Info("git event", append(attrs, "provider", out.Provider, "event", out.Event,
			"results", len(out.Results), "duration", time.Since(start))...)
		return
	}
	s.refuseHook(w, err, "git event", attrs, start)
}

// handleGitEvent checks an event, then hands what it reports to the service.
func (s *Server) handleGitEvent(w http.ResponseWriter, r *http.Request, appID string) (*gitEventsAnswer, error) {
	if r.Method != http.MethodPost {
		return nil, &webhookError{status: http.StatusMethodNotAllowed, msg: "Method Not Allowed: Git providers POST their events."}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxGitEventBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &webhookError{status: http.StatusRequestEntityTooLarge,
				msg: "Payload too large: Git events take at most 256 KiB, as on Amplify. This event was ignored; start a job with StartJob instead."}
		}
		return nil, &webhookError{status: http.StatusBadRequest, msg: "Could not read the request body."}
	}
	p, event := detectProvider(r.Header)
	if p == nil {
		return nil, &webhookError{status: http.StatusBadRequest,
			msg: "Unknown sender: expected the event header of GitHub, GitLab, Gitea, Forgejo or Bitbucket."}
	}
	// The secret exists for any id, so a refusal says nothing about the app.
	if !p.verify(r.Header, body, s.svc.GitEventsSecret(appID)) {
		return nil, &webhookError{status: http.StatusUnauthorized,
			msg: "Invalid signature: configure the webhook with the secret `pier events APP` prints."}
	}
	if ok, wait := s.gitEventLimits.allow(appID); !ok {
		return nil, &webhookError{status: http.StatusTooManyRequests, msg: "Too Many Requests", retryAfter: wait}
	}
	app, err := s.svc.FindGitEventsApp(r.Context(), appID)
	if err != nil {
		return nil, err
	}
	events, err := p.parse(event, body)
	if err != nil {
		return nil, &webhookError{status: http.StatusBadRequest, msg: "Invalid " + p.name + " " + event + " payload: " + err.Error()}
	}
	out := &gitEventsAnswer{Provider: p.name, Event: event, Results: []gitEventOutcome{}}
	for _, ev := range events {
		res, err := s.svc.HandleGitEvent(r.Context(), app, ev)
		if err != nil {
			return nil, err
		}
		o := gitEventOutcome{Kind: ev.Kind, GitEventResult: res}
		if res.Job != nil {
			o.JobID = res.Job.IDString()
		}
		out.Results = append(out.Results, o)
	}
	return out, nil
}

// serveGitEventsInfo answers a signed GET of GitEventsPath for the caller's
// account.
func (s *Server) serveGitEventsInfo(w http.ResponseWriter, r *http.Request, account string) error {
	if r.Method != http.MethodGet {
		return wireError{errMethodNotAllowed, "Use GET " + GitEventsPath + "?appId=ID."}
	}
	appID := r.URL.Query().Get("appId")
	if appID == "" {
		return pier.Errorf(pier.EINVALID, "Missing required parameter 'appId'.")
	}
	ep, err := s.svc.GitEvents(r.Context(), account, appID)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, ep)
}

// gitEventsApp returns the app id of a POST to an app's endpoint, or "".
func gitEventsApp(escapedPath string) string {
	id, ok := strings.CutPrefix(escapedPath, GitEventsPath+"/")
	if !ok || id == "" || strings.ContainsAny(id, "/%") {
		return ""
	}
	return id
}
