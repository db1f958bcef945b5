package pier_test

import (
	"strings"
	"testing"

	"github.com/pier-hosting/pier"
)

func TestMatchBranchPatterns(t *testing.T) {
	tests := []struct {
		patterns string // comma-joined list entries, "|" separates entries
		branch   string
		want     bool
	}{
		{"*", "main", true},
		{"*", "feature/login", true},
		{"**", "a/b/c", true},
		{"release*", "release", true},
		{"release*", "release-1.2", true},
		{"release*", "release/1.2", false},
		{"release*", "prerelease", false},
		{"release*/", "release1/hotfix", true},
		{"release*/", "release1", false},
		{"feature/**", "feature/GWY-123", true},
		{"feature/**", "feature/a/b", true},
		{"feature/**", "feature", false},
		{"feature/*", "feature/a", true},
		{"feature/*", "feature/a/b", false},
		{"*-amplify", "test-amplify", true},
		{"*-amplify", "feature/test-amplify", false},
		{"**-amplify", "feature/test-amplify", true},
		{"dev?", "dev1", true},
		{"dev?", "dev/", false},
		{"dev?", "dev12", false},
		{"GWY-**,feature/**", "feature/x", true},
		{"GWY-**, feature/**", "feature/x", true},
		{"GWY-**", "GWY-12/x", true},
		{"main|dev", "dev", true},
		{"main|dev", "develop", false},
		{"!main", "main", false},
		{"!main", "dev", false},
		{"", "main", false},
		{"a**b", "a/x/y/b", true},
		{"a**b", "a/x/y/c", false},
		{"*/*/*", "a/b/c", true},
		{"*/*/*", "a/b", false},
	}
	for _, tt := range tests {
		t.Run(tt.patterns+" "+tt.branch, func(t *testing.T) {
			if got := pier.MatchBranchPatterns(strings.Split(tt.patterns, "|"), tt.branch); got != tt.want {
				t.Errorf("MatchBranchPatterns(%q, %q) = %v, want %v", tt.patterns, tt.branch, got, tt.want)
			}
		})
	}
}

func TestMatchBranchPatternsIsBounded(t *testing.T) {
	// Many stars against a long non-matching name must not explode.
	pattern := strings.Repeat("*a", 12) + "b"
	name := strings.Repeat("a", 200)
	if pier.MatchBranchPatterns([]string{pattern}, name) {
		t.Fatal("matched")
	}
}
