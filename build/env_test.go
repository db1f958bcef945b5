package build

import (
	"slices"
	"testing"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/build/spec"
)

func TestEnvironmentPrecedence(t *testing.T) {
	app := &pier.App{ID: "d123", AccountID: "000000000000", Repository: "https://git.example.com/site.git",
		EnvironmentVariables: map[string]string{"A": "app", "B": "app", "C": "app", "_BUILD_TIMEOUT": "10", "AWS_APP_ID": "forged"}}
	branch := &pier.Branch{Name: "feature/x", EnvironmentVariables: map[string]string{"B": "branch", "C": "branch"}}
	e := baseEnv("eu-west-1", app, branch, &pier.Job{ID: 7}, "abc123", "/ws/home")
	e.mergeSpec([]spec.Var{{Name: "C", Value: "spec"}})
	want := map[string]string{
		"A": "app", "B": "branch", "C": "spec", "AWS_APP_ID": "d123", "AWS_BRANCH": "feature/x",
		"AWS_BRANCH_ARN": "arn:aws:amplify:eu-west-1:000000000000:apps/d123/branches/feature/x",
		"AWS_JOB_ID":     "0000000007", "AWS_COMMIT_ID": "abc123", "HOME": "/ws/home", "_BUILD_TIMEOUT": "10",
	}
	for k, v := range want {
		if got := e.get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if !slices.IsSorted(e.list()) {
		t.Error("list is not sorted")
	}
}

func TestTimeout(t *testing.T) {
	tests := []struct {
		value string
		want  int
		note  bool
	}{{"30", 30, false}, {"5", 5, false}, {"120", 120, false}, {"4", 5, true}, {"121", 120, true}, {"soon", 30, true}, {"", 30, true}}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			e := &environment{vars: map[string]string{"_BUILD_TIMEOUT": tt.value}}
			got, note := e.timeout()
			if got != tt.want || (note != "") != tt.note {
				t.Errorf("timeout() = %d, %q; want %d, note %v", got, note, tt.want, tt.note)
			}
		})
	}
}

func TestSecrets(t *testing.T) {
	e := &environment{vars: map[string]string{"NPM_TOKEN": "t0ken-value", "DB_PASSWORD": "pw-value", "PUBLIC_URL": "https://x", "EMPTY_SECRET": ""}}
	got := e.secrets(DefaultSecretMarkers)
	slices.Sort(got)
	if want := []string{"pw-value", "t0ken-value"}; !slices.Equal(got, want) {
		t.Errorf("secrets = %q, want %q", got, want)
	}
}

func TestSplitCredentials(t *testing.T) {
	tests := []struct{ in, clean, secret string }{
		{"https://git.example.com/a.git", "https://git.example.com/a.git", ""},
		{"https://user:tok@git.example.com/a.git", "https://git.example.com/a.git", "tok"},
		{"https://tok@git.example.com/a.git", "https://git.example.com/a.git", "tok"},
		{"git@github.com:org/a.git", "git@github.com:org/a.git", ""},
	}
	for _, tt := range tests {
		clean, secret := splitCredentials(tt.in)
		if clean != tt.clean || secret != tt.secret {
			t.Errorf("splitCredentials(%q) = %q, %q", tt.in, clean, secret)
		}
	}
}

func TestLinkInside(t *testing.T) {
	tests := []struct {
		name, target string
		want         bool
	}{
		{"node_modules/.bin/vite", "../vite/bin/vite.js", true},
		{"a/link", "b", true},
		{"a/link", "../../etc/passwd", false},
		{"link", "/etc/passwd", false},
		{"link", "..", false},
		{"link", "", false},
	}
	for _, tt := range tests {
		if got := linkInside(tt.name, tt.target); got != tt.want {
			t.Errorf("linkInside(%q, %q) = %v", tt.name, tt.target, got)
		}
	}
}
