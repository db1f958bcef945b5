package main

import (
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
)

// TestWebhook walks a webhook through create, get, list, update (moving it
// to another branch) and delete.
func TestWebhook(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "hooks")
	appID := *app.AppId
	createBranch(t, s.client, appID, "main")
	createBranch(t, s.client, appID, "feature/next")

	out, err := s.client.CreateWebhook(ctx, &amplify.CreateWebhookInput{AppId: app.AppId, BranchName: aws.String("main"), Description: aws.String("deploy on push")})
	if err != nil {
		t.Fatal(err)
	}
	w := out.Webhook
	id := aws.ToString(w.WebhookId)
	if id == "" {
		t.Fatal("webhookId is empty")
	}
	wantString(t, "webhookArn", w.WebhookArn, appARN(appID)+"/webhooks/"+id)
	wantString(t, "appId", w.AppId, appID)
	wantString(t, "branchName", w.BranchName, "main")
	wantString(t, "description", w.Description, "deploy on push")
	wantRecent(t, "createTime", w.CreateTime)
	wantRecent(t, "updateTime", w.UpdateTime)
	hookURL := wantURLUnder(t, "webhookUrl", aws.ToString(w.WebhookUrl), s.APIURL)
	if hookURL.Query().Get("id") != id {
		t.Errorf("webhookUrl %s does not carry the webhook's id", hookURL)
	}

	got, err := s.client.GetWebhook(ctx, &amplify.GetWebhookInput{WebhookId: w.WebhookId})
	if err != nil {
		t.Fatal(err)
	}
	if diff := jsonDiff(w, got.Webhook); diff != "" {
		t.Errorf("GetWebhook differs from CreateWebhook:\n%s", diff)
	}
	list, err := s.client.ListWebhooks(ctx, &amplify.ListWebhooksInput{AppId: app.AppId})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Webhooks) != 1 {
		t.Fatalf("ListWebhooks returned %d webhooks, want 1", len(list.Webhooks))
	}
	if diff := jsonDiff(w, &list.Webhooks[0]); diff != "" {
		t.Errorf("ListWebhooks differs from CreateWebhook:\n%s", diff)
	}

	t.Run("without description", func(t *testing.T) {
		out, err := s.client.CreateWebhook(ctx, &amplify.CreateWebhookInput{AppId: app.AppId, BranchName: aws.String("feature/next")})
		if err != nil {
			t.Fatal(err)
		}
		wantString(t, "description", out.Webhook.Description, "")
		if aws.ToString(out.Webhook.WebhookId) == id || aws.ToString(out.Webhook.WebhookUrl) == aws.ToString(w.WebhookUrl) {
			t.Error("a second webhook repeats the first one's id or URL")
		}
	})

	waitPast(*w.UpdateTime)
	upd, err := s.client.UpdateWebhook(ctx, &amplify.UpdateWebhookInput{WebhookId: w.WebhookId, BranchName: aws.String("feature/next")})
	if err != nil {
		t.Fatal(err)
	}
	wantString(t, "branchName after update", upd.Webhook.BranchName, "feature/next")
	wantString(t, "description after update", upd.Webhook.Description, "deploy on push")
	wantString(t, "webhookUrl after update", upd.Webhook.WebhookUrl, aws.ToString(w.WebhookUrl))
	if !upd.Webhook.CreateTime.Equal(*w.CreateTime) || !upd.Webhook.UpdateTime.After(*w.UpdateTime) {
		t.Errorf("times after update: create %v update %v, want create %v and a later update", upd.Webhook.CreateTime, upd.Webhook.UpdateTime, w.CreateTime)
	}
	upd, err = s.client.UpdateWebhook(ctx, &amplify.UpdateWebhookInput{WebhookId: w.WebhookId, Description: aws.String("renamed")})
	if err != nil {
		t.Fatal(err)
	}
	wantString(t, "description after second update", upd.Webhook.Description, "renamed")
	wantString(t, "branchName after second update", upd.Webhook.BranchName, "feature/next")

	t.Run("create on an unknown branch", func(t *testing.T) {
		_, err := s.client.CreateWebhook(ctx, &amplify.CreateWebhookInput{AppId: app.AppId, BranchName: aws.String("nope")})
		wantError[*types.NotFoundException](t, err)
	})
	t.Run("create on an unknown app", func(t *testing.T) {
		_, err := s.client.CreateWebhook(ctx, &amplify.CreateWebhookInput{AppId: aws.String("dnosuchapp0000"), BranchName: aws.String("main")})
		wantError[*types.NotFoundException](t, err)
	})
	t.Run("move to an unknown branch", func(t *testing.T) {
		_, err := s.client.UpdateWebhook(ctx, &amplify.UpdateWebhookInput{WebhookId: w.WebhookId, BranchName: aws.String("nope")})
		wantError[*types.NotFoundException](t, err)
	})
	t.Run("unknown webhook", func(t *testing.T) {
		_, err := s.client.UpdateWebhook(ctx, &amplify.UpdateWebhookInput{WebhookId: aws.String("no-such-webhook"), Description: aws.String("x")})
		wantError[*types.NotFoundException](t, err)
	})

	del, err := s.client.DeleteWebhook(ctx, &amplify.DeleteWebhookInput{WebhookId: w.WebhookId})
	if err != nil {
		t.Fatal(err)
	}
	wantString(t, "deleted webhookId", del.Webhook.WebhookId, id)
	wantString(t, "deleted description", del.Webhook.Description, "renamed")
	_, err = s.client.GetWebhook(ctx, &amplify.GetWebhookInput{WebhookId: w.WebhookId})
	wantError[*types.NotFoundException](t, err)
	_, err = s.client.DeleteWebhook(ctx, &amplify.DeleteWebhookInput{WebhookId: w.WebhookId})
	wantError[*types.NotFoundException](t, err)
}

