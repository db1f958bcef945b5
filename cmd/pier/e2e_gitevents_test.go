package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"

	"github.com/pier-hosting/pier"
)

// Commits and message of the payloads in awsapi/testdata/gitevents, which
// the tests replace with those of their repository.
const (
	payloadPushSHA = "9fceb02d0ae598e95dc970b74767f19372d61af8"
	payloadPRSHA   = "7638417db6d59f3c431d3e1f261cc637155684cd"
	payloadMessage = "Update README.md"
)

// prSpec is the build spec of the pull request's source branch: its site
// shows the pull request's variables.
const prSpec = `version: 1
frontend:
  phases:
    build:
      commands:
        - mkdir -p out && echo "pr=$AWS_PULL_REQUEST_ID src=$AWS_PULL_REQUEST_SOURCE_BRANCH dst=$AWS_PULL_REQUEST_DESTINATION_BRANCH branch=$AWS_BRANCH" > out/index.html
  artifacts:
    baseDirectory: out
    files: ['**/*']
`

// payload is one recorded event of a provider: the event header's value
// and the file of its body ("" when the provider has no such event).
type payload struct{ event, file string }

// providerPayloads are a provider's events for the scenario of
// TestGitEventsProviders.
type providerPayloads struct {
	provider                                 string
	push, create, delete, prOpened, prClosed payload
}

var gitEventProviders = []providerPayloads{
	{"GitHub", payload{"push", "github-push.json"}, payload{"create", "github-create.json"}, payload{"delete", "github-delete.json"},
		payload{"pull_request", "github-pull_request-opened.json"}, payload{"pull_request", "github-pull_request-closed.json"}},
	{"GitLab", payload{"Push Hook", "gitlab-push.json"}, payload{}, payload{"Push Hook", "gitlab-push-deleted.json"},
		payload{"Merge Request Hook", "gitlab-merge_request-open.json"}, payload{"Merge Request Hook", "gitlab-merge_request-merge.json"}},
	{"Gitea", payload{"push", "gitea-push.json"}, payload{"create", "gitea-create.json"}, payload{"delete", "gitea-delete.json"},
		payload{"pull_request", "gitea-pull_request-opened.json"}, payload{"pull_request", "gitea-pull_request-closed.json"}},
	{"Forgejo", payload{"push", "gitea-push.json"}, payload{"create", "gitea-create.json"}, payload{"delete", "gitea-delete.json"},
		payload{"pull_request", "gitea-pull_request-opened.json"}, payload{"pull_request", "gitea-pull_request-closed.json"}},
	{"Bitbucket", payload{"repo:push", "bitbucket-push.json"}, payload{}, payload{"repo:push", "bitbucket-push-deleted.json"},
		payload{"pullrequest:created", "bitbucket-pullrequest-created.json"}, payload{"pullrequest:fulfilled", "bitbucket-pullrequest-fulfilled.json"}},
}

