package sandbox

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestLocal(t *testing.T) {
	testExecutor(t, func(string) Executor { return &Local{UID: nobody, GID: nobody} })
}

// TestLocalSetsid shows the limit of Local: a process that calls setsid
// leaves the process group and survives the build. Run still returns
// promptly although that process holds the output pipe open.
func TestLocalSetsid(t *testing.T) {
	ws := workspace(t, nobody, nobody)
	token := uniqueSleep()
	start := time.Now()
	out, err := runScript(t.Context(), t, &Local{UID: nobody, GID: nobody}, ws, "setsid sleep "+token+" & echo $!; sleep 0.5", Limits{})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if d := time.Since(start); d > outputGrace+3*time.Second {
		t.Errorf("Run returned after %v", d)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Kill()
	if left := processesWith(t, token); len(left) != 1 {
		t.Errorf("processes running after Run returned: %v; want the setsid one", left)
	}
}

func TestLocalRunsAsPierWithoutUID(t *testing.T) {
	ws := workspace(t, 0, 0)
	out, err := runScript(t.Context(), t, &Local{}, ws, "id -u", Limits{})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if want := strconv.Itoa(os.Geteuid()) + "\n"; out != want {
		t.Errorf("id -u printed %q, want %q", out, want)
	}
}
