package gitsource_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pier-hosting/pier/build/gitsource"
	"github.com/pier-hosting/pier/internal/gittest"
)

const token = "tok-3f9a1c"

// repo starts a server and pushes three commits to main and one to
// feature/x; commits holds their ids, oldest first.
func repo(t *testing.T) (s *gittest.Server, url string, w *gittest.Work, commits []string) {
	t.Helper()
	s = gittest.Start(t, token)
	url = s.CreateRepo(t, "site")
	w = gittest.NewWorkTree(t, url, token)
	for _, n := range []string{"one", "two", "three"} {
		w.Write("index.html", n)
		commits = append(commits, w.Commit("commit "+n+"\n\nbody of "+n))
	}
	w.Push("main")
	w.Branch("feature/x")
	w.Write("index.html", "feature")
	commits = append(commits, w.Commit("feature"))
	w.Push("feature/x")
	return s, url, w, commits
}

func TestCheckout(t *testing.T) {
	s, url, w, commits := repo(t)
	first := w.Clock.Add(-4 * time.Minute) // the time of commit one
	tests := []struct {
		name, branch, commit string
		noV2                 bool
		wantID, wantFile     string
		wantMessage          string
		wantTime             time.Time
	}{
		{"branch head", "main", "", false, commits[2], "three", "commit three\n\nbody of three", first.Add(2 * time.Minute)},
		{"HEAD means branch head", "main", "HEAD", false, commits[2], "three", "commit three\n\nbody of three", first.Add(2 * time.Minute)},
		{"older commit", "main", commits[0], false, commits[0], "one", "commit one\n\nbody of one", first},
		{"abbreviated commit", "main", commits[1][:10], false, commits[1], "two", "commit two\n\nbody of two", first.Add(time.Minute)},
		{"branch with a slash", "feature/x", "", false, commits[3], "feature", "feature", first.Add(3 * time.Minute)},
		{"older commit, server refuses unadvertised ids", "main", commits[0], true, commits[0], "one", "commit one\n\nbody of one", first},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.noV2 {
				s.DisableProtocolV2()
			}
			dir := filepath.Join(t.TempDir(), "src")
			var log strings.Builder
			c, err := gitsource.Checkout(t.Context(), dir, url, tt.branch, tt.commit, gitsource.Auth{Token: token}, &log)
			if err != nil {
				t.Fatalf("Checkout: %v\nlog:\n%s", err, log.String())
			}
			if c.ID != tt.wantID || c.Message != tt.wantMessage || !c.Time.Equal(tt.wantTime) {
				t.Errorf("commit = %+v, want %s %q %v", c, tt.wantID, tt.wantMessage, tt.wantTime)
			}
			if got := readFile(t, dir, "index.html"); got != tt.wantFile {
				t.Errorf("index.html = %q, want %q", got, tt.wantFile)
			}
			if got := gitOut(t, dir, "branch", "--show-current"); got != tt.branch {
				t.Errorf("local branch = %q, want %q", got, tt.branch)
			}
			t.Logf("log:\n%s", log.String())
			if fellBack := strings.Contains(log.String(), "does not serve commit"); fellBack != tt.noV2 {
				t.Errorf("fell back to fetching history: %v, want %v; log:\n%s", fellBack, tt.noV2, log.String())
			}
			if want := "Cloned " + url + " " + tt.branch + " at " + tt.wantID + " in "; !strings.Contains(log.String(), want) {
				t.Errorf("log lacks %q:\n%s", want, log.String())
			}
		})
	}
}

func TestCheckoutIsShallow(t *testing.T) {
	_, url, _, _ := repo(t)
	dir := t.TempDir()
	if _, err := gitsource.Checkout(t.Context(), dir, url, "main", "", gitsource.Auth{Token: token}, nil); err != nil {
		t.Fatal(err)
	}
	if got := gitOut(t, dir, "rev-list", "--count", "HEAD"); got != "1" {
		t.Errorf("commits in the checkout = %s, want 1", got)
	}
}

func TestCheckoutCancel(t *testing.T) {
	_, url, _, _ := repo(t)
	tests := []struct {
		name   string
		cancel func(context.CancelFunc)
	}{
		{"before", func(cancel context.CancelFunc) { cancel() }},
		{"during", func(cancel context.CancelFunc) { time.AfterFunc(20*time.Millisecond, cancel) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A git whose fetch hangs stands for a slow server; it forks,
			// so only killing the process group ends it quickly.
			fakeOnPath(t, "git", "#!/bin/sh\n"+
				`if [ "$1" = fetch ]; then sleep 30 & wait; fi; exec `+realGit(t)+` "$@"`+"\n")
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			tt.cancel(cancel)
			start := time.Now()
			_, err := gitsource.Checkout(ctx, t.TempDir(), url, "main", "", gitsource.Auth{Token: token}, nil)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context canceled", err)
			}
			if d := time.Since(start); d > 1500*time.Millisecond {
				t.Errorf("Checkout returned after %v", d)
			}
		})
	}
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
