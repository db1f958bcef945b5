package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/pier-hosting/pier/netguard"
	"golang.org/x/sys/unix"
)

const (
	// EgressProxy is the address of the egress proxy inside the sandbox
	// of a Bubblewrap with Egress. The sandbox's network namespace is new,
	// so a fixed port is always free, and the build's environment can name
	// it before the proxy exists.
	EgressProxy = "127.0.0.1:3128"
	// infoFD and blockFD are bwrap's --info-fd and --block-fd, after the
	// script (3) and bwrap's arguments (4).
	infoFD, blockFD = 5, 6
	// egressSetup bounds the wait for bwrap to report its sandbox.
	egressSetup = 30 * time.Second
)

// proxyEnv is the environment that points a build's tools at the egress
// proxy: curl, git, pip, Go and most others read the standard variables,
// npm, pnpm and Yarn 1 the npm_config ones, Yarn 2+ the YARN ones, and
// Node.js 24+ honours them in fetch with NODE_USE_ENV_PROXY.
func proxyEnv() []string {
	url := "http://" + EgressProxy
	noProxy := "localhost,127.0.0.1,::1"
	return []string{
		"HTTP_PROXY=" + url, "HTTPS_PROXY=" + url, "http_proxy=" + url, "https_proxy=" + url,
		"NO_PROXY=" + noProxy, "no_proxy=" + noProxy,
		"npm_config_proxy=" + url, "npm_config_https_proxy=" + url, "npm_config_noproxy=" + noProxy,
		"YARN_HTTP_PROXY=" + url, "YARN_HTTPS_PROXY=" + url,
		"NODE_USE_ENV_PROXY=1",
	}
}

// EgressSupported reports whether a Bubblewrap with Egress can run here: it
// runs a trivial sandbox once and remembers the answer. It fails when Pier
// is not root, which entering the sandbox's network namespace requires.
func EgressSupported() bool {
	return egressSupported()
}

var egressSupported = sync.OnceValue(func() bool {
	policy, err := netguard.New(nil)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return (&Bubblewrap{Egress: policy}).Check(ctx) == nil
})

// egress is the network of one sandboxed build with Egress: bwrap reports
// the sandbox's first process on info and waits on block until the proxy
// listens in that process's network namespace.
type egress struct {
	policy        *netguard.Policy
	info, infoW   *os.File
	blockR, block *os.File
	proxy         *forwardProxy
}

func newEgress(policy *netguard.Policy) (*egress, error) {
	info, infoW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("sandbox: info pipe: %w", err)
	}
	blockR, block, err := os.Pipe()
	if err != nil {
		info.Close()
		infoW.Close()
		return nil, fmt.Errorf("sandbox: block pipe: %w", err)
	}
	return &egress{policy: policy, info: info, infoW: infoW, blockR: blockR, block: block}, nil
}

// files are bwrap's ends of the pipes, for infoFD and blockFD.
func (e *egress) files() []*os.File {
	return []*os.File{e.infoW, e.blockR}
}

// ready runs once bwrap has started: it starts the proxy in the sandbox's
// network namespace and then lets the build start. If bwrap exits before
// reporting a sandbox, ready returns nil and the build never starts; bwrap's
// exit status and message say why.
func (e *egress) ready(ctx context.Context) error {
	// Only bwrap holds its ends now, so a bwrap that dies is seen as EOF.
	e.infoW.Close()
	e.blockR.Close()
	if err := e.info.SetReadDeadline(time.Now().Add(egressSetup)); err != nil {
		return fmt.Errorf("sandbox: info pipe: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { _ = e.info.SetReadDeadline(time.Now()) })
	defer stop()
	var info struct {
		ChildPID int `json:"child-pid"`
	}
	err := json.NewDecoder(e.info).Decode(&info)
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return nil
	case err != nil:
		return fmt.Errorf("sandbox: read bwrap's info: %w", err)
	case info.ChildPID <= 0:
		return errors.New("sandbox: bwrap's info has no child-pid")
	}
	// The sandbox brings its loopback interface up while bwrap reports
	// the child: until then the address cannot be bound.
	ln, err := listenIn(info.ChildPID, EgressProxy)
	for deadline := time.Now().Add(egressSetup); errors.Is(err, unix.EADDRNOTAVAIL) && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
		ln, err = listenIn(info.ChildPID, EgressProxy)
	}
	if err != nil {
		return err
	}
	e.proxy = serveProxy(ln, e.policy)
	if _, err := e.block.Write([]byte{0}); err != nil {
		return fmt.Errorf("sandbox: start the build: %w", err)
	}
	return nil
}

// close stops the proxy, closing every connection of the build, and
// releases the pipes.
func (e *egress) close() {
	if e.proxy != nil {
		e.proxy.Close()
	}
	for _, f := range []*os.File{e.info, e.infoW, e.blockR, e.block} {
		f.Close()
	}
}

// listenIn listens on addr in the network namespace of process pid. A
// socket stays in the namespace it was created in, whichever thread later
// uses it.
func listenIn(pid int, addr string) (net.Listener, error) {
	type result struct {
		ln  net.Listener
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		ln, restored, err := listenLocked(pid, addr)
		if restored {
			runtime.UnlockOSThread()
		} // else the thread stays locked, so the runtime ends it with this goroutine
		ch <- result{ln, err}
	}()
	r := <-ch
	return r.ln, r.err
}

// listenLocked does listenIn's work on a locked thread; restored reports
// whether the thread is back in its own network namespace.
func listenLocked(pid int, addr string) (ln net.Listener, restored bool, err error) {
	self, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		return nil, true, fmt.Errorf("sandbox: egress proxy: %w", err)
	}
	defer self.Close()
	target, err := os.Open("/proc/" + strconv.Itoa(pid) + "/ns/net")
	if err != nil {
		return nil, true, fmt.Errorf("sandbox: egress proxy: %w", err)
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		return nil, true, fmt.Errorf("sandbox: egress proxy: enter the sandbox's network namespace (Pier must run as root): %w", err)
	}
	ln, err = net.Listen("tcp", addr)
	if rerr := unix.Setns(int(self.Fd()), unix.CLONE_NEWNET); rerr != nil {
		if ln != nil {
			ln.Close()
		}
		return nil, false, fmt.Errorf("sandbox: egress proxy: return to Pier's network namespace: %w", rerr)
	}
	if err != nil {
		return nil, true, fmt.Errorf("sandbox: egress proxy: %w", err)
	}
	return ln, true, nil
}
