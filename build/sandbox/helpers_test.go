package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testEnv is the environment the tests give their scripts.
var testEnv = []string{"PATH=/usr/bin:/bin", "HOME=/tmp", "LANG=C"}

// lineRecorder is a Command.Output that checks the line framing contract
// and lets a test wait for a line.
type lineRecorder struct {
	t    testing.TB
	mu   sync.Mutex
	buf  bytes.Buffer
	seen chan string
}

func newLineRecorder(t testing.TB) *lineRecorder {
	return &lineRecorder{t: t, seen: make(chan string, 1000)}
}

func (r *lineRecorder) Write(p []byte) (int, error) {
	if len(p) == 0 || p[len(p)-1] != '\n' {
		r.t.Errorf("Write(%q): not whole lines", p)
	}
	r.mu.Lock()
	r.buf.Write(p)
	r.mu.Unlock()
	for _, line := range strings.SplitAfter(string(p), "\n") {
		if line != "" {
			select {
			case r.seen <- strings.TrimSuffix(line, "\n"):
			default:
			}
		}
	}
	return len(p), nil
}

func (r *lineRecorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String()
}

// waitFor blocks until the script printed line.
func (r *lineRecorder) waitFor(line string) {
	r.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case l := <-r.seen:
			if l == line {
				return
			}
		case <-timeout:
			r.t.Fatalf("script did not print %q; output so far:\n%s", line, r.String())
		}
	}
}

// workspace returns a new directory owned by uid:gid whose parents the
// build's user can search, as the integrator sets up a job's workspace.
func workspace(t testing.TB, uid, gid int) string {
	t.Helper()
	base := t.TempDir()
	for _, dir := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(dir, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	ws := filepath.Join(base, "ws")
	if err := os.Mkdir(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	if uid > 0 && os.Geteuid() == 0 {
		if err := Chown(ws, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	return ws
}

// runScript runs script in ws with the test environment and returns its
// output and Run's error.
func runScript(ctx context.Context, t testing.TB, e Executor, ws, script string, l Limits) (string, error) {
	t.Helper()
	out := newLineRecorder(t)
	err := e.Run(ctx, &Command{Script: script, Dir: ws, Env: testEnv, Output: out, Limits: l})
	return out.String(), err
}

// processesWith returns the host processes whose command line contains
// token.
func processesWith(t testing.TB, token string) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(cmdline, []byte(token)) {
			continue
		}
		found = append(found, fmt.Sprintf("%s: %q", e.Name(), cmdline))
	}
	return found
}

// uniqueSleep returns a sleep duration no other test uses, to find the
// processes of one test by their command line.
func uniqueSleep() string {
	return fmt.Sprintf("1%06d", time.Now().UnixNano()%1e6)
}
