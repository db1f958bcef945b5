package gitsource_test

import (
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/build/gitsource"
)

// TestTokenNeverLeaks checks that the token reaches no command line, no file
// of the checkout, no log line and no temporary file left behind.
func TestTokenNeverLeaks(t *testing.T) {
	_, url, _, commits := repo(t)
	withUser := strings.Replace(url, "://", "://me:"+token+"@", 1)
	asUser := strings.Replace(url, "://", "://"+token+"@", 1)
	tests := []struct {
		name, url string
		auth      gitsource.Auth
		user      string // the basic-auth user name sent
	}{
		{"token in Auth", url, gitsource.Auth{Token: token}, "x-access-token"},
		{"token and user in Auth", url, gitsource.Auth{Token: token, Username: "bot"}, "bot"},
		{"user and token in the URL", withUser, gitsource.Auth{}, "me"},
		{"token as the URL's user", asUser, gitsource.Auth{}, "x-access-token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			argv := filepath.Join(t.TempDir(), "argv")
			fakeOnPath(t, "git", "#!/bin/sh\nprintf '%s\\n' \"$*\" >> "+argv+"\nexec "+realGit(t)+" \"$@\"\n")
			dir := filepath.Join(t.TempDir(), "src")
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			var log strings.Builder

			if _, err := gitsource.Checkout(t.Context(), dir, tt.url, "main", commits[1], tt.auth, &log); err != nil {
				t.Fatal(err)
			}
			heads, err := gitsource.Heads(t.Context(), tt.url, tt.auth)
			if err != nil || heads["main"] != commits[2] {
				t.Fatalf("Heads = %v, %v", heads, err)
			}

			secrets := []string{token, base64.StdEncoding.EncodeToString([]byte(tt.user + ":" + token))}
			assertNoSecret(t, "the log", log.String(), secrets)
			cmdlines := readFile(t, filepath.Dir(argv), "argv")
			if !strings.Contains(cmdlines, "fetch") || !strings.Contains(cmdlines, "ls-remote") {
				t.Errorf("git ran with:\n%s", cmdlines)
			}
			assertNoSecret(t, "git's command lines", cmdlines, secrets)
			filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					assertNoSecret(t, path, readFile(t, dir, strings.TrimPrefix(path, dir)), secrets)
				}
				return err
			})
			if got := gitOut(t, dir, "config", "remote.origin.url"); got != url {
				t.Errorf("remote.origin.url = %q, want %q", got, url)
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("left in TMPDIR: %v", left)
			}
		})
	}
}

// TestSSHKey checks that the deploy key reaches ssh in a file only its owner
// can read, outside the checkout, removed afterwards.
func TestSSHKey(t *testing.T) {
	const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n-----END OPENSSH PRIVATE KEY-----\n"
	seen := filepath.Join(t.TempDir(), "seen")
	// The fake ssh reports the mode and content of its -i file, then
	// fails as a server refusing the key does.
	fakeOnPath(t, "ssh", `#!/bin/sh
while [ $# -gt 0 ]; do
	if [ "$1" = -i ]; then stat -c %a "$2" > `+seen+`; cat "$2" >> `+seen+`; fi
	shift
done
echo "git@example.com: Permission denied (publickey)." >&2
exit 255
`)
	for _, url := range []string{"git@example.com:org/site.git", "ssh://git@example.com:2222/org/site.git"} {
		t.Run(url, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "src")
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			_, err := gitsource.Checkout(t.Context(), dir, url, "main", "", gitsource.Auth{SSHKey: []byte(key)}, nil)
			if want := "authentication failed for " + url + ": check the app's deploy key"; pier.ErrorMessage(err) != want {
				t.Errorf("err = %v, want %q", err, want)
			}
			if got := readFile(t, filepath.Dir(seen), "seen"); got != "600\n"+key {
				t.Errorf("ssh saw key file %q", got)
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("left in TMPDIR: %v", left)
			}
		})
	}
}

func assertNoSecret(t *testing.T, where, s string, secrets []string) {
	t.Helper()
	for _, secret := range secrets {
		if strings.Contains(s, secret) {
			t.Errorf("%s contains the secret %q:\n%s", where, secret, s)
		}
	}
}
