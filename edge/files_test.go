package edge

import (
	"bytes"
	"crypto/rand"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

// backend is a way of keeping and serving file bodies.
type backend struct {
	name  string
	blobs func(t *testing.T) testBlobs
	cfg   Config
}

// backends covers every body path: memory-held bodies from either blob
// store, and bodies read per request from files (the sendfile path).
var backends = []backend{
	{"in memory from memory blobs", func(*testing.T) testBlobs { return newMemBlobs() }, Config{}},
	{"in memory from files", func(t *testing.T) testBlobs { return newDirBlobs(t) }, Config{}},
	{"per request from memory blobs", func(*testing.T) testBlobs { return newMemBlobs() }, Config{SmallFileBytes: 1}},
	{"per request from files", func(t *testing.T) testBlobs { return newDirBlobs(t) }, Config{SmallFileBytes: 1}},
}

func TestResponseHeaders(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			f := newSite(t, be.blobs(t), be.cfg)
			tests := []struct {
				name, target, wantType, wantBody string
			}{
				{"html", "/about", "text/html; charset=utf-8", "<h1>about</h1>"},
				{"image", "/images/logo.webp", "image/webp", "RIFFwebp"},
				{"no content type in manifest", "/data.bin", "application/octet-stream", "0123456789abcdefghij"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					res := f.get(mainHost, tt.target)
					if got := body(t, res); res.StatusCode != http.StatusOK || got != tt.wantBody {
						t.Fatalf("GET %s = %d %q, want 200 %q", tt.target, res.StatusCode, got, tt.wantBody)
					}
					want := http.Header{
						"Content-Type":   {tt.wantType},
						"Content-Length": {strconv.Itoa(len(tt.wantBody))},
						"Cache-Control":  {"public, max-age=0, must-revalidate, s-maxage=5"},
						"Etag":           {etag(tt.wantBody)},
						"Last-Modified":  {createTime.Format(http.TimeFormat)},
						"Accept-Ranges":  {"bytes"},
					}
					checkHeaders(t, res.Header, want)
				})
			}
		})
	}
}

