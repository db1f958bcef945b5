package archive_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// A build writes entries into a zip under construction.
type build func(t testing.TB, w *zip.Writer)

// writeZip returns the bytes of the zip that b builds.
func writeZip(t testing.TB, b build) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	b(t, w)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// workspace makes a fresh parent directory holding the zip data as
// "upload.zip" and an empty "site" directory, and returns their paths.
func workspace(t testing.TB, data []byte) (zipPath, dir string) {
	t.Helper()
	parent := t.TempDir()
	zipPath = filepath.Join(parent, "upload.zip")
	dir = filepath.Join(parent, "site")
	if err := os.WriteFile(zipPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return zipPath, dir
}

// tree lists everything under dir as slash paths, directories with a
// trailing slash, and fails on anything that is neither file nor directory.
func tree(t testing.TB, dir string) []string {
	t.Helper()
	var got []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			rel += "/"
		case !d.Type().IsRegular():
			t.Errorf("%s is a %v", rel, d.Type())
		}
		got = append(got, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	return got
}

// files adds deflated files, alternating names and bodies.
func files(kv ...string) build {
	return func(t testing.TB, w *zip.Writer) {
		for i := 0; i < len(kv); i += 2 {
			add(t, w, &zip.FileHeader{Name: kv[i], Method: zip.Deflate}, []byte(kv[i+1]))
		}
	}
}

// dirs adds directory entries; names should end in "/".
func dirs(names ...string) build {
	return func(t testing.TB, w *zip.Writer) {
		for _, n := range names {
			add(t, w, &zip.FileHeader{Name: n}, nil)
		}
	}
}

// all runs builds in order.
func all(bs ...build) build {
	return func(t testing.TB, w *zip.Writer) {
		for _, b := range bs {
			b(t, w)
		}
	}
}

// add writes one entry through the zip writer, which fills in sizes and CRC.
func add(t testing.TB, w *zip.Writer, h *zip.FileHeader, body []byte) {
	t.Helper()
	f, err := w.CreateHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(body); err != nil {
		t.Fatal(err)
	}
}

// withMode adds a file whose Unix mode (type bits included) is mode.
func withMode(name string, mode uint32, body string) build {
	return func(t testing.TB, w *zip.Writer) {
		h := &zip.FileHeader{Name: name, Method: zip.Store}
		h.CreatorVersion = 3<<8 | 20 // Unix
		h.ExternalAttrs = mode << 16
		add(t, w, h, []byte(body))
	}
}

// raw adds an entry whose header is written exactly as given, followed by
// data as it is: the way to make headers lie.
func raw(h zip.FileHeader, data []byte) build {
	return func(t testing.TB, w *zip.Writer) {
		f, err := w.CreateRaw(&h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(data); err != nil {
			t.Fatal(err)
		}
	}
}

// honest returns the header archive/zip would write for body deflated into
// comp.
func honest(name string, body, comp []byte) zip.FileHeader {
	return zip.FileHeader{
		Name:               name,
		Method:             zip.Deflate,
		CRC32:              crc32.ChecksumIEEE(body),
		CompressedSize64:   uint64(len(comp)),
		UncompressedSize64: uint64(len(body)),
	}
}

func deflate(t testing.TB, body []byte) []byte {
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zeros50M is 50 MiB of zeros and its deflated form, about 62 KiB: a ratio
// over 800.
var zeros50M = sync.OnceValues(func() ([]byte, []byte) {
	body := make([]byte, 50<<20)
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestSpeed)
	fw.Write(body)
	fw.Close()
	return body, buf.Bytes()
})
