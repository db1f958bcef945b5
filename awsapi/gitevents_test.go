package awsapi

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/service"
)

// Commits of the payloads in testdata/gitevents.
const (
	pushSHA = "9fceb02d0ae598e95dc970b74767f19372d61af8"
	prSHA   = "7638417db6d59f3c431d3e1f261cc637155684cd"
)

func readPayload(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "gitevents", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signGitEvent returns the headers provider sends with body, signed with
// secret.
func signGitEvent(provider, event string, body []byte, secret string) http.Header {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	sig := hex.EncodeToString(m.Sum(nil))
	h := http.Header{"Content-Type": {"application/json"}}
	switch provider {
	case "GitHub":
		h.Set("X-GitHub-Event", event)
		h.Set("X-Hub-Signature-256", "sha256="+sig)
	case "Gitea", "Forgejo":
		h.Set("X-GitHub-Event", event) // Gitea sends GitHub's headers too
		h.Set("X-"+provider+"-Event", event)
		h.Set("X-"+provider+"-Signature", sig)
	case "GitLab":
		h.Set("X-Gitlab-Event", event)
		h.Set("X-Gitlab-Token", secret)
	case "Bitbucket":
		h.Set("X-Event-Key", event)
		h.Set("X-Hub-Signature", "sha256="+sig)
	}
	return h
}

func TestParseGitEvents(t *testing.T) {
	when := time.Date(2025, 5, 1, 8, 15, 42, 0, time.UTC)
	push := service.GitEvent{Kind: service.GitPush, Branch: "main", Commit: pushSHA, Message: "Update README.md", Time: when}
	pushNL := push
	pushNL.Message += "\n"
	deleted := []service.GitEvent{{Kind: service.GitBranchDeleted, Branch: "feature/login"}}
	pr := func(kind service.GitEventKind, commit string) []service.GitEvent {
		return []service.GitEvent{{Kind: kind, PR: 1, Commit: commit, SourceBranch: "feature/login", DestinationBranch: "main"}}
	}
	glMR := pr(service.GitPROpened, prSHA)
	glMR[0].Message, glMR[0].Time = "Add a login page\n", time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)
	glMerged := pr(service.GitPRClosed, prSHA)
	glMerged[0].Message, glMerged[0].Time = glMR[0].Message, glMR[0].Time
	for _, tc := range []struct {
		provider, event, file string
		want                  []service.GitEvent
	}{
		{"GitHub", "push", "github-push.json", []service.GitEvent{push}},
		{"GitHub", "push", "github-push-deleted.json", deleted},
		{"GitHub", "create", "github-create.json", []service.GitEvent{{Kind: service.GitBranchCreated, Branch: "feature/login"}}},
		{"GitHub", "delete", "github-delete.json", deleted},
		{"GitHub", "pull_request", "github-pull_request-opened.json", pr(service.GitPROpened, prSHA)},
		{"GitHub", "pull_request", "github-pull_request-closed.json", pr(service.GitPRClosed, prSHA)},
		{"GitHub", "ping", "github-ping.json", nil},
		{"GitHub", "issues", "github-ping.json", nil},
		{"GitLab", "Push Hook", "gitlab-push.json", []service.GitEvent{pushNL}},
		{"GitLab", "Push Hook", "gitlab-push-deleted.json", deleted},
		{"GitLab", "Merge Request Hook", "gitlab-merge_request-open.json", glMR},
		{"GitLab", "Merge Request Hook", "gitlab-merge_request-merge.json", glMerged},
		{"GitLab", "Tag Push Hook", "gitlab-push.json", nil},
		{"Gitea", "push", "gitea-push.json", []service.GitEvent{pushNL}},
		{"Gitea", "create", "gitea-create.json", []service.GitEvent{{Kind: service.GitBranchCreated, Branch: "feature/login", Commit: prSHA}}},
		{"Gitea", "delete", "gitea-delete.json", deleted},
		{"Forgejo", "pull_request", "gitea-pull_request-opened.json", pr(service.GitPROpened, prSHA)},
		{"Forgejo", "pull_request", "gitea-pull_request-synchronized.json", pr(service.GitPRUpdated, prSHA)},
		{"Gitea", "pull_request", "gitea-pull_request-closed.json", pr(service.GitPRClosed, prSHA)},
		{"Bitbucket", "repo:push", "bitbucket-push.json", []service.GitEvent{pushNL,
			{Kind: service.GitPush, Branch: "feature/login", Commit: prSHA, Message: "Add a login page\n", Time: time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)},
			{Kind: service.GitBranchDeleted, Branch: "old-feature"}}},
		{"Bitbucket", "repo:push", "bitbucket-push-deleted.json", deleted},
		{"Bitbucket", "pullrequest:created", "bitbucket-pullrequest-created.json", pr(service.GitPROpened, prSHA[:12])},
		{"Bitbucket", "pullrequest:fulfilled", "bitbucket-pullrequest-fulfilled.json", pr(service.GitPRClosed, prSHA[:12])},
	} {
		t.Run(tc.provider+"/"+tc.file+"/"+tc.event, func(t *testing.T) {
			p, event := detectProvider(signGitEvent(tc.provider, tc.event, nil, ""))
			if p == nil || p.name != tc.provider || event != tc.event {
				t.Fatalf("detectProvider = %v %q, want %s %q", p, event, tc.provider, tc.event)
			}
			got, err := p.parse(event, readPayload(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				got[i].Time = got[i].Time.UTC() // the instant counts, not the zone
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("events =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

// newGitEventsAPI returns the logs API with hookApp's branch main building
// automatically.
func newGitEventsAPI(t *testing.T) *logsAPI {
	t.Helper()
	a := newHookAPI(t)
	b, err := a.store.GetBranch(t.Context(), logsOwner, hookApp, "main")
	if err != nil {
		t.Fatal(err)
	}
	b.EnableAutoBuild = true
	if err := a.store.UpdateBranch(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	return a
}

// post sends an event to appID's endpoint.
func (a *logsAPI) post(t *testing.T, appID string, header http.Header, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, a.url+GitEventsPath+"/"+appID, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// eventsSecret reads an app's secret through the signed read API.
func (a *logsAPI) eventsSecret(t *testing.T, account, appID string) (int, service.GitEventsEndpoint) {
	t.Helper()
	resp := a.get(t, t.Context(), http.MethodGet, account, GitEventsPath+"?appId="+appID)
	defer resp.Body.Close()
	var ep service.GitEventsEndpoint
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&ep); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, ep
}

func TestGitEventEndpoint(t *testing.T) {
	a := newGitEventsAPI(t)
	status, ep := a.eventsSecret(t, logsOwner, hookApp)
	if status != http.StatusOK || !strings.HasSuffix(ep.URL, GitEventsPath+"/"+hookApp) || ep.Secret == "" {
		t.Fatalf("GET %s = %d %+v", GitEventsPath, status, ep)
	}
	if status, _ := a.eventsSecret(t, logsStranger, hookApp); status != http.StatusNotFound {
		t.Errorf("another account's GET = %d, want 404", status)
	}
	if status, _ := a.eventsSecret(t, "", hookApp); status != http.StatusUnauthorized {
		t.Errorf("unsigned GET = %d, want 401", status)
	}

	payloads := map[string]struct{ event, file string }{
		"GitHub":    {"push", "github-push.json"},
		"GitLab":    {"Push Hook", "gitlab-push.json"},
		"Gitea":     {"push", "gitea-push.json"},
		"Forgejo":   {"push", "gitea-push.json"},
		"Bitbucket": {"repo:push", "bitbucket-push.json"},
	}
	for provider, p := range payloads {
		body := readPayload(t, p.file)
		t.Run(provider+"/wrong secret", func(t *testing.T) {
			known, kb := a.post(t, hookApp, signGitEvent(provider, p.event, body, ep.Secret+"x"), body)
			unknown, ub := a.post(t, "d9nosuchapp", signGitEvent(provider, p.event, body, ep.Secret), body)
			if known != http.StatusUnauthorized || unknown != http.StatusUnauthorized || kb != ub {
				t.Errorf("wrong secret: %d %s; unknown app: %d %s; want the same 401", known, kb, unknown, ub)
			}
		})
		if provider != "GitLab" { // GitLab's token does not cover the body
			t.Run(provider+"/tampered body", func(t *testing.T) {
				h := signGitEvent(provider, p.event, body, ep.Secret)
				tampered := bytes.Replace(body, []byte(pushSHA), []byte(prSHA), 1)
				if status, out := a.post(t, hookApp, h, tampered); status != http.StatusUnauthorized {
					t.Errorf("tampered body = %d %s, want 401", status, out)
				}
			})
		}
		t.Run(provider+"/signed", func(t *testing.T) {
			status, out := a.post(t, hookApp, signGitEvent(provider, p.event, body, ep.Secret), body)
			if status != http.StatusOK || !strings.Contains(out, `"branch":"main"`) {
				t.Errorf("signed event = %d %s", status, out)
			}
		})
	}
	jobs, _, err := a.store.ListJobs(t.Context(), logsOwner, hookApp, "main", pier.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].CommitID != pushSHA || jobs[0].Type != pier.JobTypeWebhook {
		t.Errorf("jobs of main = %d (first %+v), want one WEB_HOOK job of %s: the same push from every provider builds once", len(jobs), jobs, pushSHA)
	}
}

func TestGitEventRefusals(t *testing.T) {
	a := newGitEventsAPI(t)
	_, ep := a.eventsSecret(t, logsOwner, hookApp)
	big := append([]byte(`{"ref":"`), bytes.Repeat([]byte("x"), MaxGitEventBytes)...)
	for _, tc := range []struct {
		name   string
		method string
		header http.Header
		body   []byte
		status int
		msg    string
	}{
		{"too large", http.MethodPost, signGitEvent("GitHub", "push", big, ep.Secret), big, http.StatusRequestEntityTooLarge, "256 KiB"},
		{"no provider", http.MethodPost, http.Header{}, []byte("{}"), http.StatusBadRequest, "Unknown sender"},
		{"no signature", http.MethodPost, http.Header{"X-Github-Event": {"push"}}, []byte("{}"), http.StatusUnauthorized, "Invalid signature"},
		{"bad json", http.MethodPost, signGitEvent("GitHub", "push", []byte("{"), ep.Secret), []byte("{"), http.StatusBadRequest, "Invalid GitHub push payload"},
		{"GET", http.MethodGet, http.Header{}, nil, http.StatusMethodNotAllowed, "Method Not Allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tc.method, a.url+GitEventsPath+"/"+hookApp, bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header = tc.header
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.msg) {
				t.Errorf("= %d %s, want %d with %q", resp.StatusCode, b, tc.status, tc.msg)
			}
		})
	}
}

func TestGitEventRateLimit(t *testing.T) {
	a := newGitEventsAPI(t)
	_, ep := a.eventsSecret(t, logsOwner, hookApp)
	ping := readPayload(t, "github-ping.json")
	for i := range GitEventBurst {
		if status, out := a.post(t, hookApp, signGitEvent("GitHub", "ping", ping, ep.Secret), ping); status != http.StatusOK {
			t.Fatalf("ping %d = %d %s", i, status, out)
		}
	}
	if status, _ := a.post(t, hookApp, signGitEvent("GitHub", "ping", ping, "wrong"), ping); status != http.StatusUnauthorized {
		t.Errorf("badly signed ping after the burst = %d, want 401 (refusals do not count)", status)
	}
	if status, out := a.post(t, hookApp, signGitEvent("GitHub", "ping", ping, ep.Secret), ping); status != http.StatusTooManyRequests {
		t.Errorf("ping after the burst = %d %s, want 429", status, out)
	}
}
