// Package peertest starts the real services that Pier's tests talk to, on
// free loopback ports, and skips the tests whose service is not installed
// (or fails them when PIER_TEST_REQUIRE_PEERS=1, as CI sets).
package peertest

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Require skips the test because a peer it needs is missing, or fails it
// when PIER_TEST_REQUIRE_PEERS=1 (CI installs every peer).
func Require(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("PIER_TEST_REQUIRE_PEERS") == "1" {
		t.Fatalf(format+" (PIER_TEST_REQUIRE_PEERS=1)", args...)
	}
	t.Skipf(format+"; set PIER_TEST_REQUIRE_PEERS=1 to fail instead", args...)
}

// FreeAddr returns a loopback address with a port that was free a moment
// ago, for servers that cannot report the port they bound.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// findGoBinary returns the path of the program name: on PATH, else where
// "go install" puts it ($(go env GOBIN) or $(go env GOPATH)/bin); "" if
// none has it.
func findGoBinary(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output()
	if err != nil {
		return ""
	}
	gobin, gopath, _ := strings.Cut(string(out), "\n") // one line each, GOBIN often empty
	dirs := []string{strings.TrimSpace(gobin)}
	for _, dir := range filepath.SplitList(strings.TrimSpace(gopath)) {
		dirs = append(dirs, filepath.Join(dir, "bin"))
	}
	for _, dir := range dirs {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); dir != "" && err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}
