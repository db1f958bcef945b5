package main

import (
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
)

// TestBackendEnvironment walks a backend environment through create, get,
// list (with and without the name filter) and delete.
func TestBackendEnvironment(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "backends")
	appID := *app.AppId

	out, err := s.client.CreateBackendEnvironment(ctx, &amplify.CreateBackendEnvironmentInput{
		AppId: app.AppId, EnvironmentName: aws.String("staging"),
		StackName: aws.String("amplify-backends-staging"), DeploymentArtifacts: aws.String("amplify-backends-staging-deployment"),
	})
	if err != nil {
		t.Fatal(err)
	}
	e := out.BackendEnvironment
	wantString(t, "environmentName", e.EnvironmentName, "staging")
	wantString(t, "backendEnvironmentArn", e.BackendEnvironmentArn, appARN(appID)+"/backendenvironments/staging")
	wantString(t, "stackName", e.StackName, "amplify-backends-staging")
	wantString(t, "deploymentArtifacts", e.DeploymentArtifacts, "amplify-backends-staging-deployment")
	wantRecent(t, "createTime", e.CreateTime)
	wantRecent(t, "updateTime", e.UpdateTime)

	got, err := s.client.GetBackendEnvironment(ctx, &amplify.GetBackendEnvironmentInput{AppId: app.AppId, EnvironmentName: aws.String("staging")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := jsonDiff(e, got.BackendEnvironment); diff != "" {
		t.Errorf("GetBackendEnvironment differs from CreateBackendEnvironment:\n%s", diff)
	}

	bare, err := s.client.CreateBackendEnvironment(ctx, &amplify.CreateBackendEnvironmentInput{AppId: app.AppId, EnvironmentName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	if bare.BackendEnvironment.StackName != nil && *bare.BackendEnvironment.StackName != "" {
		t.Errorf("stackName = %q, want absent or empty when not given", *bare.BackendEnvironment.StackName)
	}

	names := func(in *amplify.ListBackendEnvironmentsInput) []string {
		t.Helper()
		out, err := s.client.ListBackendEnvironments(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if out.BackendEnvironments == nil {
			t.Error("backendEnvironments is absent, want a list")
		}
		var ns []string
		for _, e := range out.BackendEnvironments {
			ns = append(ns, aws.ToString(e.EnvironmentName))
		}
		return ns
	}
	wantSameItems(t, "ListBackendEnvironments", names(&amplify.ListBackendEnvironmentsInput{AppId: app.AppId}), []string{"staging", "prod"})
	wantSameItems(t, "ListBackendEnvironments(staging)", names(&amplify.ListBackendEnvironmentsInput{AppId: app.AppId, EnvironmentName: aws.String("staging")}), []string{"staging"})
	wantSameItems(t, "ListBackendEnvironments(none)", names(&amplify.ListBackendEnvironmentsInput{AppId: app.AppId, EnvironmentName: aws.String("stag")}), nil)

	t.Run("duplicate", func(t *testing.T) {
		_, err := s.client.CreateBackendEnvironment(ctx, &amplify.CreateBackendEnvironmentInput{AppId: app.AppId, EnvironmentName: aws.String("staging")})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("unknown app", func(t *testing.T) {
		_, err := s.client.CreateBackendEnvironment(ctx, &amplify.CreateBackendEnvironmentInput{AppId: aws.String("dnosuchapp0000"), EnvironmentName: aws.String("staging")})
		wantError[*types.NotFoundException](t, err)
	})
	t.Run("unknown environment", func(t *testing.T) {
		_, err := s.client.GetBackendEnvironment(ctx, &amplify.GetBackendEnvironmentInput{AppId: app.AppId, EnvironmentName: aws.String("nope")})
		wantError[*types.NotFoundException](t, err)
	})
	t.Run("empty name", func(t *testing.T) {
		_, err := s.client.CreateBackendEnvironment(ctx, &amplify.CreateBackendEnvironmentInput{AppId: app.AppId, EnvironmentName: aws.String("")})
		wantError[*types.BadRequestException](t, err)
	})

	del, err := s.client.DeleteBackendEnvironment(ctx, &amplify.DeleteBackendEnvironmentInput{AppId: app.AppId, EnvironmentName: aws.String("staging")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := jsonDiff(e, del.BackendEnvironment); diff != "" {
		t.Errorf("DeleteBackendEnvironment's result differs from the environment:\n%s", diff)
	}
	_, err = s.client.GetBackendEnvironment(ctx, &amplify.GetBackendEnvironmentInput{AppId: app.AppId, EnvironmentName: aws.String("staging")})
	wantError[*types.NotFoundException](t, err)
	_, err = s.client.DeleteBackendEnvironment(ctx, &amplify.DeleteBackendEnvironmentInput{AppId: app.AppId, EnvironmentName: aws.String("staging")})
	wantError[*types.NotFoundException](t, err)
	wantSameItems(t, "ListBackendEnvironments after delete", names(&amplify.ListBackendEnvironmentsInput{AppId: app.AppId}), []string{"prod"})

	t.Run("recreate", func(t *testing.T) {
		if _, err := s.client.CreateBackendEnvironment(ctx, &amplify.CreateBackendEnvironmentInput{AppId: app.AppId, EnvironmentName: aws.String("staging")}); err != nil {
			t.Errorf("CreateBackendEnvironment after delete: %v", err)
		}
	})
}

// TestListBackendEnvironments walks ListBackendEnvironments to exhaustion
// (the SDK has no paginator for it).
func TestListBackendEnvironments(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "list-backends")
	var want []string
	for i := range 5 {
		name := "env" + strconv.Itoa(i)
		if _, err := s.client.CreateBackendEnvironment(ctx, &amplify.CreateBackendEnvironmentInput{AppId: app.AppId, EnvironmentName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
	}
	got := pageAll(t, func(token *string) ([]string, *string, error) {
		out, err := s.client.ListBackendEnvironments(ctx, &amplify.ListBackendEnvironmentsInput{AppId: app.AppId, MaxResults: 1, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		var names []string
		for _, e := range out.BackendEnvironments {
			names = append(names, aws.ToString(e.EnvironmentName))
		}
		return names, out.NextToken, nil
	})
	wantSameItems(t, "ListBackendEnvironments", got, want)

	t.Run("token with another filter", func(t *testing.T) {
		out, err := s.client.ListBackendEnvironments(ctx, &amplify.ListBackendEnvironmentsInput{AppId: app.AppId, MaxResults: 1})
		if err != nil || out.NextToken == nil {
			t.Fatalf("ListBackendEnvironments: %v (nextToken %v)", err, out.NextToken)
		}
		_, err = s.client.ListBackendEnvironments(ctx, &amplify.ListBackendEnvironmentsInput{AppId: app.AppId, EnvironmentName: aws.String("env1"), NextToken: out.NextToken})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("maxResults 51", func(t *testing.T) {
		_, err := s.client.ListBackendEnvironments(ctx, &amplify.ListBackendEnvironmentsInput{AppId: app.AppId, MaxResults: 51})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("unknown app", func(t *testing.T) {
		_, err := s.client.ListBackendEnvironments(ctx, &amplify.ListBackendEnvironmentsInput{AppId: aws.String("dnosuchapp0000")})
		wantCode(t, err, "NotFoundException", 404)
	})
}