// TestListWebhooks walks ListWebhooks to exhaustion (the SDK has no
// paginator for it).
func TestListWebhooks(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "list-hooks")
	other := createApp(t, s.client, "other")
	createBranch(t, s.client, *app.AppId, "main")
	createBranch(t, s.client, *other.AppId, "main")
	var want []string
	for i := range 5 {
		out, err := s.client.CreateWebhook(ctx, &amplify.CreateWebhookInput{AppId: app.AppId, BranchName: aws.String("main"), Description: aws.String(strconv.Itoa(i))})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, aws.ToString(out.Webhook.WebhookId))
		if _, err := s.client.CreateWebhook(ctx, &amplify.CreateWebhookInput{AppId: other.AppId, BranchName: aws.String("main")}); err != nil {
			t.Fatal(err)
		}
	}
	got := pageAll(t, func(token *string) ([]string, *string, error) {
		out, err := s.client.ListWebhooks(ctx, &amplify.ListWebhooksInput{AppId: app.AppId, MaxResults: 1, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		var ids []string
		for _, w := range out.Webhooks {
			ids = append(ids, aws.ToString(w.WebhookId))
		}
		return ids, out.NextToken, nil
	})
	wantSameItems(t, "ListWebhooks", got, want)

	t.Run("maxResults 51", func(t *testing.T) {
		_, err := s.client.ListWebhooks(ctx, &amplify.ListWebhooksInput{AppId: app.AppId, MaxResults: 51})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("tampered token", func(t *testing.T) {
		_, err := s.client.ListWebhooks(ctx, &amplify.ListWebhooksInput{AppId: app.AppId, NextToken: aws.String("garbage")})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("unknown app", func(t *testing.T) {
		_, err := s.client.ListWebhooks(ctx, &amplify.ListWebhooksInput{AppId: aws.String("dnosuchapp0000")})
		wantCode(t, err, "NotFoundException", 404)
	})
}
