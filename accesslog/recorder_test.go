package accesslog

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/blob/fsblob"
)

// site is a handler standing in for the edge: a file with ranges, a
// redirect, a 404 and a streamed body.
func site() http.Handler {
	mux := http.NewServeMux()
	body := strings.Repeat("0123456789", 100)
	mux.HandleFunc("/file.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		http.ServeContent(w, r, "", time.Unix(0, 0), strings.NewReader(body))
	})
	mux.HandleFunc("/about", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/about/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for range 3 {
			_, _ = io.WriteString(w, "data: x\n\n")
			http.NewResponseController(w).Flush()
		}
	})
	return mux
}

func newStore(t *testing.T) *fsblob.Store {
	t.Helper()
	s, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// exportAll returns every record of app in the last hour, in order.
func exportAll(t *testing.T, blobs pier.BlobStore, app, domain string) []Record {
	t.Helper()
	var out []Record
	now := time.Now()
	_, err := Export(t.Context(), blobs, app, Filter{Start: now.Add(-time.Hour), End: now.Add(time.Minute), Domain: domain}, func(r *Record) error {
		out = append(out, *r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRecorder(t *testing.T) {
	blobs := newStore(t)
	rec := New(Config{Blobs: blobs, AppOf: DefaultDomainApp("localhost"), Node: "test node", FlushInterval: 10 * time.Millisecond})
	srv := httptest.NewServer(rec.Wrap(site()))
	defer srv.Close()

	type req struct {
		host, path string
		header     map[string]string
	}
	reqs := []req{
		{"main.d1app.localhost", "/file.txt?x=1", map[string]string{"User-Agent": "UA, with \"quotes\"", "Referer": "https://ref.example/", "Cookie": "k=v", "X-Forwarded-For": "203.0.113.1"}},
		{"main.d1app.localhost", "/file.txt", map[string]string{"Range": "bytes=10-19"}},
		{"dev.d1app.localhost", "/about", nil},
		{"main.d1app.localhost", "/missing", nil},
		{"main.d1app.localhost", "/stream", nil},
		{"main.d2other.localhost", "/file.txt", nil},
		{"unknown.example.com", "/file.txt", nil}, // no app: not recorded
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, q := range reqs {
		r, _ := http.NewRequest(http.MethodGet, srv.URL+q.path, nil)
		r.Host = q.host
		for k, v := range q.header {
			r.Header.Set(k, v)
		}
		resp, err := client.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	srv.Close()
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}

	got := exportAll(t, blobs, "d1app", "")
	type summary struct {
		Host, Path, Query, Method string
		Status                    int
		Body                      int64
		ContentType               string
		ContentLength             int64
		RangeStart, RangeEnd      int64
	}
	var sums []summary
	for _, r := range got {
		sums = append(sums, summary{r.Host(), r.Path, r.Query, r.Method, r.Status, 0, r.ContentType, r.ContentLength, r.RangeStart, r.RangeEnd})
	}
	want := []summary{
		{"main.d1app.localhost", "/file.txt", "x=1", "GET", 200, 0, "text/plain; charset=utf-8", 1000, -1, -1},
		{"main.d1app.localhost", "/file.txt", "", "GET", 206, 0, "text/plain; charset=utf-8", 10, 10, 19},
		{"dev.d1app.localhost", "/about", "", "GET", 301, 0, "text/html; charset=utf-8", -1, -1, -1},
		{"main.d1app.localhost", "/missing", "", "GET", 404, 0, "text/plain; charset=utf-8", -1, -1, -1},
		{"main.d1app.localhost", "/stream", "", "GET", 200, 0, "text/event-stream", -1, -1, -1},
	}
	if len(sums) != len(want) {
		t.Fatalf("%d records, want %d: %+v", len(sums), len(want), sums)
	}
	for i := range want {
		if sums[i] != want[i] {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, sums[i], want[i])
		}
	}
	first := got[0]
	if first.UserAgent != `UA, with "quotes"` || first.Referer != "https://ref.example/" || first.Cookie != "k=v" || first.ForwardedFor != "203.0.113.1" {
		t.Errorf("request headers: %+v", first)
	}
	if first.BytesSent <= 1000 || first.ClientIP != "127.0.0.1" || first.ClientPort == "" || first.Protocol != "http" || first.ProtocolVersion != "HTTP/1.1" {
		t.Errorf("connection fields: %+v", first)
	}
	if first.EdgeLocation != "test node" || first.RequestID == "" || first.RequestID == got[1].RequestID {
		t.Errorf("edge fields: location %q, ids %q %q", first.EdgeLocation, first.RequestID, got[1].RequestID)
	}
	if first.TimeToFirstByte > first.TimeTaken || first.RequestBytes <= 0 {
		t.Errorf("timings: ttfb %v, taken %v, request bytes %d", first.TimeToFirstByte, first.TimeTaken, first.RequestBytes)
	}
	if other := exportAll(t, blobs, "d2other", ""); len(other) != 1 {
		t.Errorf("app d2other: %d records, want 1", len(other))
	}
	if dev := exportAll(t, blobs, "d1app", "dev.d1app.localhost"); len(dev) != 1 || dev[0].Path != "/about" {
		t.Errorf("domain filter dev.d1app.localhost: %+v", dev)
	}
	if rec.Dropped() != 0 {
		t.Errorf("dropped %d", rec.Dropped())
	}
}

// TestExportOrderAndWindow writes segments across hours, out of order and
// from two nodes, and checks that Export merges them by time and keeps the
// window's bounds inclusive.
func TestExportOrderAndWindow(t *testing.T) {
	blobs := newStore(t)
	ctx := t.Context()
	base := time.Date(2025, 1, 1, 9, 59, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return base.Add(d) }
	put := func(node string, seq uint64, times ...time.Duration) {
		var b []byte
		for _, d := range times {
			r := Record{Time: at(d), HostHeader: "main.d1.localhost", Path: "/" + d.String(), Status: 200, ContentLength: -1, RangeStart: -1, RangeEnd: -1}
			b = r.AppendLine(b)
		}
		earliest := times[0]
		for _, d := range times {
			earliest = min(earliest, d)
		}
		if err := blobs.Put(ctx, SegmentKey("d1", at(earliest), node, seq), strings.NewReader(string(b))); err != nil {
			t.Fatal(err)
		}
	}
	// Node a's segment starts before 10:00 and runs past it.
	put("a", 1, 50*time.Second, 61*time.Second, 70*time.Second)
	put("b", 1, 55*time.Second, 59*time.Second)
	put("b", 2, 2*time.Minute, 62*time.Second)
	put("a", 2, 61*time.Minute+time.Second)
	for _, tc := range []struct {
		name       string
		start, end time.Duration
		want       []time.Duration
	}{
		{"all", 0, 2 * time.Hour, []time.Duration{50 * time.Second, 55 * time.Second, 59 * time.Second, 61 * time.Second, 62 * time.Second, 70 * time.Second, 2 * time.Minute, 61*time.Minute + time.Second}},
		{"inclusive bounds", 59 * time.Second, 70 * time.Second, []time.Duration{59 * time.Second, 61 * time.Second, 62 * time.Second, 70 * time.Second}},
		{"after the hour", time.Minute, time.Hour, []time.Duration{61 * time.Second, 62 * time.Second, 70 * time.Second, 2 * time.Minute}},
		{"empty", 3 * time.Hour, 4 * time.Hour, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []time.Duration
			n, err := Export(ctx, blobs, "d1", Filter{Start: at(tc.start), End: at(tc.end)}, func(r *Record) error {
				got = append(got, r.Time.Sub(base))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n != len(got) || len(got) != len(tc.want) {
				t.Fatalf("got %v (n=%d), want %v", got, n, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// slowStore blocks Put until released, as a blob store that stopped
// answering.
type slowStore struct {
	pier.BlobStore
	release chan struct{}
	once    sync.Once
}

func (s *slowStore) Put(ctx context.Context, key string, r io.Reader) error {
	<-s.release
	return s.BlobStore.Put(ctx, key, r)
}

// TestRecorderDropsWhenFull checks that a stuck blob store costs records,
// counted, and never blocks requests.
func TestRecorderDropsWhenFull(t *testing.T) {
	slow := &slowStore{BlobStore: newStore(t), release: make(chan struct{})}
	rec := New(Config{Blobs: slow, AppOf: func(string) string { return "d1" }, FlushInterval: time.Millisecond, MaxBufferedBytes: 4 << 10, Logger: nil})
	h := rec.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	const n = 200
	for range n {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "http://main.d1.localhost/x", nil))
	}
	if rec.Dropped() == 0 {
		t.Errorf("no record dropped with a 4 KiB buffer and a stuck store")
	}
	close(slow.release)
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	kept := exportAll(t, slow.BlobStore, "d1", "")
	if int64(len(kept))+rec.Dropped() != n {
		t.Errorf("kept %d + dropped %d != %d requests", len(kept), rec.Dropped(), n)
	}
}

func TestFollow(t *testing.T) {
	blobs := newStore(t)
	rec := New(Config{Blobs: blobs, AppOf: DefaultDomainApp("localhost"), FlushInterval: 5 * time.Millisecond})
	h := rec.Wrap(site())
	serve := func(path string) {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "http://main.d1.localhost"+path, nil))
	}
	serve("/before")
	// Wait for the flush of /before, so the tail's first pass sees it.
	for len(exportAll(t, blobs, "d1", "")) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	got := make(chan string, 10)
	errc := make(chan error, 1)
	go func() {
		errc <- Follow(ctx, blobs, "d1", "", time.Now().Add(-time.Minute), true, 5*time.Millisecond, time.Now, func(r *Record) error {
			got <- r.Path
			return nil
		})
	}()
	if p := <-got; p != "/before" {
		t.Fatalf("first record %s, want /before", p)
	}
	serve("/after1")
	serve("/after2")
	for _, want := range []string{"/after1", "/after2"} {
		if p := <-got; p != want {
			t.Fatalf("record %s, want %s", p, want)
		}
	}
	cancel()
	if err := <-errc; err != context.Canceled {
		t.Errorf("Follow: %v, want context.Canceled", err)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
}
