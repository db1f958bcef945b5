package sandbox

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// Local runs scripts directly on the host (--build-isolation=none): the
// build sees and may change everything its user may. The script runs in a
// new process group with the command's rlimits; when it exits or the
// context ends, the whole group is killed with SIGKILL.
//
// A process that leaves the group (setsid, setpgid) escapes that kill and
// survives the build; only Bubblewrap contains it. Builds running as the same
// user can also read each other's environment through /proc.
type Local struct {
	// UID and GID are the user and group the script runs as, with no
	// supplementary groups, when UID is positive and Pier runs as root;
	// otherwise the script runs as Pier's own user. GID defaults to UID.
	UID, GID int
}

var _ Executor = (*Local)(nil)

// Run implements Executor.
func (l *Local) Run(ctx context.Context, c *Command) error {
	if err := c.validate(); err != nil {
		return err
	}
	bash, err := bashPath()
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	cmd := exec.Command(bash, "/dev/fd/3")
	cmd.Dir = c.Dir
	cmd.Env = append([]string{}, c.Env...) // never nil: nil means Pier's environment
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if l.UID > 0 && os.Geteuid() == 0 {
		cmd.SysProcAttr.Credential = &syscall.Credential{
			Uid: uint32(l.UID), Gid: uint32(cmp.Or(max(l.GID, 0), l.UID)), Groups: []uint32{},
		}
	}
	return run(ctx, cmd, c, nil)
}
