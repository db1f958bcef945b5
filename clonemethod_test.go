package pier_test

import (
	"testing"

	"github.com/pier-hosting/pier"
)

func TestCloneMethod(t *testing.T) {
	tests := []struct{ url, want string }{
		{"https://github.com/org/site.git", "TOKEN"},
		{"http://git.internal/org/site.git", "TOKEN"},
		{"https://user:pass@gitlab.com/org/site.git", "TOKEN"},
		{"ssh://git@github.com/org/site.git", "SSH"},
		{"git@github.com:org/site.git", "SSH"},
		{"github.com:org/site.git", "SSH"},
		{"file:///srv/site.git", "TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			if got := pier.CloneMethod(tt.url); got != tt.want {
				t.Errorf("CloneMethod = %q, want %q", got, tt.want)
			}
		})
	}
}
