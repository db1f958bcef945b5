package archive_test

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/archive"
)

// FuzzExtractZip feeds arbitrary bytes to ExtractZip as a zip: it must not
// panic, must refuse with EINVALID or succeed, must write nothing outside
// dir, and must leave dir empty when it refuses.
func FuzzExtractZip(f *testing.F) {
	for _, b := range []build{
		files("index.html", "<h1>hi</h1>", "assets/app.js", strings.Repeat("let x = 1;\n", 50)),
		all(dirs("site/", "site/a/"), files("site/a/b.txt", "b", "..foo", "x")),
		files("../evil", "x"),
		files("a/b", "1", "./a/b", "2"),
		files("a", "1", "a/b", "2"),
		withMode("link", 0o120777, "/etc/passwd"),
		func(t testing.TB, w *zip.Writer) {
			add(t, w, &zip.FileHeader{Name: "stored.bin"}, []byte("stored data"))
		},
	} {
		f.Add(writeZip(f, b))
	}
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	lim := archive.Limits{MaxEntries: 100, MaxBytes: 1 << 20, MaxRatio: 50}
	f.Fuzz(func(t *testing.T, data []byte) {
		zipPath, dir := workspace(t, data)
		files, err := archive.ExtractZip(context.Background(), zipPath, dir, lim)
		if err != nil {
			if code := pier.ErrorCode(err); code != pier.EINVALID {
				t.Fatalf("code %q: %v", code, err)
			}
			assertUntouched(t, zipPath, dir)
			return
		}
		var onDisk []string
		for _, p := range tree(t, filepath.Dir(dir)) {
			switch rest, ok := strings.CutPrefix(p, "site/"); {
			case p == "site/" || p == "upload.zip" || ok && strings.HasSuffix(rest, "/"):
			case ok:
				onDisk = append(onDisk, rest)
			default:
				t.Fatalf("%q written outside dir", p)
			}
		}
		if len(onDisk) != len(files) {
			t.Fatalf("%d files on disk, %d returned", len(onDisk), len(files))
		}
		for i, f := range files {
			if !pier.ValidBlobKey(f.Path) || f.Path != onDisk[i] {
				t.Fatalf("file %d is %q, on disk %q", i, f.Path, onDisk[i])
			}
			fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(f.Path)))
			if err != nil || !fi.Mode().IsRegular() || fi.Size() != f.Size {
				t.Fatalf("%s: %v, %v, want size %d", f.Path, fi, err, f.Size)
			}
		}
	})
}
