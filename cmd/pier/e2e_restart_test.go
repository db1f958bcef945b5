package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
)

// snapshot is everything the restart test reads back, as the SDK returns it.
type snapshot struct {
	Apps         []types.App
	App          *types.App
	Branches     []types.Branch
	Jobs         []types.JobSummary
	Job          *types.Job
	Domain       *types.DomainAssociation
	Webhook      *types.Webhook
	Backend      *types.BackendEnvironment
	AppTags      map[string]string
	BranchTags   map[string]string
	OtherAccount []types.App
}

// takeSnapshot reads the resources of app through the API. Webhook URLs are
// kept relative to the API's URL, which changes with the port.
func takeSnapshot(t *testing.T, s *testServer, other *amplify.Client, appID, webhookID string) snapshot {
	t.Helper()
	ctx := t.Context()
	c := s.client
	var snap snapshot
	apps, err := c.ListApps(ctx, &amplify.ListAppsInput{})
	if err != nil {
		t.Fatal(err)
	}
	snap.Apps = apps.Apps
	app, err := c.GetApp(ctx, &amplify.GetAppInput{AppId: aws.String(appID)})
	if err != nil {
		t.Fatal(err)
	}
	snap.App = app.App
	branches, err := c.ListBranches(ctx, &amplify.ListBranchesInput{AppId: aws.String(appID)})
	if err != nil {
		t.Fatal(err)
	}
	snap.Branches = branches.Branches
	jobs, err := c.ListJobs(ctx, &amplify.ListJobsInput{AppId: aws.String(appID), BranchName: aws.String("feature/restart")})
	if err != nil {
		t.Fatal(err)
	}
	snap.Jobs = jobs.JobSummaries
	job, err := c.GetJob(ctx, &amplify.GetJobInput{AppId: aws.String(appID), BranchName: aws.String("feature/restart"), JobId: aws.String("1")})
	if err != nil {
		t.Fatal(err)
	}
	snap.Job = job.Job
	domain, err := c.GetDomainAssociation(ctx, &amplify.GetDomainAssociationInput{AppId: aws.String(appID), DomainName: aws.String("restart.example.com")})
	if err != nil {
		t.Fatal(err)
	}
	snap.Domain = domain.DomainAssociation
	// The domain checker moves the status on by itself (a restarted node
	// checks at once); the rest of the association must persist.
	snap.Domain.DomainStatus, snap.Domain.StatusReason = "", nil
	hook, err := c.GetWebhook(ctx, &amplify.GetWebhookInput{WebhookId: aws.String(webhookID)})
	if err != nil {
		t.Fatal(err)
	}
	snap.Webhook = hook.Webhook
	rel, ok := strings.CutPrefix(aws.ToString(hook.Webhook.WebhookUrl), s.APIURL)
	if !ok {
		t.Fatalf("webhookUrl %s is not under %s", aws.ToString(hook.Webhook.WebhookUrl), s.APIURL)
	}
	snap.Webhook.WebhookUrl = aws.String(rel)
	env, err := c.GetBackendEnvironment(ctx, &amplify.GetBackendEnvironmentInput{AppId: aws.String(appID), EnvironmentName: aws.String("staging")})
	if err != nil {
		t.Fatal(err)
	}
	snap.Backend = env.BackendEnvironment
	snap.AppTags = listTags(t, c, aws.ToString(app.App.AppArn))
	snap.BranchTags = listTags(t, c, branchARN(appID, "feature/restart"))
	otherApps, err := other.ListApps(ctx, &amplify.ListAppsInput{})
	if err != nil {
		t.Fatal(err)
	}
	snap.OtherAccount = otherApps.Apps
	return snap
}

