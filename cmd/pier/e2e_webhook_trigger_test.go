package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"

	"github.com/pier-hosting/pier/internal/peertest"
)

// TestWebhookTriggeredByPush installs a post-receive hook that calls a
// webhook URL the way Amplify's documentation does (curl -X POST -d {}), and
// checks that a push builds and deploys the pushed commit.
func TestWebhookTriggeredByPush(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		peertest.Require(t, "curl for the post-receive hook")
	}
	s := startBuildServer(t, nil)
	r := newRepo(t)
	r.push(t, "main", "first", files{"amplify.yml": siteSpec("v1")})
	appID := newGitApp(t, s, r, nil)
	hook, err := s.client.CreateWebhook(t.Context(), &amplify.CreateWebhookInput{AppId: aws.String(appID), BranchName: aws.String("main")})
	if err != nil {
		t.Fatal(err)
	}
	hookURL := aws.ToString(hook.Webhook.WebhookUrl)

	answer := filepath.Join(t.TempDir(), "answer.json")
	r.git.SetHook(t, "site", "post-receive", "#!/bin/sh\n"+
		shellQuote(curl)+" -s --max-time 10 -X POST -d {} -H 'Content-Type: application/json' -o "+shellQuote(answer)+" "+shellQuote(hookURL)+"\n")
	sha := r.push(t, "main", "second", files{"amplify.yml": siteSpec("v2")})

	// The hook has run when the push returns.
	if body, err := os.ReadFile(answer); err != nil || !strings.Contains(string(body), `"SendMessageResponse"`) {
		t.Fatalf("the webhook answered the hook %q (%v), want a SendMessageResponse", body, err)
	}
	job := s.waitJob(t, appID, webhookJob(t, s.client, appID))
	wantSucceeded(t, job)
	if job.Summary.JobType != types.JobTypeWebHook {
		t.Errorf("jobType = %s, want WEB_HOOK", job.Summary.JobType)
	}
	wantString(t, "commitId", job.Summary.CommitId, sha)
	wantString(t, "commitMessage", job.Summary.CommitMessage, "second")
	if page := s.get(t, appID, "/", nil); string(page.Body) != "v2\n" {
		t.Errorf("site / = %q after the webhook's build, want the pushed v2", page.Body)
	}
}

// webhookJob waits until branch main has a WEB_HOOK job, through
// ListJobs, and returns its id.
func webhookJob(t *testing.T, c *amplify.Client, appID string) string {
	t.Helper()
	deadline := time.Now().Add(jobTimeout)
	for {
		out, err := c.ListJobs(t.Context(), &amplify.ListJobsInput{AppId: aws.String(appID), BranchName: aws.String("main")})
		if err != nil {
			t.Fatalf("ListJobs: %v", err)
		}
		for _, j := range out.JobSummaries {
			if j.JobType == types.JobTypeWebHook {
				return aws.ToString(j.JobId)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no WEB_HOOK job after %v: %d jobs", jobTimeout, len(out.JobSummaries))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
