package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

var secret = []byte("s3cret")

// sampleEvent is a failed build as the runner reports it.
func sampleEvent() Event {
	return Event{
		Type: JobFailed, AccountID: "123456789012", AppID: "d1a2b3c4d5e6f7", BranchName: "main",
		JobID: "7", JobType: "RELEASE", Status: "FAILED", StatusReason: "Command npm run build exited with status 1.",
		CommitID: "0123456789abcdef0123456789abcdef01234567", CommitMessage: "Fix the footer",
		URL: "http://main.d1a2b3c4d5e6f7.localhost:8751/", Time: time.Date(2026, 11, 21, 8, 30, 0, 0, time.UTC),
	}
}

// receiver is a webhook receiver whose answers the test scripts: it answers
// each request with the next status of script, then 200.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	script []int
	got    []request
}

// request is what a receiver got.
type request struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, script ...int) *receiver {
	rc := &receiver{script: script}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.got = append(rc.got, request{r.Header.Clone(), body})
		status := http.StatusOK
		if len(rc.script) > 0 {
			status, rc.script = rc.script[0], rc.script[1:]
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) requests() []request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]request(nil), rc.got...)
}

// fakeSleep records the waits between attempts without waiting.
type fakeSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waits = append(f.waits, d)
	return ctx.Err()
}

// newNotifier returns a Notifier posting to urls with instant retries,
// closed at the end of the test.
func newNotifier(t *testing.T, cfg Config) (*Notifier, *fakeSleep) {
	t.Helper()
	fs := &fakeSleep{}
	cfg.Secret, cfg.Sleep, cfg.Logger = secret, fs.sleep, slog.New(slog.DiscardHandler)
	n := New(cfg)
	t.Cleanup(func() { _ = n.Close(context.Background()) })
	return n, fs
}

// drain closes n, waiting for its deliveries, and returns their records.
func drain(t *testing.T, n *Notifier) []Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := n.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return n.Deliveries()
}

func TestDeliverySignedJSON(t *testing.T) {
	rc := newReceiver(t)
	n, _ := newNotifier(t, Config{URLs: []string{rc.srv.URL + "/hook"}})
	n.Notify(sampleEvent())
	ds := drain(t, n)
	reqs := rc.requests()
	if len(reqs) != 1 || len(ds) != 1 {
		t.Fatalf("got %d requests and %d records, want 1 each", len(reqs), len(ds))
	}
	h, body := reqs[0].header, reqs[0].body
	if !Verify(secret, body, h.Get(HeaderSignature)) {
		t.Errorf("signature %q does not verify", h.Get(HeaderSignature))
	}
	if Verify([]byte("other"), body, h.Get(HeaderSignature)) {
		t.Error("signature verifies with another secret")
	}
	for name, want := range map[string]string{"Content-Type": "application/json", HeaderEvent: JobFailed, HeaderDelivery: ds[0].ID} {
		if got := h.Get(name); got != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
	if d := ds[0]; d.Attempts != 1 || d.Status != http.StatusOK || d.Error != "" || d.Event.Type != JobFailed {
		t.Errorf("record = %+v, want one successful attempt", d)
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, body, "", "  "); err != nil {
		t.Fatal(err)
	}
	golden(t, "event.json", indented.String()+"\n")
}

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name         string
		script       []int
		wantAttempts int
		wantStatus   int
		wantErr      string
	}{
		{"500s then success", []int{500, 502}, 3, 200, ""},
		{"429 is retried", []int{429}, 2, 200, ""},
		{"400 is final", []int{400}, 1, 400, "400 Bad Request"},
		{"404 is final", []int{404}, 1, 404, "404 Not Found"},
		{"redirect is final", []int{302}, 1, 302, "302 Found"},
		{"gives up after the retries", []int{503, 503, 503, 503}, 3, 503, "503 Service Unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, tt.script...)
			n, fs := newNotifier(t, Config{URLs: []string{rc.srv.URL}, Retries: 2, Backoff: time.Second})
			n.Notify(sampleEvent())
			ds := drain(t, n)
			d := ds[0]
			if d.Attempts != tt.wantAttempts || d.Status != tt.wantStatus || !strings.Contains(d.Error, tt.wantErr) || (tt.wantErr == "") != (d.Error == "") {
				t.Errorf("record = %d attempts, status %d, error %q; want %d, %d, %q", d.Attempts, d.Status, d.Error, tt.wantAttempts, tt.wantStatus, tt.wantErr)
			}
			if len(rc.requests()) != tt.wantAttempts || len(fs.waits) != tt.wantAttempts-1 {
				t.Errorf("%d requests, %d waits; want %d and %d", len(rc.requests()), len(fs.waits), tt.wantAttempts, tt.wantAttempts-1)
			}
			for _, r := range rc.requests() {
				if id := r.header.Get(HeaderDelivery); id != d.ID {
					t.Errorf("attempt with delivery id %q, want %q on every attempt", id, d.ID)
				}
			}
		})
	}
}

func TestNetworkErrorRetried(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	n, _ := newNotifier(t, Config{URLs: []string{url}, Retries: 3})
	n.Notify(sampleEvent())
	d := drain(t, n)[0]
	if d.Attempts != 4 || d.Status != 0 || d.Error == "" {
		t.Errorf("record = %+v, want 4 attempts that found no server", d)
	}
}

func TestBackoff(t *testing.T) {
	n := &Notifier{cfg: Config{Backoff: time.Second, MaxBackoff: 10 * time.Second}}
	for attempt, want := range []time.Duration{1: time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second, 63: 10 * time.Second} {
		if attempt == 0 || want == 0 {
			continue
		}
		for range 20 {
			if got := n.backoff(attempt); got < want/2 || got > want {
				t.Errorf("backoff(%d) = %s, want between %s and %s", attempt, got, want/2, want)
			}
		}
	}
}

func TestEveryURL(t *testing.T) {
	a, b := newReceiver(t), newReceiver(t, 500)
	n, _ := newNotifier(t, Config{URLs: []string{a.srv.URL, b.srv.URL}})
	n.Notify(sampleEvent())
	ds := drain(t, n)
	if len(ds) != 2 || len(a.requests()) != 1 || len(b.requests()) != 2 {
		t.Fatalf("%d records, %d and %d requests; want 2, 1 and 2", len(ds), len(a.requests()), len(b.requests()))
	}
	if ds[0].ID == ds[1].ID {
		t.Error("two URLs got the same delivery id")
	}
}
