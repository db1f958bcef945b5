package service

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
)

// GitEventKind says what happened in an app's repository.
type GitEventKind string

// Kinds of GitEvent.
const (
	GitPush          GitEventKind = "push"
	GitBranchCreated GitEventKind = "branch-created"
	GitBranchDeleted GitEventKind = "branch-deleted"
	GitPROpened      GitEventKind = "pr-opened"
	GitPRUpdated     GitEventKind = "pr-updated"
	GitPRClosed      GitEventKind = "pr-closed"
)

// SkipCDMarker at the end of a commit message keeps a push from building.
const SkipCDMarker = "[skip-cd]"

// GitEvent is one change in an app's repository, as a Git provider's
// webhook or the poller reports it.
type GitEvent struct {
	Kind GitEventKind
	// Branch is the Git branch pushed, created or deleted.
	Branch string
	// Commit is the new head (of the pull request's source for PR events);
	// "" when unknown, which builds the branch's head.
	Commit  string
	Message string    // the head commit's message, "" when unknown
	Time    time.Time // the head commit's time, zero when unknown
	// PR, SourceBranch and DestinationBranch describe a pull request.
	PR                int
	SourceBranch      string
	DestinationBranch string
}

// GitEventResult says what HandleGitEvent did.
type GitEventResult struct {
	Branch  string    `json:"branch,omitempty"` // the Pier branch acted on
	Created bool      `json:"created,omitempty"`
	Deleted bool      `json:"deleted,omitempty"`
	Job     *pier.Job `json:"-"`                 // the job started, if any
	Ignored string    `json:"ignored,omitempty"` // why nothing (more) was done
}

// HandleGitEvent applies ev to app, as Amplify does with its Git provider's
// events:
//   - a push to a branch with enableAutoBuild queues a WEB_HOOK job of the
//     commit, unless its message ends with [skip-cd];
//   - a push to, or the creation of, a Git branch Pier does not know that
//     matches autoBranchCreationPatterns, with enableAutoBranchCreation,
//     creates the branch from autoBranchCreationConfig (a push builds it);
//   - a deleted Git branch, with enableBranchAutoDeletion, deletes the Pier
//     branch and its site;
//   - a pull request opened or updated into a branch with
//     enablePullRequestPreview builds the preview branch pr-N (created with
//     stage PULL_REQUEST if missing); closing it deletes pr-N.
//
// Events that change nothing return a result saying why, not an error.
// Handling is idempotent: a push of the commit the branch's latest job
// built is ignored, so a redelivered event, or one seen both by a webhook
// and by the poller, builds once. The events of one branch take turns on
// this node, and creating a branch that appeared concurrently uses it.
func (s *Service) HandleGitEvent(ctx context.Context, app *pier.App, ev GitEvent) (GitEventResult, error) {
	if app.Repository == "" {
		return GitEventResult{Ignored: "The app is not connected to a repository."}, nil
	}
	switch ev.Kind {
	case GitPush, GitBranchCreated:
		return s.gitPush(ctx, app, ev)
	case GitBranchDeleted:
		return s.gitBranchDeleted(ctx, app, ev)
	case GitPROpened, GitPRUpdated:
		return s.gitPullRequest(ctx, app, ev)
	case GitPRClosed:
		return s.gitPRClosed(ctx, app, ev)
	}
	return GitEventResult{}, fmt.Errorf("git event: unknown kind %q", ev.Kind)
}

// gitPush handles a push or a branch creation.
func (s *Service) gitPush(ctx context.Context, app *pier.App, ev GitEvent) (res GitEventResult, err error) {
	unlock, err := s.locks.lock(ctx, gitEventKey(app, ev.Branch))
	if err != nil {
		return res, err
	}
	defer unlock()
	b, err := s.store.GetBranch(ctx, app.AccountID, app.ID, ev.Branch)
	switch {
	case pier.ErrorCode(err) == pier.ENOTFOUND:
		if !app.EnableAutoBranchCreation || !pier.MatchBranchPatterns(app.AutoBranchCreationPatterns, ev.Branch) {
			return GitEventResult{Ignored: "The branch is not connected and matches no auto branch creation pattern."}, nil
		}
		if b, res.Created, err = s.createGitBranch(ctx, app, autoBranchInput(app, ev.Branch), nil); err != nil {
			return res, err
		}
	case err != nil:
		return res, err
	case b.PullRequest != nil:
		return GitEventResult{Ignored: "The branch is a pull request preview."}, nil
	}
	res.Branch = b.Name
	if ev.Kind == GitBranchCreated && ev.Commit == "" {
		return res, nil // the push that follows builds it
	}
	res.Job, res.Ignored, err = s.buildGitCommit(ctx, b, ev, "Push to "+ev.Branch)
	return res, err
}

