package main

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
)

// TestCreateApp checks CreateApp's defaults for a bare app and that GetApp
// returns the same app.
func TestCreateApp(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()

	out, err := s.client.CreateApp(ctx, &amplify.CreateAppInput{Name: aws.String("demo")})
	if err != nil {
		t.Fatal(err)
	}
	app := out.App
	id := aws.ToString(app.AppId)
	if len(id) < 2 || id[0] != 'd' || strings.ToLower(id) != id {
		t.Errorf("appId = %q, want d followed by lowercase alphanumerics", id)
	}
	wantString(t, "appArn", app.AppArn, appARN(id))
	wantString(t, "name", app.Name, "demo")
	wantString(t, "description", app.Description, "")
	wantString(t, "repository", app.Repository, "")
	wantString(t, "defaultDomain", app.DefaultDomain, id+".localhost")
	if app.Platform != types.PlatformWeb {
		t.Errorf("platform = %q, want WEB", app.Platform)
	}
	if app.EnvironmentVariables == nil || len(app.EnvironmentVariables) != 0 {
		t.Errorf("environmentVariables = %#v, want {}", app.EnvironmentVariables)
	}
	wantBool(t, "enableBranchAutoBuild", app.EnableBranchAutoBuild, false)
	wantBool(t, "enableBasicAuth", app.EnableBasicAuth, false)
	wantRecent(t, "createTime", app.CreateTime)
	wantRecent(t, "updateTime", app.UpdateTime)
	if !app.CreateTime.Equal(*app.UpdateTime) {
		t.Errorf("a new app's updateTime %v differs from its createTime %v", app.UpdateTime, app.CreateTime)
	}
	if len(app.Tags) != 0 {
		t.Errorf("tags = %v, want none", app.Tags)
	}
	if app.ProductionBranch != nil {
		t.Errorf("productionBranch = %+v, want none for an app without branches", app.ProductionBranch)
	}

	got, err := s.client.GetApp(ctx, &amplify.GetAppInput{AppId: app.AppId})
	if err != nil {
		t.Fatal(err)
	}
	if diff := jsonDiff(app, got.App); diff != "" {
		t.Errorf("GetApp differs from CreateApp:\n%s", diff)
	}
}

