package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// bashPath is where bash is on the host, and so also in the sandbox, which
// sees the host's root file system.
var bashPath = sync.OnceValues(func() (string, error) {
	return exec.LookPath("bash")
})

// run starts cmd, a process that runs bash on /dev/fd/3 (possibly through
// bwrap) in its own process group, feeds it c's script on fd 3 and extra as
// the following descriptors (cmd.Env must be set: nil would pass on Pier's
// environment), copies its output to c.Output and waits for it. A non-nil
// ready is called once the process has started; if it fails, the process
// is killed and run returns its error.
// When the process exits or ctx ends, its whole process group is killed
// (SIGKILL) while the process is still unreaped, so the group ID cannot have
// been reused.
func run(ctx context.Context, cmd *exec.Cmd, c *Command, ready func(context.Context) error, extra ...*os.File) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sandbox: build script not started: %w", err)
	}
	script, err := dataFile(c.Limits.prelude() + c.Script)
	if err != nil {
		return err
	}
	defer script.Close()
	cmd.ExtraFiles = append([]*os.File{script}, extra...)
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL

	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("sandbox: output pipe: %w", err)
	}
	defer r.Close()
	cmd.Stdout, cmd.Stderr = w, w
	err = cmd.Start()
	w.Close()
	if err != nil {
		return fmt.Errorf("sandbox: start %s: %w", cmd.Path, err)
	}
	pid := cmd.Process.Pid

	exited := make(chan struct{})
	copied := make(chan error, 1)
	go func() {
		out := c.Output
		if out == nil {
			out = io.Discard
		}
		copied <- copyLines(out, r, exited)
	}()
	waited := make(chan error, 1)
	go func() { waited <- waitExit(pid) }()

	var ctxErr, readyErr error
	if ready != nil {
		readyErr = ready(ctx)
		if readyErr != nil && ctx.Err() != nil {
			ctxErr, readyErr = ctx.Err(), nil
		}
	}
	if ctxErr == nil && readyErr == nil {
		select {
		case err = <-waited:
		case <-ctx.Done():
			ctxErr = ctx.Err()
		}
	}
	// The leader is still unreaped (a zombie at most), so its pid is still
	// the group's ID: nothing else can have taken it.
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	if ctxErr != nil || readyErr != nil {
		err = <-waited
	}
	close(exited)
	// Wake a read that is pending with no deadline; copyLines takes over.
	_ = r.SetReadDeadline(time.Now().Add(outputGrace))
	if err != nil {
		// Not expected; reap anyway so the child is not left a zombie.
		_ = cmd.Wait()
		<-copied
		return fmt.Errorf("sandbox: wait: %w", err)
	}
	waitErr := cmd.Wait()
	outErr := <-copied

	switch {
	case ctxErr != nil:
		return fmt.Errorf("sandbox: build script killed: %w", ctxErr)
	case readyErr != nil:
		return readyErr
	case waitErr != nil:
		var ee *exec.ExitError
		if !errors.As(waitErr, &ee) {
			return fmt.Errorf("sandbox: wait: %w", waitErr)
		}
		return &ExitError{Code: exitCode(ee.ProcessState)}
	case outErr != nil:
		return fmt.Errorf("sandbox: write output: %w", outErr)
	}
	return nil
}

// waitExit blocks until process pid has exited, without reaping it.
func waitExit(pid int) error {
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			return err
		}
	}
}

// exitCode returns the exit status, or 128 plus the signal that killed the
// process.
func exitCode(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// dataFile returns a read-only descriptor of an unnamed temporary file
// holding data, for passing to a child. The file is unlinked before data is
// written and is readable by anyone holding the descriptor (the build's user
// reopens it through /dev/fd).
func dataFile(data string) (*os.File, error) {
	f, err := os.CreateTemp("", "pier-sandbox-*")
	if err != nil {
		return nil, fmt.Errorf("sandbox: temporary file: %w", err)
	}
	name := f.Name()
	defer f.Close()
	if err := os.Remove(name); err != nil {
		return nil, fmt.Errorf("sandbox: temporary file: %w", err)
	}
	if _, err := io.WriteString(f, data); err != nil {
		return nil, fmt.Errorf("sandbox: temporary file: %w", err)
	}
	if err := f.Chmod(0o644); err != nil {
		return nil, fmt.Errorf("sandbox: temporary file: %w", err)
	}
	// Reopen read-only through the descriptor, so the child cannot write.
	ro, err := os.Open(fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
	if err != nil {
		return nil, fmt.Errorf("sandbox: temporary file: %w", err)
	}
	return ro, nil
}
