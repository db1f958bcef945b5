package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"

	"github.com/pier-hosting/pier/build/sandbox"
	"github.com/pier-hosting/pier/internal/gittest"
	"github.com/pier-hosting/pier/internal/peertest"
)

// gitToken is the token of the test Git server.
const gitToken = "glpat-test-token-4f9a"

// repo is a repository on a test Git server with a work tree to push from.
type repo struct {
	git  *gittest.Server
	url  string
	work *gittest.Work
}

// newRepo starts a Git server with one empty repository.
func newRepo(t *testing.T) *repo {
	t.Helper()
	git := gittest.Start(t, gitToken)
	url := git.CreateRepo(t, "site")
	return &repo{git: git, url: url, work: gittest.NewWorkTree(t, url, gitToken)}
}

// push commits files (path → content) with message and pushes branch;
// it returns the commit id.
func (r *repo) push(t *testing.T, branch, message string, files files) string {
	t.Helper()
	for p, c := range files {
		r.work.Write(p, c)
	}
	sha := r.work.Commit(message)
	r.work.Push(branch)
	return sha
}

// buildIsolation is the sandbox the build tests use: bubblewrap (CI
// installs it). Without it the tests are skipped, unless peers are required.
func buildIsolation(t *testing.T) string {
	t.Helper()
	if !sandbox.Available() {
		peertest.Require(t, "bubblewrap (bwrap) for build sandboxes")
	}
	return "bubblewrap"
}

// startBuildServer starts a server with every role whose builds run in the
// test's sandbox, with workspaces in a temporary directory. setup may
// adjust the Main (its build minute, say).
func startBuildServer(t *testing.T, setup func(*Main)) *testServer {
	t.Helper()
	isolation := buildIsolation(t)
	return startServerWith(t, t.TempDir(), fixedCredentials, setup,
		"--build-isolation", isolation, "--build-dir", buildDir(t))
}

// buildDir returns a directory for build workspaces that the unprivileged
// build user can reach: the test's temporary directories are private.
func buildDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// newGitApp creates an app connected to r with a branch main, and returns
// its id. env are the app's environment variables.
func newGitApp(t *testing.T, s *testServer, r *repo, env map[string]string) string {
	t.Helper()
	out, err := s.client.CreateApp(t.Context(), &amplify.CreateAppInput{
		Name: aws.String("built"), Repository: aws.String(r.url), AccessToken: aws.String(gitToken),
		EnvironmentVariables: env,
	})
	if err != nil {
		t.Fatalf("CreateApp: %v", err)
	}
	createBranch(t, s.client, *out.App.AppId, "main")
	return *out.App.AppId
}

// startBuild starts a RELEASE job of branch main and returns its id.
func (s *testServer) startBuild(t *testing.T, appID string) string {
	t.Helper()
	out, err := s.client.StartJob(t.Context(), &amplify.StartJobInput{
		AppId: aws.String(appID), BranchName: aws.String("main"), JobType: types.JobTypeRelease,
	})
	if err != nil {
		t.Fatalf("StartJob RELEASE: %v", err)
	}
	return *out.JobSummary.JobId
}

// build runs a RELEASE job of branch main to its end and returns the job.
func (s *testServer) build(t *testing.T, appID string) *types.Job {
	t.Helper()
	return s.waitJob(t, appID, s.startBuild(t, appID))
}

// stepLog downloads the log of job's step name from its logUrl.
func stepLog(t *testing.T, job *types.Job, name string) string {
	t.Helper()
	log, err := readStepLog(job, name)
	if err != nil {
		t.Fatalf("job %s: %v", aws.ToString(job.Summary.JobId), err)
	}
	return log
}

// tryStepLog returns the log of job's step name so far, "" when there is
// none yet.
func tryStepLog(job *types.Job, name string) string {
	log, _ := readStepLog(job, name)
	return log
}

// readStepLog downloads the log of job's step name from its logUrl.
func readStepLog(job *types.Job, name string) (string, error) {
	for _, st := range job.Steps {
		if aws.ToString(st.StepName) != name {
			continue
		}
		resp, err := http.Get(aws.ToString(st.LogUrl))
		if err != nil {
			return "", fmt.Errorf("get %s log: %w", name, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("get %s log: %s", name, resp.Status)
		}
		return string(body), nil
	}
	return "", fmt.Errorf("no step %s", name)
}

// stepNames lists a job's steps.
func stepNames(job *types.Job) string {
	var names []string
	for _, st := range job.Steps {
		names = append(names, aws.ToString(st.StepName)+":"+string(st.Status))
	}
	return strings.Join(names, " ")
}

// requireNpm skips a test that needs npm and the registry when npm is
// missing (unless peers are required).
func requireNpm(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		peertest.Require(t, "npm")
		t.Skip("npm is not installed")
	}
}

// stepDuration returns how long job's step name took.
func stepDuration(job *types.Job, name string) time.Duration {
	for _, st := range job.Steps {
		if aws.ToString(st.StepName) == name && st.StartTime != nil && st.EndTime != nil {
			return st.EndTime.Sub(*st.StartTime)
		}
	}
	return 0
}