// TestCreateAppWithFields checks that the members given to CreateApp come
// back from CreateApp and GetApp.
func TestCreateAppWithFields(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()

	in := &amplify.CreateAppInput{
		Name:                  aws.String("full"),
		Description:           aws.String("a described app"),
		Platform:              types.PlatformWebCompute,
		EnvironmentVariables:  map[string]string{"API_URL": "https://api.example.com", "MODE": "prod"},
		EnableBranchAutoBuild: aws.Bool(true),
		EnableBasicAuth:       aws.Bool(true),
		BasicAuthCredentials:  aws.String("dXNlcjpwYXNz"), // user:pass
		BuildSpec:             aws.String("version: 1\n"),
		CustomRules:           []types.CustomRule{{Source: aws.String("/old"), Target: aws.String("/new"), Status: aws.String("301")}},
		Tags:                  map[string]string{"team": "web", "env": "prod"},
	}
	out, err := s.client.CreateApp(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.client.GetApp(ctx, &amplify.GetAppInput{AppId: out.App.AppId})
	if err != nil {
		t.Fatal(err)
	}
	for name, app := range map[string]*types.App{"CreateApp": out.App, "GetApp": got.App} {
		t.Run(name, func(t *testing.T) {
			wantString(t, "description", app.Description, "a described app")
			if app.Platform != types.PlatformWebCompute {
				t.Errorf("platform = %q, want WEB_COMPUTE", app.Platform)
			}
			if !maps.Equal(app.EnvironmentVariables, in.EnvironmentVariables) {
				t.Errorf("environmentVariables = %v, want %v", app.EnvironmentVariables, in.EnvironmentVariables)
			}
			wantBool(t, "enableBranchAutoBuild", app.EnableBranchAutoBuild, true)
			wantBool(t, "enableBasicAuth", app.EnableBasicAuth, true)
			wantString(t, "buildSpec", app.BuildSpec, "version: 1\n")
			if len(app.CustomRules) != 1 || aws.ToString(app.CustomRules[0].Source) != "/old" || aws.ToString(app.CustomRules[0].Target) != "/new" || aws.ToString(app.CustomRules[0].Status) != "301" {
				t.Errorf("customRules = %+v, want one /old → /new 301", app.CustomRules)
			}
			if !maps.Equal(app.Tags, in.Tags) {
				t.Errorf("tags = %v, want %v", app.Tags, in.Tags)
			}
		})
	}
}

// TestUpdateApp checks that UpdateApp changes only the members it is given,
// advances updateTime, keeps createTime and keeps the tags.
func TestUpdateApp(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()

	created, err := s.client.CreateApp(ctx, &amplify.CreateAppInput{
		Name:                 aws.String("before"),
		Description:          aws.String("one"),
		EnvironmentVariables: map[string]string{"A": "1"},
		Tags:                 map[string]string{"keep": "me"},
	})
	if err != nil {
		t.Fatal(err)
	}
	app := created.App
	waitPast(*app.UpdateTime)

	out, err := s.client.UpdateApp(ctx, &amplify.UpdateAppInput{AppId: app.AppId, Description: aws.String("two")})
	if err != nil {
		t.Fatal(err)
	}
	upd := out.App
	wantString(t, "description", upd.Description, "two")
	wantString(t, "name", upd.Name, "before")
	if !maps.Equal(upd.EnvironmentVariables, map[string]string{"A": "1"}) {
		t.Errorf("environmentVariables = %v, want unchanged {A: 1}", upd.EnvironmentVariables)
	}
	if upd.Platform != types.PlatformWeb {
		t.Errorf("platform = %q, want unchanged WEB", upd.Platform)
	}
	if !maps.Equal(upd.Tags, map[string]string{"keep": "me"}) {
		t.Errorf("tags = %v, want unchanged {keep: me}", upd.Tags)
	}
	if !upd.CreateTime.Equal(*app.CreateTime) {
		t.Errorf("createTime moved from %v to %v", app.CreateTime, upd.CreateTime)
	}
	if !upd.UpdateTime.After(*app.UpdateTime) {
		t.Errorf("updateTime %v did not advance past %v", upd.UpdateTime, app.UpdateTime)
	}
	wantRecent(t, "updateTime", upd.UpdateTime)

	out, err = s.client.UpdateApp(ctx, &amplify.UpdateAppInput{
		AppId: app.AppId, Name: aws.String("after"), EnvironmentVariables: map[string]string{"B": "2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantString(t, "name", out.App.Name, "after")
	wantString(t, "description", out.App.Description, "two")
	if !maps.Equal(out.App.EnvironmentVariables, map[string]string{"B": "2"}) {
		t.Errorf("environmentVariables = %v, want replaced by {B: 2}", out.App.EnvironmentVariables)
	}

	got, err := s.client.GetApp(ctx, &amplify.GetAppInput{AppId: app.AppId})
	if err != nil {
		t.Fatal(err)
	}
	if diff := jsonDiff(out.App, got.App); diff != "" {
		t.Errorf("GetApp differs from UpdateApp's result:\n%s", diff)
	}

	t.Run("unknown app", func(t *testing.T) {
		_, err := s.client.UpdateApp(ctx, &amplify.UpdateAppInput{AppId: aws.String("dnosuchapp0000"), Description: aws.String("x")})
		wantError[*types.NotFoundException](t, err)
	})
	t.Run("empty name", func(t *testing.T) {
		_, err := s.client.UpdateApp(ctx, &amplify.UpdateAppInput{AppId: app.AppId, Name: aws.String("")})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("reserved environment variable", func(t *testing.T) {
		_, err := s.client.UpdateApp(ctx, &amplify.UpdateAppInput{AppId: app.AppId, EnvironmentVariables: map[string]string{"AWS_REGION": "x"}})
		wantError[*types.BadRequestException](t, err)
	})
}

// TestProductionBranch checks App.productionBranch: the branch with stage
// PRODUCTION, else the first branch.
func TestProductionBranch(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "prod")
	createBranch(t, s.client, *app.AppId, "dev")

	get := func() *types.ProductionBranch {
		t.Helper()
		out, err := s.client.GetApp(ctx, &amplify.GetAppInput{AppId: app.AppId})
		if err != nil {
			t.Fatal(err)
		}
		return out.App.ProductionBranch
	}
	if pb := get(); pb == nil || aws.ToString(pb.BranchName) != "dev" {
		t.Errorf("productionBranch = %+v, want the first branch dev", pb)
	}
	if _, err := s.client.CreateBranch(ctx, &amplify.CreateBranchInput{AppId: app.AppId, BranchName: aws.String("main"), Stage: types.StageProduction}); err != nil {
		t.Fatal(err)
	}
	if pb := get(); pb == nil || aws.ToString(pb.BranchName) != "main" {
		t.Errorf("productionBranch = %+v, want the PRODUCTION branch main", pb)
	}
}

// TestDeleteApp checks that DeleteApp returns the app and deletes everything
// it owns.
func TestDeleteApp(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()

	keep := createApp(t, s.client, "keep")
	app := createApp(t, s.client, "doomed")
	appID := app.AppId
	createBranch(t, s.client, *appID, "main")
	job := startSourceJob(t, s.client, *appID, "main")
	hook, err := s.client.CreateWebhook(ctx, &amplify.CreateWebhookInput{AppId: appID, BranchName: aws.String("main")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.CreateDomainAssociation(ctx, &amplify.CreateDomainAssociationInput{
		AppId: appID, DomainName: aws.String("doomed.example.com"),
		SubDomainSettings: []types.SubDomainSetting{{Prefix: aws.String("www"), BranchName: aws.String("main")}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.CreateBackendEnvironment(ctx, &amplify.CreateBackendEnvironmentInput{AppId: appID, EnvironmentName: aws.String("staging")}); err != nil {
		t.Fatal(err)
	}

	out, err := s.client.DeleteApp(ctx, &amplify.DeleteAppInput{AppId: appID})
	if err != nil {
		t.Fatal(err)
	}
	wantString(t, "appId", out.App.AppId, *appID)
	wantString(t, "name", out.App.Name, "doomed")
	wantString(t, "appArn", out.App.AppArn, appARN(*appID))

	checks := []struct {
		name string
		call func() error
	}{
		{"GetApp", func() error {
			_, err := s.client.GetApp(ctx, &amplify.GetAppInput{AppId: appID})
			return err
		}},
		{"GetBranch", func() error {
			_, err := s.client.GetBranch(ctx, &amplify.GetBranchInput{AppId: appID, BranchName: aws.String("main")})
			return err
		}},
		{"GetJob", func() error {
			_, err := s.client.GetJob(ctx, &amplify.GetJobInput{AppId: appID, BranchName: aws.String("main"), JobId: job.JobId})
			return err
		}},
		{"GetWebhook", func() error {
			_, err := s.client.GetWebhook(ctx, &amplify.GetWebhookInput{WebhookId: hook.Webhook.WebhookId})
			return err
		}},
		{"GetDomainAssociation", func() error {
			_, err := s.client.GetDomainAssociation(ctx, &amplify.GetDomainAssociationInput{AppId: appID, DomainName: aws.String("doomed.example.com")})
			return err
		}},
		{"GetBackendEnvironment", func() error {
			_, err := s.client.GetBackendEnvironment(ctx, &amplify.GetBackendEnvironmentInput{AppId: appID, EnvironmentName: aws.String("staging")})
			return err
		}},
		{"DeleteApp again", func() error {
			_, err := s.client.DeleteApp(ctx, &amplify.DeleteAppInput{AppId: appID})
			return err
		}},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			wantError[*types.NotFoundException](t, c.call())
		})
	}
	t.Run("ListBranches", func(t *testing.T) {
		_, err := s.client.ListBranches(ctx, &amplify.ListBranchesInput{AppId: appID})
		wantCode(t, err, "NotFoundException", 404)
	})
	t.Run("ListTagsForResource", func(t *testing.T) {
		_, err := s.client.ListTagsForResource(ctx, &amplify.ListTagsForResourceInput{ResourceArn: out.App.AppArn})
		wantError[*types.ResourceNotFoundException](t, err)
	})
	t.Run("ListApps", func(t *testing.T) {
		list, err := s.client.ListApps(ctx, &amplify.ListAppsInput{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, a := range list.Apps {
			ids = append(ids, aws.ToString(a.AppId))
		}
		wantSameItems(t, "ListApps", ids, []string{*keep.AppId})
	})
}

// TestAppValidation checks that inputs breaking the model's constraints or
// Amplify's rules are BadRequestException, and unknown apps NotFoundException.
func TestAppValidation(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()

	tags51 := map[string]string{}
	for i := range 51 {
		tags51["k"+strconv.Itoa(i)] = "v"
	}
	bad := []struct {
		name string
		in   *amplify.CreateAppInput
	}{
		{"empty name", &amplify.CreateAppInput{Name: aws.String("")}},
		{"name of 256 characters", &amplify.CreateAppInput{Name: aws.String(strings.Repeat("n", 256))}},
		{"unknown platform", &amplify.CreateAppInput{Name: aws.String("x"), Platform: types.Platform("BOGUS")}},
		{"tag with aws: prefix", &amplify.CreateAppInput{Name: aws.String("x"), Tags: map[string]string{"aws:owner": "me"}}},
		{"51 tags", &amplify.CreateAppInput{Name: aws.String("x"), Tags: tags51}},
		{"environment variable starting with AWS", &amplify.CreateAppInput{Name: aws.String("x"), EnvironmentVariables: map[string]string{"AWS_REGION": "us-east-1"}}},
		{"basic auth without credentials", &amplify.CreateAppInput{Name: aws.String("x"), EnableBasicAuth: aws.Bool(true)}},
		{"basic auth credentials not base64", &amplify.CreateAppInput{Name: aws.String("x"), BasicAuthCredentials: aws.String("not base64!")}},
	}
	for _, tc := range bad {
		t.Run("CreateApp/"+tc.name, func(t *testing.T) {
			_, err := s.client.CreateApp(ctx, tc.in)
			wantError[*types.BadRequestException](t, err)
			wantStatus(t, err, 400)
		})
	}
	t.Run("CreateApp/name of 255 characters", func(t *testing.T) {
		if _, err := s.client.CreateApp(ctx, &amplify.CreateAppInput{Name: aws.String(strings.Repeat("n", 255))}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("CreateApp/50 tags", func(t *testing.T) {
		delete(tags51, "k0")
		if _, err := s.client.CreateApp(ctx, &amplify.CreateAppInput{Name: aws.String("x"), Tags: tags51}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ListApps/maxResults 101", func(t *testing.T) {
		_, err := s.client.ListApps(ctx, &amplify.ListAppsInput{MaxResults: 101})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("ListApps/maxResults 100", func(t *testing.T) {
		if _, err := s.client.ListApps(ctx, &amplify.ListAppsInput{MaxResults: 100}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("GetApp/unknown app", func(t *testing.T) {
		_, err := s.client.GetApp(ctx, &amplify.GetAppInput{AppId: aws.String("dnosuchapp0000")})
		wantError[*types.NotFoundException](t, err)
		wantStatus(t, err, 404)
	})
	t.Run("GetApp/malformed app id", func(t *testing.T) {
		_, err := s.client.GetApp(ctx, &amplify.GetAppInput{AppId: aws.String("NOT-AN-ID")})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("DeleteApp/unknown app", func(t *testing.T) {
		_, err := s.client.DeleteApp(ctx, &amplify.DeleteAppInput{AppId: aws.String("dnosuchapp0000")})
		wantError[*types.NotFoundException](t, err)
	})
}

// TestListApps walks ListApps to exhaustion one app per page, by hand and
// with the SDK's paginator, and checks its nextToken rules.
func TestListApps(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()

	var want []string
	for i := range 7 {
		want = append(want, *createApp(t, s.client, "app-"+strconv.Itoa(i)).AppId)
	}

	t.Run("maxResults 1", func(t *testing.T) {
		got := pageAll(t, func(token *string) ([]string, *string, error) {
			out, err := s.client.ListApps(ctx, &amplify.ListAppsInput{MaxResults: 1, NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			var ids []string
			for _, a := range out.Apps {
				ids = append(ids, aws.ToString(a.AppId))
			}
			return ids, out.NextToken, nil
		})
		wantSameItems(t, "ListApps", got, want)
	})
	t.Run("paginator", func(t *testing.T) {
		p := amplify.NewListAppsPaginator(s.client, &amplify.ListAppsInput{MaxResults: 3}, func(o *amplify.ListAppsPaginatorOptions) {
			o.StopOnDuplicateToken = true
		})
		var got []string
		pages := 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, a := range out.Apps {
				got = append(got, aws.ToString(a.AppId))
			}
		}
		wantSameItems(t, "ListApps paginator", got, want)
		if pages != 3 {
			t.Errorf("7 apps took %d pages of 3, want 3", pages)
		}
	})
	t.Run("one page", func(t *testing.T) {
		out, err := s.client.ListApps(ctx, &amplify.ListAppsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if out.NextToken != nil {
			t.Errorf("nextToken = %q on the only page, want absent", *out.NextToken)
		}
		if len(out.Apps) != len(want) {
			t.Errorf("got %d apps, want %d", len(out.Apps), len(want))
		}
	})
	t.Run("token after its item is deleted", func(t *testing.T) {
		first, err := s.client.ListApps(ctx, &amplify.ListAppsInput{MaxResults: 2})
		if err != nil || first.NextToken == nil {
			t.Fatalf("ListApps: %v (nextToken %v)", err, first.NextToken)
		}
		last := first.Apps[1].AppId
		if _, err := s.client.DeleteApp(ctx, &amplify.DeleteAppInput{AppId: last}); err != nil {
			t.Fatal(err)
		}
		want = slices.DeleteFunc(want, func(id string) bool { return id == *last })
		got := []string{*first.Apps[0].AppId}
		for token := first.NextToken; token != nil; {
			out, err := s.client.ListApps(ctx, &amplify.ListAppsInput{MaxResults: 2, NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range out.Apps {
				got = append(got, aws.ToString(a.AppId))
			}
			token = out.NextToken
		}
		wantSameItems(t, "ListApps after deleting the cursor's app", got, want)
	})
	t.Run("bad tokens", func(t *testing.T) {
		first, err := s.client.ListApps(ctx, &amplify.ListAppsInput{MaxResults: 1})
		if err != nil {
			t.Fatal(err)
		}
		if first.NextToken == nil {
			t.Fatal("no nextToken after the first of 7 apps")
		}
		tok := *first.NextToken
		tampered := tok[:len(tok)-1] + "A"
		if strings.HasSuffix(tok, "A") {
			tampered = tok[:len(tok)-1] + "B"
		}
		branchToken := func() string {
			app := createApp(t, s.client, "token-source")
			createBranch(t, s.client, *app.AppId, "a")
			createBranch(t, s.client, *app.AppId, "b")
			out, err := s.client.ListBranches(ctx, &amplify.ListBranchesInput{AppId: app.AppId, MaxResults: 1})
			if err != nil || out.NextToken == nil {
				t.Fatalf("ListBranches: %v (nextToken %v)", err, out.NextToken)
			}
			return *out.NextToken
		}()
		for name, token := range map[string]string{
			"tampered":           tampered,
			"garbage":            "not-a-token",
			"truncated":          tok[:len(tok)/2],
			"from ListBranches":  branchToken,
			"token plus garbage": tok + "x",
		} {
			t.Run(name, func(t *testing.T) {
				_, err := s.client.ListApps(ctx, &amplify.ListAppsInput{MaxResults: 1, NextToken: aws.String(token)})
				wantError[*types.BadRequestException](t, err)
			})
		}
	})
}
