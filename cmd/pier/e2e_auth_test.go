package main

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
)

// TestAuthSDK checks that the SDK's requests with bad credentials are
// UnauthorizedException.
func TestAuthSDK(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "guarded")

	for _, tc := range []struct{ name, id, secret string }{
		{"wrong secret", testAccessKeyID, "not-the-secret"},
		{"unknown key", "AKIAUNKNOWNKEY000000", testSecretKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := s.clientFor(tc.id, tc.secret)
			_, err := c.GetApp(ctx, &amplify.GetAppInput{AppId: app.AppId})
			wantError[*types.UnauthorizedException](t, err)
			wantStatus(t, err, 401)
			_, err = c.ListApps(ctx, &amplify.ListAppsInput{})
			wantError[*types.UnauthorizedException](t, err)
			_, err = c.CreateApp(ctx, &amplify.CreateAppInput{Name: aws.String("intruder")})
			wantError[*types.UnauthorizedException](t, err)
			// The tag operations do not model UnauthorizedException.
			_, err = c.ListTagsForResource(ctx, &amplify.ListTagsForResourceInput{ResourceArn: app.AppArn})
			wantCode(t, err, "UnauthorizedException", 401)
		})
	}
	list, err := s.client.ListApps(ctx, &amplify.ListAppsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Apps) != 1 {
		t.Errorf("%d apps after the refused CreateApp calls, want 1", len(list.Apps))
	}
}

// TestAuthWire checks SigV4 failures with raw requests: the response is 401
// UnauthorizedException, and nothing is created.
func TestAuthWire(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	body := []byte(`{"name":"aaaa"}`)

	cases := []struct {
		name string
		sign signing
	}{
		{"unsigned", signing{unsigned: true}},
		{"signed 20 minutes ago", signing{at: time.Now().Add(-20 * time.Minute)}},
		{"signed 20 minutes ahead", signing{at: time.Now().Add(20 * time.Minute)}},
		{"body changed after signing", signing{body: []byte(`{"name":"bbbb"}`)}},
		{"wrong secret", signing{id: testAccessKeyID, secret: "wrong"}},
		{"unknown key", signing{id: "AKIAUNKNOWNKEY000000", secret: testSecretKey}},
		{"scoped to another service", signing{service: "s3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.doRaw(t, "POST", "/apps", body, tc.sign)
			if r.Status != 401 {
				t.Errorf("status = %d, want 401 (body %s)", r.Status, r.Body)
			}
			if got := r.Header.Get("x-amzn-ErrorType"); got != "UnauthorizedException" {
				t.Errorf("x-amzn-ErrorType = %q, want UnauthorizedException", got)
			}
			if msg, _ := r.json(t)["message"].(string); msg == "" {
				t.Errorf("body %s has no message", r.Body)
			}
			if strings.Contains(string(r.Body), testSecretKey) {
				t.Error("the response leaks the secret")
			}
		})
	}
	t.Run("signed 10 minutes ago is accepted", func(t *testing.T) {
		r := s.doRaw(t, "POST", "/apps", body, signing{at: time.Now().Add(-10 * time.Minute)})
		if r.Status != 200 {
			t.Errorf("status = %d, want 200 (body %s)", r.Status, r.Body)
		}
	})
	t.Run("the SDK's signer with a query", func(t *testing.T) {
		r := s.doRaw(t, "GET", "/apps?maxResults=1", nil, signing{})
		if r.Status != 200 {
			t.Errorf("status = %d, want 200 (body %s)", r.Status, r.Body)
		}
	})
	list, err := s.client.ListApps(t.Context(), &amplify.ListAppsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Apps) != 1 {
		t.Errorf("%d apps exist, want only the one accepted request's", len(list.Apps))
	}
}

