package edge

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

// BenchmarkServeSmallFile measures the hot path: a small file held in memory
// on a warm site, which touches neither the store nor the disk. The
// "recorder" runs include httptest.ResponseRecorder's own allocations; the
// "server" runs use a reused writer that, like net/http's, implements
// io.ReaderFrom, so they count only what the edge and ServeContent allocate.
func BenchmarkServeSmallFile(b *testing.B) {
	f := newFixture(b, newMemBlobs(), Config{SiteTTL: time.Hour})
	f.deployment("dep1", map[string]spec{
		"/assets/app.js": {
			body:        strings.Repeat("x", 4<<10),
			contentType: "text/javascript",
			gzip:        strings.Repeat("g", 1<<10),
			br:          strings.Repeat("b", 900),
		},
	})
	f.branch(pier.Branch{Name: "main", DeploymentID: "dep1", TTL: pier.DefaultTTL})
	benchmarks := []struct {
		name   string
		accept string
	}{
		{"identity", ""},
		{"br", "gzip, deflate, br, zstd"},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodGet, "/assets/app.js", nil)
			r.Host = mainHost
			if bm.accept != "" {
				r.Header.Set("Accept-Encoding", bm.accept)
			}
			f.srv.ServeHTTP(httptest.NewRecorder(), r) // warm the caches
			opens := f.blobs.opens()
			b.Run("recorder", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					w := httptest.NewRecorder()
					f.srv.ServeHTTP(w, r)
					if w.Code != http.StatusOK {
						b.Fatalf("status %d", w.Code)
					}
				}
			})
			b.Run("server", func(b *testing.B) {
				w := &discardWriter{header: http.Header{}}
				b.ReportAllocs()
				for b.Loop() {
					clear(w.header)
					f.srv.ServeHTTP(w, r)
					if w.status != http.StatusOK {
						b.Fatalf("status %d", w.status)
					}
				}
			})
			if f.blobs.opens() != opens || f.store.findApps.Load() != 1 {
				b.Fatal("the hot path reached the store or the blobs")
			}
		})
	}
}

// discardWriter is a reusable ResponseWriter that throws bodies away.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header                 { return w.header }
func (w *discardWriter) WriteHeader(status int)              { w.status = status }
func (w *discardWriter) Write(p []byte) (int, error)         { return len(p), nil }
func (w *discardWriter) ReadFrom(r io.Reader) (int64, error) { return io.Copy(io.Discard, r) }

// BenchmarkServeWithRules is BenchmarkServeSmallFile's "server" run on a
// site with the SPA rewrite rule and ten custom header rules.
func BenchmarkServeWithRules(b *testing.B) {
	f := newFixture(b, newMemBlobs(), Config{SiteTTL: time.Hour})
	var yaml strings.Builder
	yaml.WriteString("customHeaders:\n")
	for i, p := range []string{"**", "*.html", "/small/**", "*.css", "*.js", "/api/**", "*.png", "/img/*", "*.json", "/docs/**"} {
		yaml.WriteString("  - pattern: '" + p + "'\n    headers:\n      - key: X-Rule-" + string(rune('0'+i)) + "\n        value: v\n")
	}
	f.store.putApp(pier.App{AccountID: account, ID: appID, CustomHeaders: yaml.String(), CustomRules: []pier.CustomRule{{
		Source: `</^[^.]+$|\.(?!(css|gif|ico|jpg|js|png|txt|svg|woff|woff2|ttf|map|json|webp)$)([^.]+$)/>`,
		Target: "/index.html", Status: "200",
	}}})
	f.deployment("dep1", map[string]spec{"/index.html": {body: strings.Repeat("x", 2<<10), contentType: "text/html"}})
	f.branch(pier.Branch{Name: "main", DeploymentID: "dep1", TTL: pier.DefaultTTL})
	for _, path := range []string{"/index.html", "/app/route"} {
		b.Run(path, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodGet, path, nil)
			r.Host = mainHost
			w := &discardWriter{header: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.header)
				f.srv.ServeHTTP(w, r)
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
		})
	}
}