// TestGitEventsProviders replays each provider's events against a running
// server: a push builds its commit, [skip-cd] skips, a new branch matching
// the patterns is created and built, a pull request gets a built pr-1
// preview that goes when it closes, and a deleted branch goes.
func TestGitEventsProviders(t *testing.T) {
	s := startBuildServer(t, nil)
	traceEnv(t, s.AdminKey.ID, s.AdminKey.Secret)
	r := newRepo(t)
	mainSHA := r.push(t, "main", payloadMessage, files{"amplify.yml": siteSpec("main")})
	loginSHA := r.push(t, "feature/login", "Add a login page", files{"amplify.yml": prSpec})
	skipSHA := r.push(t, "main", payloadMessage+" [skip-cd]", files{"README.md": "docs"})

	for _, p := range gitEventProviders {
		t.Run(p.provider, func(t *testing.T) {
			appID := newEventsApp(t, s, r)
			hook := pierEvents(t, s, appID)
			send := func(pl payload, edit ...string) (int, string) {
				t.Helper()
				body := readGitPayload(t, pl.file, edit...)
				return hook.post(t, p.provider, pl.event, body, hook.secret)
			}
			edits := []string{payloadPushSHA, mainSHA, payloadPRSHA, loginSHA, payloadPRSHA[:12], loginSHA[:12]}

			body := readGitPayload(t, p.push.file, edits...)
			if status, out := hook.post(t, p.provider, p.push.event, body, hook.secret+"x"); status != http.StatusUnauthorized {
				t.Fatalf("push with a wrong secret = %d %s, want 401", status, out)
			}
			if status, out := send(p.push, edits...); status != http.StatusOK {
				t.Fatalf("push = %d %s", status, out)
			}
			job := waitBranchJob(t, s.client, appID, "main", onlyJob(t, s.client, appID, "main", mainSHA))
			wantSucceeded(t, job)
			wantString(t, "commitMessage", job.Summary.CommitMessage, payloadMessage)
			s.waitServed(t, appID, "/", "main\n")

			skip := []string{payloadPushSHA, skipSHA, payloadMessage, payloadMessage + " [skip-cd]", payloadPRSHA, loginSHA}
			if status, out := send(p.push, skip...); status != http.StatusOK || !strings.Contains(out, "[skip-cd]") {
				t.Errorf("push of a [skip-cd] commit = %d %s", status, out)
			}
			onlyJob(t, s.client, appID, "main", mainSHA)

			if p.create.file != "" {
				if status, out := send(p.create, edits...); status != http.StatusOK || !strings.Contains(out, `"created":true`) {
					t.Errorf("create = %d %s, want feature/login created", status, out)
				}
			}
			loginPush := []string{payloadPushSHA, loginSHA, "refs/heads/main", "refs/heads/feature/login", payloadMessage, "Add a login page"}
			if p.provider == "Bitbucket" {
				loginPush = edits // its push creates feature/login too
			}
			if status, out := send(p.push, loginPush...); status != http.StatusOK {
				t.Fatalf("push of feature/login = %d %s", status, out)
			}
			wantSucceeded(t, waitBranchJob(t, s.client, appID, "feature/login", onlyJob(t, s.client, appID, "feature/login", loginSHA)))

			if status, out := send(p.prOpened, edits...); status != http.StatusOK {
				t.Fatalf("pull request opened = %d %s", status, out)
			}
			pr := getBranch(t, s, appID, "pr-1")
			if pr == nil || pr.Stage != types.StagePullRequest {
				t.Fatalf("branch pr-1 = %+v, want stage PULL_REQUEST", pr)
			}
			wantSucceeded(t, waitBranchJob(t, s.client, appID, "pr-1", onlyJob(t, s.client, appID, "pr-1", loginSHA)))
			if got := branchPage(t, s, appID, aws.ToString(pr.DisplayName)); got != "pr=1 src=feature/login dst=main branch=feature/login\n" {
				t.Errorf("pr-1 site = %q, want the pull request's variables", got)
			}
			if status, out := send(p.prClosed, edits...); status != http.StatusOK || getBranch(t, s, appID, "pr-1") != nil {
				t.Errorf("pull request closed = %d %s; pr-1 still exists: %v", status, out, getBranch(t, s, appID, "pr-1") != nil)
			}

			if status, out := send(p.delete, edits...); status != http.StatusOK || getBranch(t, s, appID, "feature/login") != nil {
				t.Errorf("branch deleted = %d %s; feature/login still exists: %v", status, out, getBranch(t, s, appID, "feature/login") != nil)
			}
		})
	}
}

