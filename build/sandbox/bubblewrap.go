package sandbox

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pier-hosting/pier/netguard"
)

// nobody is the default user and group of a sandboxed build.
const nobody = 65534

// Bubblewrap runs scripts in a bubblewrap (bwrap) sandbox: the host's root
// file system read-only, fresh /dev, /proc and /tmp, the Writable
// directories read-write, the Hidden paths and /root replaced by empty ones,
// and new user, PID, IPC, UTS, cgroup and (unless Network is set without
// Egress) network namespaces. The build runs as UID:GID in a new session and cannot create
// further user namespaces. Killing bwrap's process group ends the PID
// namespace, so nothing the script started survives it.
//
// When Pier runs as root, bwrap itself runs as UID:GID too, so no process of
// the build is root on the host. Running bwrap as root would not do: the
// sandbox's user would be root outside the namespace and could read root's
// files. As a consequence every parent directory of a Writable directory
// must be searchable by UID:GID (for example mode 0711), which Run checks.
// When Pier does not run as root, the build runs as Pier's user outside the
// namespace and can read whatever Pier's user can that is not Hidden.
//
// The environment reaches bwrap as arguments read from a descriptor, not as
// bwrap's own environment (which the dynamic loader would honour outside the
// sandbox, LD_PRELOAD for one) nor its command line (visible to every host
// user).
//
// Errors bwrap reports while setting up the sandbox appear in the output,
// prefixed "bwrap: ", and Run returns them as an *ExitError with code 1.
type Bubblewrap struct {
	// Path is the bwrap binary; "" looks up "bwrap" in Pier's PATH.
	Path string
	// Writable are host directories bound read-write at the same path: the
	// job's workspace (checkout, home, cache).
	Writable []string
	// Hidden are host paths the build must not see: directories are
	// replaced by empty read-only ones, files by /dev/null. Pier's data
	// directory, credentials and configuration belong here. A hidden file
	// reads as empty and discards writes. A Writable
	// directory inside a Hidden one stays visible. Missing paths and paths
	// the build's user could not reach anyway are skipped.
	Hidden []string
	// UID and GID are the unprivileged user and group the build runs as;
	// zero means 65534 (nobody).
	UID, GID int
	// Network shares the host's network, Pier's own listeners on loopback
	// included; otherwise the build has only its own loopback interface.
	// Egress is the safer way to let a build install packages.
	Network bool
	// Egress, when set, gives the build its own network namespace whose
	// only way out is an HTTP proxy at EgressProxy, which Pier serves from
	// outside the sandbox and which connects only where Egress allows: by
	// default public addresses, so not Pier's own API and edge nor the
	// cloud metadata endpoint. It proxies CONNECT (https, git) and
	// http:// requests; the build has no DNS, no UDP and no other TCP.
	// The build's environment names the proxy in the variables common
	// tools read (HTTPS_PROXY, npm_config_https_proxy, ...), overriding the
	// Command's. Egress takes precedence over Network and needs Pier to run
	// as root (see EgressSupported): otherwise Run fails.
	Egress *netguard.Policy
}

var _ Executor = (*Bubblewrap)(nil)

// Available reports whether bwrap is installed and can start a sandbox with
// the default settings (it runs a trivial one).
func Available() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return new(Bubblewrap).Check(ctx) == nil
}

// Check runs a trivial script in b's sandbox and returns why that failed, if
// it did, with bwrap's own message.
func (b *Bubblewrap) Check(ctx context.Context) error {
	var out bytes.Buffer
	err := b.Run(ctx, &Command{Script: "exit 0", Dir: "/", Output: &out})
	if err != nil {
		if msg := strings.TrimSpace(out.String()); msg != "" {
			return fmt.Errorf("%w: %s", err, msg)
		}
		return err
	}
	return nil
}

