package sandbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testExecutor is the suite every Executor passes. newExecutor returns the
// executor for a test whose workspace is ws.
func testExecutor(t *testing.T, newExecutor func(ws string) Executor) {
	t.Run("ExitStatus", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			script string
			code   int // 0: Run returns nil
		}{
			{"zero", "true", 0},
			{"exit", "exit 3", 3},
			{"lastCommand", "echo hi; false", 1},
			{"setE", "set -e; false; echo unreachable; exit 0", 1},
			{"signal", "kill -9 $$", 137},
		} {
			t.Run(tt.name, func(t *testing.T) {
				ws := workspace(t, nobody, nobody)
				_, err := runScript(t.Context(), t, newExecutor(ws), ws, tt.script, Limits{})
				var ee *ExitError
				switch {
				case tt.code == 0 && err != nil:
					t.Fatalf("Run: %v", err)
				case tt.code != 0 && !errors.As(err, &ee):
					t.Fatalf("Run = %v, want *ExitError", err)
				case tt.code != 0 && ee.Code != tt.code:
					t.Fatalf("exit code %d, want %d", ee.Code, tt.code)
				}
			})
		}
	})

	t.Run("Output", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			script string
			want   string
		}{
			{"interleaved", "echo out1; echo err1 >&2; echo out2; echo err2 >&2", "out1\nerr1\nout2\nerr2\n"},
			{"unterminated", "echo one; printf two", "one\ntwo\n"},
			{"partialWrites", "printf 'a'; sleep 0.1; printf 'b\\nc'; sleep 0.1; echo d", "ab\ncd\n"},
			{"longLine", "head -c 70000 /dev/zero | tr '\\0' x; echo",
				strings.Repeat("x", maxLine) + "\n" + strings.Repeat("x", 70000-maxLine) + "\n"},
			{"cdPersistsInScript", "cd /; pwd", "/\n"},
			{"bigScript", strings.Repeat("# padding to make the script larger than one argument may be\n", 5000) + "echo done", "done\n"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				ws := workspace(t, nobody, nobody)
				out, err := runScript(t.Context(), t, newExecutor(ws), ws, tt.script, Limits{})
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				if out != tt.want {
					t.Errorf("output %q, want %q", out, tt.want)
				}
			})
		}
	})

	t.Run("WorkingDirectory", func(t *testing.T) {
		ws := workspace(t, nobody, nobody)
		out, err := runScript(t.Context(), t, newExecutor(ws), ws, "pwd", Limits{})
		if err != nil || out != ws+"\n" {
			t.Fatalf("pwd printed %q (%v), want %q", out, err, ws)
		}
	})

	t.Run("Environment", func(t *testing.T) {
		t.Setenv("PIER_SECRET_ACCESS_KEY", "leaked")
		ws := workspace(t, nobody, nobody)
		out := newLineRecorder(t)
		err := newExecutor(ws).Run(t.Context(), &Command{
			Script: `echo "${PIER_SECRET_ACCESS_KEY-unset} $PATH [$ODD]"; env | grep -c PIER || true`,
			Dir:    ws,
			Env:    []string{"PATH=/usr/bin:/bin", "ODD=a=b\nc d"},
			Output: out,
		})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if want := "unset /usr/bin:/bin [a=b\nc d]\n0\n"; out.String() != want {
			t.Errorf("output %q, want %q", out.String(), want)
		}
	})

	t.Run("User", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("runs as another user only when the tests run as root")
		}
		ws := workspace(t, nobody, nobody)
		out, err := runScript(t.Context(), t, newExecutor(ws), ws, "id -u; id -g; id -G; touch file && echo wrote", Limits{})
		if err != nil {
			t.Fatalf("Run: %v\n%s", err, out)
		}
		if want := "65534\n65534\n65534\nwrote\n"; out != want {
			t.Errorf("output %q, want %q", out, want)
		}
	})

	t.Run("CancelKillsBackgroundJobs", func(t *testing.T) {
		ws := workspace(t, nobody, nobody)
		token := uniqueSleep()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		out := newLineRecorder(t)
		done := make(chan error, 1)
		go func() {
			done <- newExecutor(ws).Run(ctx, &Command{
				Script: "sleep " + token + " &\n(sleep 1; touch late) &\necho ready\nwait",
				Dir:    ws, Env: testEnv, Output: out,
			})
		}()
		out.waitFor("ready")
		cancel()
		err := <-done
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run = %v, want context.Canceled", err)
		}
		if left := processesWith(t, token); len(left) > 0 {
			t.Errorf("still running after Run returned: %v", left)
		}
		time.Sleep(1500 * time.Millisecond)
		if _, err := os.Stat(filepath.Join(ws, "late")); err == nil {
			t.Error("a background job wrote its file after Run returned")
		}
	})

	t.Run("Timeout", func(t *testing.T) {
		ws := workspace(t, nobody, nobody)
		token := uniqueSleep()
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		_, err := runScript(ctx, t, newExecutor(ws), ws, "sleep "+token+" & sleep "+token, Limits{})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Run = %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Run returned after %v", d)
		}
		if left := processesWith(t, token); len(left) > 0 {
			t.Errorf("still running after Run returned: %v", left)
		}
	})

	t.Run("ExitKillsLeftovers", func(t *testing.T) {
		ws := workspace(t, nobody, nobody)
		token := uniqueSleep()
		out, err := runScript(t.Context(), t, newExecutor(ws), ws, "sleep "+token+" & echo started", Limits{})
		if err != nil || out != "started\n" {
			t.Fatalf("Run = %v, output %q", err, out)
		}
		if left := processesWith(t, token); len(left) > 0 {
			t.Errorf("still running after Run returned: %v", left)
		}
	})

	t.Run("MemoryLimit", func(t *testing.T) {
		ws := workspace(t, nobody, nobody)
		l := Limits{MemoryBytes: 200 << 20}
		e := newExecutor(ws)
		if out, err := runScript(t.Context(), t, e, ws, `python3 -c "bytearray(50<<20)"`, l); err != nil {
			t.Fatalf("50 MiB under a 200 MiB limit: %v\n%s", err, out)
		}
		out, err := runScript(t.Context(), t, e, ws, `python3 -c "bytearray(400<<20)"`, l)
		if ee := (*ExitError)(nil); !errors.As(err, &ee) || !strings.Contains(out, "MemoryError") {
			t.Fatalf("400 MiB under a 200 MiB limit: Run = %v, output %q", err, out)
		}
	})

	t.Run("Limits", func(t *testing.T) {
		ws := workspace(t, nobody, nobody)
		l := Limits{MemoryBytes: 1 << 30, Processes: 300, OpenFiles: 256}
		out, err := runScript(t.Context(), t, newExecutor(ws), ws,
			`ulimit -H -d -u -n; ulimit -S -n; ulimit -H -u 301 2>/dev/null || echo cannot raise`, l)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		want := "data seg size               (kbytes, -d) 1048576\n" +
			"max user processes                  (-u) 300\n" +
			"open files                          (-n) 256\n" +
			"256\ncannot raise\n"
		if out != want {
			t.Errorf("output %q, want %q", out, want)
		}
	})

	t.Run("ProcessLimit", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs a user of its own: RLIMIT_NPROC counts all of a user's processes")
		}
		ws := workspace(t, nobody, nobody)
		out, err := runScript(t.Context(), t, newExecutor(ws), ws,
			`python3 -c '
import os, time
n = 0
try:
    while n < 100:
        if os.fork() == 0:
            time.sleep(10)
            os._exit(0)
        n += 1
except OSError:
    pass
print(n < 100)'`, Limits{Processes: 30})
		if err != nil || out != "True\n" {
			t.Fatalf("Run = %v, output %q; want forks to fail under the limit", err, out)
		}
	})

	t.Run("NodeUnderStandardLimits", func(t *testing.T) {
		if _, err := os.Stat("/usr/bin/node"); err != nil {
			t.Skip("node is not installed")
		}
		ws := workspace(t, nobody, nobody)
		out, err := runScript(t.Context(), t, newExecutor(ws), ws,
			`node -e "console.log(new Array(1e7).fill(1).length)"`, LimitsFor("STANDARD_8GB"))
		if err != nil || out != "10000000\n" {
			t.Fatalf("Run = %v, output %q", err, out)
		}
	})

	t.Run("CancelledBeforeStart", func(t *testing.T) {
		ws := workspace(t, nobody, nobody)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := runScript(ctx, t, newExecutor(ws), ws, "touch started", Limits{})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run = %v, want context.Canceled", err)
		}
		if _, err := os.Stat(filepath.Join(ws, "started")); err == nil {
			t.Error("the script ran")
		}
	})

	t.Run("RelativeDir", func(t *testing.T) {
		ws := workspace(t, nobody, nobody)
		err := newExecutor(ws).Run(t.Context(), &Command{Script: "true", Dir: "ws", Env: testEnv})
		if err == nil {
			t.Fatal("Run accepted a relative directory")
		}
	})
}
