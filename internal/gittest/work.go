package gittest

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Work is a working clone of a repository served by a Server, for writing,
// committing and pushing files. Every method fails the test on error.
type Work struct {
	// Dir is the working tree.
	Dir string
	// Clock is the author and committer time of the next commit; each
	// Commit advances it by a minute, so commit ids are reproducible.
	Clock time.Time

	t   testing.TB
	env []string
}

// NewWorkTree clones cloneURL, authenticating with token (any user name),
// into a temporary directory. The clone of an empty repository starts on
// branch main.
func NewWorkTree(t testing.TB, cloneURL, token string) *Work {
	t.Helper()
	home := t.TempDir()
	w := &Work{
		Dir:   filepath.Join(home, "work"),
		Clock: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		t:     t,
		env:   gitEnv(home),
	}
	if token != "" {
		basic := base64.StdEncoding.EncodeToString([]byte("gittest:" + token))
		w.env = append(w.env,
			"GIT_CONFIG_COUNT=1",
			"GIT_CONFIG_KEY_0=http.extraHeader",
			"GIT_CONFIG_VALUE_0=Authorization: Basic "+basic)
	}
	run(t, home, w.env, "clone", "--quiet", cloneURL, w.Dir)
	run(t, w.Dir, w.env, "symbolic-ref", "HEAD", "refs/heads/main")
	return w
}

// Write writes content to the file at path (slash-separated, relative to
// the working tree), creating its directories.
func (w *Work) Write(path, content string) {
	w.t.Helper()
	name := filepath.Join(w.Dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		w.t.Fatalf("gittest: write %s: %v", path, err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		w.t.Fatalf("gittest: write %s: %v", path, err)
	}
}

// Commit stages every change and commits it with message at Clock, and
// returns the new commit's id.
func (w *Work) Commit(message string) string {
	w.t.Helper()
	date := w.Clock.Format(time.RFC3339)
	env := append(slices.Clone(w.env), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	run(w.t, w.Dir, env, "add", "--all")
	run(w.t, w.Dir, env, "commit", "--quiet", "--allow-empty", "--message", message)
	w.Clock = w.Clock.Add(time.Minute)
	return w.Head()
}

// Push pushes the current commit to branch, forcing the update.
func (w *Work) Push(branch string) {
	w.t.Helper()
	run(w.t, w.Dir, w.env, "push", "--quiet", "--force", "origin", "HEAD:refs/heads/"+branch)
}

// Branch switches the working tree to branch name, creating it at the
// current commit if needed.
func (w *Work) Branch(name string) {
	w.t.Helper()
	run(w.t, w.Dir, w.env, "checkout", "--quiet", "-B", name)
}

// DeleteRemoteBranch deletes branch name on the server.
func (w *Work) DeleteRemoteBranch(name string) {
	w.t.Helper()
	run(w.t, w.Dir, w.env, "push", "--quiet", "origin", "--delete", name)
}

// Head returns the id of the current commit.
func (w *Work) Head() string {
	w.t.Helper()
	return run(w.t, w.Dir, w.env, "rev-parse", "HEAD")
}

// gitEnv is an environment for git that reads no configuration outside the
// repository and gives commits a fixed author.
func gitEnv(home string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"LANG=C",
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=Gittest Author",
		"GIT_AUTHOR_EMAIL=author@gittest.invalid",
		"GIT_COMMITTER_NAME=Gittest Committer",
		"GIT_COMMITTER_EMAIL=committer@gittest.invalid",
	}
}

// run runs git with args in dir and returns its trimmed standard output; a
// nil env means gitEnv in a temporary home.
func run(t testing.TB, dir string, env []string, args ...string) string {
	t.Helper()
	if env == nil {
		env = gitEnv(t.TempDir())
	}
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gittest: git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}
