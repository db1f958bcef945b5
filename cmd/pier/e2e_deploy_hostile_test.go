package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// entry is one entry of a hand-made zip.
type entry struct {
	name   string
	body   string
	mode   fs.FileMode // 0: a regular file, 0o644
	method uint16      // zip.Deflate unless set
}

// rawZip writes entries as a zip exactly as given: no check of names,
// duplicates or modes.
func rawZip(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.method != 0 {
			h.Method = e.method
		}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// manyEntries returns a zip of n empty, stored files.
func manyEntries(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range n {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("f/%06d", i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDeployHostileArchives uploads archives that must be refused: each job
// fails with a reason naming the problem, the live site stays as it was, no
// content blob is stored and no staging file is left behind.
func TestDeployHostileArchives(t *testing.T) {
	t.Parallel()
	s := startDeployServer(t)
	appID := newSite(t, s, "hostile")
	live := files{"index.html": "<h1>the live site</h1>", "app.js": "console.log('live')"}
	s.deploy(t, appID, live)
	s.wantServed(t, appID, live)
	blobs := s.contentBlobs(t)
	if len(blobs) == 0 {
		t.Fatalf("no content blobs under %s after a deployment", filepath.Join(s.dir, "blobs", "sha256"))
	}
	index := entry{name: "index.html", body: "<h1>defaced</h1>"}

	cases := []struct {
		name   string
		zip    func(t *testing.T) []byte
		reason string
		long   bool // skipped in -short mode
	}{
		{"zip slip", func(t *testing.T) []byte {
			return rawZip(t, index, entry{name: "../../escaped.html", body: "escaped"})
		}, "escapes the archive root", false},
		{"zip slip inside a directory", func(t *testing.T) []byte {
			return rawZip(t, index, entry{name: "assets/../../escaped.html", body: "escaped"})
		}, "escapes the archive root", false},
		{"absolute path", func(t *testing.T) []byte {
			return rawZip(t, index, entry{name: "/tmp/pier-absolute.html", body: "absolute"})
		}, "absolute path", false},
		{"drive letter", func(t *testing.T) []byte {
			return rawZip(t, index, entry{name: "C:/Windows/pier.html", body: "drive"})
		}, "drive letter", false},
		{"symlink", func(t *testing.T) []byte {
			return rawZip(t, index, entry{name: "passwd.html", body: "/etc/passwd", mode: fs.ModeSymlink | 0o777})
		}, "symbolic link", false},
		{"duplicate path", func(t *testing.T) []byte {
			return rawZip(t, index, entry{name: "./index.html", body: "<h1>second</h1>"})
		}, "index.html", false},
		{"compression bomb", func(t *testing.T) []byte {
			return rawZip(t, index, entry{name: "zeros.txt", body: strings.Repeat("\x00", 16<<20)})
		}, "compression bomb", false},
		{"not a zip", func(t *testing.T) []byte {
			return []byte("<html>not a zip</html>")
		}, "not a readable zip", false},
		{"too many entries", func(t *testing.T) []byte {
			return manyEntries(t, 100_001) // the default limit is 100,000
		}, "entries", true},
	}
	// The cases run one after another: each compares the blob store with
	// its state before, which a concurrent deployment would change.
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.long && testing.Short() {
				t.Skip("builds a large archive; skipped in -short mode")
			}
			job := s.waitJob(t, appID, s.startZip(t, appID, tc.zip(t)))
			wantFailed(t, job, "invalid archive", tc.reason)
			s.wantServed(t, appID, live)
			if r := s.get(t, appID, "/escaped.html", nil); r.Status != 404 {
				t.Errorf("GET /escaped.html: %d, want 404", r.Status)
			}
			if after := s.contentBlobs(t); !slices.Equal(after, blobs) {
				t.Errorf("the refused archive changed the content blobs: %d before, %d after", len(blobs), len(after))
			}
			if left := listFiles(t, filepath.Join(s.dir, "tmp")); len(left) > 0 {
				t.Errorf("the refused archive left files in the staging directory: %v", left)
			}
		})
	}
	if left := listFiles(t, filepath.Dir(s.dir)); slices.ContainsFunc(left, func(p string) bool { return strings.Contains(p, "escaped") }) {
		t.Errorf("a file escaped the data dir: %v", left)
	}
	if _, err := os.Lstat("/tmp/pier-absolute.html"); err == nil {
		t.Error("the archive's absolute path /tmp/pier-absolute.html was written")
	}
}
