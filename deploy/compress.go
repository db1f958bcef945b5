package deploy

import (
	"bytes"
	"compress/gzip"
	"io"

	"github.com/andybalholm/brotli"
)

// minCompressBytes is the smallest file worth precompressing.
const minCompressBytes = 256

// brotliLevel trades compression for publish speed: level 5 is within a few
// percent of the best ratio at a fraction of the time.
const brotliLevel = 5

// compressed returns the gzip and brotli forms of data, each nil unless it
// saves at least 5%.
func compressed(data []byte) (gz, br []byte) {
	keep := func(b []byte) []byte {
		if len(b) <= len(data)*95/100 {
			return b
		}
		return nil
	}
	return keep(encode(data, func(w io.Writer) io.WriteCloser {
			zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression) // the level is valid
			return zw
		})), keep(encode(data, func(w io.Writer) io.WriteCloser {
			return brotli.NewWriterLevel(w, brotliLevel)
		}))
}

// encode compresses data with the writer newWriter makes.
func encode(data []byte, newWriter func(io.Writer) io.WriteCloser) []byte {
	var buf bytes.Buffer
	w := newWriter(&buf)
	_, _ = w.Write(data) // writes to a bytes.Buffer do not fail
	_ = w.Close()
	return buf.Bytes()
}
