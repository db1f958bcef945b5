package archive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/pier-hosting/pier/archive"
)

// BenchmarkExtractZip extracts a site of 1,000 text files, 20 MB in all, in
// 20 folders.
func BenchmarkExtractZip(b *testing.B) {
	const n, size = 1000, 20_000
	words := []string{"const ", "function ", "return ", "pier", "(a, b) ", "{\n", "}\n", "amplify ", "=> ", "0x1f ", "div ", "class=\"x\" "}
	rng := rand.New(rand.NewPCG(1, 2))
	zipPath, _ := workspace(b, writeZip(b, func(t testing.TB, w *zip.Writer) {
		for i := range n {
			var body bytes.Buffer
			for body.Len() < size {
				body.WriteString(words[rng.IntN(len(words))])
			}
			add(t, w, &zip.FileHeader{Name: fmt.Sprintf("assets/%02d/file%03d.js", i/50, i), Method: zip.Deflate}, body.Bytes()[:size])
		}
	}))
	parent := b.TempDir()
	b.SetBytes(n * size)
	i := 0
	for b.Loop() {
		b.StopTimer()
		dir := filepath.Join(parent, fmt.Sprint(i))
		i++
		if err := os.Mkdir(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		files, err := archive.ExtractZip(context.Background(), zipPath, dir, archive.Limits{})
		if err != nil || len(files) != n {
			b.Fatalf("%d files, %v", len(files), err)
		}
		b.StopTimer()
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