// checkHeaders checks that h has exactly the headers of want.
func checkHeaders(t *testing.T, h, want http.Header) {
	t.Helper()
	for k, v := range want {
		if got := h.Values(k); strings.Join(got, "\n") != strings.Join(v, "\n") {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	for k := range h {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected header %s: %q", k, h.Values(k))
		}
	}
}

func TestConditionalRequests(t *testing.T) {
	const file = "<h1>about</h1>"
	tag := etag(file)
	hour := time.Hour
	tests := []struct {
		name    string
		target  string
		headers []string
		want    int
	}{
		{"If-None-Match matches", "/about", []string{"If-None-Match", tag}, http.StatusNotModified},
		{"If-None-Match in a list", "/about", []string{"If-None-Match", `"x", ` + tag}, http.StatusNotModified},
		{"If-None-Match weak form", "/about", []string{"If-None-Match", "W/" + tag}, http.StatusNotModified},
		{"If-None-Match star", "/about", []string{"If-None-Match", "*"}, http.StatusNotModified},
		{"If-None-Match differs", "/about", []string{"If-None-Match", `"other"`}, http.StatusOK},
		{"If-None-Match of another variant", "/app.js", []string{"If-None-Match", etag("GZIP(app.js)"), "Accept-Encoding", "br"}, http.StatusOK},
		{"If-None-Match of the same variant", "/app.js", []string{"If-None-Match", etag("BR(app.js)"), "Accept-Encoding", "br"}, http.StatusNotModified},
		{"If-Modified-Since equal", "/about", []string{"If-Modified-Since", createTime.Format(http.TimeFormat)}, http.StatusNotModified},
		{"If-Modified-Since later", "/about", []string{"If-Modified-Since", createTime.Add(hour).Format(http.TimeFormat)}, http.StatusNotModified},
		{"If-Modified-Since earlier", "/about", []string{"If-Modified-Since", createTime.Add(-hour).Format(http.TimeFormat)}, http.StatusOK},
		{"If-None-Match wins over If-Modified-Since", "/about", []string{"If-None-Match", `"other"`, "If-Modified-Since", createTime.Format(http.TimeFormat)}, http.StatusOK},
		{"If-Match matches", "/about", []string{"If-Match", tag}, http.StatusOK},
		{"If-Match in a list", "/about", []string{"If-Match", `"other", ` + tag}, http.StatusOK},
		{"If-Match star", "/about", []string{"If-Match", "*"}, http.StatusOK},
		{"If-Match differs", "/about", []string{"If-Match", `"other"`}, http.StatusPreconditionFailed},
		{"If-Match weak", "/about", []string{"If-Match", "W/" + tag}, http.StatusPreconditionFailed},
		{"If-Match wins over If-Unmodified-Since", "/about", []string{"If-Match", tag, "If-Unmodified-Since", createTime.Add(-hour).Format(http.TimeFormat)}, http.StatusOK},
		{"If-Unmodified-Since equal", "/about", []string{"If-Unmodified-Since", createTime.Format(http.TimeFormat)}, http.StatusOK},
		{"If-Unmodified-Since malformed", "/about", []string{"If-Unmodified-Since", "yesterday"}, http.StatusOK},
		{"If-Match differs on a variant", "/app.js", []string{"If-Match", `"other"`, "Accept-Encoding", "br"}, http.StatusPreconditionFailed},
		{"If-Unmodified-Since earlier", "/app.js", []string{"If-Unmodified-Since", createTime.Add(-hour).Format(http.TimeFormat), "Accept-Encoding", "gzip"}, http.StatusPreconditionFailed},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			f := newSite(t, be.blobs(t), be.cfg)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					res := f.get(mainHost, tt.target, tt.headers...)
					got := body(t, res)
					if res.StatusCode != tt.want {
						t.Fatalf("status = %d, want %d", res.StatusCode, tt.want)
					}
					if tt.want == http.StatusOK {
						return
					}
					if got != "" && tt.want == http.StatusNotModified {
						t.Errorf("304 with body %q", got)
					}
					if cl := res.Header.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(got)) {
						t.Errorf("Content-Length = %s with a %d-byte body", cl, len(got))
					}
					if ce := res.Header.Get("Content-Encoding"); ce != "" {
						t.Errorf("Content-Encoding = %q on a %d", ce, res.StatusCode)
					}
					if tt.want == http.StatusNotModified && res.Header.Get("Etag") == "" {
						t.Error("304 without ETag")
					}
				})
			}
		})
	}
}

