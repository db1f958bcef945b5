// Package blobtest is the conformance suite of pier.BlobStore. Every
// implementation runs it, so that they all keep the contract the interface
// documents: round trips, error codes, key validation, atomic replacement,
// listing by prefix, cancellation and concurrent use.
package blobtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

// Run runs the suite against the stores open returns. open is called once
// per subtest and must return a new, empty store; it closes the store, if
// the store needs closing, with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) pier.BlobStore) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Basic", basicTests},
		{"Keys", keyTests},
		{"List", listTests},
		{"Atomicity", atomicityTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tt := range g.tests {
				t.Run(tt.name, func(t *testing.T) {
					tt.run(t, &fixture{t: t, ctx: t.Context(), s: open(t)})
				})
			}
		})
	}
}

// test is one named case of the suite.
type test struct {
	name string
	run  func(t *testing.T, f *fixture)
}

// fixture is a fresh store and helpers that fail the test on error.
type fixture struct {
	t   *testing.T
	ctx context.Context
	s   pier.BlobStore
}

// timeSlack is how far a blob's ModTime may be from the time of its Put:
// object stores keep whole seconds.
const timeSlack = 2 * time.Second

// check fails the test if err is not nil.
func (f *fixture) check(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("unexpected error: %v", err)
	}
}

// put stores content under key.
func (f *fixture) put(key string, content []byte) {
	f.t.Helper()
	f.check(f.s.Put(f.ctx, key, bytes.NewReader(content)))
}

// read returns the content and info of the blob under key, checking that
// the info agrees with the content.
func (f *fixture) read(key string) ([]byte, pier.BlobInfo) {
	f.t.Helper()
	rc, info, err := f.s.Open(f.ctx, key)
	f.check(err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	f.check(err)
	if info.Size != int64(len(b)) {
		f.t.Fatalf("Open(%q): Size %d, read %d bytes", key, info.Size, len(b))
	}
	return b, info
}

// wantContent fails the test unless the blob under key holds want.
func (f *fixture) wantContent(key string, want []byte) {
	f.t.Helper()
	if got, _ := f.read(key); !bytes.Equal(got, want) {
		f.t.Fatalf("Open(%q) = %s, want %s", key, abbrev(got), abbrev(want))
	}
}

// wantMissing fails the test unless Open and Stat report that key has no
// blob.
func (f *fixture) wantMissing(key string) {
	f.t.Helper()
	rc, _, err := f.s.Open(f.ctx, key)
	if err == nil {
		rc.Close()
	}
	wantCode(f.t, err, pier.ENOTFOUND)
	_, err = f.s.Stat(f.ctx, key)
	wantCode(f.t, err, pier.ENOTFOUND)
}

// list returns the sizes of the blobs whose keys start with prefix.
func (f *fixture) list(prefix string) map[string]int64 {
	f.t.Helper()
	got := map[string]int64{}
	f.check(f.s.List(f.ctx, prefix, func(key string, info pier.BlobInfo) error {
		if _, ok := got[key]; ok {
			f.t.Errorf("List(%q) returned %q twice", prefix, key)
		}
		got[key] = info.Size
		return nil
	}))
	return got
}

// wantCode fails the test unless err has the error code want.
func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := pier.ErrorCode(err); got != want {
		t.Fatalf("error %v has code %q, want %q", err, got, want)
	}
}

// wantRecent fails the test unless tm lies between start and now, give or
// take timeSlack.
func wantRecent(t *testing.T, what string, tm, start time.Time) {
	t.Helper()
	if tm.Before(start.Add(-timeSlack)) || tm.After(time.Now().Add(timeSlack)) {
		t.Fatalf("%s ModTime %v, want between %v and now", what, tm, start)
	}
}

// pattern returns n bytes that depend on seed and on each byte's offset:
// contents of different seeds differ at every byte, and a shifted or
// spliced read does not pass for a whole one.
func pattern(seed byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed ^ byte(i) ^ byte(i>>8) ^ byte(i>>16)
	}
	return b
}

// abbrev shows a blob in a failure message.
func abbrev(b []byte) string {
	if len(b) <= 32 {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("%q…(%d bytes)", b[:32], len(b))
}