// gitBranchDeleted handles the deletion of a Git branch.
func (s *Service) gitBranchDeleted(ctx context.Context, app *pier.App, ev GitEvent) (GitEventResult, error) {
	if !app.EnableBranchAutoDeletion {
		return GitEventResult{Ignored: "Branch auto deletion is disabled."}, nil
	}
	return s.deleteGitBranch(ctx, app, ev.Branch, func(b *pier.Branch) bool { return b.PullRequest == nil })
}

// gitPullRequest builds the preview of an opened or updated pull request.
func (s *Service) gitPullRequest(ctx context.Context, app *pier.App, ev GitEvent) (res GitEventResult, err error) {
	dest, err := s.store.GetBranch(ctx, app.AccountID, app.ID, ev.DestinationBranch)
	if pier.ErrorCode(err) == pier.ENOTFOUND {
		return GitEventResult{Ignored: "The destination branch is not connected."}, nil
	} else if err != nil {
		return res, err
	}
	if !dest.EnablePullRequestPreview {
		return GitEventResult{Ignored: "The destination branch has pull request previews disabled."}, nil
	}
	name := pier.PullRequestBranchName(ev.PR)
	unlock, err := s.locks.lock(ctx, gitEventKey(app, name))
	if err != nil {
		return res, err
	}
	defer unlock()
	b, err := s.store.GetBranch(ctx, app.AccountID, app.ID, name)
	switch {
	case pier.ErrorCode(err) == pier.ENOTFOUND:
		pr := &pier.PullRequest{Number: ev.PR, SourceBranch: ev.SourceBranch, DestinationBranch: ev.DestinationBranch}
		if b, res.Created, err = s.createGitBranch(ctx, app, previewInput(dest, pr), pr); err != nil {
			return res, err
		}
	case err != nil:
		return res, err
	case b.PullRequest == nil:
		return GitEventResult{Ignored: "Branch " + name + " exists and is not a pull request preview."}, nil
	}
	res.Branch = b.Name
	res.Job, res.Ignored, err = s.buildGitCommit(ctx, b, ev, fmt.Sprintf("Pull request #%d", ev.PR))
	return res, err
}

// gitPRClosed deletes the preview of a closed pull request.
func (s *Service) gitPRClosed(ctx context.Context, app *pier.App, ev GitEvent) (GitEventResult, error) {
	return s.deleteGitBranch(ctx, app, pier.PullRequestBranchName(ev.PR), func(b *pier.Branch) bool { return b.PullRequest != nil })
}

// deleteGitBranch deletes branch name if it exists and ok accepts it.
func (s *Service) deleteGitBranch(ctx context.Context, app *pier.App, name string, ok func(*pier.Branch) bool) (GitEventResult, error) {
	unlock, err := s.locks.lock(ctx, gitEventKey(app, name))
	if err != nil {
		return GitEventResult{}, err
	}
	defer unlock()
	b, err := s.store.GetBranch(ctx, app.AccountID, app.ID, name)
	if err == nil && !ok(b) {
		return GitEventResult{Ignored: "Branch " + name + " is not deleted by this event."}, nil
	}
	if err == nil {
		_, err = s.DeleteBranch(ctx, app.AccountID, app.ID, name)
	}
	if pier.ErrorCode(err) == pier.ENOTFOUND {
		return GitEventResult{Ignored: "The branch is not connected."}, nil
	}
	if err != nil {
		return GitEventResult{}, err
	}
	return GitEventResult{Branch: name, Deleted: true}, nil
}

