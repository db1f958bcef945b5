package accesslog

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/blob/fsblob"
)

// discardWriter is a reused ResponseWriter that, like net/http's,
// implements io.ReaderFrom.
type discardWriter struct{ header http.Header }

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) WriteHeader(int)             {}
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) ReadFrom(r io.Reader) (int64, error) {
	return io.Copy(io.Discard, r)
}

// BenchmarkWrap measures what recording adds to a request: "off" serves a
// small body directly, "on" through a Recorder (writing to a local store in
// the background).
func BenchmarkWrap(b *testing.B) {
	body := make([]byte, 2048)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", "2048")
		w.Header().Set("Cache-Control", "public, max-age=0, must-revalidate")
		w.Header().Set("Etag", `"abc"`)
		_, _ = w.Write(body)
	})
	r := httptest.NewRequest(http.MethodGet, "/assets/app.js?v=1", nil)
	r.Host = "main.d1abcdefghijkl.localhost:8751"
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")
	r.Header.Set("Accept", "*/*")
	r.Header.Set("Accept-Encoding", "gzip, deflate, br")
	r.Header.Set("Referer", "https://main.d1abcdefghijkl.localhost/")
	run := func(b *testing.B, h http.Handler) {
		w := &discardWriter{header: http.Header{}}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			w := &discardWriter{header: http.Header{}}
			for pb.Next() {
				clear(w.header)
				h.ServeHTTP(w, r)
			}
		})
		_ = w
	}
	b.Run("off", func(b *testing.B) { run(b, h) })
	b.Run("on", func(b *testing.B) {
		s, err := newBenchStore(b)
		if err != nil {
			b.Fatal(err)
		}
		rec := New(Config{Blobs: s, AppOf: DefaultDomainApp("localhost"), FlushInterval: 100 * time.Millisecond})
		defer rec.Close()
		run(b, rec.Wrap(h))
		b.ReportMetric(float64(rec.Dropped()), "dropped")
	})
	// "on-discard" is "on" with a store that drops what is put: the
	// request path alone, without the disk writes the flusher competes
	// with (at this request rate, hundreds of MB/s).
	b.Run("on-discard", func(b *testing.B) {
		s, err := newBenchStore(b)
		if err != nil {
			b.Fatal(err)
		}
		rec := New(Config{Blobs: discardStore{s}, AppOf: DefaultDomainApp("localhost"), FlushInterval: 100 * time.Millisecond})
		defer rec.Close()
		run(b, rec.Wrap(h))
	})
}

// discardStore drops what is put into it.
type discardStore struct{ pier.BlobStore }

func (discardStore) Put(context.Context, string, io.Reader) error { return nil }

func newBenchStore(b *testing.B) (*fsblob.Store, error) { return fsblob.New(b.TempDir()) }
