package main

import (
	"maps"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
)

// listTags returns the tags of a resource.
func listTags(t *testing.T, c *amplify.Client, arn string) map[string]string {
	t.Helper()
	out, err := c.ListTagsForResource(t.Context(), &amplify.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("ListTagsForResource(%s): %v", arn, err)
	}
	if out.Tags == nil {
		t.Errorf("ListTagsForResource(%s): tags absent, want a map", arn)
	}
	return out.Tags
}

// TestTags checks tags given at creation, TagResource, UntagResource and
// ListTagsForResource on app and branch ARNs.
func TestTags(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()

	created, err := s.client.CreateApp(ctx, &amplify.CreateAppInput{Name: aws.String("tagged"), Tags: map[string]string{"team": "web", "cost": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	app := created.App
	appArn := aws.ToString(app.AppArn)
	branchOut, err := s.client.CreateBranch(ctx, &amplify.CreateBranchInput{AppId: app.AppId, BranchName: aws.String("feature/tags"), Tags: map[string]string{"owner": "me"}})
	if err != nil {
		t.Fatal(err)
	}
	branchArn := aws.ToString(branchOut.Branch.BranchArn)
	if branchArn != branchARN(*app.AppId, "feature/tags") {
		t.Fatalf("branchArn = %s", branchArn)
	}
	plain := createBranch(t, s.client, *app.AppId, "plain")

	t.Run("at creation", func(t *testing.T) {
		if got := listTags(t, s.client, appArn); !maps.Equal(got, map[string]string{"team": "web", "cost": "1"}) {
			t.Errorf("app tags = %v", got)
		}
		if got := listTags(t, s.client, branchArn); !maps.Equal(got, map[string]string{"owner": "me"}) {
			t.Errorf("branch tags = %v", got)
		}
		if got := listTags(t, s.client, aws.ToString(plain.BranchArn)); len(got) != 0 {
			t.Errorf("untagged branch's tags = %v, want {}", got)
		}
	})

	t.Run("merge and overwrite", func(t *testing.T) {
		if _, err := s.client.TagResource(ctx, &amplify.TagResourceInput{ResourceArn: aws.String(appArn), Tags: map[string]string{"cost": "2", "env": "prod"}}); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"team": "web", "cost": "2", "env": "prod"}
		if got := listTags(t, s.client, appArn); !maps.Equal(got, want) {
			t.Errorf("app tags = %v, want %v", got, want)
		}
		got, err := s.client.GetApp(ctx, &amplify.GetAppInput{AppId: app.AppId})
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got.App.Tags, want) {
			t.Errorf("GetApp tags = %v, want %v", got.App.Tags, want)
		}
	})

	t.Run("branch ARN with a slash", func(t *testing.T) {
		if _, err := s.client.TagResource(ctx, &amplify.TagResourceInput{ResourceArn: aws.String(branchArn), Tags: map[string]string{"path/key": "a/b"}}); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"owner": "me", "path/key": "a/b"}
		if got := listTags(t, s.client, branchArn); !maps.Equal(got, want) {
			t.Errorf("branch tags = %v, want %v", got, want)
		}
		if _, err := s.client.UntagResource(ctx, &amplify.UntagResourceInput{ResourceArn: aws.String(branchArn), TagKeys: []string{"path/key"}}); err != nil {
			t.Fatal(err)
		}
		b, err := s.client.GetBranch(ctx, &amplify.GetBranchInput{AppId: app.AppId, BranchName: aws.String("feature/tags")})
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(b.Branch.Tags, map[string]string{"owner": "me"}) {
			t.Errorf("GetBranch tags = %v, want {owner: me}", b.Branch.Tags)
		}
	})

	t.Run("branch named like a job ARN", func(t *testing.T) {
		// "…/branches/release/jobs/2" is also the shape of a job ARN; jobs
		// carry no tags, so for tag operations it names the branch.
		b := createBranch(t, s.client, *app.AppId, "release/jobs/2")
		arn := aws.ToString(b.BranchArn)
		if _, err := s.client.TagResource(ctx, &amplify.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"odd": "name"}}); err != nil {
			t.Fatalf("TagResource(%s): %v", arn, err)
		}
		if got := listTags(t, s.client, arn); !maps.Equal(got, map[string]string{"odd": "name"}) {
			t.Errorf("tags = %v, want {odd: name}", got)
		}
	})

	t.Run("untag ignores absent keys", func(t *testing.T) {
		if _, err := s.client.UntagResource(ctx, &amplify.UntagResourceInput{ResourceArn: aws.String(appArn), TagKeys: []string{"env", "never-set"}}); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"team": "web", "cost": "2"}
		if got := listTags(t, s.client, appArn); !maps.Equal(got, want) {
			t.Errorf("app tags = %v, want %v", got, want)
		}
		if _, err := s.client.UntagResource(ctx, &amplify.UntagResourceInput{ResourceArn: aws.String(appArn), TagKeys: []string{"team", "cost"}}); err != nil {
			t.Fatal(err)
		}
		if got := listTags(t, s.client, appArn); len(got) != 0 {
			t.Errorf("app tags = %v, want {}", got)
		}
	})

	t.Run("UpdateApp keeps tags", func(t *testing.T) {
		if _, err := s.client.TagResource(ctx, &amplify.TagResourceInput{ResourceArn: aws.String(appArn), Tags: map[string]string{"k": "v"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.client.UpdateApp(ctx, &amplify.UpdateAppInput{AppId: app.AppId, Description: aws.String("x")}); err != nil {
			t.Fatal(err)
		}
		if got := listTags(t, s.client, appArn); !maps.Equal(got, map[string]string{"k": "v"}) {
			t.Errorf("tags after UpdateApp = %v, want {k: v}", got)
		}
	})

	t.Run("at most 50", func(t *testing.T) {
		many := map[string]string{}
		for i := range 50 {
			many["t"+strconv.Itoa(i)] = "v"
		}
		_, err := s.client.TagResource(ctx, &amplify.TagResourceInput{ResourceArn: aws.String(appArn), Tags: many}) // 50 + k
		wantError[*types.BadRequestException](t, err)
		if got := listTags(t, s.client, appArn); !maps.Equal(got, map[string]string{"k": "v"}) {
			t.Errorf("a refused TagResource changed the tags to %d tags", len(got))
		}
		delete(many, "t0")
		if _, err := s.client.TagResource(ctx, &amplify.TagResourceInput{ResourceArn: aws.String(appArn), Tags: many}); err != nil {
			t.Errorf("TagResource up to exactly 50 tags: %v", err)
		}
	})

	unknownApp := appARN("dnosuchapp0000")
	for _, tc := range []struct {
		name string
		arn  string
	}{
		{"unknown app", unknownApp},
		{"unknown branch", appArn + "/branches/nope"},
		{"job", appArn + "/branches/plain/jobs/0000000001"},
		{"another account", "arn:aws:amplify:us-east-1:999999999999:apps/" + *app.AppId},
		{"another region", "arn:aws:amplify:eu-west-1:" + testAccount + ":apps/" + *app.AppId},
	} {
		t.Run("ResourceNotFoundException/"+tc.name, func(t *testing.T) {
			_, err := s.client.ListTagsForResource(ctx, &amplify.ListTagsForResourceInput{ResourceArn: aws.String(tc.arn)})
			e := wantError[*types.ResourceNotFoundException](t, err)
			wantStatus(t, err, 404)
			if aws.ToString(e.Code) != "ResourceNotFoundException" {
				t.Errorf("code = %q, want ResourceNotFoundException", aws.ToString(e.Code))
			}
			_, err = s.client.TagResource(ctx, &amplify.TagResourceInput{ResourceArn: aws.String(tc.arn), Tags: map[string]string{"a": "b"}})
			wantError[*types.ResourceNotFoundException](t, err)
			_, err = s.client.UntagResource(ctx, &amplify.UntagResourceInput{ResourceArn: aws.String(tc.arn), TagKeys: []string{"a"}})
			wantError[*types.ResourceNotFoundException](t, err)
		})
	}
	for _, tc := range []struct {
		name string
		arn  string
	}{
		{"not amplify", "arn:aws:s3:::bucket"},
		{"not an ARN", "hello"},
		{"bad account", "arn:aws:amplify:us-east-1:123:apps/" + *app.AppId},
		{"bad resource", "arn:aws:amplify:us-east-1:" + testAccount + ":widgets/x"},
		{"bad app id", "arn:aws:amplify:us-east-1:" + testAccount + ":apps/NOT_AN_ID"},
	} {
		t.Run("BadRequestException/"+tc.name, func(t *testing.T) {
			_, err := s.client.ListTagsForResource(ctx, &amplify.ListTagsForResourceInput{ResourceArn: aws.String(tc.arn)})
			wantError[*types.BadRequestException](t, err)
			_, err = s.client.TagResource(ctx, &amplify.TagResourceInput{ResourceArn: aws.String(tc.arn), Tags: map[string]string{"a": "b"}})
			wantError[*types.BadRequestException](t, err)
		})
	}
	for _, tc := range []struct {
		name string
		tags map[string]string
	}{
		{"aws: prefix", map[string]string{"aws:x": "y"}},
		{"empty key", map[string]string{"": "y"}},
	} {
		t.Run("TagResource/"+tc.name, func(t *testing.T) {
			_, err := s.client.TagResource(ctx, &amplify.TagResourceInput{ResourceArn: aws.String(appArn), Tags: tc.tags})
			wantError[*types.BadRequestException](t, err)
		})
	}
	t.Run("UntagResource/aws: prefix", func(t *testing.T) {
		_, err := s.client.UntagResource(ctx, &amplify.UntagResourceInput{ResourceArn: aws.String(appArn), TagKeys: []string{"aws:x"}})
		wantError[*types.BadRequestException](t, err)
	})
}