// TestGitEventsPolling polls a repository that sends no events: a pushed
// commit is built and a deleted branch removed within an interval.
func TestGitEventsPolling(t *testing.T) {
	const interval = 300 * time.Millisecond
	s := startBuildServer(t, func(m *Main) { m.pollInterval = interval })
	r := newRepo(t)
	r.push(t, "main", "first", files{"amplify.yml": siteSpec("v1")})
	r.push(t, "dev", "dev", nil)
	appID := newGitApp(t, s, r, nil)
	createBranch(t, s.client, appID, "dev")
	if _, err := s.client.UpdateApp(t.Context(), &amplify.UpdateAppInput{AppId: aws.String(appID), EnableBranchAutoDeletion: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	// Wait for the first poll of the app, which records its heads.
	key := pier.GitHeadsKey(s.AdminKey.AccountID, appID)
	waitFor(t, 10*time.Second, "the first poll", func() bool {
		_, err := s.blobs.Stat(t.Context(), key)
		return err == nil
	})
	if jobs := listJobs(t, s.client, appID, "main"); len(jobs) != 0 {
		t.Fatalf("the first poll started %d jobs, want none", len(jobs))
	}

	sha := r.push(t, "main", "second", files{"amplify.yml": siteSpec("v2")})
	pushed := time.Now()
	var jobID string
	waitFor(t, 10*time.Second, "a job of the pushed commit", func() bool {
		for _, j := range listJobs(t, s.client, appID, "main") {
			if aws.ToString(j.CommitId) == sha && j.JobType == types.JobTypeWebHook {
				jobID = aws.ToString(j.JobId)
				return true
			}
		}
		return false
	})
	if d := time.Since(pushed); d > 2*interval+time.Second {
		t.Errorf("the push was found after %v, want within about one interval (%v)", d, interval)
	}
	wantSucceeded(t, s.waitJob(t, appID, jobID))
	s.waitServed(t, appID, "/", "v2\n")

	r.work.DeleteRemoteBranch("dev")
	deleted := time.Now()
	waitFor(t, 10*time.Second, "branch dev to go", func() bool { return getBranch(t, s, appID, "dev") == nil })
	if d := time.Since(deleted); d > 2*interval+time.Second {
		t.Errorf("the deletion was found after %v, want within about one interval (%v)", d, interval)
	}
}

// newEventsApp creates an app connected to r whose feature/** branches
// are created automatically and whose deleted branches go, with branch
// main building pull request previews.
func newEventsApp(t *testing.T, s *testServer, r *repo) string {
	t.Helper()
	appID := newGitApp(t, s, r, nil)
	if _, err := s.client.UpdateApp(t.Context(), &amplify.UpdateAppInput{
		AppId: aws.String(appID), EnableAutoBranchCreation: aws.Bool(true), AutoBranchCreationPatterns: []string{"feature/**"},
		EnableBranchAutoDeletion: aws.Bool(true),
	}); err != nil {
		t.Fatalf("UpdateApp: %v", err)
	}
	if _, err := s.client.UpdateBranch(t.Context(), &amplify.UpdateBranchInput{
		AppId: aws.String(appID), BranchName: aws.String("main"), EnablePullRequestPreview: aws.Bool(true),
	}); err != nil {
		t.Fatalf("UpdateBranch: %v", err)
	}
	return appID
}

// eventsHook is an app's Git event endpoint.
type eventsHook struct{ url, secret string }

// pierEvents runs "pier events APP" and reads the URL and secret it prints.
func pierEvents(t *testing.T, s *testServer, appID string) eventsHook {
	t.Helper()
	var out bytes.Buffer
	if err := run(t.Context(), []string{"events", appID, "--endpoint", s.APIURL}, &out, os.Getenv); err != nil {
		t.Fatalf("pier events: %v\n%s", err, out.String())
	}
	var h eventsHook
	for line := range strings.Lines(out.String()) {
		if v, ok := strings.CutPrefix(line, "URL:"); ok {
			h.url = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "Secret:"); ok {
			h.secret = strings.TrimSpace(v)
		}
	}
	if !strings.HasSuffix(h.url, "/pier/events/"+appID) || h.secret == "" {
		t.Fatalf("pier events printed %q", out.String())
	}
	return h
}

// post sends body as provider's event, signed with secret.
func (h eventsHook) post(t *testing.T, provider, event string, body []byte, secret string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	sig := hex.EncodeToString(m.Sum(nil))
	req.Header.Set("Content-Type", "application/json")
	switch provider {
	case "GitHub":
		req.Header.Set("X-GitHub-Event", event)
		req.Header.Set("X-Hub-Signature-256", "sha256="+sig)
	case "GitLab":
		req.Header.Set("X-Gitlab-Event", event)
		req.Header.Set("X-Gitlab-Token", secret)
	case "Gitea", "Forgejo":
		req.Header.Set("X-"+provider+"-Event", event)
		req.Header.Set("X-"+provider+"-Signature", sig)
	case "Bitbucket":
		req.Header.Set("X-Event-Key", event)
		req.Header.Set("X-Hub-Signature", "sha256="+sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// readGitPayload reads a recorded payload, replacing each old string of
// edits (old, new, old, new…) with its new one.
func readGitPayload(t *testing.T, name string, edits ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "awsapi", "testdata", "gitevents", name))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer(edits...).Replace(string(b)))
}

// onlyJob fails the test unless branch has exactly one job, a WEB_HOOK job
// of commit sha (or of an abbreviation of it), and returns its id.
func onlyJob(t *testing.T, c *amplify.Client, appID, branch, sha string) string {
	t.Helper()
	jobs := listJobs(t, c, appID, branch)
	// Bitbucket abbreviates the commits of pull requests; the build records the full id.
	if len(jobs) != 1 || !strings.HasPrefix(sha, aws.ToString(jobs[0].CommitId)) || jobs[0].JobType != types.JobTypeWebHook {
		var got []string
		for _, j := range jobs {
			got = append(got, string(j.JobType)+" "+aws.ToString(j.CommitId))
		}
		t.Fatalf("jobs of %s = %q, want one WEB_HOOK job of %s", branch, got, sha)
	}
	return aws.ToString(jobs[0].JobId)
}

func listJobs(t *testing.T, c *amplify.Client, appID, branch string) []types.JobSummary {
	t.Helper()
	out, err := c.ListJobs(t.Context(), &amplify.ListJobsInput{AppId: aws.String(appID), BranchName: aws.String(branch)})
	if err != nil {
		t.Fatalf("ListJobs(%s): %v", branch, err)
	}
	return out.JobSummaries
}

// getBranch returns a branch, or nil when there is none.
func getBranch(t *testing.T, s *testServer, appID, name string) *types.Branch {
	t.Helper()
	out, err := s.client.GetBranch(t.Context(), &amplify.GetBranchInput{AppId: aws.String(appID), BranchName: aws.String(name)})
	var nf *types.NotFoundException
	if errors.As(err, &nf) {
		return nil
	} else if err != nil {
		t.Fatalf("GetBranch(%s): %v", name, err)
	}
	return out.Branch
}

// waitBranchJob is waitJob for a job of any branch.
func waitBranchJob(t *testing.T, c *amplify.Client, appID, branch, jobID string) *types.Job {
	t.Helper()
	var job *types.Job
	waitFor(t, jobTimeout, "job "+jobID+" of "+branch+" to end", func() bool {
		out, err := c.GetJob(t.Context(), &amplify.GetJobInput{AppId: aws.String(appID), BranchName: aws.String(branch), JobId: aws.String(jobID)})
		if err != nil {
			t.Fatalf("GetJob: %v", err)
		}
		job = out.Job
		st := job.Summary.Status
		return st == types.JobStatusSucceed || st == types.JobStatusFailed || st == types.JobStatusCancelled
	})
	return job
}

// branchPage returns the body of / of the branch with display name label.
func branchPage(t *testing.T, s *testServer, appID, label string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.EdgeURL+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = label + "." + strings.ToLower(appID) + ".localhost"
	resp, err := edgeClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// waitFor polls cond every 20ms until it holds, failing the test after
// timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %v", what, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
