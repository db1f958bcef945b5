// Package gitsource fetches the source of a build with the git CLI: a
// shallow checkout of a branch head or of one commit, over HTTPS with an
// access token or over SSH with a deploy key.
//
// Repository code and servers are untrusted and tokens are secrets, so git
// runs with a minimal environment of its own: a temporary HOME, no system
// or user configuration (so no credential helpers), no prompts, only the
// https, http and ssh protocols (for redirects and submodules too), and the
// token only in environment variables, never on a command line or on disk.
// Everything git prints is masked before it reaches a log or an error.
// Submodules are not fetched. http:// URLs are accepted for servers on
// private networks, but they carry the token in clear text.
package gitsource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
)

// Auth holds the credentials of a repository.
type Auth struct {
	// Token is the access token of https:// and http:// URLs, sent as the
	// password of HTTP basic authentication.
	Token string
	// Username is the user name sent with Token. By default it is the one
	// the host documents for tokens: "oauth2" for gitlab.*, "x-token-auth"
	// for bitbucket.*, else GitHub's "x-access-token" (which Gitea, Gogs
	// and Azure DevOps accept too).
	Username string
	// SSHKey is the private key (PEM or OpenSSH) of ssh:// and scp-like
	// (git@host:path) URLs, usually a deploy key. The host's key is
	// trusted on first use: it is not checked against a known value.
	SSHKey []byte
}

// Commit describes the commit a checkout is at.
type Commit struct {
	ID      string
	Message string    // the full message, without the final newline
	Time    time.Time // the committer time
}

// commitID matches a full or abbreviated commit id.
var commitID = regexp.MustCompile(`^[0-9a-fA-F]{7,64}$`)

// Checkout makes a shallow checkout (depth 1) into dir of branch's head, or
// of commit when it is neither "" nor "HEAD", logging progress lines to log
// (nil discards them), and returns the commit checked out, on local branch
// branch. Dir must be empty or not exist; on error it may hold a partial
// checkout.
//
// Credentials in an http(s) URL ("https://user:token@host/...") are used
// when auth has no Token, and are never written to disk either. A bad URL, a
// missing branch or commit, a refused authentication or an unreachable
// server are *pier.Error with code EINVALID and a message fit for a job's
// statusReason; a cancelled ctx stops git and returns ctx's error.
func Checkout(ctx context.Context, dir, url, branch, commit string, auth Auth, log io.Writer) (Commit, error) {
	start := time.Now()
	if log == nil {
		log = io.Discard
	}
	r, err := parseRemote(url, auth)
	if err != nil {
		return Commit{}, err
	}
	if commit == "HEAD" {
		commit = ""
	} else if commit != "" && !commitID.MatchString(commit) {
		return Commit{}, pier.Errorf(pier.EINVALID, "invalid commit id %q", commit)
	}
	commit = strings.ToLower(commit)
	if err := emptyDir(dir); err != nil {
		return Commit{}, err
	}
	g, err := newGit(r, log)
	if err != nil {
		return Commit{}, err
	}
	defer g.close()
	if err := g.checkBranch(ctx, branch); err != nil {
		return Commit{}, err
	}

	if commit == "" {
		fmt.Fprintf(log, "Fetching %s %s\n", r.url, branch)
	} else {
		fmt.Fprintf(log, "Fetching %s %s at %s\n", r.url, branch, commit)
	}
	if _, err := g.run(ctx, dir, "init", "--quiet", "--template="); err != nil {
		return Commit{}, fmt.Errorf("checkout: %w", err)
	}
	if _, err := g.run(ctx, dir, "remote", "add", "origin", r.url); err != nil {
		return Commit{}, fmt.Errorf("checkout: %w", err)
	}
	id, err := g.fetch(ctx, dir, branch, commit)
	if err != nil {
		return Commit{}, err
	}
	if _, err := g.run(ctx, dir, "checkout", "--quiet", "-B", branch, id); err != nil {
		return Commit{}, fmt.Errorf("checkout: %w", err)
	}
	c, err := g.describe(ctx, dir)
	if err != nil {
		return Commit{}, err
	}
	fmt.Fprintf(log, "Cloned %s %s at %s in %s\n", r.url, branch, c.ID, time.Since(start).Round(time.Millisecond))
	return c, nil
}

// Heads lists the branches of a repository (git ls-remote --heads), by
// name, with the id of their head commit. Its errors are those of Checkout.
func Heads(ctx context.Context, url string, auth Auth) (map[string]string, error) {
	r, err := parseRemote(url, auth)
	if err != nil {
		return nil, err
	}
	g, err := newGit(r, io.Discard)
	if err != nil {
		return nil, err
	}
	defer g.close()
	out, err := g.run(ctx, g.home, "ls-remote", "--heads", r.url)
	if err != nil {
		return nil, g.fetchError(err, "", "")
	}
	heads := make(map[string]string)
	for line := range strings.Lines(out) {
		id, ref, ok := strings.Cut(strings.TrimSpace(line), "\t")
		if name, isHead := strings.CutPrefix(ref, "refs/heads/"); ok && isHead {
			heads[name] = id
		}
	}
	return heads, nil
}

// checkBranch refuses names git would not take as a branch, and those that
// would pass for an option.
func (g *git) checkBranch(ctx context.Context, branch string) error {
	if branch == "" || strings.HasPrefix(branch, "-") {
		return pier.Errorf(pier.EINVALID, "invalid branch name %q", branch)
	}
	if _, err := g.run(ctx, g.home, "check-ref-format", "refs/heads/"+branch); err != nil {
		if ctx.Err() != nil {
			return err
		}
		return pier.Errorf(pier.EINVALID, "invalid branch name %q", branch)
	}
	return nil
}

// describe returns the commit checked out in dir.
func (g *git) describe(ctx context.Context, dir string) (Commit, error) {
	out, err := g.run(ctx, dir, "log", "-1", "--format=%H%x00%cI%x00%B", "HEAD")
	if err != nil {
		return Commit{}, fmt.Errorf("checkout: %w", err)
	}
	parts := strings.SplitN(out, "\x00", 3)
	if len(parts) != 3 {
		return Commit{}, fmt.Errorf("checkout: unexpected git log output %q", out)
	}
	when, err := time.Parse(time.RFC3339, parts[1])
	if err != nil {
		return Commit{}, fmt.Errorf("checkout: commit time: %w", err)
	}
	return Commit{ID: parts[0], Message: strings.TrimRight(parts[2], "\n"), Time: when}, nil
}

// emptyDir creates dir, or checks that it is an empty directory.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dir, 0o755)
	} else if err != nil {
		return fmt.Errorf("checkout: %w", err)
	} else if len(entries) > 0 {
		return fmt.Errorf("checkout: directory %s is not empty", dir)
	}
	return nil
}
