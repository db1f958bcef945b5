package archive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/archive"
)

func TestExtractZipRefuses(t *testing.T) {
	small := []byte(strings.Repeat("pier ", 100))
	smallZ := func(t testing.TB) []byte { return deflate(t, small) }
	tests := []struct {
		name string
		zip  build
		data []byte // instead of zip
		lim  archive.Limits
		want []string // substrings of the message
	}{
		// Paths.
		{name: "zip slip", zip: files("index.html", "x", "../evil", "x"), want: []string{`"../evil"`, "escapes"}},
		{name: "zip slip through a folder", zip: files("a/../../evil", "x"), want: []string{`"a/../../evil"`, "escapes"}},
		{name: "dot dot alone", zip: files("..", "x"), want: []string{`".."`, "escapes"}},
		{name: "dot dot directory", zip: dirs("../"), want: []string{`"../"`, "escapes"}},
		{name: "absolute", zip: files("/etc/passwd", "x"), want: []string{`"/etc/passwd"`, "absolute"}},
		{name: "double slash", zip: files("//server/share/x", "x"), want: []string{"absolute"}},
		{name: "drive and backslash", zip: files(`C:\evil`, "x"), want: []string{`"C:\\evil"`, "backslash"}},
		{name: "drive and slash", zip: files("C:/evil", "x"), want: []string{`"C:/evil"`, "drive letter"}},
		{name: "drive relative", zip: files("c:evil", "x"), want: []string{"drive letter"}},
		{name: "drive after cleaning", zip: files("./C:/evil", "x"), want: []string{"drive letter"}},
		{name: "UNC", zip: files(`\\server\share\x`, "x"), want: []string{"backslash"}},
		{name: "backslash separator", zip: files(`assets\app.js`, "x"), want: []string{`"assets\\app.js"`, "backslash"}},
		{name: "NUL byte", zip: files("index.html\x00.png", "x"), want: []string{"NUL"}},
		{name: "invalid UTF-8", zip: files("caf\xe9.html", "x"), want: []string{"UTF-8"}},
		{name: "empty path", zip: files(".", "x"), want: []string{`"."`, "empty path"}},
		{name: "long segment", zip: files(strings.Repeat("a", 256), "x"), want: []string{"segment longer than 255"}},
		{name: "long path", zip: files(strings.Repeat("abcdefgh/", 120)+"x", "x"), want: []string{"longer than 1024"}},

		// Entry types.
		{name: "symlink", zip: withMode("link", 0o120777, "/etc/passwd"), want: []string{`"link"`, "symbolic link"}},
		{name: "symlink in folder", zip: all(files("index.html", "x"), withMode("assets/link", 0o120777, "../../..")), want: []string{`"assets/link"`, "symbolic link"}},
		{name: "char device", zip: withMode("dev", 0o020666, ""), want: []string{`"dev"`, "character device"}},
		{name: "block device", zip: withMode("disk", 0o060666, ""), want: []string{`"disk"`, "is a device"}},
		{name: "named pipe", zip: withMode("fifo", 0o010644, ""), want: []string{`"fifo"`, "named pipe"}},
		{name: "socket", zip: withMode("sock", 0o140644, ""), want: []string{`"sock"`, "socket", "only files and directories"}},

		// Duplicates.
		{name: "duplicate", zip: files("a/b", "1", "a/b", "2"), want: []string{`"a/b"`, "appears twice"}},
		{name: "duplicate after cleaning slashes", zip: files("a/b", "1", "a//b", "2"), want: []string{`"a//b"`, `duplicates entry "a/b"`}},
		{name: "duplicate after cleaning dot", zip: files("a/b", "1", "./a/b", "2"), want: []string{`"./a/b"`, `duplicates entry "a/b"`}},
		{name: "duplicate after cleaning dot dot", zip: files("a/b", "1", "a/c/../b", "2"), want: []string{`"a/c/../b"`, "duplicates"}},
		{name: "file then folder", zip: files("a", "1", "a/b", "2"), want: []string{`"a/b"`, `needs "a" to be a directory`, `entry "a" is a file`}},
		{name: "folder then file", zip: files("a/b", "1", "a", "2"), want: []string{`"a"`, "is a file", `uses "a" as a directory`}},
		{name: "file then directory entry", zip: all(files("a", "1"), dirs("a/")), want: []string{`"a/"`, `needs "a" to be a directory`}},
		{name: "directory entry then file", zip: all(dirs("a/"), files("a", "1")), want: []string{`"a"`, "is a file"}},
		{name: "deep clash", zip: files("a/b/c/d", "1", "a/b", "2"), want: []string{`"a/b"`, "is a file"}},

		// Counts and sizes.
		{name: "too many entries", zip: files("a", "1", "b", "2", "c", "3", "d", "4"), lim: archive.Limits{MaxEntries: 3}, want: []string{"4 entries", "at most 3"}},
		{name: "directories count as entries", zip: all(files("a/x", "1"), dirs("a/", "b/", "c/")), lim: archive.Limits{MaxEntries: 3}, want: []string{"4 entries"}},
		{name: "too many bytes declared", zip: files("a", strings.Repeat("x", 60), "b", strings.Repeat("y", 60)), lim: archive.Limits{MaxBytes: 100}, want: []string{"more than 100 bytes", `entry "b"`}},
		{name: "too many bytes with lying headers", lim: archive.Limits{MaxBytes: 1 << 20}, zip: func(t testing.TB, w *zip.Writer) {
			body := bytes.Repeat([]byte("lie"), 1<<20) // 3 MiB
			comp := deflate(t, body)
			h := honest("lie.txt", body, comp)
			h.UncompressedSize64 = 1000
			raw(h, comp)(t, w)
		}, want: []string{`"lie.txt"`, "beyond its declared size of 1000 bytes"}},
		{name: "compression bomb", zip: func(t testing.TB, w *zip.Writer) {
			body, comp := zeros50M()
			raw(honest("zeros.bin", body, comp), comp)(t, w)
		}, want: []string{`"zeros.bin"`, "compression bomb", "more than 200 times"}},
		{name: "compression bomb with lying headers", zip: func(t testing.TB, w *zip.Writer) {
			body, comp := zeros50M()
			h := honest("zeros.bin", body, comp)
			h.UncompressedSize64 = 1 << 10
			raw(h, comp)(t, w)
		}, want: []string{`"zeros.bin"`, "beyond its declared size of 1024 bytes"}},
		{name: "compressed size beyond the archive", zip: func(t testing.TB, w *zip.Writer) {
			body, comp := zeros50M()
			h := honest("zeros.bin", body, comp)
			h.CompressedSize64 = 1 << 40 // makes the ratio look harmless
			raw(h, comp)(t, w)
		}, want: []string{`"zeros.bin"`, "more than the archive holds"}},
		{name: "bomb of small files", zip: func(t testing.TB, w *zip.Writer) {
			body := make([]byte, 900<<10) // each under 1 MiB is exempt
			comp := deflate(t, body)
			for _, n := range []string{"a", "b", "c", "d"} {
				raw(honest(n, body, comp), comp)(t, w)
			}
		}, want: []string{"compression bomb", "it expands from"}},

		// Kinds of data.
		{name: "encrypted", zip: func(t testing.TB, w *zip.Writer) {
			h := honest("secret.html", small, smallZ(t))
			h.Flags |= 0x1
			raw(h, smallZ(t))(t, w)
		}, want: []string{`"secret.html"`, "encrypted"}},
		{name: "unsupported method", zip: func(t testing.TB, w *zip.Writer) {
			h := honest("a.bz2", small, smallZ(t))
			h.Method = 12 // bzip2
			raw(h, smallZ(t))(t, w)
		}, want: []string{`"a.bz2"`, "compression method 12"}},
		{name: "stored sizes disagree", zip: raw(zip.FileHeader{Name: "a", Method: zip.Store, CompressedSize64: 3, UncompressedSize64: 300}, []byte("abc")), want: []string{`"a"`, "stored"}},
		{name: "CRC mismatch", zip: func(t testing.TB, w *zip.Writer) {
			h := honest("index.html", small, smallZ(t))
			h.CRC32 ^= 1
			raw(h, smallZ(t))(t, w)
		}, want: []string{`"index.html"`, "CRC-32"}},
		{name: "CRC mismatch stored", zip: raw(zip.FileHeader{Name: "index.html", Method: zip.Store, CompressedSize64: 3, UncompressedSize64: 3, CRC32: crc32.ChecksumIEEE([]byte("abd"))}, []byte("abc")), want: []string{"CRC-32"}},
		{name: "corrupt deflate", zip: raw(zip.FileHeader{Name: "index.html", Method: zip.Deflate, CompressedSize64: 8, UncompressedSize64: 100, CRC32: 1}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), want: []string{`"index.html"`, "corrupt"}},
		{name: "truncated deflate", zip: func(t testing.TB, w *zip.Writer) {
			comp := smallZ(t)
			h := honest("index.html", small, comp)
			h.CompressedSize64 = uint64(len(comp) / 2)
			raw(h, comp[:len(comp)/2])(t, w)
		}, want: []string{`"index.html"`, "truncated"}},
		{name: "shorter than declared", zip: func(t testing.TB, w *zip.Writer) {
			comp := smallZ(t)
			h := honest("index.html", small, comp)
			h.UncompressedSize64 += 10
			raw(h, comp)(t, w)
		}, want: []string{`"index.html"`, "truncated", "of its declared"}},
		{name: "corrupt local header", data: corruptLocalHeader(t), want: []string{`"index.html"`, "corrupt local header"}},
		{name: "truncated file", data: truncated(t), want: []string{"not a readable zip"}},
		{name: "not a zip", data: []byte("<html>not a zip</html>"), want: []string{"not a readable zip"}},
		{name: "empty file", data: []byte{}, want: []string{"not a readable zip"}},
		{name: "empty archive", zip: func(testing.TB, *zip.Writer) {}, want: []string{"no files"}},
		{name: "only directories", zip: dirs("a/", "a/b/", "./"), want: []string{"no files"}},
		{name: "late refusal after good files", zip: all(files("a/1", "1", "b/2", "2"), withMode("c", 0o120777, "x")), want: []string{`"c"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data
			if tt.zip != nil {
				data = writeZip(t, tt.zip)
			}
			zipPath, dir := workspace(t, data)
			got, err := archive.ExtractZip(context.Background(), zipPath, dir, tt.lim)
			if err == nil {
				t.Fatalf("ExtractZip succeeded with %v", got)
			}
			if code := pier.ErrorCode(err); code != pier.EINVALID {
				t.Fatalf("code %q, want %q (%v)", code, pier.EINVALID, err)
			}
			msg := pier.ErrorMessage(err)
			t.Log(msg)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not mention %q", msg, w)
				}
			}
			assertUntouched(t, zipPath, dir)
		})
	}
}

// assertUntouched fails unless dir is empty and its parent holds only dir
// and the zip: nothing was left behind and nothing escaped.
func assertUntouched(t testing.TB, zipPath, dir string) {
	t.Helper()
	if got := tree(t, dir); len(got) > 0 {
		t.Errorf("left behind in dir: %q", got)
	}
	if diff := cmp.Diff([]string{filepath.Base(dir) + "/", filepath.Base(zipPath)}, tree(t, filepath.Dir(dir))); diff != "" {
		t.Errorf("parent of dir (-want +got):\n%s", diff)
	}
}

// truncated returns the first half of a valid zip.
func truncated(t testing.TB) []byte {
	b := writeZip(t, files("index.html", strings.Repeat("hello ", 1000), "app.js", "x"))
	return b[:len(b)/2]
}

// corruptLocalHeader returns a zip whose central directory is intact but
// whose first local header has lost its signature.
func corruptLocalHeader(t testing.TB) []byte {
	b := writeZip(t, files("index.html", "hello"))
	b[0] = 'X'
	return b
}

func TestExtractZipCancel(t *testing.T) {
	big := all(files("a.txt", "a"), func(t testing.TB, w *zip.Writer) {
		add(t, w, &zip.FileHeader{Name: "big/b.bin", Method: zip.Store}, bytes.Repeat([]byte{1, 2, 3, 4}, 1<<20))
	})
	tests := []struct {
		name  string
		calls int // calls to Err before it reports cancellation
	}{
		{name: "at once", calls: 0},
		{name: "after the first file", calls: 4},
		{name: "in the middle of a file", calls: 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zipPath, dir := workspace(t, writeZip(t, big))
			ctx := &countdown{Context: context.Background(), left: tt.calls}
			_, err := archive.ExtractZip(ctx, zipPath, dir, archive.Limits{})
			if err != context.Canceled {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			assertUntouched(t, zipPath, dir)
		})
	}
}

// countdown is a context that is canceled once Err has been called left
// times.
type countdown struct {
	context.Context
	left int
}

func (c *countdown) Err() error {
	if c.left <= 0 {
		return context.Canceled
	}
	c.left--
	return nil
}

func TestExtractZipErrors(t *testing.T) {
	ok := writeZip(t, files("index.html", "hi"))
	t.Run("directory not empty", func(t *testing.T) {
		zipPath, dir := workspace(t, ok)
		keep := filepath.Join(dir, "keep")
		if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := archive.ExtractZip(context.Background(), zipPath, dir, archive.Limits{})
		if err == nil || pier.ErrorCode(err) != pier.EINTERNAL || !strings.Contains(err.Error(), "not empty") {
			t.Fatalf("err = %v, want a plain error about a non-empty directory", err)
		}
		if b, err := os.ReadFile(keep); err != nil || string(b) != "mine" {
			t.Errorf("existing file changed: %q, %v", b, err)
		}
	})
	t.Run("directory missing", func(t *testing.T) {
		zipPath, dir := workspace(t, ok)
		_, err := archive.ExtractZip(context.Background(), zipPath, filepath.Join(dir, "nope"), archive.Limits{})
		if err == nil || pier.ErrorCode(err) != pier.EINTERNAL {
			t.Fatalf("err = %v, want a plain error", err)
		}
	})
	t.Run("zip missing", func(t *testing.T) {
		zipPath, dir := workspace(t, ok)
		_, err := archive.ExtractZip(context.Background(), zipPath+".nope", dir, archive.Limits{})
		if err == nil || pier.ErrorCode(err) != pier.EINTERNAL {
			t.Fatalf("err = %v, want a plain error", err)
		}
	})
}
