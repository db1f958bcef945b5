package edge

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

// fakeClock is a settable clock for the site cache.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// twoDeployments returns a fixture whose branch "main" serves deployment
// "v1" ("/" is "one"); deployment "v2" ("/" is "two") is stored but not live.
func twoDeployments(t *testing.T, cfg Config) (*fixture, *fakeClock) {
	f := newFixture(t, newMemBlobs(), cfg)
	clock := &fakeClock{now: time.Unix(1e9, 0)}
	f.srv.sites.now = clock.Now
	f.deployment("v1", map[string]spec{"/index.html": {body: "one"}})
	f.deployment("v2", map[string]spec{"/index.html": {body: "two"}})
	f.branch(pier.Branch{Name: "main", DeploymentID: "v1"})
	return f, clock
}

func TestInvalidate(t *testing.T) {
	f, _ := twoDeployments(t, Config{})
	if got := body(t, f.get(mainHost, "/")); got != "one" {
		t.Fatalf("before publish: %q", got)
	}
	f.store.publish(appID, "main", "v2")
	if got := body(t, f.get(mainHost, "/")); got != "one" {
		t.Fatalf("within SiteTTL, before Invalidate: %q, want the cached %q", got, "one")
	}
	f.srv.Invalidate(appID)
	if got := body(t, f.get(mainHost, "/")); got != "two" {
		t.Fatalf("after Invalidate: %q, want %q", got, "two")
	}
	t.Run("app changes", func(t *testing.T) {
		f.store.putApp(pier.App{AccountID: account, ID: appID, EnableBasicAuth: true, BasicAuthCredentials: "dTpw"})
		f.srv.Invalidate(strings.ToUpper(appID))
		if res := f.get(mainHost, "/"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("after enabling basic auth: %d, want 401", res.StatusCode)
		}
	})
	t.Run("app deletion", func(t *testing.T) {
		f.store.mu.Lock()
		delete(f.store.apps, appID)
		f.store.mu.Unlock()
		f.srv.Invalidate(appID)
		if res := f.get(mainHost, "/"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("after deleting the app: %d, want 404", res.StatusCode)
		}
	})
}

func TestSiteTTL(t *testing.T) {
	f, clock := twoDeployments(t, Config{SiteTTL: 10 * time.Second})
	body(t, f.get(mainHost, "/"))
	f.store.publish(appID, "main", "v2")

	clock.advance(9 * time.Second)
	if got := body(t, f.get(mainHost, "/")); got != "one" {
		t.Fatalf("before SiteTTL: %q, want %q", got, "one")
	}
	if n := f.store.findApps.Load(); n != 1 {
		t.Errorf("FindApp calls within SiteTTL = %d, want 1", n)
	}
	clock.advance(time.Second)
	if got := body(t, f.get(mainHost, "/")); got != "two" {
		t.Fatalf("after SiteTTL: %q, want %q", got, "two")
	}
	if n := f.store.findApps.Load(); n != 2 {
		t.Errorf("FindApp calls = %d, want 2", n)
	}
	clock.advance(time.Hour)
	f.store.publish(appID, "main", "v1")
	if got := body(t, f.get(mainHost, "/")); got != "one" {
		t.Fatalf("switching back: %q, want %q", got, "one")
	}
	if n := f.store.getDeployments.Load(); n != 2 {
		t.Errorf("GetDeployment calls = %d, want 2: deployments are cached by id", n)
	}
}

func TestUnknownAppsAreCached(t *testing.T) {
	f, clock := twoDeployments(t, Config{})
	for range 3 {
		if res := f.get("main.d9nope."+base, "/"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("status = %d, want 404", res.StatusCode)
		}
	}
	if n := f.store.findApps.Load(); n != 1 {
		t.Errorf("FindApp calls = %d, want 1", n)
	}
	clock.advance(DefaultSiteTTL)
	f.get("main.d9nope."+base, "/")
	if n := f.store.findApps.Load(); n != 2 {
		t.Errorf("FindApp calls after SiteTTL = %d, want 2", n)
	}
}

func TestBurstLoadsOnce(t *testing.T) {
	f, _ := twoDeployments(t, Config{})
	gate := make(chan struct{})
	f.store.mu.Lock()
	f.store.gate = gate
	f.store.mu.Unlock()

	const n = 50
	var wg sync.WaitGroup
	var ok atomic.Int64
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if res := f.get(mainHost, "/"); res.StatusCode == http.StatusOK {
				ok.Add(1)
			}
		}()
	}
	// Wait for the first load to reach the store, give the rest time to
	// pile up behind it, then let it finish.
	for f.store.findApps.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(gate)
	wg.Wait()
	if ok.Load() != n {
		t.Errorf("%d of %d requests succeeded", ok.Load(), n)
	}
	if got := f.store.findApps.Load(); got != 1 {
		t.Errorf("FindApp calls = %d, want 1", got)
	}
	if got := f.store.getDeployments.Load(); got != 1 {
		t.Errorf("GetDeployment calls = %d, want 1", got)
	}
}