// Run implements Executor.
func (b *Bubblewrap) Run(ctx context.Context, c *Command) error {
	if err := c.validate(); err != nil {
		return err
	}
	bash, err := bashPath()
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	bwrap, err := exec.LookPath(cmp.Or(b.Path, "bwrap"))
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	uid, gid := cmp.Or(b.UID, nobody), cmp.Or(b.GID, nobody)
	drop := os.Geteuid() == 0
	args, err := b.args(c, uid, gid, drop)
	if err != nil {
		return err
	}
	argFile, err := dataFile(strings.Join(args, "\x00") + "\x00")
	if err != nil {
		return err
	}
	defer argFile.Close()
	extra := []*os.File{argFile}
	var ready func(context.Context) error
	if b.Egress != nil {
		eg, err := newEgress(b.Egress)
		if err != nil {
			return err
		}
		defer eg.close()
		extra = append(extra, eg.files()...)
		ready = eg.ready
	}

	// bwrap takes options, not the command, from --args: argFile is fd 4,
	// after the script.
	cmd := exec.Command(bwrap, "--args", "4", "--", bash, "/dev/fd/3")
	cmd.Env = []string{}
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if drop {
		cmd.SysProcAttr.Credential = &syscall.Credential{
			Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{},
		}
	}
	return run(ctx, cmd, c, ready, extra...)
}

// args returns bwrap's options for c. drop says bwrap runs as uid:gid on
// the host, so it must be able to reach what it mounts.
func (b *Bubblewrap) args(c *Command, uid, gid int, drop bool) ([]string, error) {
	a := []string{
		"--unshare-all", "--unshare-user", "--disable-userns",
		"--die-with-parent", "--new-session",
		"--uid", strconv.Itoa(uid), "--gid", strconv.Itoa(gid),
		"--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
	}
	env := c.Env
	switch {
	case b.Egress != nil:
		a = append(a, "--info-fd", strconv.Itoa(infoFD), "--block-fd", strconv.Itoa(blockFD))
		env = append(slices.Clip(env), proxyEnv()...)
	case b.Network:
		a = append(a, "--share-net")
	}
	type mount struct{ path, op string }
	mounts := []mount{{"/tmp", "--tmpfs"}}
	for _, w := range b.Writable {
		if !filepath.IsAbs(w) {
			return nil, fmt.Errorf("sandbox: writable directory %q is not absolute", w)
		}
		p, err := filepath.EvalSymlinks(w)
		if err != nil {
			return nil, fmt.Errorf("sandbox: writable directory: %w", err)
		}
		if drop {
			if dir := unsearchable(p, uid, gid); dir != "" {
				return nil, fmt.Errorf("sandbox: writable directory %s: %s is not searchable by %d:%d", w, dir, uid, gid)
			}
		}
		mounts = append(mounts, mount{p, "--bind"})
	}
	var readOnly []string
	for _, h := range append([]string{"/root"}, b.Hidden...) {
		if !filepath.IsAbs(h) {
			return nil, fmt.Errorf("sandbox: hidden path %q is not absolute", h)
		}
		p, err := filepath.EvalSymlinks(h)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("sandbox: hidden path: %w", err)
		}
		if drop && unsearchable(p, uid, gid) != "" {
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("sandbox: hidden path: %w", err)
		}
		if fi.IsDir() {
			mounts = append(mounts, mount{p, "--tmpfs"})
			readOnly = append(readOnly, p)
		} else {
			mounts = append(mounts, mount{p, "--dev-null"})
		}
	}
	// Parents first, so a mount inside another one lands on top of it.
	slices.SortStableFunc(mounts, func(x, y mount) int {
		return strings.Count(x.path, "/") - strings.Count(y.path, "/")
	})
	for _, m := range mounts {
		switch m.op {
		case "--bind":
			a = append(a, m.op, m.path, m.path)
		case "--dev-null":
			// A device needs a mount that allows devices.
			a = append(a, "--dev-bind", "/dev/null", m.path)
		default:
			a = append(a, m.op, m.path)
		}
	}
	for _, p := range readOnly {
		a = append(a, "--remount-ro", p)
	}
	a = append(a, "--clearenv")
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			a = append(a, "--setenv", k, v)
		}
	}
	return append(a, "--chdir", c.Dir), nil
}

// unsearchable returns the outermost proper ancestor directory of path that
// uid:gid (with no supplementary groups) may not search, or "" if there is
// none.
func unsearchable(path string, uid, gid int) string {
	var dirs []string
	for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
		dirs = append(dirs, dir)
		if dir == "/" || dir == "." {
			break
		}
	}
	for _, dir := range slices.Backward(dirs) {
		fi, err := os.Stat(dir)
		if err != nil {
			continue // then the mount itself fails with a clearer message
		}
		st := fi.Sys().(*syscall.Stat_t)
		bit := fs.FileMode(0o001)
		if int(st.Uid) == uid {
			bit = 0o100
		} else if int(st.Gid) == gid {
			bit = 0o010
		}
		if fi.Mode().Perm()&bit == 0 {
			return dir
		}
	}
	return ""
}
