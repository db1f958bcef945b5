package fsblob_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// BenchmarkPut measures putting 1 MiB blobs, syncs included.
func BenchmarkPut(b *testing.B) {
	s := newStore(b, b.TempDir())
	content := bytes.Repeat([]byte("pier"), 1<<18)
	b.SetBytes(int64(len(content)))
	for i := 0; b.Loop(); i++ {
		if err := s.Put(b.Context(), fmt.Sprintf("sha256/%02x/%d", i%256, i), bytes.NewReader(content)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen measures opening a small blob and reading it, as a server
// does for every request.
func BenchmarkOpen(b *testing.B) {
	s := newStore(b, b.TempDir())
	put(b, s, "sha256/ab/cdef", "<h1>hello</h1>")
	for b.Loop() {
		rc, _, err := s.Open(b.Context(), "sha256/ab/cdef")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			b.Fatal(err)
		}
		rc.Close()
	}
}
