package sandbox

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestChown(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown needs root")
	}
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "target") // outside dir
	for _, err := range []error{
		os.WriteFile(target, nil, 0o600),
		os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755),
		os.WriteFile(filepath.Join(dir, "a", "b", "f"), nil, 0o644),
		os.Symlink(target, filepath.Join(dir, "a", "link")),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := Chown(dir, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		uid  uint32
	}{
		{dir, nobody},
		{filepath.Join(dir, "a", "b"), nobody},
		{filepath.Join(dir, "a", "b", "f"), nobody},
		{filepath.Join(dir, "a", "link"), nobody},
		{target, 0},
	} {
		fi, err := os.Lstat(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != tt.uid || st.Gid != tt.uid {
			t.Errorf("%s owned by %d:%d, want %d:%d", tt.path, st.Uid, st.Gid, tt.uid, tt.uid)
		}
	}
	if err := Chown(filepath.Join(dir, "missing"), nobody, nobody); err == nil {
		t.Error("Chown of a missing directory succeeded")
	}
}