func TestRanges(t *testing.T) {
	const data = "0123456789abcdefghij"
	tests := []struct {
		name      string
		headers   []string
		want      int
		wantRange string
		wantBody  string
		wantParts []string
	}{
		{"first bytes", []string{"Range", "bytes=0-4"}, http.StatusPartialContent, "bytes 0-4/20", "01234", nil},
		{"middle", []string{"Range", "bytes=10-12"}, http.StatusPartialContent, "bytes 10-12/20", "abc", nil},
		{"suffix", []string{"Range", "bytes=-3"}, http.StatusPartialContent, "bytes 17-19/20", "hij", nil},
		{"open end", []string{"Range", "bytes=18-"}, http.StatusPartialContent, "bytes 18-19/20", "ij", nil},
		{"multiple", []string{"Range", "bytes=0-1,10-11"}, http.StatusPartialContent, "", "", []string{"01", "ab"}},
		{"unsatisfiable", []string{"Range", "bytes=100-"}, http.StatusRequestedRangeNotSatisfiable, "bytes */20", "", nil},
		{"If-Range matches", []string{"Range", "bytes=0-1", "If-Range", etag(data)}, http.StatusPartialContent, "bytes 0-1/20", "01", nil},
		{"If-Range differs", []string{"Range", "bytes=0-1", "If-Range", `"old"`}, http.StatusOK, "", data, nil},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			f := newSite(t, be.blobs(t), be.cfg)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					res := f.get(mainHost, "/data.bin", tt.headers...)
					got := body(t, res)
					if res.StatusCode != tt.want {
						t.Fatalf("status = %d, want %d", res.StatusCode, tt.want)
					}
					if cr := res.Header.Get("Content-Range"); cr != tt.wantRange {
						t.Errorf("Content-Range = %q, want %q", cr, tt.wantRange)
					}
					if tt.wantParts != nil {
						if parts := multiparts(t, res, got); strings.Join(parts, "|") != strings.Join(tt.wantParts, "|") {
							t.Errorf("parts = %q, want %q", parts, tt.wantParts)
						}
					} else if tt.want != http.StatusRequestedRangeNotSatisfiable && got != tt.wantBody {
						t.Errorf("body = %q, want %q", got, tt.wantBody)
					}
					// The recorder leaves the length of an error page to
					// the server, which counts it.
					if cl := res.Header.Get("Content-Length"); cl != strconv.Itoa(len(got)) && (cl != "" || tt.want != http.StatusRequestedRangeNotSatisfiable) {
						t.Errorf("Content-Length = %q with a %d-byte body", cl, len(got))
					}
				})
			}
			t.Run("range of a variant", func(t *testing.T) {
				res := f.get(mainHost, "/app.js", "Range", "bytes=0-3", "Accept-Encoding", "gzip")
				if got := body(t, res); res.StatusCode != http.StatusPartialContent || got != "GZIP" {
					t.Fatalf("GET = %d %q, want 206 %q", res.StatusCode, got, "GZIP")
				}
				checkHeaders(t, res.Header, http.Header{
					"Content-Type":     {"text/javascript; charset=utf-8"},
					"Content-Range":    {"bytes 0-3/12"},
					"Content-Length":   {"4"},
					"Content-Encoding": {"gzip"},
					"Vary":             {"Accept-Encoding"},
					"Etag":             {etag("GZIP(app.js)")},
					"Cache-Control":    {"public, max-age=0, must-revalidate, s-maxage=5"},
					"Last-Modified":    {createTime.Format(http.TimeFormat)},
					"Accept-Ranges":    {"bytes"},
				})
			})
		})
	}
}

// multiparts returns the parts of a multipart/byteranges body.
func multiparts(t *testing.T, res *http.Response, body string) []string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/byteranges" {
		t.Fatalf("Content-Type = %q, want multipart/byteranges", res.Header.Get("Content-Type"))
	}
	var parts []string
	mr := multipart.NewReader(strings.NewReader(body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return parts
		} else if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, string(b))
	}
}

func TestCompression(t *testing.T) {
	tests := []struct {
		name, target, accept string
		wantEncoding         string
		wantBody             string
		wantVary             bool
	}{
		{"br preferred", "/app.js", "gzip, deflate, br", "br", "BR(app.js)", true},
		{"gzip", "/app.js", "gzip", "gzip", "GZIP(app.js)", true},
		{"br refused", "/app.js", "br;q=0, gzip", "gzip", "GZIP(app.js)", true},
		{"everything refused", "/app.js", "br;q=0, gzip;q=0", "", "console.log('app');", true},
		{"no Accept-Encoding", "/app.js", "", "", "console.log('app');", true},
		{"identity", "/app.js", "identity", "", "console.log('app');", true},
		{"br but only gzip stored", "/style.css", "br", "", "body{}", true},
		{"gzip stored", "/style.css", "br, gzip", "gzip", "GZIP(style.css)", true},
		{"no variants", "/about", "br, gzip", "", "<h1>about</h1>", false},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			f := newSite(t, be.blobs(t), be.cfg)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					var hdr []string
					if tt.accept != "" {
						hdr = []string{"Accept-Encoding", tt.accept}
					}
					res := f.get(mainHost, tt.target, hdr...)
					if got := body(t, res); res.StatusCode != http.StatusOK || got != tt.wantBody {
						t.Fatalf("GET = %d %q, want 200 %q", res.StatusCode, got, tt.wantBody)
					}
					if got := res.Header.Get("Content-Encoding"); got != tt.wantEncoding {
						t.Errorf("Content-Encoding = %q, want %q", got, tt.wantEncoding)
					}
					if got := res.Header.Get("Vary"); got != map[bool]string{true: "Accept-Encoding"}[tt.wantVary] {
						t.Errorf("Vary = %q", got)
					}
					if got := res.Header.Get("Etag"); got != etag(tt.wantBody) {
						t.Errorf("ETag = %q, want the served variant's %q", got, etag(tt.wantBody))
					}
					if got := res.Header.Get("Content-Length"); got != strconv.Itoa(len(tt.wantBody)) {
						t.Errorf("Content-Length = %q, want %d", got, len(tt.wantBody))
					}
				})
			}
		})
	}
}

