package s3blob_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/pier-hosting/pier/internal/peertest"
)

// TestOpenReplaced checks what a reader opened before its blob is replaced
// reads: the old blob, read on without seeking, since it comes in the
// response Open received; an error, never the new blob's bytes, after a
// seek that needs a new request.
func TestOpenReplaced(t *testing.T) {
	t.Parallel()
	gw := peertest.StartVersitygw(t)
	s := newStore(t, gw, gw.NewBucket(t), "", 0)
	old := pattern(4 << 20)
	if err := s.Put(t.Context(), "blob", bytes.NewReader(old)); err != nil {
		t.Fatal(err)
	}
	onward, _, err := s.Open(t.Context(), "blob")
	if err != nil {
		t.Fatal(err)
	}
	defer onward.Close()
	seeking, _, err := s.Open(t.Context(), "blob")
	if err != nil {
		t.Fatal(err)
	}
	defer seeking.Close()
	if err := s.Put(t.Context(), "blob", strings.NewReader("new")); err != nil {
		t.Fatal(err)
	}

	if got, err := io.ReadAll(onward); err != nil || !bytes.Equal(got, old) {
		t.Errorf("reading on after a replace: %d bytes, %v; want the old %d bytes", len(got), err, len(old))
	}
	if _, err := seeking.Seek(2<<20, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if n, err := seeking.Read(make([]byte, 10)); err == nil || !strings.Contains(err.Error(), "replaced") {
		t.Errorf("Read after a seek past a replace: %d bytes, %v; want an error saying the blob was replaced", n, err)
	}
}

// TestSeek checks the reader's positions: past the end it reads nothing,
// before the start it fails, and after Close it fails.
func TestSeek(t *testing.T) {
	t.Parallel()
	gw := peertest.StartVersitygw(t)
	s := newStore(t, gw, gw.NewBucket(t), "", 0)
	if err := s.Put(t.Context(), "ten", strings.NewReader("0123456789")); err != nil {
		t.Fatal(err)
	}
	rc, _, err := s.Open(t.Context(), "ten")
	if err != nil {
		t.Fatal(err)
	}
	read := func(want string) {
		t.Helper()
		b, err := io.ReadAll(rc)
		if err != nil || string(b) != want {
			t.Fatalf("read %q, %v; want %q", b, err, want)
		}
	}
	seek := func(off int64, whence int, want int64) {
		t.Helper()
		if got, err := rc.Seek(off, whence); err != nil || got != want {
			t.Fatalf("Seek(%d, %d) = %d, %v; want %d", off, whence, got, err, want)
		}
	}
	seek(20, io.SeekStart, 20)
	read("")
	seek(-3, io.SeekEnd, 7)
	read("789")
	seek(-6, io.SeekCurrent, 4)
	read("456789")
	seek(2, io.SeekStart, 2)
	read("23456789")
	if _, err := rc.Seek(-11, io.SeekEnd); err == nil {
		t.Error("Seek before the start succeeded")
	}
	if err := rc.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Read(make([]byte, 1)); err == nil {
		t.Error("Read after Close succeeded")
	}
}
