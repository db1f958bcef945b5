package gitsource

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pier-hosting/pier"
)

// fetch fetches into dir, from remote origin, the head of branch or the
// commit, and returns the id of the commit to check out.
//
// A commit is first fetched alone by its full id, which protocol v2 servers
// and most v0 ones allow. When the server refuses, or the id is
// abbreviated, the branch's recent history is fetched, then all of it,
// until the commit is found.
func (g *git) fetch(ctx context.Context, dir, branch, commit string) (string, error) {
	branchRef := "refs/remotes/origin/" + branch
	refspec := "+refs/heads/" + branch + ":" + branchRef
	if commit == "" {
		if _, err := g.run(ctx, dir, "fetch", "--depth=1", "--no-tags", "origin", refspec); err != nil {
			return "", g.fetchError(err, branch, "")
		}
		return g.revParse(ctx, dir, branchRef)
	}
	if len(commit) == 40 || len(commit) == 64 {
		_, err := g.run(ctx, dir, "fetch", "--depth=1", "--no-tags", "origin", commit)
		if err == nil {
			return g.revParse(ctx, dir, commit)
		} else if !refused(err) {
			return "", g.fetchError(err, branch, commit)
		}
		fmt.Fprintf(g.log, "The server does not serve commit %s alone: fetching the history of %s\n", commit, branch)
	}
	for _, depth := range []string{"--depth=50", "--unshallow"} {
		if _, err := g.run(ctx, dir, "fetch", depth, "--no-tags", "origin", refspec); err != nil {
			return "", g.fetchError(err, branch, commit)
		}
		if id, err := g.revParse(ctx, dir, commit); err == nil {
			return id, nil
		} else if ctx.Err() != nil {
			return "", err
		}
		if _, err := os.Stat(filepath.Join(dir, ".git", "shallow")); err != nil {
			break // the whole history is here
		}
	}
	return "", pier.Errorf(pier.EINVALID, "commit %s not found in %s", commit, g.remote.url)
}

// revParse returns the id of the commit rev names in dir.
func (g *git) revParse(ctx context.Context, dir, rev string) (string, error) {
	out, err := g.run(ctx, dir, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("checkout: %w", err)
	}
	return strings.TrimSpace(out), nil
}

// refused reports whether git failed because the server would not send an
// unadvertised commit (or does not have it).
func refused(err error) bool {
	var e *gitError
	return errors.As(err, &e) && containsAny(e.stderr,
		"not our ref", "unadvertised object", "couldn't find remote ref")
}

// fetchError turns a failed fetch or ls-remote into a *pier.Error that says
// what the user can fix; other errors, such as ctx's, pass unchanged.
func (g *git) fetchError(err error, branch, commit string) error {
	var e *gitError
	if !errors.As(err, &e) {
		return err
	}
	url := g.remote.url
	switch {
	case containsAny(e.stderr, "Authentication failed", "could not read Username",
		"could not read Password", "returned error: 401", "returned error: 403"):
		return pier.Errorf(pier.EINVALID, "authentication failed for %s: check the app's accessToken", url)
	case containsAny(e.stderr, "Permission denied (publickey", "Host key verification failed"):
		return pier.Errorf(pier.EINVALID, "authentication failed for %s: check the app's deploy key", url)
	case containsAny(e.stderr, "couldn't find remote ref"):
		return pier.Errorf(pier.EINVALID, "branch %s not found in %s", branch, url)
	case containsAny(e.stderr, "not our ref", "unadvertised object"):
		return pier.Errorf(pier.EINVALID, "commit %s not found in %s", commit, url)
	case containsAny(e.stderr, "not found", "returned error: 404", "does not appear to be a git repository"):
		return pier.Errorf(pier.EINVALID, "repository %s not found, or the app's credentials cannot read it", url)
	}
	return pier.Errorf(pier.EINVALID, "cannot fetch %s: %s", url, e.summary())
}

func containsAny(s string, substrs ...string) bool {
	for _, sub := range substrs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
