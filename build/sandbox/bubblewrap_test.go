package sandbox

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pier-hosting/pier/internal/peertest"
)

// requireBubblewrap skips the test when bwrap is not installed (fails it
// when PIER_TEST_REQUIRE_PEERS=1).
func requireBubblewrap(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("bwrap"); err != nil {
		peertest.Require(t, "bubblewrap is not installed")
	}
}

func TestBubblewrap(t *testing.T) {
	requireBubblewrap(t)
	testExecutor(t, func(ws string) Executor { return &Bubblewrap{Writable: []string{ws}} })
}

func TestAvailable(t *testing.T) {
	requireBubblewrap(t)
	if err := new(Bubblewrap).Check(t.Context()); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if !Available() {
		t.Fatal("Available() = false")
	}
	broken := &Bubblewrap{Path: "/bin/false"}
	if err := broken.Check(t.Context()); err == nil {
		t.Fatal("Check with a broken bwrap succeeded")
	}
}

// TestBubblewrapFileSystem checks what the build can see and change.
func TestBubblewrapFileSystem(t *testing.T) {
	requireBubblewrap(t)
	if os.Geteuid() != 0 {
		t.Skip("the build runs as Pier's user when the tests do not run as root")
	}
	// Outside /tmp, which the sandbox replaces with its own.
	outside, err := os.MkdirTemp("/var/tmp", "pier-sandbox-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(outside) })
	if err := os.Chmod(outside, 0o711); err != nil { // root's, not writable
		t.Fatal(err)
	}
	ws := filepath.Join(outside, "ws")
	if err := os.Mkdir(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Chown(ws, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	write := func(name string, mode os.FileMode) string {
		path := filepath.Join(outside, name)
		if err := os.WriteFile(path, []byte("secret\n"), mode); err != nil {
			t.Fatal(err)
		}
		return path
	}
	private := write("private", 0o600)
	hiddenFile := write("hidden-file", 0o644)
	hiddenDir := filepath.Join(outside, "data")
	if err := os.Mkdir(hiddenDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hiddenDir, "key"), []byte("secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The workspace inside the hidden directory stays visible, as a job's
	// workspace inside Pier's data directory does.
	nested := filepath.Join(hiddenDir, "ws")
	if err := os.Mkdir(nested, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Chown(nested, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	e := &Bubblewrap{Writable: []string{ws, nested}, Hidden: []string{hiddenFile, hiddenDir}}

	for _, tt := range []struct {
		name   string
		script string
		want   string
	}{
		{"writeWorkspace", "echo x > file && cat file", "x\n"},
		{"writeNestedWorkspace", "echo x > " + nested + "/file && cat " + nested + "/file", "x\n"},
		{"writeTmp", "echo x > /tmp/file && cat /tmp/file", "x\n"},
		{"readOnlyUsr", "touch /usr/pier-test 2>/dev/null || echo denied", "denied\n"},
		{"readOnlyEtc", "touch /etc/pier-test 2>/dev/null || echo denied", "denied\n"},
		{"readOnlyOutside", "touch " + outside + "/new 2>/dev/null || echo denied", "denied\n"},
		{"rootsPrivateFile", "cat " + private + " 2>/dev/null || echo denied", "denied\n"},
		{"shadow", "cat /etc/shadow 2>/dev/null || echo denied", "denied\n"},
		{"hiddenDir", "ls -A " + hiddenDir, "ws\n"},
		{"hiddenDirFile", "cat " + hiddenDir + "/key 2>/dev/null || echo hidden", "hidden\n"},
		{"hiddenDirReadOnly", "touch " + hiddenDir + "/new 2>/dev/null || echo denied", "denied\n"},
		{"hiddenFile", "wc -c < " + hiddenFile, "0\n"},
		{"root", "ls -A /root | wc -l", "0\n"},
		{"noNestedUserNamespace", "unshare -U true 2>/dev/null || echo denied", "denied\n"},
		// ps alone, not in a pipeline whose other half may not have
		// exec'd yet and still be named bash.
		{"pidNamespace", "ps -e -o comm= > /tmp/ps && grep -c bash /tmp/ps", "1\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runScript(t.Context(), t, e, ws, tt.script, Limits{})
			if err != nil {
				t.Fatalf("Run: %v\n%s", err, out)
			}
			if out != tt.want {
				t.Errorf("output %q, want %q", out, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(outside, "new")); err == nil {
		t.Error("the build wrote outside its workspace")
	}
}

func TestBubblewrapUnreachableWorkspace(t *testing.T) {
	requireBubblewrap(t)
	if os.Geteuid() != 0 {
		t.Skip("only a root Pier runs bwrap as another user")
	}
	ws := workspace(t, nobody, nobody)
	parent := filepath.Dir(ws)
	if err := os.Chmod(parent, 0o700); err != nil {
		t.Fatal(err)
	}
	err := (&Bubblewrap{Writable: []string{ws}}).Run(t.Context(), &Command{Script: "true", Dir: ws})
	if err == nil || !strings.Contains(err.Error(), parent+" is not searchable") {
		t.Fatalf("Run = %v, want an error naming %s", err, parent)
	}
}

func TestBubblewrapSetsid(t *testing.T) {
	requireBubblewrap(t)
	ws := workspace(t, nobody, nobody)
	token := uniqueSleep()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out := newLineRecorder(t)
	done := make(chan error, 1)
	go func() {
		done <- (&Bubblewrap{Writable: []string{ws}}).Run(ctx, &Command{
			Script: "setsid sleep " + token + " &\nsetsid sh -c 'sleep 1; touch late' &\nsleep 0.3; echo ready\nwait",
			Dir:    ws, Env: testEnv, Output: out,
		})
	}()
	out.waitFor("ready")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if left := processesWith(t, token); len(left) > 0 {
		t.Errorf("still running after Run returned: %v", left)
	}
	time.Sleep(1500 * time.Millisecond)
	if _, err := os.Stat(filepath.Join(ws, "late")); err == nil {
		t.Error("a process in its own session wrote its file after Run returned")
	}
}

func TestBubblewrapNetwork(t *testing.T) {
	requireBubblewrap(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	script := "(exec 5<>/dev/tcp/127.0.0.1/" + port + ") 2>/dev/null && echo connected || echo refused"
	for _, tt := range []struct {
		name    string
		network bool
		want    string
	}{
		{"isolated", false, "refused\n"},
		{"shared", true, "connected\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ws := workspace(t, nobody, nobody)
			e := &Bubblewrap{Writable: []string{ws}, Network: tt.network}
			out, err := runScript(t.Context(), t, e, ws, script, Limits{})
			if err != nil {
				t.Fatalf("Run: %v\n%s", err, out)
			}
			if out != tt.want {
				t.Errorf("output %q, want %q", out, tt.want)
			}
		})
	}
}

// TestBubblewrapArgs checks the order of the mounts: parents before what
// they contain, whatever order the fields list them in, and hidden
// directories made read-only last.
func TestBubblewrapArgs(t *testing.T) {
	base := t.TempDir()
	data := filepath.Join(base, "data")
	ws := filepath.Join(data, "ws")
	key := filepath.Join(ws, "key")
	for _, err := range []error{os.MkdirAll(ws, 0o755), os.WriteFile(key, nil, 0o600)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	b := &Bubblewrap{Writable: []string{ws}, Hidden: []string{key, data, filepath.Join(base, "missing")}, Network: true}
	args, err := b.args(&Command{Dir: ws, Env: []string{"A=1", "B=x=y", "bad"}}, nobody, nobody, false)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(args, " ")
	want := "--unshare-all --unshare-user --disable-userns --die-with-parent --new-session --uid 65534 --gid 65534" +
		" --ro-bind / / --dev /dev --proc /proc --share-net --tmpfs /tmp --tmpfs /root" +
		" --tmpfs " + data + " --bind " + ws + " " + ws + " --dev-bind /dev/null " + key +
		" --remount-ro /root --remount-ro " + data +
		" --clearenv --setenv A 1 --setenv B x=y --chdir " + ws
	if got != want {
		t.Errorf("args:\n%s\nwant:\n%s", got, want)
	}

	for _, b := range []*Bubblewrap{{Writable: []string{"ws"}}, {Hidden: []string{"data"}}} {
		if _, err := b.args(&Command{Dir: "/"}, nobody, nobody, false); err == nil {
			t.Errorf("args(%+v) accepted a relative path", b)
		}
	}
}
