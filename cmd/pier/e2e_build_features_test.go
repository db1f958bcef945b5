package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
)

func TestBuildCacheCarriesOver(t *testing.T) {
	s := startBuildServer(t, nil)
	r := newRepo(t)
	spec := `version: 1
frontend:
  phases:
    build:
      commands:
        - mkdir -p out deps
        - if [ -f deps/made-by ]; then echo "restored from job $(cat deps/made-by)" > out/index.html; else echo "$AWS_JOB_ID" > deps/made-by; echo cold > out/index.html; fi
        - ln -sf made-by deps/link
  artifacts:
    baseDirectory: out
    files: ['**/*']
  cache:
    paths:
      - deps/**/*
      - /etc/passwd
      - ../outside/**/*
`
	r.push(t, "main", "cached", files{"amplify.yml": spec})
	appID := newGitApp(t, s, r, nil)
	job1 := s.build(t, appID)
	wantSucceeded(t, job1)
	if body := string(s.get(t, appID, "/", nil).Body); body != "cold\n" {
		t.Fatalf("first build: %q", body)
	}
	log1 := stepLog(t, job1, "BUILD")
	for _, want := range []string{"Ignoring cache path /etc/passwd", "Ignoring cache path ../outside/**/*", "Saved the cache: 2 files"} {
		if !strings.Contains(log1, want) {
			t.Errorf("first BUILD log lacks %q:\n%s", want, log1)
		}
	}
	job2 := s.build(t, appID)
	wantSucceeded(t, job2)
	if body := string(s.get(t, appID, "/", nil).Body); body != "restored from job 0000000001\n" {
		t.Errorf("second build: %q, want the cache of job 1", body)
	}
	if log2 := stepLog(t, job2, "BUILD"); !strings.Contains(log2, "Restored the cache: 2 files") {
		t.Errorf("second BUILD log lacks the restore:\n%s", log2)
	}
	t.Logf("BUILD step: %v cold, %v with the cache", stepDuration(job1, "BUILD"), stepDuration(job2, "BUILD"))
}

func TestBuildMonorepo(t *testing.T) {
	s := startBuildServer(t, nil)
	r := newRepo(t)
	spec := `version: 1
applications:
  - appRoot: apps/web
    frontend:
      phases:
        build:
          commands:
            - mkdir -p dist && echo "web at $(basename $(pwd))" > dist/index.html
      artifacts:
        baseDirectory: dist
        files: ['**/*']
  - appRoot: apps/docs
    env:
      variables:
        TITLE: documentation
    frontend:
      phases:
        build:
          commands:
            - mkdir -p public && echo "docs $TITLE" > public/index.html
      artifacts:
        baseDirectory: public
        files: ['**/*']
`
	r.push(t, "main", "monorepo", files{"amplify.yml": spec, "apps/web/README": "web", "apps/docs/README": "docs"})
	web := newGitApp(t, s, r, map[string]string{"AMPLIFY_MONOREPO_APP_ROOT": "apps/web"})
	docs := newGitApp(t, s, r, map[string]string{"AMPLIFY_MONOREPO_APP_ROOT": "apps/docs"})
	wantSucceeded(t, s.build(t, web))
	wantSucceeded(t, s.build(t, docs))
	if body := string(s.get(t, web, "/", nil).Body); body != "web at web\n" {
		t.Errorf("web app serves %q", body)
	}
	if body := string(s.get(t, docs, "/", nil).Body); body != "docs documentation\n" {
		t.Errorf("docs app serves %q", body)
	}

	// With AMPLIFY_DIFF_DEPLOY, a commit that changes only another app
	// root is not built again.
	if _, err := s.client.UpdateApp(t.Context(), &amplify.UpdateAppInput{AppId: aws.String(web),
		EnvironmentVariables: map[string]string{"AMPLIFY_MONOREPO_APP_ROOT": "apps/web", "AMPLIFY_DIFF_DEPLOY": "true"}}); err != nil {
		t.Fatal(err)
	}
	wantSucceeded(t, s.build(t, web)) // records the tree of apps/web
	r.push(t, "main", "docs only", files{"apps/docs/README": "docs changed"})
	job := s.build(t, web)
	wantSucceeded(t, job)
	if log := stepLog(t, job, "BUILD"); !strings.Contains(log, "no changes in apps/web") {
		t.Errorf("diff deploy did not skip an unchanged app root:\n%s", log)
	}
	r.push(t, "main", "web change", files{"apps/web/README": "web changed"})
	job = s.build(t, web)
	wantSucceeded(t, job)
	if log := stepLog(t, job, "BUILD"); strings.Contains(log, "no changes") || !strings.Contains(log, "Executing command") {
		t.Errorf("diff deploy skipped a changed app root:\n%s", log)
	}
}

func TestBuildTestPhaseArtifacts(t *testing.T) {
	s := startBuildServer(t, nil)
	r := newRepo(t)
	spec := siteSpec("tested") + `test:
  phases:
    test:
      commands:
        - mkdir -p reports/shots && echo '{"passes":1}' > reports/report.json && echo png > reports/shots/home.png
  artifacts:
    baseDirectory: reports
    configFilePath: report.json
    files: ['**/*.png']
`
	r.push(t, "main", "with tests", files{"amplify.yml": spec})
	appID := newGitApp(t, s, r, nil)
	job := s.build(t, appID)
	wantSucceeded(t, job)
	if got := stepNames(job); got != "BUILD:SUCCEED TEST:SUCCEED DEPLOY:SUCCEED VERIFY:SUCCEED" {
		t.Errorf("steps = %s", got)
	}
	arts, err := s.client.ListArtifacts(t.Context(), &amplify.ListArtifactsInput{AppId: aws.String(appID), BranchName: aws.String("main"), JobId: job.Summary.JobId})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range arts.Artifacts {
		u, err := s.client.GetArtifactUrl(t.Context(), &amplify.GetArtifactUrlInput{ArtifactId: a.ArtifactId})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(*u.ArtifactUrl)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got[*a.ArtifactFileName] = string(body)
	}
	if got["shots/home.png"] != "png\n" || got["report.json"] != "{\"passes\":1}\n" || len(got) != 2 {
		t.Errorf("test artifacts = %v", got)
	}

	// USER_DISABLE_TESTS skips the step; a failing test fails the job.
	if _, err := s.client.UpdateBranch(t.Context(), &amplify.UpdateBranchInput{AppId: aws.String(appID), BranchName: aws.String("main"),
		EnvironmentVariables: map[string]string{"USER_DISABLE_TESTS": "true"}}); err != nil {
		t.Fatal(err)
	}
	job = s.build(t, appID)
	wantSucceeded(t, job)
	if got := stepNames(job); got != "BUILD:SUCCEED DEPLOY:SUCCEED VERIFY:SUCCEED" {
		t.Errorf("steps with USER_DISABLE_TESTS = %s", got)
	}
	if _, err := s.client.UpdateBranch(t.Context(), &amplify.UpdateBranchInput{AppId: aws.String(appID), BranchName: aws.String("main"),
		EnvironmentVariables: map[string]string{"USER_DISABLE_TESTS": "false"}}); err != nil {
		t.Fatal(err)
	}
	r.push(t, "main", "failing test", files{"amplify.yml": siteSpec("untested") + "test:\n  phases:\n    test:\n      commands: ['exit 1']\n"})
	job = s.build(t, appID)
	wantFailed(t, job, "exit code 1")
	if body := string(s.get(t, appID, "/", nil).Body); body != "tested\n" {
		t.Errorf("a failed test published the build: %q", body)
	}
}
