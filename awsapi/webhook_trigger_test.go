package awsapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

// hookApp is an app of the logs API's owner connected to a repository.
const hookApp = "d1hooks"

// newHookAPI returns the logs API with hookApp and its branch main.
func newHookAPI(t *testing.T) *logsAPI {
	t.Helper()
	a := newLogsAPI(t)
	now := time.Now().UTC()
	if err := a.store.CreateApp(t.Context(), &pier.App{AccountID: logsOwner, ID: hookApp, Name: "hooks", Repository: "https://git.example.com/site.git", CreateTime: now, UpdateTime: now}); err != nil {
		t.Fatal(err)
	}
	if err := a.store.CreateBranch(t.Context(), &pier.Branch{AccountID: logsOwner, AppID: hookApp, Name: "main", CreateTime: now, UpdateTime: now}); err != nil {
		t.Fatal(err)
	}
	return a
}

// webhook stores a webhook of appID's branch and returns its URL path.
func (a *logsAPI) webhook(t *testing.T, appID, branch, id string) string {
	t.Helper()
	now := time.Now().UTC()
	w := &pier.Webhook{AccountID: logsOwner, ID: id, AppID: appID, BranchName: branch, Token: "token-" + id, CreateTime: now, UpdateTime: now}
	if err := a.store.CreateWebhook(t.Context(), w); err != nil {
		t.Fatal(err)
	}
	return hookPath(id, w.Token, "startbuild")
}

func hookPath(id, token, operation string) string {
	return WebhookPath + "?" + url.Values{"id": {id}, "token": {token}, "operation": {operation}}.Encode()
}

// call sends an unsigned webhook call and returns its status, headers and
// body.
func (a *logsAPI) call(t *testing.T, method, path string, body []byte) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, a.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func TestWebhookTrigger(t *testing.T) {
	a := newHookAPI(t)
	path := a.webhook(t, hookApp, "main", "hook-main")
	status, header, body := a.call(t, http.MethodPost, path, []byte("{}"))
	if status != http.StatusOK {
		t.Fatalf("valid call: %d %s", status, body)
	}
	var out struct {
		SendMessageResponse struct{ ResponseMetadata struct{ RequestId string } }
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.SendMessageResponse.ResponseMetadata.RequestId != header.Get("x-amzn-RequestId") {
		t.Errorf("valid call answered %s (request id header %q), want a SendMessageResponse with the request id", body, header.Get("x-amzn-RequestId"))
	}
	jobs, _, err := a.store.ListJobs(t.Context(), logsOwner, hookApp, "main", pier.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].Type != pier.JobTypeWebhook || jobs[0].Status != pier.JobPending || jobs[0].Reason != "Webhook hook-main" {
		t.Fatalf("jobs after a valid call = %+v, want one PENDING WEB_HOOK job", jobs)
	}

	big := bytes.Repeat([]byte("x"), MaxWebhookBodyBytes)
	tests := []struct {
		name, method, path string
		body               []byte
		status             int
		message            string // "" for the SendMessageResponse
	}{
		{"empty body", http.MethodPost, path, nil, 200, ""},
		{"body at the limit", http.MethodPost, path, big, 200, ""},
		{"body over the limit", http.MethodPost, path, append(big, 'x'), 413, "Request body too large: a webhook call takes at most 256 KiB."},
		{"other operation", http.MethodPost, hookPath("hook-main", "token-hook-main", "stopbuild"), nil, 400, `Invalid operation "stopbuild": want startbuild.`},
		{"missing operation", http.MethodPost, WebhookPath + "?id=hook-main&token=token-hook-main", nil, 400, `Invalid operation "": want startbuild.`},
		{"GET", http.MethodGet, path, nil, 405, "Method Not Allowed"},
		{"PUT", http.MethodPut, path, nil, 405, "Method Not Allowed"},
		{"app without repository", http.MethodPost, a.webhook(t, logsApp, logsBranch, "hook-norepo"), nil, 400,
			"App " + logsApp + " is not connected to a repository: deploy it with CreateDeployment and StartDeployment."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, header, body := a.call(t, tt.method, tt.path, tt.body)
			if status != tt.status {
				t.Fatalf("status %d %s, want %d", status, body, tt.status)
			}
			if tt.message == "" {
				return
			}
			if want := `{"message":` + strconv.Quote(tt.message) + `}`; body != want {
				t.Errorf("body %s, want %s", body, want)
			}
			if tt.status == 405 && header.Get("Allow") != "POST" {
				t.Errorf("Allow %q, want POST", header.Get("Allow"))
			}
		})
	}
	jobs, _, err = a.store.ListJobs(t.Context(), logsOwner, hookApp, "main", pier.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 3 {
		t.Errorf("%d jobs after three valid calls, want 3", len(jobs))
	}
}

// TestWebhookForbidden checks that a wrong token and an unknown id get the
// same answer.
func TestWebhookForbidden(t *testing.T) {
	a := newHookAPI(t)
	a.webhook(t, hookApp, "main", "hook-main")
	requestID := regexp.MustCompile(`^[0-9a-f-]{36}$`)
	tests := []struct{ name, path string }{
		{"wrong token", hookPath("hook-main", "token-hook-mainx", "startbuild")},
		{"token of another webhook", hookPath("hook-main", "token-hook-other", "startbuild")},
		{"missing token", WebhookPath + "?id=hook-main&operation=startbuild"},
		{"unknown id", hookPath("hook-other", "token-hook-main", "startbuild")},
		{"missing id", WebhookPath + "?token=token-hook-main&operation=startbuild"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, header, body := a.call(t, http.MethodPost, tt.path, []byte("{}"))
			if status != http.StatusForbidden || body != `{"message":"Forbidden"}` {
				t.Errorf("answer %d %s, want 403 {\"message\":\"Forbidden\"}", status, body)
			}
			if !requestID.MatchString(header.Get("x-amzn-RequestId")) {
				t.Errorf("x-amzn-RequestId %q", header.Get("x-amzn-RequestId"))
			}
			header.Del("x-amzn-RequestId")
			header.Del("Date")
			if want := (http.Header{"Content-Type": {"application/json"}, "Content-Length": {"23"}}); !equalHeaders(header, want) {
				t.Errorf("headers %v, want %v", header, want)
			}
		})
	}
	jobs, _, err := a.store.ListJobs(t.Context(), logsOwner, hookApp, "main", pier.Page{Limit: 10})
	if err != nil || len(jobs) != 0 {
		t.Errorf("jobs after refused calls = %d (%v), want none", len(jobs), err)
	}
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if len(b[k]) != 1 || len(v) != 1 || b[k][0] != v[0] {
			return false
		}
	}
	return true
}

