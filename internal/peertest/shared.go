package peertest

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
)

// Peers many tests of a binary share, started by the first test that asks
// and stopped by StopShared, which the package's TestMain calls after
// m.Run.
var shared struct {
	pgOnce sync.Once
	pg     *Postgres
	pgErr  error

	s3Once sync.Once
	s3     *S3
	s3Stop func()
	s3Err  error
}

// SharedPostgres returns the binary's PostgreSQL, starting it on the first
// call. It skips the test when PostgreSQL is not installed (see Require)
// and fails it when the server did not start. A package that calls it must
// call StopShared from its TestMain.
func SharedPostgres(t testing.TB) *Postgres {
	t.Helper()
	shared.pgOnce.Do(func() { shared.pg, shared.pgErr = StartPostgres() })
	switch {
	case shared.pg != nil:
		return shared.pg
	case errors.Is(shared.pgErr, ErrNoPostgres):
		Require(t, "%v", shared.pgErr)
	}
	t.Fatalf("PostgreSQL: %v", shared.pgErr)
	return nil
}

// SharedVersitygw returns the binary's versitygw, starting it on the first
// call; tests give themselves a bucket with NewBucket. It skips the test
// when versitygw is not installed (see Require) and fails it when the
// server did not start. A package that calls it must call StopShared from
// its TestMain.
func SharedVersitygw(t testing.TB) *S3 {
	t.Helper()
	shared.s3Once.Do(func() {
		root, err := os.MkdirTemp("", "pier-versitygw-")
		if err != nil {
			shared.s3Err = err
			return
		}
		s, stop, err := startVersitygw(root)
		if err != nil {
			_ = os.RemoveAll(root)
			shared.s3Err = err
			return
		}
		shared.s3 = s
		shared.s3Stop = func() { stop(); _ = os.RemoveAll(root) }
	})
	switch {
	case shared.s3 != nil:
		return shared.s3
	case errors.Is(shared.s3Err, errNoVersitygw):
		Require(t, "%v", shared.s3Err)
	}
	t.Fatalf("versitygw: %v", shared.s3Err)
	return nil
}

// StopShared stops the peers SharedPostgres and SharedVersitygw started,
// if any. Call it from TestMain after m.Run.
func StopShared() {
	if shared.pg != nil {
		if err := shared.pg.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stop PostgreSQL: %v\n", err)
		}
	}
	if shared.s3Stop != nil {
		shared.s3Stop()
	}
}
