package gitsource

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// git runs the git CLI for one remote, in an environment of its own: a
// temporary home holding the SSH key and known hosts, no system or user
// configuration, no prompts, and the token only in environment variables.
type git struct {
	remote remote
	home   string
	env    []string
	// secrets are the strings masked in everything git prints.
	secrets []string
	log     io.Writer
}

// newGit prepares the environment to run git against r; close removes it.
func newGit(r remote, log io.Writer) (*git, error) {
	home, err := os.MkdirTemp("", "pier-git-")
	if err != nil {
		return nil, fmt.Errorf("git home: %w", err)
	}
	g := &git{remote: r, home: home, log: log}
	g.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"LANG=C",
		"LC_ALL=C",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_ASKPASS=/bin/false",
		"SSH_ASKPASS=/bin/false",
		"GIT_ALLOW_PROTOCOL=https:http:ssh",
	}
	config := [][2]string{
		{"init.defaultBranch", "main"},
		{"advice.detachedHead", "false"},
		{"protocol.version", "2"},
		{"credential.helper", ""},
	}
	if r.auth.Token != "" && !r.ssh {
		basic := base64.StdEncoding.EncodeToString([]byte(r.username() + ":" + r.auth.Token))
		// Only sent to the repository's own scheme, host and port, never
		// to a submodule or redirect elsewhere.
		config = append(config, [2]string{"http." + origin(r.url) + ".extraHeader", "Authorization: Basic " + basic})
		g.secrets = append(g.secrets, r.auth.Token, basic)
	}
	if r.ssh {
		if err := g.setupSSH(); err != nil {
			g.close()
			return nil, err
		}
	}
	g.env = append(g.env, "GIT_CONFIG_COUNT="+strconv.Itoa(len(config)))
	for i, kv := range config {
		g.env = append(g.env,
			"GIT_CONFIG_KEY_"+strconv.Itoa(i)+"="+kv[0],
			"GIT_CONFIG_VALUE_"+strconv.Itoa(i)+"="+kv[1])
	}
	return g, nil
}

// setupSSH writes the deploy key, readable by its owner only, and points
// ssh at it and at known hosts of its own, trusting a host's key on first
// use.
func (g *git) setupSSH() error {
	ssh := "ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=accept-new" +
		" -o UserKnownHostsFile=" + shellQuote(filepath.Join(g.home, "known_hosts"))
	if len(g.remote.auth.SSHKey) > 0 {
		key := filepath.Join(g.home, "id")
		if err := os.WriteFile(key, g.remote.auth.SSHKey, 0o600); err != nil {
			return fmt.Errorf("write ssh key: %w", err)
		}
		ssh += " -i " + shellQuote(key) + " -o IdentitiesOnly=yes"
	}
	g.env = append(g.env, "GIT_SSH_COMMAND="+ssh)
	return nil
}

// close removes the temporary home, and with it the SSH key.
func (g *git) close() {
	os.RemoveAll(g.home)
}

// run runs git with args in dir and returns its standard output. Standard
// error goes, masked, to the log line by line and, on failure, into the
// returned *gitError.
func (g *git) run(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = g.env
	// git starts ssh and helpers: cancelling kills the whole group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	var stdout, stderr bytes.Buffer
	logged := &lineWriter{w: g.log, mask: g.mask}
	cmd.Stdout = &stdout
	cmd.Stderr = io.MultiWriter(&stderr, logged)
	err := cmd.Run()
	logged.flush()
	if ctx.Err() != nil {
		return "", fmt.Errorf("git %s: %w", args[0], ctx.Err())
	}
	if err != nil {
		return "", &gitError{command: args[0], stderr: g.mask(stderr.String()), err: err}
	}
	return stdout.String(), nil
}

// mask replaces the secrets and URL credentials in s.
func (g *git) mask(s string) string {
	for _, secret := range g.secrets {
		s = strings.ReplaceAll(s, secret, "***")
	}
	return redact(s)
}

// gitError is a failed git command; stderr is already masked.
type gitError struct {
	command string
	stderr  string
	err     error
}

func (e *gitError) Error() string {
	return fmt.Sprintf("git %s: %v: %s", e.command, e.err, e.summary())
}

// summary returns git's fatal and error lines, without those prefixes,
// else its last line.
func (e *gitError) summary() string {
	var lines, all []string
	for line := range strings.Lines(e.stderr) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		all = append(all, line)
		for _, prefix := range []string{"fatal: ", "error: "} {
			if rest, ok := strings.CutPrefix(line, prefix); ok {
				lines = append(lines, rest)
			}
		}
	}
	if len(lines) == 0 && len(all) > 0 {
		lines = all[len(all)-1:]
	}
	return strings.Join(lines, "; ")
}

// lineWriter writes complete lines, masked, to w.
type lineWriter struct {
	w    io.Writer
	mask func(string) string
	buf  []byte
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexAny(l.buf, "\r\n")
		if i < 0 {
			return len(p), nil
		}
		l.emit(l.buf[:i])
		l.buf = l.buf[i+1:]
	}
}

// flush writes what is left of an unterminated last line.
func (l *lineWriter) flush() {
	l.emit(l.buf)
	l.buf = nil
}

func (l *lineWriter) emit(line []byte) {
	if s := strings.TrimSpace(string(line)); s != "" {
		fmt.Fprintln(l.w, l.mask(s))
	}
}

// origin returns the "scheme://host[:port]/" prefix of an http(s) URL.
func origin(rawURL string) string {
	scheme, rest, _ := strings.Cut(rawURL, "://")
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host + "/"
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