// TestWebhookRateLimit calls one webhook past its burst: the other webhook
// and refused calls are not limited.
func TestWebhookRateLimit(t *testing.T) {
	a := newHookAPI(t)
	path := a.webhook(t, hookApp, "main", "hook-busy")
	other := a.webhook(t, hookApp, "main", "hook-calm")
	for i := range WebhookBurst {
		if status, _, body := a.call(t, http.MethodPost, path, nil); status != http.StatusOK {
			t.Fatalf("call %d within the burst: %d %s", i+1, status, body)
		}
	}
	status, header, body := a.call(t, http.MethodPost, path, nil)
	if status != http.StatusTooManyRequests || body != `{"message":"Too Many Requests"}` {
		t.Errorf("call past the burst: %d %s, want 429 Too Many Requests", status, body)
	}
	if secs, err := strconv.Atoi(header.Get("Retry-After")); err != nil || secs < 1 || secs > int(WebhookInterval/time.Second) {
		t.Errorf("Retry-After %q, want 1 to %d seconds", header.Get("Retry-After"), int(WebhookInterval/time.Second))
	}
	if status, _, body := a.call(t, http.MethodPost, hookPath("hook-busy", "wrong", "startbuild"), nil); status != http.StatusForbidden {
		t.Errorf("wrong token on a limited webhook: %d %s, want 403", status, body)
	}
	if status, _, body := a.call(t, http.MethodPost, other, nil); status != http.StatusOK {
		t.Errorf("another webhook: %d %s, want 200", status, body)
	}
}

func TestRateLimiter(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	l := newRateLimiter(2, 10*time.Second, func() time.Time { return now })
	steps := []struct {
		name string
		at   time.Duration // since start
		key  string
		ok   bool
		wait time.Duration
	}{
		{"first of the burst", 0, "a", true, 0},
		{"second of the burst", 0, "a", true, 0},
		{"burst spent", 0, "a", false, 10 * time.Second},
		{"another key has its own bucket", 0, "b", true, 0},
		{"part of a token back", 4 * time.Second, "a", false, 6 * time.Second},
		{"a token back", 10 * time.Second, "a", true, 0},
		{"spent again", 11 * time.Second, "a", false, 9 * time.Second},
		{"clock stepped back", 5 * time.Second, "a", false, 9 * time.Second},
		{"clock back again", 12 * time.Second, "a", false, 8 * time.Second},
		{"idle refills to the burst only", time.Hour, "a", true, 0},
		{"second after idling", time.Hour, "a", true, 0},
		{"third after idling", time.Hour, "a", false, 10 * time.Second},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			now = start.Add(st.at)
			ok, wait := l.allow(st.key)
			if ok != st.ok || wait != st.wait {
				t.Errorf("allow(%s) at +%v = %v, %v; want %v, %v", st.key, st.at, ok, wait, st.ok, st.wait)
			}
		})
	}
	t.Run("full buckets are forgotten", func(t *testing.T) {
		now = start.Add(2 * time.Hour)
		l.allow("c")
		l.mu.Lock()
		defer l.mu.Unlock()
		if len(l.buckets) != 1 || l.buckets["c"] == nil {
			t.Errorf("buckets after a long idle time: %v, want only c", l.buckets)
		}
	})
}
