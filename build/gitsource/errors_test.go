package gitsource_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/build/gitsource"
)

func TestCheckoutErrors(t *testing.T) {
	_, url, _, _ := repo(t)
	missing := strings.Repeat("ab", 20)
	hostless := strings.TrimSuffix(url, "/site.git")
	tests := []struct {
		name, url, branch, commit string
		auth                      gitsource.Auth
		want                      string
	}{
		{"wrong token", url, "main", "", gitsource.Auth{Token: "wrong-" + token},
			"authentication failed for " + url + ": check the app's accessToken"},
		{"no token", url, "main", "", gitsource.Auth{},
			"authentication failed for " + url + ": check the app's accessToken"},
		{"wrong token in the URL", strings.Replace(url, "://", "://me:wrong-"+token+"@", 1), "main", "", gitsource.Auth{},
			"authentication failed for " + url + ": check the app's accessToken"},
		{"missing branch", url, "nope", "", gitsource.Auth{Token: token},
			"branch nope not found in " + url},
		{"missing commit", url, "main", missing, gitsource.Auth{Token: token},
			"commit " + missing + " not found in " + url},
		{"missing repository", hostless + "/other.git", "main", "", gitsource.Auth{Token: token},
			"repository " + hostless + "/other.git not found"},
		{"unreachable server", "http://127.0.0.1:1/site.git", "main", "", gitsource.Auth{Token: token},
			"cannot fetch http://127.0.0.1:1/site.git: unable to access"},
		{"invalid branch name", url, "a..b", "", gitsource.Auth{Token: token}, `invalid branch name "a..b"`},
		{"option as branch name", url, "--upload-pack=touch", "", gitsource.Auth{Token: token}, "invalid branch name"},
		{"invalid commit id", url, "main", "--all", gitsource.Auth{Token: token}, `invalid commit id "--all"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log strings.Builder
			_, err := gitsource.Checkout(t.Context(), t.TempDir(), tt.url, tt.branch, tt.commit, tt.auth, &log)
			if code := pier.ErrorCode(err); code != pier.EINVALID {
				t.Fatalf("err = %v, want code %s", err, pier.EINVALID)
			}
			msg := pier.ErrorMessage(err)
			t.Logf("message: %s", msg)
			if !strings.Contains(msg, tt.want) {
				t.Errorf("message = %q, want %q in it", msg, tt.want)
			}
			for what, s := range map[string]string{"error": err.Error(), "log": log.String()} {
				if strings.Contains(s, token) {
					t.Errorf("%s contains the token: %q", what, s)
				}
			}
		})
	}
}

func TestCheckoutRefusesNonEmptyDir(t *testing.T) {
	_, url, _, _ := repo(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := gitsource.Checkout(t.Context(), dir, url, "main", "", gitsource.Auth{Token: token}, nil)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("err = %v, want a directory not empty error", err)
	}
}

func TestUnsupportedSchemes(t *testing.T) {
	s, _, _, _ := repo(t)
	before := len(s.Requests())
	for _, url := range []string{
		"file:///srv/git/site.git",
		"ext::sh -c touch% /tmp/pwned",
		"/srv/git/site.git",
		"./site",
		"site.git",
		"ftp://example.com/site.git",
		"git://example.com/site.git",
		"ssh://-oProxyCommand=touch/site.git",
		"-oProxyCommand=touch:site.git",
		"https:///site.git",
		"me:" + token + "@host:site.git",
	} {
		t.Run(url, func(t *testing.T) {
			_, err := gitsource.Checkout(t.Context(), t.TempDir(), url, "main", "", gitsource.Auth{Token: token}, nil)
			if msg := pier.ErrorMessage(err); pier.ErrorCode(err) != pier.EINVALID || !strings.Contains(msg, "repository URL scheme not supported") {
				t.Errorf("Checkout err = %v, want EINVALID scheme not supported", err)
			}
			assertNoSecret(t, "the error", err.Error(), []string{token})
			if _, err := gitsource.Heads(t.Context(), url, gitsource.Auth{}); pier.ErrorCode(err) != pier.EINVALID {
				t.Errorf("Heads err = %v, want EINVALID", err)
			}
		})
	}
	if after := len(s.Requests()); after != before {
		t.Errorf("%d requests reached the server", after-before)
	}
}

// TestGitOutputIsMasked checks that the token, the header carrying it and
// URL credentials are masked in what git prints, in the log and the error.
func TestGitOutputIsMasked(t *testing.T) {
	_, url, _, _ := repo(t)
	fakeOnPath(t, "git", "#!/bin/sh\n"+
		`if [ "$1" = fetch ]; then echo "fatal: $(env | grep Authorization) `+token+` https://me:pw@host/x" >&2; exit 128; fi; exec `+realGit(t)+` "$@"`+"\n")
	var log strings.Builder
	_, err := gitsource.Checkout(t.Context(), t.TempDir(), url, "main", "", gitsource.Auth{Token: token}, &log)
	secrets := []string{token, base64.StdEncoding.EncodeToString([]byte("x-access-token:" + token)), "pw@"}
	for what, s := range map[string]string{"error": err.Error(), "log": log.String()} {
		assertNoSecret(t, what, s, secrets)
		if !strings.Contains(s, "Authorization: Basic *** *** https://host/x") {
			t.Errorf("%s = %q, want git's line masked", what, s)
		}
	}
}
