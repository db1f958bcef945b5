package fsblob_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pier-hosting/pier"
)

// TestSymlinkEscape checks that a symbolic link inside the directory does
// not let any method read, write, delete or list a file outside it: every
// path crossing such a link fails.
func TestSymlinkEscape(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "passwd")
	if err := os.WriteFile(secret, []byte("root:x:0:0"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := newStore(t, dir)
	if err := os.Symlink(outside, filepath.Join(dir, "evil")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "passwd")); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	for _, key := range []string{"evil/passwd", "passwd"} {
		if rc, _, err := s.Open(ctx, key); err == nil {
			rc.Close()
			t.Errorf("Open(%q) followed a link out of the directory", key)
		}
		if _, err := s.Stat(ctx, key); err == nil {
			t.Errorf("Stat(%q) followed a link out of the directory", key)
		}
	}
	if err := s.Put(ctx, "evil/passwd", strings.NewReader("hacked")); err == nil {
		t.Errorf("Put(%q) wrote through a link out of the directory", "evil/passwd")
	}
	if err := s.Put(ctx, "evil/new", strings.NewReader("hacked")); err == nil {
		t.Errorf("Put(%q) wrote through a link out of the directory", "evil/new")
	}
	if err := s.Delete(ctx, "evil/passwd"); err == nil {
		t.Errorf("Delete(%q) followed a link out of the directory", "evil/passwd")
	}
	// Putting a key that is a link replaces the link, not its target.
	if err := s.Put(ctx, "passwd", strings.NewReader("replaced")); err != nil {
		t.Fatal(err)
	}
	var listed []string
	err := s.List(ctx, "", func(key string, _ pier.BlobInfo) error {
		listed = append(listed, key)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != 1 || listed[0] != "passwd" {
		t.Errorf("List = %q, want only passwd", listed)
	}
	if err := s.List(ctx, "evil/", func(key string, _ pier.BlobInfo) error {
		t.Errorf("List(%q) returned %q", "evil/", key)
		return nil
	}); err == nil {
		t.Errorf("List(%q) followed a link out of the directory", "evil/")
	}

	if b, err := os.ReadFile(secret); err != nil || string(b) != "root:x:0:0" {
		t.Fatalf("file outside the directory: %q, %v; want it untouched", b, err)
	}
	if entries, err := os.ReadDir(outside); err != nil || len(entries) != 1 {
		t.Fatalf("directory outside: %d entries, %v; want only passwd", len(entries), err)
	}
}