func TestBodyPaths(t *testing.T) {
	t.Run("small files are read once", func(t *testing.T) {
		f := newSite(t, newDirBlobs(t), Config{})
		for range 3 {
			if got := body(t, f.get(mainHost, "/about")); got != "<h1>about</h1>" {
				t.Fatalf("body = %q", got)
			}
		}
		if n := f.blobs.opens(); n != 1 {
			t.Errorf("blob opens = %d, want 1", n)
		}
	})
	t.Run("files of SmallFileBytes are held in memory", func(t *testing.T) {
		f := newSite(t, newDirBlobs(t), Config{SmallFileBytes: int64(len("<h1>about</h1>"))})
		for range 2 {
			body(t, f.get(mainHost, "/about"))
		}
		for range 2 {
			body(t, f.get(mainHost, "/data.bin"))
		}
		if n := f.blobs.opens(); n != 3 {
			t.Errorf("blob opens = %d, want 1 for the small file and 2 for the large one", n)
		}
	})
	t.Run("large files are opened per request", func(t *testing.T) {
		f := newSite(t, newDirBlobs(t), Config{SmallFileBytes: 1})
		for range 3 {
			body(t, f.get(mainHost, "/about"))
		}
		if n := f.blobs.opens(); n != 3 {
			t.Errorf("blob opens = %d, want 3", n)
		}
	})
	t.Run("large files reach the writer as an *os.File", func(t *testing.T) {
		f := newSite(t, newDirBlobs(t), Config{SmallFileBytes: 1})
		w := &readerFromRecorder{ResponseRecorder: httptest.NewRecorder()}
		r := httptest.NewRequest(http.MethodGet, "/data.bin", nil)
		r.Host = mainHost
		f.srv.ServeHTTP(w, r)
		if w.Body.String() != "0123456789abcdefghij" {
			t.Fatalf("body = %q", w.Body.String())
		}
		lr, ok := w.src.(*io.LimitedReader)
		if !ok {
			t.Fatalf("ReadFrom got %T, want *io.LimitedReader of *os.File", w.src)
		}
		if _, ok := lr.R.(*os.File); !ok {
			t.Errorf("ReadFrom got a LimitedReader of %T, want *os.File (sendfile)", lr.R)
		}
	})
	t.Run("memory is bounded by MemoryBytes", func(t *testing.T) {
		// Room for one of the two files at a time.
		f := newSite(t, newMemBlobs(), Config{MemoryBytes: 20})
		for _, target := range []string{"/about", "/about", "/", "/", "/about"} {
			want := "<h1>about</h1>"
			if target == "/" {
				want = "<h1>home</h1>"
			}
			if got := body(t, f.get(mainHost, target)); got != want {
				t.Fatalf("GET %s = %q, want %q", target, got, want)
			}
		}
		if n := f.blobs.opens(); n != 3 {
			t.Errorf("blob opens = %d, want 3 (about, home, about again)", n)
		}
	})
}

// readerFromRecorder records what the server hands to ReadFrom: the
// standard library's connection uses sendfile when it is an *os.File.
type readerFromRecorder struct {
	*httptest.ResponseRecorder
	src io.Reader
}

