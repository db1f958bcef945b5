// Package sandbox runs a build job's bash script and streams its output line
// by line. Two executors implement Executor: Bubblewrap isolates the build in
// a bubblewrap sandbox as an unprivileged user (the default on Linux), and
// Local runs it in a process group on the host (--build-isolation=none).
//
// Both apply resource limits as hard rlimits that the script cannot raise,
// and both guarantee that when the context ends, everything the script
// started is dead before Run returns (Local with one documented exception:
// a process that calls setsid).
package sandbox

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
)

// Limits are the resource limits of one build, applied as hard and soft
// rlimits of the script's shell, so the build inherits them and cannot raise
// them. A zero field means no limit of Pier's own (the build inherits Pier's).
type Limits struct {
	// MemoryBytes limits each process's data segment (RLIMIT_DATA: heap and
	// private writable mappings). The address space is deliberately not
	// limited: Node.js/V8 and Go binaries such as esbuild reserve far more
	// virtual memory than they use.
	MemoryBytes int64
	// Processes limits the processes of the build's user (RLIMIT_NPROC).
	// The kernel counts every process of the real user ID system-wide, so
	// concurrent builds running as the same user share it; it is not enforced
	// for root.
	Processes int
	// OpenFiles limits the open file descriptors per process (RLIMIT_NOFILE).
	OpenFiles int
}

const gib = 1 << 30

// LimitsFor returns the limits of an Amplify jobConfig.buildComputeType:
//
//	STANDARD_8GB   8 GiB memory,  4096 processes (the default)
//	LARGE_16GB    16 GiB memory,  8192 processes
//	XLARGE_72GB   72 GiB memory, 16384 processes
//
// Memory is per process (RLIMIT_DATA) and processes count system-wide per
// user (RLIMIT_NPROC), hence the generous numbers; open files inherit Pier's
// limit. Any other value, including "", gets STANDARD_8GB's limits.
func LimitsFor(computeType string) Limits {
	switch computeType {
	case "LARGE_16GB":
		return Limits{MemoryBytes: 16 * gib, Processes: 8192}
	case "XLARGE_72GB":
		return Limits{MemoryBytes: 72 * gib, Processes: 16384}
	default:
		return Limits{MemoryBytes: 8 * gib, Processes: 4096}
	}
}

// Command is one build script to run.
type Command struct {
	// Script is the bash script. It runs as a file (not with bash -c), so
	// its size is not limited by the kernel's argument limits; line numbers
	// in bash's own error messages are one more than in Script.
	Script string
	// Dir is the working directory: an absolute host path, inside one of
	// the Writable directories for Bubblewrap.
	Dir string
	// Env is the script's complete environment as KEY=VALUE entries;
	// nothing is inherited from Pier's process.
	Env []string
	// Output receives the script's combined stdout and stderr in whole
	// lines: each Write holds one or more lines, each ending in "\n". A final
	// unterminated line is terminated at exit, and a line longer than 64 KiB
	// is split into 64 KiB lines. Nil discards the output.
	Output io.Writer
	// Limits are the resource limits of the script and everything it starts.
	Limits Limits
}

// Executor runs build scripts.
type Executor interface {
	// Run runs c.Script and returns when it has exited and its output has
	// been written to c.Output. It returns nil when the script exits with
	// status 0, an *ExitError for any other status, and an error wrapping
	// ctx.Err() when ctx ends first; then everything the script started
	// has been killed before Run returns. Run is safe for concurrent use.
	Run(ctx context.Context, c *Command) error
}

// ExitError reports that the script exited with a non-zero status.
type ExitError struct {
	// Code is the exit status, or 128 plus the signal number when the
	// script was killed by a signal (as bash reports it).
	Code int
}

// Error implements the error interface.
func (e *ExitError) Error() string {
	return "build script exited with status " + strconv.Itoa(e.Code)
}

// validate checks what both executors require of a Command.
func (c *Command) validate() error {
	if !filepath.IsAbs(c.Dir) {
		return fmt.Errorf("sandbox: working directory %q is not absolute", c.Dir)
	}
	return nil
}

// prelude returns the line the executors put before the script: it closes
// the descriptors that carried the script and bwrap's arguments, then lowers
// the hard and soft limits. A limit already lower than requested (Pier's own
// hard limit, which an unprivileged shell cannot raise) is kept.
func (l Limits) prelude() string {
	var b strings.Builder
	b.WriteString("exec 3<&- 4<&-; ")
	var set []string
	add := func(opt string, v int64) {
		if v > 0 {
			set = append(set, opt+" "+strconv.FormatInt(v, 10))
		}
	}
	add("-d", l.MemoryBytes/1024) // ulimit -d counts KiB
	add("-u", int64(l.Processes))
	add("-n", int64(l.OpenFiles))
	if len(set) > 0 {
		b.WriteString(`__pier_limit() { local h; h=$(ulimit -H "$1"); if [ "$h" = unlimited ] || [ "$h" -gt "$2" ]; then ulimit -H -S "$1" "$2" || exit 125; fi; }; `)
		for _, s := range set {
			b.WriteString("__pier_limit " + s + "; ")
		}
		b.WriteString("unset -f __pier_limit")
	}
	b.WriteString("\n")
	return b.String()
}
