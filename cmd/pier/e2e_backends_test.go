package main

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/pier-hosting/pier/internal/peertest"
)

// TestSuiteOnPostgresAndS3 runs the whole end-to-end suite a second time,
// every server on its own PostgreSQL database and S3 bucket: it runs this
// test binary again with PIER_TEST_BACKEND=postgres+s3. The few tests that
// only make sense on the embedded backend skip themselves there (sqliteOnly).
func TestSuiteOnPostgresAndS3(t *testing.T) {
	if testBackend != "" {
		t.Skip("this is the run it starts")
	}
	t.Parallel()
	// Fail (or skip) here, once, rather than in every test of the run.
	peertest.SharedPostgres(t)
	peertest.SharedVersitygw(t)

	args := []string{"-test.count=1", "-test.timeout=10m"}
	if testing.Short() {
		args = append(args, "-test.short")
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Env = append(os.Environ(), "PIER_TEST_BACKEND=postgres+s3")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the suite on PostgreSQL and S3 failed (%v) after %v; rerun it with PIER_TEST_BACKEND=postgres+s3 go test ./cmd/pier/:\n%s",
			err, time.Since(start).Round(time.Second), out)
	}
	t.Logf("the suite passed on PostgreSQL and S3 in %v", time.Since(start).Round(time.Second))
}
