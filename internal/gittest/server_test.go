package gittest_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pier-hosting/pier/internal/gittest"
)

func TestServerAuth(t *testing.T) {
	s := gittest.Start(t, "s3cret")
	url := s.CreateRepo(t, "site")
	tests := []struct {
		name     string
		password string
		want     int
	}{
		{"right token", "s3cret", http.StatusOK},
		{"wrong token", "nope", http.StatusUnauthorized},
		{"no credentials", "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", url+"/info/refs?service=git-upload-pack", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.password != "" {
				req.SetBasicAuth("anyone", tt.password)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.want)
			}
			if got := resp.Header.Get("WWW-Authenticate"); tt.want == http.StatusUnauthorized && got != `Basic realm="git"` {
				t.Errorf("WWW-Authenticate = %q", got)
			}
		})
	}
}

func TestWorkPushAndHook(t *testing.T) {
	s := gittest.Start(t, "tok")
	url := s.CreateRepo(t, "org/site")
	if !strings.HasSuffix(url, "/org/site.git") || strings.Contains(url, "tok") {
		t.Fatalf("clone URL = %q", url)
	}
	marker := filepath.Join(t.TempDir(), "pushed")
	s.SetHook(t, "org/site", "post-receive", "#!/bin/sh\ncat >> "+marker+"\n")

	w := gittest.NewWorkTree(t, url, "tok")
	w.Write("index.html", "<h1>hi</h1>")
	first := w.Commit("first")
	w.Push("main")
	w.Branch("feature/x")
	w.Write("a/b.txt", "b")
	second := w.Commit("second")
	w.Push("feature/x")
	if first == second || w.Head() != second {
		t.Fatalf("commits %s, %s; head %s", first, second, w.Head())
	}

	again := gittest.NewWorkTree(t, url, "tok")
	if again.Head() != first {
		t.Errorf("fresh clone head = %s, want main's %s", again.Head(), first)
	}
	w.DeleteRemoteBranch("feature/x")

	hook, err := os.ReadFile(marker)
	if err != nil {
		t.Fatalf("post-receive hook did not run: %v", err)
	}
	if !strings.Contains(string(hook), "refs/heads/main") {
		t.Errorf("hook input = %q", hook)
	}
	if !slices.ContainsFunc(s.Requests(), func(r string) bool { return strings.Contains(r, "git-receive-pack") }) {
		t.Errorf("requests = %q, want a receive-pack", s.Requests())
	}
}
