package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pier-hosting/pier/netguard"
)

// requireEgress skips the test unless bwrap is installed and the tests run
// as root, which entering a sandbox's network namespace needs (fails it
// when PIER_TEST_REQUIRE_PEERS=1 and bwrap is missing).
func requireEgress(t *testing.T) {
	t.Helper()
	requireBubblewrap(t)
	if os.Geteuid() != 0 {
		t.Skip("only a root Pier serves a sandbox's egress proxy")
	}
}

// hostServer starts an HTTP server on the host's loopback interface that
// answers "hello", and returns its port.
func hostServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "hello\n")
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	return port
}

func mustPolicy(t testing.TB, allow ...string) *netguard.Policy {
	t.Helper()
	p, err := netguard.New(allow)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// throughProxy is a script that sends request to the egress proxy and
// prints the status line, then the last line of what follows.
func throughProxy(request string) string {
	return fmt.Sprintf(`exec 3<>/dev/tcp/127.0.0.1/3128
printf '%s' >&3
IFS= read -r status <&3; echo "${status%%$'\r'}"
tail -n 1 <&3`, strings.ReplaceAll(request, "\n", `\r\n`))
}

// tunnelled is a script that opens a CONNECT tunnel to target and, if the
// proxy accepts, sends an HTTP request through it.
func tunnelled(target string) string {
	return fmt.Sprintf(`exec 3<>/dev/tcp/127.0.0.1/3128
printf 'CONNECT %s HTTP/1.1\r\nHost: %[1]s\r\n\r\n' >&3
IFS= read -r status <&3; echo "${status%%$'\r'}"
case $status in *" 200 "*)
	while IFS= read -r line <&3 && [ "$line" != $'\r' ]; do :; done
	printf 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3 ;;
esac
tail -n 1 <&3`, target)
}

func TestBubblewrapEgress(t *testing.T) {
	requireEgress(t)
	port := hostServer(t)
	host := "127.0.0.1:" + port
	get := func(target string) string {
		return throughProxy("GET http://" + target + "/ HTTP/1.1\nHost: " + target + "\nConnection: close\n\n")
	}
	for _, tt := range []struct {
		name   string
		allow  []string
		script string
		want   []string // the output's lines; "~x": a line containing x
	}{
		{"direct", nil, "(exec 5<>/dev/tcp/127.0.0.1/" + port + ") 2>/dev/null && echo connected || echo refused",
			[]string{"refused"}},
		{"connectRefused", nil, tunnelled(host),
			[]string{"HTTP/1.1 403 Forbidden", "~127.0.0.1 is a loopback address"}},
		{"connectAllowed", []string{"127.0.0.1/32"}, tunnelled(host),
			[]string{"HTTP/1.1 200 Connection established", "hello"}},
		{"connectLocalhost", nil, tunnelled("localhost:" + port),
			[]string{"HTTP/1.1 403 Forbidden", "~localhost is a loopback name"}},
		{"getRefused", nil, get(host),
			[]string{"HTTP/1.1 403 Forbidden", "~127.0.0.1 is a loopback address"}},
		{"getAllowed", []string{"127.0.0.1/32"}, get(host),
			[]string{"HTTP/1.1 200 OK", "hello"}},
		{"connectMetadata", []string{"127.0.0.1/32"}, tunnelled("169.254.169.254:80"),
			[]string{"HTTP/1.1 403 Forbidden", "~169.254.169.254 is a link-local address"}},
		{"getMetadata", nil, get("169.254.169.254"),
			[]string{"HTTP/1.1 403 Forbidden", "~169.254.169.254 is a link-local address"}},
		{"getMetadataIPv6", nil, get("[fd00:ec2::254]"),
			[]string{"HTTP/1.1 403 Forbidden", "~fd00:ec2::254 is a private address"}},
		{"notAProxyRequest", nil, throughProxy("GET / HTTP/1.1\nHost: 127.0.0.1:3128\nConnection: close\n\n"),
			[]string{"HTTP/1.1 400 Bad Request", "~only CONNECT and absolute http:// requests"}},
		{"environment", nil, `echo "$HTTPS_PROXY $http_proxy $npm_config_https_proxy $no_proxy"`,
			[]string{"http://127.0.0.1:3128 http://127.0.0.1:3128 http://127.0.0.1:3128 localhost,127.0.0.1,::1"}},
		{"environmentOverridden", nil, `echo "$HTTPS_PROXY"`,
			[]string{"http://127.0.0.1:3128"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ws := workspace(t, nobody, nobody)
			e := &Bubblewrap{Writable: []string{ws}, Egress: mustPolicy(t, tt.allow...), Network: true}
			out := newLineRecorder(t)
			env := append(slices.Clip(testEnv), "HTTPS_PROXY=http://elsewhere:1")
			if err := e.Run(t.Context(), &Command{Script: tt.script, Dir: ws, Env: env, Output: out}); err != nil {
				t.Fatalf("Run: %v\n%s", err, out)
			}
			got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			ok := len(got) == len(tt.want)
			for i := 0; ok && i < len(got); i++ {
				if sub, found := strings.CutPrefix(tt.want[i], "~"); found {
					ok = strings.Contains(got[i], sub)
				} else {
					ok = got[i] == tt.want[i]
				}
			}
			if !ok {
				t.Errorf("output:\n%s\nwant:\n%s", out, strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestBubblewrapEgressClosed cancels a build with a tunnel open: Run closes
// the tunnel's upstream connection and leaves no goroutine behind.
func TestBubblewrapEgressClosed(t *testing.T) {
	requireEgress(t)
	upstream, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer upstream.Close()
	conns := make(chan net.Conn, 1)
	go func() {
		c, err := upstream.Accept()
		if err == nil {
			conns <- c
		}
	}()
	before := runtime.NumGoroutine()

	ws := workspace(t, nobody, nobody)
	e := &Bubblewrap{Writable: []string{ws}, Egress: mustPolicy(t, "127.0.0.1/32")}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out := newLineRecorder(t)
	done := make(chan error, 1)
	go func() {
		done <- e.Run(ctx, &Command{Script: tunnelled(upstream.Addr().String()) + " &\nsleep 600", Dir: ws, Env: testEnv, Output: out})
	}()
	var c net.Conn
	select {
	case c = <-conns:
	case <-time.After(20 * time.Second):
		t.Fatalf("the tunnel never reached upstream; output:\n%s", out)
	}
	defer c.Close()
	out.waitFor("HTTP/1.1 200 Connection established")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, c); err != nil {
		t.Errorf("upstream read after Run: %v, want EOF", err)
	}
	c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after Run, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

func TestEgressSupported(t *testing.T) {
	requireEgress(t)
	if !EgressSupported() {
		t.Fatal("EgressSupported() = false")
	}
	// A bwrap that exits without starting a sandbox fails Run at once.
	broken := &Bubblewrap{Path: "/bin/false", Egress: mustPolicy(t)}
	var ee *ExitError
	if err := broken.Check(t.Context()); !errors.As(err, &ee) || ee.Code != 1 {
		t.Fatalf("Check with a broken bwrap = %v, want exit status 1", err)
	}
}

// TestBubblewrapEgressCanceled ends the context while Run waits for a
// bwrap that never reports its sandbox.
func TestBubblewrapEgressCanceled(t *testing.T) {
	requireEgress(t)
	ws := workspace(t, nobody, nobody)
	hung := filepath.Join(ws, "bwrap")
	if err := os.WriteFile(hung, []byte("#!/bin/sh\nexec sleep 600\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	err := (&Bubblewrap{Path: hung, Egress: mustPolicy(t)}).Run(ctx, &Command{Script: "true", Dir: "/"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run = %v, want context.DeadlineExceeded", err)
	}
}

// TestListenInMissingProcess checks that a namespace that cannot be entered
// fails with an error, leaving the caller's namespace as it was.
func TestListenInMissingProcess(t *testing.T) {
	before, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := listenIn(1<<30, EgressProxy); err == nil || !strings.Contains(err.Error(), "egress proxy") {
		t.Errorf("listenIn = %v, want an egress proxy error", err)
	}
	if after, _ := os.Readlink("/proc/self/ns/net"); after != before {
		t.Errorf("network namespace %s after listenIn, was %s", after, before)
	}
}

func TestBubblewrapEgressArgs(t *testing.T) {
	b := &Bubblewrap{Egress: mustPolicy(t), Network: true}
	args, err := b.args(&Command{Dir: "/", Env: []string{"HTTPS_PROXY=http://elsewhere:1"}}, nobody, nobody, false)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(args, " ")
	for _, want := range []string{
		"--unshare-all --unshare-user --disable-userns --die-with-parent --new-session --uid 65534 --gid 65534 --ro-bind / / --dev /dev --proc /proc --info-fd 5 --block-fd 6 --tmpfs /tmp",
		"--setenv HTTPS_PROXY http://elsewhere:1 --setenv HTTP_PROXY http://127.0.0.1:3128 --setenv HTTPS_PROXY http://127.0.0.1:3128",
		"--setenv npm_config_https_proxy http://127.0.0.1:3128",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("args:\n%s\nlack:\n%s", got, want)
		}
	}
	if strings.Contains(got, "--share-net") {
		t.Errorf("args share the host's network: %s", got)
	}
}