// TestRestart creates resources, restarts the server on the same data dir
// without credentials in the environment, and checks that the generated
// administrator key is reused and every resource reads back the same.
func TestRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServerAt(t, dir, nil)
	ctx := t.Context()
	if !strings.Contains(s.stdout.String(), "Generated") {
		t.Errorf("the first start does not say it generated a key:\n%s", s.stdout)
	}
	creds := filepath.Join(dir, "credentials")
	fi, err := os.Stat(creds)
	if err != nil {
		t.Fatalf("no credentials file: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials file mode = %v, want 0600", fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(creds); !strings.Contains(string(b), s.AdminKey.ID) || !strings.Contains(string(b), s.AdminKey.Secret) {
		t.Errorf("credentials file does not hold the administrator's key:\n%s", b)
	}
	otherID, otherSecret := s.createKey(t, "222222222222")

	c := s.client
	created, err := c.CreateApp(ctx, &amplify.CreateAppInput{
		Name: aws.String("durable"), Description: aws.String("survives restarts"),
		EnvironmentVariables: map[string]string{"A": "1"}, Tags: map[string]string{"team": "ops"},
		CustomRules: []types.CustomRule{{Source: aws.String("/a"), Target: aws.String("/b"), Status: aws.String("302")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	appID := *created.App.AppId
	createApp(t, c, "second")
	if _, err := c.CreateBranch(ctx, &amplify.CreateBranchInput{
		AppId: aws.String(appID), BranchName: aws.String("feature/restart"), Stage: types.StageProduction,
		Tags: map[string]string{"b": "1"}, EnvironmentVariables: map[string]string{"B": "2"},
	}); err != nil {
		t.Fatal(err)
	}
	createBranch(t, c, appID, "main")
	startSourceJob(t, c, appID, "feature/restart")
	if _, err := c.StopJob(ctx, &amplify.StopJobInput{AppId: aws.String(appID), BranchName: aws.String("feature/restart"), JobId: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: aws.String(appID), BranchName: aws.String("feature/restart"), FileMap: map[string]string{"index.html": "d41d8cd98f00b204e9800998ecf8427e"}}); err != nil {
		t.Fatal(err)
	}
	startSourceJob(t, c, appID, "feature/restart")
	if _, err := c.CreateDomainAssociation(ctx, &amplify.CreateDomainAssociationInput{
		AppId: aws.String(appID), DomainName: aws.String("restart.example.com"),
		SubDomainSettings: []types.SubDomainSetting{{Prefix: aws.String("www"), BranchName: aws.String("feature/restart")}},
	}); err != nil {
		t.Fatal(err)
	}
	hook, err := c.CreateWebhook(ctx, &amplify.CreateWebhookInput{AppId: aws.String(appID), BranchName: aws.String("main"), Description: aws.String("push")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateBackendEnvironment(ctx, &amplify.CreateBackendEnvironmentInput{AppId: aws.String(appID), EnvironmentName: aws.String("staging"), StackName: aws.String("stack")}); err != nil {
		t.Fatal(err)
	}
	other := s.clientFor(otherID, otherSecret)
	createApp(t, other, "other-account")
	firstKey := *s.AdminKey
	tokenPage, err := c.ListApps(ctx, &amplify.ListAppsInput{MaxResults: 1})
	if err != nil || tokenPage.NextToken == nil {
		t.Fatalf("ListApps: %v (nextToken %v)", err, tokenPage.NextToken)
	}

	before := takeSnapshot(t, s, other, appID, *hook.Webhook.WebhookId)
	s.close(t)

	s2 := startServerAt(t, dir, nil)
	if k := s2.AdminKey; k.ID != firstKey.ID || k.Secret != firstKey.Secret || k.AccountID != firstKey.AccountID {
		t.Fatalf("the restarted server's key is %s (account %s), want the generated %s (account %s)", s2.AdminKey.ID, s2.AdminKey.AccountID, firstKey.ID, firstKey.AccountID)
	}
	if strings.Contains(s2.stdout.String(), "Generated") {
		t.Errorf("the second start says it generated a key:\n%s", s2.stdout)
	}
	other2 := s2.clientFor(otherID, otherSecret)
	after := takeSnapshot(t, s2, other2, appID, *hook.Webhook.WebhookId)
	if diff := jsonDiff(before, after); diff != "" {
		t.Errorf("resources differ after the restart:\n%s", diff)
	}
	if len(after.Jobs) != 3 || len(after.Branches) != 2 || len(after.Apps) != 2 || len(after.OtherAccount) != 1 {
		t.Errorf("after the restart: %d jobs, %d branches, %d apps, %d apps of the other account; want 3, 2, 2, 1",
			len(after.Jobs), len(after.Branches), len(after.Apps), len(after.OtherAccount))
	}

	t.Run("tokens survive", func(t *testing.T) {
		out, err := s2.client.ListApps(ctx, &amplify.ListAppsInput{MaxResults: 1, NextToken: tokenPage.NextToken})
		if err != nil {
			t.Fatalf("a nextToken issued before the restart: %v", err)
		}
		if len(out.Apps) != 1 || aws.ToString(out.Apps[0].AppId) == aws.ToString(tokenPage.Apps[0].AppId) {
			t.Errorf("the second page repeats the first page's app")
		}
	})
	t.Run("writes continue", func(t *testing.T) {
		js := startSourceJob(t, s2.client, appID, "feature/restart")
		wantString(t, "jobId", js.JobId, "4")
	})
	t.Run("environment credentials are added", func(t *testing.T) {
		s2.close(t)
		s3 := startServerAt(t, dir, fixedCredentials)
		if s3.AdminKey.ID != testAccessKeyID {
			t.Errorf("AdminKey = %s, want the environment's %s", s3.AdminKey.ID, testAccessKeyID)
		}
		if _, err := s3.client.GetApp(ctx, &amplify.GetAppInput{AppId: aws.String(appID)}); err != nil {
			t.Errorf("GetApp with the environment's key: %v", err)
		}
		if _, err := s3.clientFor(firstKey.ID, firstKey.Secret).GetApp(ctx, &amplify.GetAppInput{AppId: aws.String(appID)}); err != nil {
			t.Errorf("GetApp with the generated key: %v", err)
		}
	})
}
