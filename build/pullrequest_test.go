package build

import (
	"testing"

	"github.com/pier-hosting/pier"
)

func TestPullRequestEnvironment(t *testing.T) {
	app := &pier.App{ID: "d123", AccountID: "000000000000", Repository: "https://git.example.com/site.git"}
	branch := &pier.Branch{Name: "pr-4", PullRequest: &pier.PullRequest{Number: 4, SourceBranch: "feature/x", DestinationBranch: "main"},
		EnvironmentVariables: map[string]string{"AWS_PULL_REQUEST_ID": "forged"}}
	e := baseEnv("eu-west-1", app, branch, &pier.Job{ID: 1}, "abc123", "/ws/home")
	for k, v := range map[string]string{
		"AWS_BRANCH":                          "feature/x",
		"AWS_BRANCH_ARN":                      "arn:aws:amplify:eu-west-1:000000000000:apps/d123/branches/pr-4",
		"AWS_PULL_REQUEST_ID":                 "4",
		"AWS_PULL_REQUEST_SOURCE_BRANCH":      "feature/x",
		"AWS_PULL_REQUEST_DESTINATION_BRANCH": "main",
	} {
		if got := e.get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got := baseEnv("eu-west-1", app, &pier.Branch{Name: "main"}, &pier.Job{ID: 1}, "abc", "/h").get("AWS_PULL_REQUEST_ID"); got != "" {
		t.Errorf("AWS_PULL_REQUEST_ID of a branch = %q, want unset", got)
	}
}