// TestAccounts checks that accounts never see each other's resources: a
// resource of another account is not found (never forbidden).
func TestAccounts(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	a := s.client
	b := s.newAccount(t, "111111111111")

	appA := createApp(t, a, "alice")
	createBranch(t, a, *appA.AppId, "main")
	hookA, err := a.CreateWebhook(ctx, &amplify.CreateWebhookInput{AppId: appA.AppId, BranchName: aws.String("main")})
	if err != nil {
		t.Fatal(err)
	}
	jobA := startSourceJob(t, a, *appA.AppId, "main")
	createApp(t, a, "alice-2")
	appB := createApp(t, b, "bob")
	wantString(t, "account B's appArn", appB.AppArn, "arn:aws:amplify:us-east-1:111111111111:apps/"+*appB.AppId)

	notFound := []struct {
		name string
		call func() error
	}{
		{"GetApp", func() error { _, err := b.GetApp(ctx, &amplify.GetAppInput{AppId: appA.AppId}); return err }},
		{"UpdateApp", func() error {
			_, err := b.UpdateApp(ctx, &amplify.UpdateAppInput{AppId: appA.AppId, Name: aws.String("stolen")})
			return err
		}},
		{"DeleteApp", func() error { _, err := b.DeleteApp(ctx, &amplify.DeleteAppInput{AppId: appA.AppId}); return err }},
		{"GetBranch", func() error {
			_, err := b.GetBranch(ctx, &amplify.GetBranchInput{AppId: appA.AppId, BranchName: aws.String("main")})
			return err
		}},
		{"CreateBranch", func() error {
			_, err := b.CreateBranch(ctx, &amplify.CreateBranchInput{AppId: appA.AppId, BranchName: aws.String("evil")})
			return err
		}},
		{"GetJob", func() error {
			_, err := b.GetJob(ctx, &amplify.GetJobInput{AppId: appA.AppId, BranchName: aws.String("main"), JobId: jobA.JobId})
			return err
		}},
		{"StopJob", func() error {
			_, err := b.StopJob(ctx, &amplify.StopJobInput{AppId: appA.AppId, BranchName: aws.String("main"), JobId: jobA.JobId})
			return err
		}},
		{"GetWebhook", func() error {
			_, err := b.GetWebhook(ctx, &amplify.GetWebhookInput{WebhookId: hookA.Webhook.WebhookId})
			return err
		}},
		{"DeleteWebhook", func() error {
			_, err := b.DeleteWebhook(ctx, &amplify.DeleteWebhookInput{WebhookId: hookA.Webhook.WebhookId})
			return err
		}},
		{"GenerateAccessLogs", func() error {
			_, err := b.GenerateAccessLogs(ctx, &amplify.GenerateAccessLogsInput{AppId: appA.AppId, DomainName: appA.DefaultDomain})
			return err
		}},
	}
	for _, tc := range notFound {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantError[*types.NotFoundException](t, err)
			wantStatus(t, err, 404)
		})
	}
	t.Run("ListBranches", func(t *testing.T) {
		_, err := b.ListBranches(ctx, &amplify.ListBranchesInput{AppId: appA.AppId})
		wantCode(t, err, "NotFoundException", 404)
	})
	t.Run("tags", func(t *testing.T) {
		_, err := b.TagResource(ctx, &amplify.TagResourceInput{ResourceArn: appA.AppArn, Tags: map[string]string{"owned": "by-b"}})
		wantError[*types.ResourceNotFoundException](t, err)
		_, err = b.ListTagsForResource(ctx, &amplify.ListTagsForResourceInput{ResourceArn: appA.AppArn})
		wantError[*types.ResourceNotFoundException](t, err)
		_, err = b.UntagResource(ctx, &amplify.UntagResourceInput{ResourceArn: appA.AppArn, TagKeys: []string{"x"}})
		wantError[*types.ResourceNotFoundException](t, err)
		// B's own ARN rewritten to A's account is A's, not B's.
		_, err = a.ListTagsForResource(ctx, &amplify.ListTagsForResourceInput{ResourceArn: appB.AppArn})
		wantError[*types.ResourceNotFoundException](t, err)
	})
	t.Run("ListApps", func(t *testing.T) {
		out, err := b.ListApps(ctx, &amplify.ListAppsInput{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, app := range out.Apps {
			ids = append(ids, aws.ToString(app.AppId))
		}
		wantSameItems(t, "account B's ListApps", ids, []string{*appB.AppId})
	})
	t.Run("nextToken of another account", func(t *testing.T) {
		out, err := a.ListApps(ctx, &amplify.ListAppsInput{MaxResults: 1})
		if err != nil || out.NextToken == nil {
			t.Fatalf("ListApps: %v (nextToken %v)", err, out.NextToken)
		}
		_, err = b.ListApps(ctx, &amplify.ListAppsInput{MaxResults: 1, NextToken: out.NextToken})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("A is untouched", func(t *testing.T) {
		got, err := a.GetApp(ctx, &amplify.GetAppInput{AppId: appA.AppId})
		if err != nil {
			t.Fatal(err)
		}
		wantString(t, "name", got.App.Name, "alice")
		if len(got.App.Tags) != 0 {
			t.Errorf("tags = %v, want none", got.App.Tags)
		}
		if _, err := a.GetWebhook(ctx, &amplify.GetWebhookInput{WebhookId: hookA.Webhook.WebhookId}); err != nil {
			t.Errorf("GetWebhook: %v", err)
		}
		job, err := a.GetJob(ctx, &amplify.GetJobInput{AppId: appA.AppId, BranchName: aws.String("main"), JobId: jobA.JobId})
		if err != nil {
			t.Fatal(err)
		}
		if job.Job.Summary.Status != types.JobStatusPending {
			t.Errorf("job status = %q, want PENDING", job.Job.Summary.Status)
		}
	})
	t.Run("raw request of account B", func(t *testing.T) {
		id, secret := s.createKey(t, "111111111111")
		r := s.doRaw(t, "GET", "/apps/"+url.PathEscape(*appA.AppId), nil, signing{id: id, secret: secret})
		if r.Status != 404 || r.Header.Get("x-amzn-ErrorType") != "NotFoundException" {
			t.Errorf("status %d %s, want 404 NotFoundException", r.Status, r.Header.Get("x-amzn-ErrorType"))
		}
	})
}