// createGitBranch creates a branch for an event, or returns the one another
// event created meanwhile (created false).
func (s *Service) createGitBranch(ctx context.Context, app *pier.App, in pier.BranchInput, pr *pier.PullRequest) (*pier.Branch, bool, error) {
	b, err := s.createBranch(ctx, app.AccountID, app.ID, in, pr)
	if pier.ErrorCode(err) == pier.ECONFLICT {
		b, err = s.store.GetBranch(ctx, app.AccountID, app.ID, *in.BranchName)
		return b, false, err
	}
	return b, err == nil, err
}

// buildGitCommit queues a WEB_HOOK job of ev's commit on b, or says why not.
func (s *Service) buildGitCommit(ctx context.Context, b *pier.Branch, ev GitEvent, reason string) (*pier.Job, string, error) {
	if !b.EnableAutoBuild {
		return nil, "Auto build is disabled for the branch.", nil
	}
	if strings.HasSuffix(strings.TrimRight(ev.Message, " \t\r\n"), SkipCDMarker) {
		return nil, "The commit message ends with " + SkipCDMarker + ".", nil
	}
	if ev.Commit != "" {
		latest, _, err := s.store.ListJobs(ctx, b.AccountID, b.AppID, b.Name, pier.Page{Limit: 1})
		if err != nil {
			return nil, "", err
		}
		if len(latest) == 1 && sameCommit(latest[0].CommitID, ev.Commit) {
			return nil, "The branch's latest job is of this commit.", nil
		}
	}
	j, err := s.StartJob(ctx, b.AccountID, b.AppID, b.Name, StartJobInput{
		JobType: pier.JobTypeWebhook, JobReason: reason,
		CommitID: ev.Commit, CommitMessage: ev.Message, CommitTime: ev.Time,
	})
	return j, "", err
}

// sameCommit reports whether two commit ids name the same commit: equal,
// or one an abbreviation (7 digits or more) of the other, as Bitbucket
// sends them.
func sameCommit(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	if len(a) > len(b) {
		a, b = b, a
	}
	return len(a) >= 7 && strings.HasPrefix(b, a)
}

// autoBranchInput is the input of a branch created from the app's
// autoBranchCreationConfig.
func autoBranchInput(app *pier.App, name string) pier.BranchInput {
	in := pier.BranchInput{BranchName: &name, EnableAutoBuild: new(true)}
	c := app.AutoBranchCreationConfig
	if c == nil {
		return in
	}
	in.Stage = nonEmpty(c.Stage)
	in.Framework = nonEmpty(c.Framework)
	if c.EnableAutoBuild != nil {
		in.EnableAutoBuild = c.EnableAutoBuild
	}
	in.EnvironmentVariables = maps.Clone(c.EnvironmentVariables)
	in.BasicAuthCredentials = nonEmpty(c.BasicAuthCredentials)
	in.EnableBasicAuth = c.EnableBasicAuth
	in.EnablePerformanceMode = c.EnablePerformanceMode
	in.BuildSpec = nonEmpty(c.BuildSpec)
	in.EnablePullRequestPreview = c.EnablePullRequestPreview
	in.PullRequestEnvironmentName = nonEmpty(c.PullRequestEnvironmentName)
	return in
}

// previewInput is the input of the preview branch of pr: stage
// PULL_REQUEST, with the destination branch's build settings.
func previewInput(dest *pier.Branch, pr *pier.PullRequest) pier.BranchInput {
	name := pier.PullRequestBranchName(pr.Number)
	return pier.BranchInput{
		BranchName:            &name,
		Description:           new(fmt.Sprintf("Pull request #%d: %s into %s", pr.Number, pr.SourceBranch, pr.DestinationBranch)),
		Stage:                 new(pier.StagePullRequest),
		Framework:             &dest.Framework,
		EnableAutoBuild:       new(true),
		EnvironmentVariables:  maps.Clone(dest.EnvironmentVariables),
		BasicAuthCredentials:  &dest.BasicAuthCredentials,
		EnableBasicAuth:       &dest.EnableBasicAuth,
		EnablePerformanceMode: &dest.EnablePerformanceMode,
		BuildSpec:             &dest.BuildSpec,
		TTL:                   &dest.TTL,
	}
}

// gitEventKey is the lock that makes the events of one branch take turns.
func gitEventKey(app *pier.App, branch string) string {
	return "git-event\x00" + app.AccountID + "\x00" + app.ID + "\x00" + branch
}

// nonEmpty returns &s, or nil for "" (not given).
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
