package pier_test

import (
	"strings"
	"testing"

	"github.com/pier-hosting/pier"
)

func TestDisplayNameFor(t *testing.T) {
	tests := map[string]string{
		"main":                  "main",
		"feature/skeletal-html": "feature-skeletal-html",
		"release-6.2":           "release-6-2",
		"my_branch":             "my-branch",
		"Feature/X":             "Feature-X",
		"héllo":                 "h-llo",
		strings.Repeat("a", 70): strings.Repeat("a", 63),
	}
	for in, want := range tests {
		if got := pier.DisplayNameFor(in); got != want {
			t.Errorf("DisplayNameFor(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewAppID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := pier.NewAppID()
		if len(id) != 14 || !pier.ValidAppID(id) {
			t.Fatalf("NewAppID() = %q, want d + 13 base-36 characters", id)
		}
		if seen[id] {
			t.Fatalf("NewAppID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestErrorCode(t *testing.T) {
	err := pier.Errorf(pier.ENOTFOUND, "App %s not found", "d1")
	if pier.ErrorCode(err) != pier.ENOTFOUND || pier.ErrorMessage(err) != "App d1 not found" {
		t.Fatalf("got %q %q", pier.ErrorCode(err), pier.ErrorMessage(err))
	}
	other := strings.NewReader("").UnreadByte() // any non-pier error
	if pier.ErrorCode(other) != pier.EINTERNAL || pier.ErrorMessage(other) == other.Error() {
		t.Fatalf("internal errors must not leak their text: %q", pier.ErrorMessage(other))
	}
	if pier.ErrorCode(nil) != "" {
		t.Fatal("ErrorCode(nil) must be empty")
	}
}

func TestJobKeysAreValidBlobKeys(t *testing.T) {
	for _, branch := range []string{"main", "feature/x y", ".", "..", strings.Repeat("é/", 120)} {
		for _, key := range []string{
			pier.UploadKey("000000000000", "d1", branch, 7, "files/assets/app.js"),
			pier.LogKey("000000000000", "d1", branch, 7, "DEPLOY"),
		} {
			if !pier.ValidBlobKey(key) {
				t.Errorf("branch %q: key %q is not a valid blob key", branch, key)
			}
			for _, seg := range strings.Split(key, "/") {
				if len(seg) > 255 {
					t.Errorf("branch %q: segment of %d bytes", branch, len(seg))
				}
			}
		}
	}
}
