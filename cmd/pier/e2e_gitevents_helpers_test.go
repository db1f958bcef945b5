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
)

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
