package archive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pier-hosting/pier/archive"
)

func TestExtractZip(t *testing.T) {
	thousand := func(t testing.TB, w *zip.Writer) {
		for i := range 1000 {
			add(t, w, &zip.FileHeader{Name: fmt.Sprintf("pages/%03d/index.html", i), Method: zip.Deflate}, []byte(fmt.Sprint(i)))
		}
	}
	tests := []struct {
		name  string
		zip   build
		lim   archive.Limits
		files []archive.File // nil: skip the check
		tree  []string       // what is on disk; directories end in "/"
	}{
		{
			name:  "one file",
			zip:   files("index.html", "<h1>hi</h1>"),
			files: []archive.File{{Path: "index.html", Size: 11}},
			tree:  []string{"index.html"},
		},
		{
			name: "nested folders",
			zip:  files("index.html", "i", "assets/js/app.js", "js", "assets/css/site.css", "css", "a/b/c/d/e/f.txt", "f"),
			files: []archive.File{
				{Path: "a/b/c/d/e/f.txt", Size: 1}, {Path: "assets/css/site.css", Size: 3},
				{Path: "assets/js/app.js", Size: 2}, {Path: "index.html", Size: 1},
			},
			tree: []string{"a/", "a/b/", "a/b/c/", "a/b/c/d/", "a/b/c/d/e/", "a/b/c/d/e/f.txt", "assets/", "assets/css/", "assets/css/site.css", "assets/js/", "assets/js/app.js", "index.html"},
		},
		{
			name:  "directory entries create nothing by themselves",
			zip:   all(dirs("./", "assets/", "empty/", "assets/", "assets/img/"), files("assets/app.js", "x"), dirs("assets/")),
			files: []archive.File{{Path: "assets/app.js", Size: 1}},
			tree:  []string{"assets/", "assets/app.js"},
		},
		{
			name:  "top-level folder is kept",
			zip:   all(dirs("my-site/"), files("my-site/index.html", "x")),
			files: []archive.File{{Path: "my-site/index.html", Size: 1}},
			tree:  []string{"my-site/", "my-site/index.html"},
		},
		{
			name:  "unicode names",
			zip:   files("héllo/世界.html", "x", "😀.txt", "y", "Ärger/ß", "z"),
			files: []archive.File{{Path: "héllo/世界.html", Size: 1}, {Path: "Ärger/ß", Size: 1}, {Path: "😀.txt", Size: 1}},
			tree:  []string{"héllo/", "héllo/世界.html", "Ärger/", "Ärger/ß", "😀.txt"},
		},
		{
			name:  "dots that are not dot-dot segments",
			zip:   files("..foo", "1", "a/..b", "2", "...", "3", "c../d", "4", ".well-known/x", "5"),
			files: []archive.File{{Path: "...", Size: 1}, {Path: "..foo", Size: 1}, {Path: ".well-known/x", Size: 1}, {Path: "a/..b", Size: 1}, {Path: "c../d", Size: 1}},
			tree:  []string{"...", "..foo", ".well-known/", ".well-known/x", "a/", "a/..b", "c../", "c../d"},
		},
		{
			name:  "names are cleaned",
			zip:   files("./a//b", "1", "c/./d", "2", "e/f/../g", "3"),
			files: []archive.File{{Path: "a/b", Size: 1}, {Path: "c/d", Size: 1}, {Path: "e/g", Size: 1}},
			tree:  []string{"a/", "a/b", "c/", "c/d", "e/", "e/g"},
		},
		{
			name:  "case differs",
			zip:   files("A.html", "1", "a.html", "2"),
			files: []archive.File{{Path: "A.html", Size: 1}, {Path: "a.html", Size: 1}},
		},
		{
			name:  "empty and stored files",
			zip:   all(files("empty", ""), func(t testing.TB, w *zip.Writer) { add(t, w, &zip.FileHeader{Name: "stored.bin"}, []byte{0, 1, 2}) }),
			files: []archive.File{{Path: "empty", Size: 0}, {Path: "stored.bin", Size: 3}},
		},
		{
			name: "small compressible file is exempt from the ratio",
			zip: func(t testing.TB, w *zip.Writer) {
				add(t, w, &zip.FileHeader{Name: "zeros.txt", Method: zip.Deflate}, make([]byte, 1<<20-1))
			},
			files: []archive.File{{Path: "zeros.txt", Size: 1<<20 - 1}},
		},
		{
			name: "made on Windows",
			zip: func(t testing.TB, w *zip.Writer) {
				h := &zip.FileHeader{Name: "docs/readme.txt", Method: zip.Deflate, CreatorVersion: 0<<8 | 20, ExternalAttrs: 0x20}
				add(t, w, h, []byte("hi"))
			},
			files: []archive.File{{Path: "docs/readme.txt", Size: 2}},
		},
		{
			name:  "at the limits",
			zip:   files("a", strings.Repeat("x", 60), "b", strings.Repeat("y", 40), "c", ""),
			lim:   archive.Limits{MaxEntries: 3, MaxBytes: 100},
			files: []archive.File{{Path: "a", Size: 60}, {Path: "b", Size: 40}, {Path: "c", Size: 0}},
		},
		{
			name: "1,000 files",
			zip:  thousand,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zipPath, dir := workspace(t, writeZip(t, tt.zip))
			got, err := archive.ExtractZip(context.Background(), zipPath, dir, tt.lim)
			if err != nil {
				t.Fatal(err)
			}
			if tt.files != nil {
				if diff := cmp.Diff(tt.files, got); diff != "" {
					t.Errorf("files (-want +got):\n%s", diff)
				}
			}
			if tt.tree != nil {
				if diff := cmp.Diff(tt.tree, tree(t, dir)); diff != "" {
					t.Errorf("tree (-want +got):\n%s", diff)
				}
			}
			assertWritten(t, zipPath, dir, got)
		})
	}
}

// assertWritten checks that files are sorted, are exactly the regular files
// under dir, and hold the bodies of the entries in the zip.
func assertWritten(t testing.TB, zipPath, dir string, files []archive.File) {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	want := make(map[string][]byte)
	for _, f := range zr.File {
		if f.Mode().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		want[path.Clean(f.Name)] = body
	}
	var onDisk []string
	for _, p := range tree(t, dir) {
		if !strings.HasSuffix(p, "/") {
			onDisk = append(onDisk, p)
		}
	}
	if len(onDisk) != len(files) {
		t.Fatalf("%d files on disk, %d returned", len(onDisk), len(files))
	}
	for i, f := range files {
		if f.Path != onDisk[i] {
			t.Fatalf("file %d is %q, on disk %q", i, f.Path, onDisk[i])
		}
		body, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(body)) != f.Size || !bytes.Equal(body, want[f.Path]) {
			t.Errorf("%s: %d bytes on disk, size %d, want body of %d bytes", f.Path, len(body), f.Size, len(want[f.Path]))
		}
	}
}