// TestConcurrentPublishes serves many requests while deployments switch and
// Invalidate runs; every response must be entirely one deployment's.
func TestConcurrentPublishes(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			cfg := be.cfg
			cfg.MemoryBytes = 8 << 10 // small enough to evict while serving
			f := newFixture(t, be.blobs(t), cfg)
			const versions = 8
			for v := range versions {
				f.deployment(fmt.Sprint("v", v), map[string]spec{
					"/index.html": {body: strings.Repeat(fmt.Sprintf("v%d ", v), 500), contentType: "text/html"},
					"/app.js": {
						body: strings.Repeat(fmt.Sprintf("js%d ", v), 900),
						gzip: strings.Repeat(fmt.Sprintf("gz%d ", v), 300),
						br:   strings.Repeat(fmt.Sprintf("br%d ", v), 200),
					},
				})
			}
			f.branch(pier.Branch{Name: "main", DeploymentID: "v0"})

			stop := make(chan struct{})
			var publisher sync.WaitGroup
			publisher.Add(1)
			go func() {
				defer publisher.Done()
				for i := 1; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					f.store.publish(appID, "main", fmt.Sprint("v", i%versions))
					f.srv.Invalidate(appID)
				}
			}()

			var wg sync.WaitGroup
			var seen sync.Map // deployment tokens served
			errs := make(chan error, 16)
			for g := range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					targets := []string{"/", "/app.js"}
					encodings := []string{"", "gzip", "br"}
					for i := range 200 {
						target, enc := targets[(g+i)%2], encodings[(g+i)%3]
						var hdr []string
						if enc != "" {
							hdr = []string{"Accept-Encoding", enc}
						}
						res := f.get(mainHost, target, hdr...)
						got := body(t, res)
						if err := oneVersion(res, got); err != nil {
							errs <- fmt.Errorf("GET %s (%s): %w", target, enc, err)
							return
						}
						token, _, _ := strings.Cut(got, " ")
						seen.Store(token[len(token)-1:], true)
					}
				}()
			}
			wg.Wait()
			close(stop)
			publisher.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			n := 0
			seen.Range(func(any, any) bool { n++; return true })
			if n < 2 {
				t.Errorf("requests saw %d deployment(s), want the switches to show", n)
			}
		})
	}
}

// oneVersion checks that a body is made of one repeated token ("v3 ",
// "gz5 ", …) and matches its ETag.
func oneVersion(res *http.Response, body string) error {
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	token, _, _ := strings.Cut(body, " ")
	if token == "" || strings.ReplaceAll(body, token+" ", "") != "" {
		return fmt.Errorf("body mixes versions: %.40q…", body)
	}
	if res.Header.Get("Etag") != etag(body) {
		return fmt.Errorf("ETag %s does not match the body", res.Header.Get("Etag"))
	}
	return nil
}

func TestSplitHost(t *testing.T) {
	const suffix = ".pier.test"
	tests := []struct {
		name, host   string
		label, appID string
		ok           bool
	}{
		{"branch host", "main.d1app.pier.test", "main", "d1app", true},
		{"port ignored", "main.d1app.pier.test:8751", "main", "d1app", true},
		{"case ignored", "Main.D1App.PIER.test", "main", "d1app", true},
		{"trailing dot", "main.d1app.pier.test.", "main", "d1app", true},
		{"trailing dot and port", "main.d1app.pier.test.:80", "main", "d1app", true},
		{"bare app host", "d1app.pier.test", "", "", false},
		{"base domain", "pier.test", "", "", false},
		{"too many labels", "a.main.d1app.pier.test", "", "", false},
		{"empty label", ".d1app.pier.test", "", "", false},
		{"empty app", "main..pier.test", "", "", false},
		{"other domain", "main.d1app.example.com", "", "", false},
		{"suffix without dot", "main.d1apppier.test", "", "", false},
		{"ipv6", "[::1]:8751", "", "", false},
		{"empty", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			label, app, ok := splitHost(tt.host, suffix)
			if label != tt.label || app != tt.appID || ok != tt.ok {
				t.Errorf("splitHost(%q) = %q, %q, %v; want %q, %q, %v", tt.host, label, app, ok, tt.label, tt.appID, tt.ok)
			}
		})
	}
}

func TestCacheControl(t *testing.T) {
	tests := []struct{ name, ttl, want string }{
		{"default ttl", pier.DefaultTTL, "public, max-age=0, must-revalidate, s-maxage=5"},
		{"zero", "0", "public, max-age=0, must-revalidate, s-maxage=0"},
		{"leading zeros", "0600", "public, max-age=0, must-revalidate, s-maxage=600"},
		{"capped at a year", "99999999999", "public, max-age=0, must-revalidate, s-maxage=31536000"},
		{"unset", "", "public, max-age=0, must-revalidate"},
		{"not a number", "5s", "public, max-age=0, must-revalidate"},
		{"negative", "-1", "public, max-age=0, must-revalidate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cacheControl(tt.ttl); got != tt.want {
				t.Errorf("cacheControl(%q) = %q, want %q", tt.ttl, got, tt.want)
			}
		})
	}
}
