package build

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/pier-hosting/pier/blob/fsblob"
)

func TestCacheRoundTrip(t *testing.T) {
	blobs, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(src, "node_modules/vite/bin"), 0o755))
	must(t, os.MkdirAll(filepath.Join(src, "node_modules/.bin"), 0o755))
	must(t, os.WriteFile(filepath.Join(src, "node_modules/vite/bin/vite.js"), []byte("#!/usr/bin/env node\n"), 0o755))
	must(t, os.Symlink("../vite/bin/vite.js", filepath.Join(src, "node_modules/.bin/vite")))
	st, err := saveCache(t.Context(), blobs, "c/cache.tar.gz", src, []string{"node_modules/vite/bin/vite.js", "node_modules/.bin/vite", "missing"})
	if err != nil || st.files != 2 {
		t.Fatalf("saveCache = %+v, %v", st, err)
	}
	dst := t.TempDir()
	st, err = restoreCache(t.Context(), blobs, "c/cache.tar.gz", dst)
	if err != nil || st.files != 2 {
		t.Fatalf("restoreCache = %+v, %v", st, err)
	}
	data, err := os.ReadFile(filepath.Join(dst, "node_modules/.bin/vite"))
	if err != nil || string(data) != "#!/usr/bin/env node\n" {
		t.Errorf("restored link reads %q, %v", data, err)
	}
	if fi, _ := os.Stat(filepath.Join(dst, "node_modules/vite/bin/vite.js")); fi == nil || fi.Mode().Perm()&0o100 == 0 {
		t.Errorf("the executable bit was lost: %v", fi)
	}
	if st, err := restoreCache(t.Context(), blobs, "c/none.tar.gz", dst); err != nil || st.files != 0 {
		t.Errorf("a missing cache: %+v, %v", st, err)
	}
}

func TestRestoreCacheRefusesEscapes(t *testing.T) {
	blobs, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	entries := []tar.Header{
		{Name: "../escape.txt", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644},
		{Name: "/abs.txt", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644},
		{Name: "etc", Typeflag: tar.TypeSymlink, Linkname: "/etc"},
		{Name: "up", Typeflag: tar.TypeSymlink, Linkname: "../.."},
		{Name: "ok.txt", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644},
		{Name: "etc/evil", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644},
	}
	for _, h := range entries {
		must(t, tw.WriteHeader(&h))
		if h.Typeflag == tar.TypeReg {
			_, _ = tw.Write([]byte("x"))
		}
	}
	must(t, tw.Close())
	must(t, gz.Close())
	must(t, blobs.Put(t.Context(), "c/evil.tar.gz", &buf))
	parent := t.TempDir()
	dst := filepath.Join(parent, "src")
	must(t, os.Mkdir(dst, 0o755))
	st, err := restoreCache(t.Context(), blobs, "c/evil.tar.gz", dst)
	if err != nil {
		t.Fatal(err)
	}
	if st.files != 2 { // ok.txt, and etc/evil as a plain directory entry
		t.Errorf("restored %d entries, want 2", st.files)
	}
	for _, p := range []string{filepath.Join(parent, "escape.txt"), filepath.Join(dst, "etc"), filepath.Join(dst, "up")} {
		if fi, err := os.Lstat(p); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			t.Errorf("%s is a symbolic link out of the checkout", p)
		} else if err == nil && p == filepath.Join(parent, "escape.txt") {
			t.Errorf("%s was written outside the checkout", p)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