func (w *readerFromRecorder) ReadFrom(src io.Reader) (int64, error) {
	w.src = src
	return io.Copy(w.ResponseRecorder, src)
}

// TestOverTCP serves through a real connection, where HEAD bodies are
// dropped and large files go out by sendfile.
func TestOverTCP(t *testing.T) {
	large := make([]byte, 1<<20)
	if _, err := rand.Read(large); err != nil {
		t.Fatal(err)
	}
	largeGzip := large[:300<<10]
	f := newFixture(t, newDirBlobs(t), Config{SmallFileBytes: 64 << 10})
	f.deployment("dep1", map[string]spec{
		"/index.html": {body: "<h1>home</h1>", contentType: "text/html"},
		"/large.bin":  {body: string(large), contentType: "application/octet-stream", gzip: string(largeGzip)},
	})
	f.branch(pier.Branch{Name: "main", DeploymentID: "dep1"})
	ts := httptest.NewServer(f.srv)
	t.Cleanup(ts.Close)
	client := ts.Client()
	client.Transport.(*http.Transport).DisableCompression = true

	do := func(method, target string, headers ...string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, ts.URL+target, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = mainHost
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, b
	}
	tests := []struct {
		name, method, target string
		headers              []string
		want                 int
		wantBody             []byte
		wantLength           int
	}{
		{"large file", http.MethodGet, "/large.bin", nil, http.StatusOK, large, len(large)},
		{"large variant", http.MethodGet, "/large.bin", []string{"Accept-Encoding", "gzip"}, http.StatusOK, largeGzip, len(largeGzip)},
		{"large range", http.MethodGet, "/large.bin", []string{"Range", "bytes=1000-1999"}, http.StatusPartialContent, large[1000:2000], 1000},
		{"HEAD large file", http.MethodHead, "/large.bin", nil, http.StatusOK, nil, len(large)},
		{"HEAD large variant", http.MethodHead, "/large.bin", []string{"Accept-Encoding", "gzip"}, http.StatusOK, nil, len(largeGzip)},
		{"HEAD small file", http.MethodHead, "/", nil, http.StatusOK, nil, len("<h1>home</h1>")},
		{"small file", http.MethodGet, "/", nil, http.StatusOK, []byte("<h1>home</h1>"), len("<h1>home</h1>")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, got := do(tt.method, tt.target, tt.headers...)
			if res.StatusCode != tt.want {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.want)
			}
			if !bytes.Equal(got, tt.wantBody) {
				t.Errorf("body: %d bytes, want %d", len(got), len(tt.wantBody))
			}
			if res.ContentLength != int64(tt.wantLength) {
				t.Errorf("Content-Length = %d, want %d", res.ContentLength, tt.wantLength)
			}
			if len(res.TransferEncoding) > 0 {
				t.Errorf("Transfer-Encoding = %q, want a plain body", res.TransferEncoding)
			}
		})
	}
}

// TestPlainRequestsMatchServeContent checks that the direct path for plain
// requests of in-memory files sends what http.ServeContent sends (a
// non-matching If-None-Match forces ServeContent without changing the
// outcome).
func TestPlainRequestsMatchServeContent(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			f := newSite(t, be.blobs(t), be.cfg)
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				for _, target := range []string{"/", "/app.js", "/style.css", "/data.bin"} {
					for _, accept := range []string{"", "gzip", "br, gzip"} {
						t.Run(method+" "+target+" "+accept, func(t *testing.T) {
							direct := f.do(method, mainHost, target, "Accept-Encoding", accept)
							served := f.do(method, mainHost, target, "Accept-Encoding", accept, "If-None-Match", `"nomatch"`)
							if direct.StatusCode != http.StatusOK || served.StatusCode != http.StatusOK {
								t.Fatalf("status = %d and %d, want 200", direct.StatusCode, served.StatusCode)
							}
							checkHeaders(t, direct.Header, served.Header)
							if a, b := body(t, direct), body(t, served); a != b {
								t.Errorf("bodies differ: %q and %q", a, b)
							}
						})
					}
				}
			}
		})
	}
}
