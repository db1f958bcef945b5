// Package gittest runs a real Git server for tests: git http-backend behind
// Go's net/http/cgi on a loopback port, with bare repositories in a temporary
// directory and HTTP basic authentication whose password is a token, the way
// GitHub, GitLab and Bitbucket accept access tokens. It also clones working
// trees to commit to and push to those repositories with the git CLI.
package gittest

import (
	"crypto/subtle"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Server is a Git smart-HTTP server on 127.0.0.1. Its methods are safe for
// concurrent use.
type Server struct {
	// URL is the server's base URL, without a trailing slash.
	URL string
	// Token is the password every request must present with HTTP basic
	// authentication (any user name); "" lets every request in.
	Token string
	// Root is the directory holding the bare repositories (GIT_PROJECT_ROOT).
	Root string

	backend string    // path of git-http-backend
	stderr  io.Writer // where git-http-backend's complaints go: the test log

	mu       sync.Mutex
	requests []string
	noV2     bool
}

// Start starts a server that requires token as the basic-auth password, and
// closes it when the test ends. It skips the test when git or git
// http-backend is not installed.
func Start(t testing.TB, token string) *Server {
	t.Helper()
	execPath, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Skipf("gittest: git is not installed: %v", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(execPath)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		t.Skipf("gittest: git http-backend is not installed: %v", err)
	}
	s := &Server{Token: token, Root: t.TempDir(), backend: backend, stderr: testLog{t}}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	s.URL = ts.URL
	return s
}

// ServeHTTP checks the token and hands the request to git http-backend.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	noV2 := s.noV2
	s.mu.Unlock()

	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		http.Error(w, "authentication required", http.StatusUnauthorized)
		return
	}
	if noV2 {
		// Without the header http-backend speaks protocol v0, where a
		// fetch may only ask for advertised refs.
		r.Header.Del("Git-Protocol")
	}
	h := &cgi.Handler{
		Path: s.backend,
		Root: "/",
		Env: []string{
			"GIT_PROJECT_ROOT=" + s.Root,
			"GIT_HTTP_EXPORT_ALL=1",
			"GIT_CONFIG_NOSYSTEM=1",
			"GIT_CONFIG_GLOBAL=/dev/null",
			"HOME=" + s.Root,
		},
		Stderr: s.stderr,
	}
	h.ServeHTTP(w, r)
}

// authorized reports whether r carries the token as its basic-auth password,
// comparing in constant time.
func (s *Server) authorized(r *http.Request) bool {
	if s.Token == "" {
		return true
	}
	_, password, ok := r.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(password), []byte(s.Token)) == 1
}

// DisableProtocolV2 makes the server speak Git protocol v0 only, where
// fetching an unadvertised commit by id is refused: the case of servers
// that clients must fall back from.
func (s *Server) DisableProtocolV2() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noV2 = true
}

// Requests returns the requests served so far, as "METHOD /path?query",
// including those refused for lack of the token.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// CreateRepo creates the bare repository name.git, with HEAD on
// refs/heads/main and pushes over HTTP allowed, and returns its clone URL
// (without credentials). Name may contain slashes ("org/site").
func (s *Server) CreateRepo(t testing.TB, name string) string {
	t.Helper()
	dir := s.repoDir(name)
	run(t, "", nil, "init", "--quiet", "--bare", "--initial-branch=main", dir)
	run(t, dir, nil, "config", "http.receivepack", "true")
	return s.URL + "/" + name + ".git"
}

// SetHook installs script as the executable hook hookName (for example
// "post-receive") of repository name.
func (s *Server) SetHook(t testing.TB, name, hookName, script string) {
	t.Helper()
	path := filepath.Join(s.repoDir(name), "hooks", hookName)
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatalf("gittest: set hook: %v", err)
	}
}

// testLog writes to the test log.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Logf("git http-backend: %s", strings.TrimSpace(string(p)))
	return len(p), nil
}

func (s *Server) repoDir(name string) string {
	return filepath.Join(s.Root, filepath.FromSlash(name)+".git")
}
