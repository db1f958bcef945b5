package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
)

// siteSpec is a build spec whose build writes index.html with body into
// out/ after running extra commands.
func siteSpec(body string, extra ...string) string {
	var b strings.Builder
	b.WriteString("version: 1\nfrontend:\n  phases:\n    build:\n      commands:\n")
	for _, c := range extra { // block scalars: any text is a command
		fmt.Fprintf(&b, "        - |-\n          %s\n", c)
	}
	fmt.Fprintf(&b, "        - mkdir -p out && echo '%s' > out/index.html\n", body)
	b.WriteString("  artifacts:\n    baseDirectory: out\n    files: ['**/*']\n")
	return b.String()
}

func TestBuildFailureLeavesSiteLive(t *testing.T) {
	s := startBuildServer(t, nil)
	r := newRepo(t)
	r.push(t, "main", "good", files{"amplify.yml": siteSpec("v1")})
	appID := newGitApp(t, s, r, nil)
	wantSucceeded(t, s.build(t, appID))

	r.push(t, "main", "broken", files{"amplify.yml": siteSpec("v2", "echo about to fail", "exit 3")})
	job := s.build(t, appID)
	wantFailed(t, job, "exit code 3", "exit 3")
	if got := stepNames(job); got != "BUILD:FAILED" {
		t.Errorf("steps = %s, want BUILD:FAILED only", got)
	}
	if !strings.Contains(stepLog(t, job, "BUILD"), "about to fail") {
		t.Error("the failed build's log lacks its output")
	}
	if body := string(s.get(t, appID, "/", nil).Body); body != "v1\n" {
		t.Errorf("after a failed build the site serves %q, want v1", body)
	}

	// A spec that cannot be parsed fails the same way, naming the field.
	r.push(t, "main", "bad spec", files{"amplify.yml": "version: 1\nfrontend:\n  phases:\n    build:\n      commands: {a: b}\n"})
	wantFailed(t, s.build(t, appID), "frontend.phases.build.commands")
	// So does a missing artifacts directory.
	r.push(t, "main", "no output", files{"amplify.yml": "version: 1\nfrontend:\n  phases:\n    build:\n      commands: ['true']\n  artifacts:\n    baseDirectory: dist\n    files: ['**/*']\n"})
	wantFailed(t, s.build(t, appID), "dist")
	if body := string(s.get(t, appID, "/", nil).Body); body != "v1\n" {
		t.Errorf("after failed builds the site serves %q, want v1", body)
	}
}

func TestBuildTimeout(t *testing.T) {
	s := startBuildServer(t, func(m *Main) { m.buildMinute = 300 * time.Millisecond })
	r := newRepo(t)
	r.push(t, "main", "slow", files{"amplify.yml": siteSpec("never", "(sleep 600; echo late) &", "sleep 600")})
	appID := newGitApp(t, s, r, map[string]string{"_BUILD_TIMEOUT": "5"})
	job := s.build(t, appID)
	wantFailed(t, job, "timed out after 5 minutes")
	if r := s.get(t, appID, "/", nil); r.Status != 404 {
		t.Errorf("a timed-out first build left a site: %d %q", r.Status, r.Body)
	}
}

func TestBuildStopJob(t *testing.T) {
	s := startBuildServer(t, nil)
	r := newRepo(t)
	r.push(t, "main", "forever", files{"amplify.yml": siteSpec("never", "echo started", "sleep 600")})
	appID := newGitApp(t, s, r, nil)
	jobID := s.startBuild(t, appID)
	deadline := time.Now().Add(jobTimeout)
	for {
		job := pollJob(t, s.client, appID, jobID, func(types.JobStatus) bool { return true })
		if len(job.Steps) > 0 && strings.Contains(tryStepLog(job, "BUILD"), "started") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the build never started: %s", stepNames(job))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := s.client.StopJob(t.Context(), &amplify.StopJobInput{AppId: aws.String(appID), BranchName: aws.String("main"), JobId: aws.String(jobID)}); err != nil {
		t.Fatal(err)
	}
	job := s.waitJob(t, appID, jobID)
	if job.Summary.Status != types.JobStatusCancelled {
		t.Fatalf("stopped job ended %s (%s), want CANCELLED", job.Summary.Status, stepReasons(job))
	}
}

