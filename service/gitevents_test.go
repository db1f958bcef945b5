package service

import (
	"sync"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

// gitApp is the app of the Git event tests: main builds automatically and
// has pull request previews, dev does neither, feature/** branches are
// created automatically and deleted branches removed.
const gitApp = "d1gitevents"

func newGitEventFixture(t *testing.T) (*logFixture, *pier.App) {
	t.Helper()
	f := newLogFixture(t)
	ctx := t.Context()
	now := time.Now().UTC()
	app := &pier.App{AccountID: logAccount, ID: gitApp, Name: "git", Repository: "https://git.example.com/site.git",
		EnableAutoBranchCreation: true, AutoBranchCreationPatterns: []string{"feature/**"}, EnableBranchAutoDeletion: true,
		AutoBranchCreationConfig: &pier.AutoBranchCreationConfig{Stage: pier.StageDevelopment, EnvironmentVariables: map[string]string{"FROM": "config"}},
		CreateTime:               now, UpdateTime: now}
	if err := f.store.CreateApp(ctx, app); err != nil {
		t.Fatal(err)
	}
	for _, b := range []*pier.Branch{
		{Name: "main", EnableAutoBuild: true, EnablePullRequestPreview: true, Framework: "React", EnvironmentVariables: map[string]string{"MAIN": "1"}},
		{Name: "dev"},
	} {
		b.AccountID, b.AppID, b.DisplayName, b.CreateTime, b.UpdateTime = logAccount, gitApp, b.Name, now, now
		if err := f.store.CreateBranch(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	return f, app
}

// jobsOf returns the commits of a branch's jobs, oldest first; nil when the
// branch does not exist.
func jobsOf(t *testing.T, f *logFixture, branch string) []string {
	t.Helper()
	jobs, _, err := f.store.ListJobs(t.Context(), logAccount, gitApp, branch, pier.Page{Limit: 50})
	if pier.ErrorCode(err) == pier.ENOTFOUND {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	commits := []string{}
	for i := len(jobs) - 1; i >= 0; i-- {
		if jobs[i].Type != pier.JobTypeWebhook {
			t.Errorf("job %s of %s is %s, want WEB_HOOK", jobs[i].IDString(), branch, jobs[i].Type)
		}
		commits = append(commits, jobs[i].CommitID)
	}
	return commits
}

func TestHandleGitEvent(t *testing.T) {
	const c1, c2 = "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"
	push := func(branch, commit, msg string) GitEvent {
		return GitEvent{Kind: GitPush, Branch: branch, Commit: commit, Message: msg}
	}
	pr := func(kind GitEventKind, n int, commit, dest string) GitEvent {
		return GitEvent{Kind: kind, PR: n, Commit: commit, SourceBranch: "topic", DestinationBranch: dest}
	}
	for _, tc := range []struct {
		name   string
		events []GitEvent
		jobs   map[string][]string // branch → commits built; nil: no such branch
	}{
		{"push builds the commit", []GitEvent{push("main", c1, "fix")},
			map[string][]string{"main": {c1}}},
		{"skip-cd at the end skips", []GitEvent{push("main", c1, "docs [skip-cd]\n\n")},
			map[string][]string{"main": {}}},
		{"skip-cd elsewhere builds", []GitEvent{push("main", c1, "[skip-cd] no")},
			map[string][]string{"main": {c1}}},
		{"auto build off", []GitEvent{push("dev", c1, "")},
			map[string][]string{"dev": {}}},
		{"redelivered push builds once", []GitEvent{push("main", c1, ""), push("main", c1, ""), push("main", c2, "")},
			map[string][]string{"main": {c1, c2}}},
		{"abbreviated commit of the latest job", []GitEvent{push("main", c1, ""), push("main", c1[:12], "")},
			map[string][]string{"main": {c1}}},
		{"unknown branch matching a pattern is created and built", []GitEvent{push("feature/a/b", c1, "")},
			map[string][]string{"feature/a/b": {c1}}},
		{"unknown branch matching no pattern", []GitEvent{push("hotfix", c1, "")},
			map[string][]string{"hotfix": nil}},
		{"created without commit waits for the push", []GitEvent{{Kind: GitBranchCreated, Branch: "feature/x"}},
			map[string][]string{"feature/x": {}}},
		{"created then pushed builds once", []GitEvent{{Kind: GitBranchCreated, Branch: "feature/x", Commit: c1}, push("feature/x", c1, "")},
			map[string][]string{"feature/x": {c1}}},
		{"deleted branch", []GitEvent{{Kind: GitBranchDeleted, Branch: "dev"}, {Kind: GitBranchDeleted, Branch: "dev"}},
			map[string][]string{"dev": nil, "main": {}}},
		{"pull request preview", []GitEvent{pr(GitPROpened, 1, c1, "main"), pr(GitPRUpdated, 1, c1, "main"), pr(GitPRUpdated, 1, c2, "main")},
			map[string][]string{"pr-1": {c1, c2}}},
		{"pull request closed", []GitEvent{pr(GitPROpened, 1, c1, "main"), pr(GitPRClosed, 1, "", "main")},
			map[string][]string{"pr-1": nil, "main": {}}},
		{"pull request into a branch without previews", []GitEvent{pr(GitPROpened, 2, c1, "dev")},
			map[string][]string{"pr-2": nil}},
		{"pull request into an unknown branch", []GitEvent{pr(GitPROpened, 2, c1, "nope")},
			map[string][]string{"pr-2": nil}},
		{"push to a git branch named like a preview", []GitEvent{pr(GitPROpened, 1, c1, "main"), push("pr-1", c2, "")},
			map[string][]string{"pr-1": {c1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, app := newGitEventFixture(t)
			for _, ev := range tc.events {
				if _, err := f.svc.HandleGitEvent(t.Context(), app, ev); err != nil {
					t.Fatalf("HandleGitEvent(%+v): %v", ev, err)
				}
			}
			for branch, want := range tc.jobs {
				got := jobsOf(t, f, branch)
				if (got == nil) != (want == nil) || len(got) != len(want) {
					t.Fatalf("jobs of %s = %q, want %q", branch, got, want)
				}
				for i := range want {
					if got[i] != want[i] {
						t.Errorf("jobs of %s = %q, want %q", branch, got, want)
					}
				}
			}
		})
	}
}

func TestGitEventCreatedBranches(t *testing.T) {
	f, app := newGitEventFixture(t)
	ctx := t.Context()
	if _, err := f.svc.HandleGitEvent(ctx, app, GitEvent{Kind: GitPush, Branch: "feature/new", Commit: "abc1234"}); err != nil {
		t.Fatal(err)
	}
	b, err := f.store.GetBranch(ctx, logAccount, gitApp, "feature/new")
	if err != nil {
		t.Fatal(err)
	}
	if b.Stage != pier.StageDevelopment || b.EnvironmentVariables["FROM"] != "config" || !b.EnableAutoBuild || b.DisplayName != "feature-new" {
		t.Errorf("auto-created branch = %+v, want stage DEVELOPMENT, FROM=config, auto build, display name feature-new", b)
	}

	res, err := f.svc.HandleGitEvent(ctx, app, GitEvent{Kind: GitPROpened, PR: 9, Commit: "def5678", SourceBranch: "topic", DestinationBranch: "main"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Branch != "pr-9" || !res.Created || res.Job == nil {
		t.Fatalf("result = %+v, want pr-9 created and built", res)
	}
	p, err := f.store.GetBranch(ctx, logAccount, gitApp, "pr-9")
	if err != nil {
		t.Fatal(err)
	}
	want := pier.PullRequest{Number: 9, SourceBranch: "topic", DestinationBranch: "main"}
	if p.PullRequest == nil || *p.PullRequest != want || p.Stage != pier.StagePullRequest || p.Framework != "React" || p.EnvironmentVariables["MAIN"] != "1" {
		t.Errorf("preview branch = %+v (pull request %+v), want stage PULL_REQUEST with main's settings and %+v", p, p.PullRequest, want)
	}
}

func TestGitEventsConcurrent(t *testing.T) {
	f, app := newGitEventFixture(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := f.svc.HandleGitEvent(t.Context(), app, GitEvent{Kind: GitPush, Branch: "feature/race", Commit: "abcdef1"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := jobsOf(t, f, "feature/race"); len(got) != 1 {
		t.Errorf("jobs of feature/race = %q, want one", got)
	}
}

func TestGitEventsSecret(t *testing.T) {
	f, _ := newGitEventFixture(t)
	ep, err := f.svc.GitEvents(t.Context(), logAccount, gitApp)
	if err != nil {
		t.Fatal(err)
	}
	if ep.URL != "/pier/events/"+gitApp || ep.Secret != f.svc.GitEventsSecret(gitApp) || len(ep.Secret) < 40 {
		t.Errorf("endpoint = %+v", ep)
	}
	if f.svc.GitEventsSecret("d2other") == ep.Secret {
		t.Error("two apps share a secret")
	}
	if _, err := f.svc.GitEvents(t.Context(), "other-account", gitApp); pier.ErrorCode(err) != pier.ENOTFOUND {
		t.Errorf("GitEvents of another account's app = %v, want ENOTFOUND", err)
	}
}
