package main

import (
	"maps"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
)

// TestCreateBranch checks CreateBranch's defaults and derived members, for a
// branch name with "/" in it, and that GetBranch returns the same branch.
func TestCreateBranch(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "branches")
	appID := *app.AppId

	out, err := s.client.CreateBranch(ctx, &amplify.CreateBranchInput{AppId: app.AppId, BranchName: aws.String("feature/x.y_z")})
	if err != nil {
		t.Fatal(err)
	}
	b := out.Branch
	wantString(t, "branchName", b.BranchName, "feature/x.y_z")
	wantString(t, "branchArn", b.BranchArn, branchARN(appID, "feature/x.y_z"))
	wantString(t, "displayName", b.DisplayName, "feature-x-y-z")
	if b.Stage != "NONE" {
		t.Errorf("stage = %q, want NONE", b.Stage)
	}
	wantString(t, "ttl", b.Ttl, "5")
	wantString(t, "totalNumberOfJobs", b.TotalNumberOfJobs, "0")
	wantString(t, "activeJobId", b.ActiveJobId, "")
	wantString(t, "description", b.Description, "")
	wantString(t, "framework", b.Framework, "")
	wantBool(t, "enableAutoBuild", b.EnableAutoBuild, true)
	wantBool(t, "enableNotification", b.EnableNotification, false)
	wantBool(t, "enableBasicAuth", b.EnableBasicAuth, false)
	wantBool(t, "enablePullRequestPreview", b.EnablePullRequestPreview, false)
	if b.CustomDomains == nil || len(b.CustomDomains) != 0 {
		t.Errorf("customDomains = %#v, want []", b.CustomDomains)
	}
	if b.EnvironmentVariables == nil || len(b.EnvironmentVariables) != 0 {
		t.Errorf("environmentVariables = %#v, want {}", b.EnvironmentVariables)
	}
	wantRecent(t, "createTime", b.CreateTime)
	wantRecent(t, "updateTime", b.UpdateTime)

	got, err := s.client.GetBranch(ctx, &amplify.GetBranchInput{AppId: app.AppId, BranchName: aws.String("feature/x.y_z")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := jsonDiff(b, got.Branch); diff != "" {
		t.Errorf("GetBranch differs from CreateBranch:\n%s", diff)
	}

	t.Run("given members", func(t *testing.T) {
		out, err := s.client.CreateBranch(ctx, &amplify.CreateBranchInput{
			AppId: app.AppId, BranchName: aws.String("main"),
			Description: aws.String("the main line"), Stage: types.StageProduction, Framework: aws.String("React"),
			EnableAutoBuild: aws.Bool(false), EnvironmentVariables: map[string]string{"X": "1"},
			DisplayName: aws.String("prod"), Ttl: aws.String("30"), Tags: map[string]string{"k": "v"},
		})
		if err != nil {
			t.Fatal(err)
		}
		b := out.Branch
		wantString(t, "description", b.Description, "the main line")
		if b.Stage != types.StageProduction {
			t.Errorf("stage = %q, want PRODUCTION", b.Stage)
		}
		wantString(t, "framework", b.Framework, "React")
		wantBool(t, "enableAutoBuild", b.EnableAutoBuild, false)
		wantString(t, "displayName", b.DisplayName, "prod")
		wantString(t, "ttl", b.Ttl, "30")
		if !maps.Equal(b.EnvironmentVariables, map[string]string{"X": "1"}) {
			t.Errorf("environmentVariables = %v", b.EnvironmentVariables)
		}
		if !maps.Equal(b.Tags, map[string]string{"k": "v"}) {
			t.Errorf("tags = %v", b.Tags)
		}
	})
	t.Run("display names stay unique", func(t *testing.T) {
		b := createBranch(t, s.client, appID, "feature-x-y-z")
		wantString(t, "displayName", b.DisplayName, "feature-x-y-z-2")
	})
	t.Run("duplicate", func(t *testing.T) {
		_, err := s.client.CreateBranch(ctx, &amplify.CreateBranchInput{AppId: app.AppId, BranchName: aws.String("feature/x.y_z")})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("unknown app", func(t *testing.T) {
		_, err := s.client.CreateBranch(ctx, &amplify.CreateBranchInput{AppId: aws.String("dnosuchapp0000"), BranchName: aws.String("main")})
		wantError[*types.NotFoundException](t, err)
	})
	t.Run("unknown branch", func(t *testing.T) {
		_, err := s.client.GetBranch(ctx, &amplify.GetBranchInput{AppId: app.AppId, BranchName: aws.String("nope")})
		wantError[*types.NotFoundException](t, err)
	})
	t.Run("reserved environment variable", func(t *testing.T) {
		_, err := s.client.CreateBranch(ctx, &amplify.CreateBranchInput{AppId: app.AppId, BranchName: aws.String("env"), EnvironmentVariables: map[string]string{"AWS_X": "1"}})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("taken display name", func(t *testing.T) {
		_, err := s.client.CreateBranch(ctx, &amplify.CreateBranchInput{AppId: app.AppId, BranchName: aws.String("other"), DisplayName: aws.String("prod")})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("unknown stage", func(t *testing.T) {
		_, err := s.client.CreateBranch(ctx, &amplify.CreateBranchInput{AppId: app.AppId, BranchName: aws.String("stage"), Stage: types.Stage("BOGUS")})
		wantError[*types.BadRequestException](t, err)
	})
}

// TestUpdateBranch checks that UpdateBranch changes only the members it is
// given and advances updateTime.
func TestUpdateBranch(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "update-branch")
	b, err := s.client.CreateBranch(ctx, &amplify.CreateBranchInput{
		AppId: app.AppId, BranchName: aws.String("release/1.0"),
		Description: aws.String("first"), Framework: aws.String("Vue"), Tags: map[string]string{"k": "v"},
	})
	if err != nil {
		t.Fatal(err)
	}
	waitPast(*b.Branch.UpdateTime)

	out, err := s.client.UpdateBranch(ctx, &amplify.UpdateBranchInput{
		AppId: app.AppId, BranchName: aws.String("release/1.0"),
		Stage: types.StageBeta, EnableNotification: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	u := out.Branch
	if u.Stage != types.StageBeta {
		t.Errorf("stage = %q, want BETA", u.Stage)
	}
	wantBool(t, "enableNotification", u.EnableNotification, true)
	wantString(t, "description", u.Description, "first")
	wantString(t, "framework", u.Framework, "Vue")
	wantString(t, "displayName", u.DisplayName, "release-1-0")
	if !maps.Equal(u.Tags, map[string]string{"k": "v"}) {
		t.Errorf("tags = %v, want unchanged", u.Tags)
	}
	if !u.CreateTime.Equal(*b.Branch.CreateTime) {
		t.Errorf("createTime moved from %v to %v", b.Branch.CreateTime, u.CreateTime)
	}
	if !u.UpdateTime.After(*b.Branch.UpdateTime) {
		t.Errorf("updateTime %v did not advance past %v", u.UpdateTime, b.Branch.UpdateTime)
	}
	got, err := s.client.GetBranch(ctx, &amplify.GetBranchInput{AppId: app.AppId, BranchName: aws.String("release/1.0")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := jsonDiff(u, got.Branch); diff != "" {
		t.Errorf("GetBranch differs from UpdateBranch's result:\n%s", diff)
	}

	t.Run("unknown branch", func(t *testing.T) {
		_, err := s.client.UpdateBranch(ctx, &amplify.UpdateBranchInput{AppId: app.AppId, BranchName: aws.String("nope"), Description: aws.String("x")})
		wantError[*types.NotFoundException](t, err)
	})
}

// TestDeleteBranch checks that DeleteBranch returns the branch and deletes
// its jobs and webhooks, and leaves its siblings alone.
func TestDeleteBranch(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "delete-branch")
	appID := *app.AppId
	createBranch(t, s.client, appID, "keep")
	createBranch(t, s.client, appID, "feature/gone")
	job := startSourceJob(t, s.client, appID, "feature/gone")
	keptJob := startSourceJob(t, s.client, appID, "keep")
	hook, err := s.client.CreateWebhook(ctx, &amplify.CreateWebhookInput{AppId: app.AppId, BranchName: aws.String("feature/gone")})
	if err != nil {
		t.Fatal(err)
	}
	keptHook, err := s.client.CreateWebhook(ctx, &amplify.CreateWebhookInput{AppId: app.AppId, BranchName: aws.String("keep")})
	if err != nil {
		t.Fatal(err)
	}

	out, err := s.client.DeleteBranch(ctx, &amplify.DeleteBranchInput{AppId: app.AppId, BranchName: aws.String("feature/gone")})
	if err != nil {
		t.Fatal(err)
	}
	wantString(t, "branchName", out.Branch.BranchName, "feature/gone")
	wantString(t, "branchArn", out.Branch.BranchArn, branchARN(appID, "feature/gone"))
	wantString(t, "totalNumberOfJobs", out.Branch.TotalNumberOfJobs, "1")

	_, err = s.client.GetBranch(ctx, &amplify.GetBranchInput{AppId: app.AppId, BranchName: aws.String("feature/gone")})
	wantError[*types.NotFoundException](t, err)
	_, err = s.client.GetJob(ctx, &amplify.GetJobInput{AppId: app.AppId, BranchName: aws.String("feature/gone"), JobId: job.JobId})
	wantError[*types.NotFoundException](t, err)
	_, err = s.client.GetWebhook(ctx, &amplify.GetWebhookInput{WebhookId: hook.Webhook.WebhookId})
	wantError[*types.NotFoundException](t, err)
	_, err = s.client.DeleteBranch(ctx, &amplify.DeleteBranchInput{AppId: app.AppId, BranchName: aws.String("feature/gone")})
	wantError[*types.NotFoundException](t, err)

	// A new branch of the same name starts afresh.
	again := createBranch(t, s.client, appID, "feature/gone")
	wantString(t, "totalNumberOfJobs", again.TotalNumberOfJobs, "0")
	jobs, err := s.client.ListJobs(ctx, &amplify.ListJobsInput{AppId: app.AppId, BranchName: aws.String("feature/gone")})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs.JobSummaries) != 0 {
		t.Errorf("the recreated branch lists %d jobs of the deleted one", len(jobs.JobSummaries))
	}
	hooks, err := s.client.ListWebhooks(ctx, &amplify.ListWebhooksInput{AppId: app.AppId})
	if err != nil {
		t.Fatal(err)
	}
	if len(hooks.Webhooks) != 1 || aws.ToString(hooks.Webhooks[0].WebhookId) != aws.ToString(keptHook.Webhook.WebhookId) {
		t.Errorf("ListWebhooks = %d webhooks, want only the kept branch's", len(hooks.Webhooks))
	}
	if _, err := s.client.GetJob(ctx, &amplify.GetJobInput{AppId: app.AppId, BranchName: aws.String("keep"), JobId: keptJob.JobId}); err != nil {
		t.Errorf("the sibling branch's job: %v", err)
	}
}

// TestListBranches walks ListBranches to exhaustion and checks its limits
// and tokens.
func TestListBranches(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "list-branches")
	other := createApp(t, s.client, "other")
	var want []string
	for i := range 6 {
		name := "feature/" + strconv.Itoa(i)
		createBranch(t, s.client, *app.AppId, name)
		createBranch(t, s.client, *other.AppId, name)
		want = append(want, name)
	}

	t.Run("maxResults 1", func(t *testing.T) {
		got := pageAll(t, func(token *string) ([]string, *string, error) {
			out, err := s.client.ListBranches(ctx, &amplify.ListBranchesInput{AppId: app.AppId, MaxResults: 1, NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			var names []string
			for _, b := range out.Branches {
				names = append(names, aws.ToString(b.BranchName))
			}
			return names, out.NextToken, nil
		})
		wantSameItems(t, "ListBranches", got, want)
	})
	t.Run("paginator", func(t *testing.T) {
		p := amplify.NewListBranchesPaginator(s.client, &amplify.ListBranchesInput{AppId: app.AppId, MaxResults: 4})
		var got []string
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range out.Branches {
				got = append(got, aws.ToString(b.BranchName))
			}
		}
		wantSameItems(t, "ListBranches paginator", got, want)
	})
	t.Run("branches match GetBranch", func(t *testing.T) {
		out, err := s.client.ListBranches(ctx, &amplify.ListBranchesInput{AppId: app.AppId})
		if err != nil {
			t.Fatal(err)
		}
		if out.NextToken != nil {
			t.Errorf("nextToken = %q on the only page", *out.NextToken)
		}
		for _, b := range out.Branches {
			got, err := s.client.GetBranch(ctx, &amplify.GetBranchInput{AppId: app.AppId, BranchName: b.BranchName})
			if err != nil {
				t.Fatal(err)
			}
			if diff := jsonDiff(got.Branch, b); diff != "" {
				t.Errorf("ListBranches' %s differs from GetBranch:\n%s", *b.BranchName, diff)
			}
		}
	})
	t.Run("maxResults 51", func(t *testing.T) {
		_, err := s.client.ListBranches(ctx, &amplify.ListBranchesInput{AppId: app.AppId, MaxResults: 51})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("maxResults 50", func(t *testing.T) {
		if _, err := s.client.ListBranches(ctx, &amplify.ListBranchesInput{AppId: app.AppId, MaxResults: 50}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("token of another app", func(t *testing.T) {
		out, err := s.client.ListBranches(ctx, &amplify.ListBranchesInput{AppId: other.AppId, MaxResults: 1})
		if err != nil {
			t.Fatal(err)
		}
		if out.NextToken == nil {
			t.Fatal("no nextToken after the first of 6 branches")
		}
		_, err = s.client.ListBranches(ctx, &amplify.ListBranchesInput{AppId: app.AppId, MaxResults: 1, NextToken: out.NextToken})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("tampered token", func(t *testing.T) {
		_, err := s.client.ListBranches(ctx, &amplify.ListBranchesInput{AppId: app.AppId, NextToken: aws.String("Zm9v.AAAAAAAAAAAAAAAAAAAAAA")})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("unknown app", func(t *testing.T) {
		_, err := s.client.ListBranches(ctx, &amplify.ListBranchesInput{AppId: aws.String("dnosuchapp0000")})
		wantCode(t, err, "NotFoundException", 404)
	})
}