func TestBuildRetryRebuildsCommit(t *testing.T) {
	s := startBuildServer(t, nil)
	r := newRepo(t)
	first := r.push(t, "main", "one", files{"amplify.yml": siteSpec("one")})
	appID := newGitApp(t, s, r, nil)
	job1 := s.build(t, appID)
	wantSucceeded(t, job1)
	r.push(t, "main", "two", files{"amplify.yml": siteSpec("two")})
	wantSucceeded(t, s.build(t, appID))
	if body := string(s.get(t, appID, "/", nil).Body); body != "two\n" {
		t.Fatalf("site = %q after the second build", body)
	}
	out, err := s.client.StartJob(t.Context(), &amplify.StartJobInput{
		AppId: aws.String(appID), BranchName: aws.String("main"), JobType: types.JobTypeRetry, JobId: job1.Summary.JobId,
	})
	if err != nil {
		t.Fatal(err)
	}
	job := s.waitJob(t, appID, *out.JobSummary.JobId)
	wantSucceeded(t, job)
	wantString(t, "commitId", job.Summary.CommitId, first)
	if got := stepNames(job); !strings.HasPrefix(got, "BUILD:SUCCEED") {
		t.Errorf("RETRY steps = %s, want a rebuild", got)
	}
	if body := string(s.get(t, appID, "/", nil).Body); body != "one\n" {
		t.Errorf("site = %q after retrying job 1, want one", body)
	}
	// StartJob with a commitId builds that commit.
	out, err = s.client.StartJob(t.Context(), &amplify.StartJobInput{
		AppId: aws.String(appID), BranchName: aws.String("main"), JobType: types.JobTypeRelease, CommitId: aws.String(first[:12]),
	})
	if err != nil {
		t.Fatal(err)
	}
	job = s.waitJob(t, appID, *out.JobSummary.JobId)
	wantSucceeded(t, job)
	wantString(t, "commitId", job.Summary.CommitId, first)
}

func TestBuildCannotReadDataDir(t *testing.T) {
	s := startBuildServer(t, nil)
	r := newRepo(t)
	r.push(t, "main", "snoop", files{"amplify.yml": siteSpec("x",
		`mkdir -p out && (cat "$PIER_DIR/credentials" "$PIER_DIR/seal.key" > out/leak.txt 2>/dev/null && echo LEAKED || echo denied) > out/result.txt`,
		`(ls "$PIER_DIR" >> out/leak.txt 2>/dev/null && echo listed || echo unlisted) >> out/result.txt`,
		`(cat /proc/1/environ > out/env.txt 2>/dev/null; echo done) >> out/result.txt`,
		// Pier's API on loopback: not directly, not through the egress proxy.
		`(timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$PIER_API_PORT' 2>/dev/null && echo api-reached || echo api-unreachable) > out/net.txt`,
		`for target in 127.0.0.1:$PIER_API_PORT 169.254.169.254:80; do (exec 3<>/dev/tcp/127.0.0.1/3128 && printf 'CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n' $target $target >&3 && timeout 5 head -n1 <&3 | tr -d '\r' || echo no-proxy) >> out/net.txt; done`)})
	appID := newGitApp(t, s, r, map[string]string{"PIER_DIR": s.dir, "PIER_API_PORT": s.APIURL[strings.LastIndex(s.APIURL, ":")+1:]})
	wantSucceeded(t, s.build(t, appID))
	result := string(s.get(t, appID, "/result.txt", nil).Body)
	if !strings.HasPrefix(result, "denied\n") {
		t.Errorf("the build read Pier's data dir: result %q, leak %q", result, s.get(t, appID, "/leak.txt", nil).Body)
	}
	leak := string(s.get(t, appID, "/leak.txt", nil).Body)
	for _, secret := range []string{testSecretKey, "seal.key", "credentials", "blobs"} {
		if strings.Contains(leak, secret) {
			t.Errorf("the build saw %q in the data dir: %q", secret, leak)
		}
	}
	net := string(s.get(t, appID, "/net.txt", nil).Body)
	lines := strings.Split(strings.TrimSpace(net), "\n")
	if len(lines) != 3 || lines[0] != "api-unreachable" || !strings.HasPrefix(lines[1], "HTTP/1.1 403") || !strings.HasPrefix(lines[2], "HTTP/1.1 403") {
		t.Errorf("the build's network: %q, want Pier's API unreachable and the proxy refusing it and the metadata address (403)", net)
	}
	if env := string(s.get(t, appID, "/env.txt", nil).Body); strings.Contains(env, testSecretKey) {
		t.Errorf("the build read Pier's environment through /proc: %q", env)
	}
}
