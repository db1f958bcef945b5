package deploy

import (
	"bytes"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
)

// minCompressBytes is the smallest file worth precompressing.
const minCompressBytes = 256

// Compression levels trade ratio for publish speed: gzip 6 and brotli 5
// are within a few percent of the best ratios at a fraction of the time.
const (
	gzipLevel   = 6
	brotliLevel = 5
)

// Writers are reused: setting one up costs more than compressing a small file.
var (
	gzipWriters = sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, gzipLevel) // the level is valid
		return w
	}}
	brotliWriters = sync.Pool{New: func() any { return brotli.NewWriterLevel(nil, brotliLevel) }}
)

// compressed returns the gzip and brotli forms of data, each nil unless it
// saves at least 5%.
func compressed(data []byte) (gz, br []byte) {
	keep := func(b []byte) []byte {
		if len(b) <= len(data)*95/100 {
			return b
		}
		return nil
	}
	var gbuf, bbuf bytes.Buffer
	gw := gzipWriters.Get().(*gzip.Writer)
	gw.Reset(&gbuf)
	_, _ = gw.Write(data) // writes to a bytes.Buffer do not fail
	_ = gw.Close()
	gzipWriters.Put(gw)
	bw := brotliWriters.Get().(*brotli.Writer)
	bw.Reset(&bbuf)
	_, _ = bw.Write(data)
	_ = bw.Close()
	brotliWriters.Put(bw)
	return keep(gbuf.Bytes()), keep(bbuf.Bytes())
}
