package fsblob_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/blob/blobtest"
	"github.com/pier-hosting/pier/blob/fsblob"
)

func TestStore(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) pier.BlobStore {
		return newStore(t, t.TempDir())
	})
}

func newStore(t testing.TB, dir string) *fsblob.Store {
	t.Helper()
	s, err := fsblob.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func put(t testing.TB, s *fsblob.Store, key, content string) {
	t.Helper()
	if err := s.Put(t.Context(), key, strings.NewReader(content)); err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := pier.ErrorCode(err); got != want {
		t.Fatalf("error %v has code %q, want %q", err, got, want)
	}
}

// TestOpenFile checks that Open returns an *os.File, which servers hand to
// sendfile, and that Path names the same file.
func TestOpenFile(t *testing.T) {
	s := newStore(t, t.TempDir())
	put(t, s, "sha256/ab/cd", "body")
	rc, _, err := s.Open(t.Context(), "sha256/ab/cd")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	f, ok := rc.(*os.File)
	if !ok {
		t.Fatalf("Open returned a %T, want an *os.File", rc)
	}
	path, err := s.Path("sha256/ab/cd")
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(path) {
		t.Fatalf("Path = %q, want an absolute path", path)
	}
	fi1, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	fi2, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(fi1, fi2) {
		t.Fatalf("Path = %q, not the file Open returned", path)
	}
	if _, err := s.Path("../escape"); pier.ErrorCode(err) != pier.EINVALID {
		t.Fatalf("Path(%q) returned %v, want EINVALID", "../escape", err)
	}
}

// TestNew checks that New creates the directory with mode 0o700 and
// removes temporary files an hour old, but not younger ones.
func TestNew(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "blobs")
	newStore(t, dir)
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Fatalf("directory mode %o, want 700", perm)
	}
	stale := filepath.Join(dir, ".tmp", "stale")
	fresh := filepath.Join(dir, ".tmp", "fresh")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-61 * time.Minute)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	newStore(t, dir)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary file: %v, want it removed", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh temporary file: %v, want it kept", err)
	}
}

// TestTmpReserved checks that the temporary directory is no blob's.
func TestTmpReserved(t *testing.T) {
	s := newStore(t, t.TempDir())
	wantCode(t, s.Put(t.Context(), ".tmp/x", strings.NewReader("x")), pier.EINVALID)
	_, err := s.Stat(t.Context(), ".tmp")
	wantCode(t, err, pier.EINVALID)
	err = s.List(t.Context(), ".tmp/", func(string, pier.BlobInfo) error { return nil })
	wantCode(t, err, pier.EINVALID)
	put(t, s, ".tmpx", "not temporary")
	if _, err := s.Stat(t.Context(), ".tmpx"); err != nil {
		t.Fatal(err)
	}
}

// TestConflict checks that a blob cannot be put where its path would need
// another blob to be a directory, or the other way round.
func TestConflict(t *testing.T) {
	s := newStore(t, t.TempDir())
	put(t, s, "file", "file")
	put(t, s, "dir/child", "child")
	wantCode(t, s.Put(t.Context(), "file/child", strings.NewReader("x")), pier.ECONFLICT)
	wantCode(t, s.Put(t.Context(), "dir", strings.NewReader("x")), pier.ECONFLICT)
	var keys []string
	if err := s.List(t.Context(), "", func(key string, _ pier.BlobInfo) error {
		keys = append(keys, key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 {
		t.Fatalf("List = %q, want file and dir/child", keys)
	}
}

// TestLongSegment checks that a valid key whose segment the file system
// cannot hold is EINVALID to Put and names no blob.
func TestLongSegment(t *testing.T) {
	s := newStore(t, t.TempDir())
	key := "uploads/" + strings.Repeat("b", 300) + "/zip"
	wantCode(t, s.Put(t.Context(), key, strings.NewReader("x")), pier.EINVALID)
	_, err := s.Stat(t.Context(), key)
	wantCode(t, err, pier.ENOTFOUND)
	if err := s.Delete(t.Context(), key); err != nil {
		t.Fatal(err)
	}
	err = s.List(t.Context(), key, func(key string, _ pier.BlobInfo) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
}

func TestSync(t *testing.T) {
	s, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Put(t.Context(), "sha256/ab/cd", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(t.Context()); err != nil {
		t.Fatalf("Sync: %v", err)
	}
}
