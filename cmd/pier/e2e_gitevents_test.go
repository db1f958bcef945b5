package main

import (
	"net/http"
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
