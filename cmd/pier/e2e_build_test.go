package main

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
)

// shellSpec is a build spec that needs nothing but bash. The cd of preBuild
// holds in build (one shell per section); variables print in precedence
// order.
const shellSpec = `version: 1
env:
  variables:
    BAZ: spec
    SPEC_API_KEY: sp3c-key-value-91
frontend:
  phases:
    preBuild:
      commands:
        - mkdir -p out && cd out
    build:
      commands:
        - echo "<h1>$AWS_BRANCH $AWS_JOB_ID $AWS_COMMIT_ID</h1>" > index.html
        - echo "FOO=$FOO BAR=$BAR BAZ=$BAZ APP=$AWS_APP_ID ARN=$AWS_BRANCH_ARN CLONE=$AWS_CLONE_URL TIMEOUT=$_BUILD_TIMEOUT" > env.txt
        - echo "token $MY_SECRET_TOKEN and clone token ` + gitToken + ` and spec key $SPEC_API_KEY"
  artifacts:
    baseDirectory: out
    files:
      - '**/*'
`

func TestBuildShellSpec(t *testing.T) {
	s := startBuildServer(t, nil)
	r := newRepo(t)
	sha := r.push(t, "main", "First build\n\nWith a body.", files{"amplify.yml": shellSpec, "customHttp.yml": "customHeaders:\n  - pattern: '**/*'\n    headers:\n      - key: X-From-Repo\n        value: yes\n"})
	appID := newGitApp(t, s, r, map[string]string{"FOO": "app", "BAR": "app", "BAZ": "app", "MY_SECRET_TOKEN": "s3cr3t-value-77"})
	if _, err := s.client.UpdateBranch(t.Context(), &amplify.UpdateBranchInput{
		AppId: aws.String(appID), BranchName: aws.String("main"),
		EnvironmentVariables: map[string]string{"BAR": "branch", "BAZ": "branch"},
	}); err != nil {
		t.Fatal(err)
	}
	app, err := s.client.GetApp(t.Context(), &amplify.GetAppInput{AppId: aws.String(appID)})
	if err != nil {
		t.Fatal(err)
	}
	if app.App.RepositoryCloneMethod != types.RepositoryCloneMethodToken {
		t.Errorf("repositoryCloneMethod = %q, want TOKEN", app.App.RepositoryCloneMethod)
	}

	job := s.build(t, appID)
	wantSucceeded(t, job)
	if got := stepNames(job); got != "BUILD:SUCCEED DEPLOY:SUCCEED VERIFY:SUCCEED" {
		t.Errorf("steps = %s", got)
	}
	wantString(t, "commitId", job.Summary.CommitId, sha)
	wantString(t, "commitMessage", job.Summary.CommitMessage, "First build\n\nWith a body.")
	if ct := job.Summary.CommitTime; ct == nil || !ct.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("commitTime = %v, want the commit's time", ct)
	}

	page := s.get(t, appID, "/", nil)
	if want := "<h1>main 0000000001 " + sha + "</h1>\n"; string(page.Body) != want {
		t.Errorf("site / = %q, want %q", page.Body, want)
	}
	if page.Header.Get("X-From-Repo") != "yes" {
		t.Errorf("customHttp.yml of the repository root not applied: headers %v", page.Header)
	}
	env := string(s.get(t, appID, "/env.txt", nil).Body)
	for _, want := range []string{"FOO=app ", "BAR=branch ", "BAZ=spec ", "APP=" + appID + " ",
		"ARN=arn:aws:amplify:us-east-1:" + s.AdminKey.AccountID + ":apps/" + appID + "/branches/main ",
		"CLONE=" + r.url + " ", "TIMEOUT=30"} {
		if !strings.Contains(env, want) {
			t.Errorf("env.txt = %q, want %q in it", env, want)
		}
	}

	log := stepLog(t, job, "BUILD")
	for _, secret := range []string{gitToken, "s3cr3t-value-77", "sp3c-key-value-91"} {
		if strings.Contains(log, secret) {
			t.Errorf("BUILD log shows secret %q:\n%s", secret, log)
		}
	}
	if !strings.Contains(log, "token ******** and clone token ******** and spec key ********") {
		t.Errorf("BUILD log does not show masked secrets:\n%s", log)
	}
	if !strings.Contains(log, "# Executing command: mkdir -p out && cd out") {
		t.Errorf("BUILD log does not show the commands:\n%s", log)
	}
	firstCommand(t, job, log)

	// "pier logs --follow" streams a build from its start to its end.
	traceEnv(t, s.AdminKey.ID, s.AdminKey.Secret)
	jobID := s.startBuild(t, appID)
	followed, err := pierLogs(t, s, appID, "main", jobID, "--follow")
	if err != nil {
		t.Fatalf("pier logs --follow: %v", err)
	}
	second := s.waitJob(t, appID, jobID)
	if want := stepLogs(t, second); followed != want {
		t.Errorf("pier logs --follow printed:\n%s\nwant the steps' logs:\n%s", followed, want)
	}
	if !strings.Contains(followed, "==== BUILD ====\n") || strings.Contains(followed, gitToken) {
		t.Errorf("followed build log lacks BUILD or shows the token:\n%s", followed)
	}
}

// firstCommand logs how long StartJob took to reach the build's first
// command: the job's createTime to the log line's timestamp.
func firstCommand(t *testing.T, job *types.Job, log string) {
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, "# Executing command:") {
			continue
		}
		at, err := time.Parse("2006-01-02T15:04:05.000Z", strings.Fields(line)[0])
		if err == nil && job.Summary.StartTime != nil {
			t.Logf("StartJob → first command: %v", at.Sub(*job.Summary.StartTime).Round(time.Millisecond))
		}
		return
	}
}
