package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// versionedSite returns a site of version v: every body names its path and
// the version throughout, so a body mixed from two versions, or cut short,
// matches neither. Sizes span in-memory files, precompressed text and a file
// above the edge's in-memory limit (256 KiB), served from disk.
func versionedSite(v string) files {
	body := func(path string, size int) string {
		line := fmt.Sprintf("%s %s %s\n", path, v, strings.Repeat(v, 8))
		return strings.Repeat(line, size/len(line)+1)
	}
	site := files{
		"index.html":        "<!DOCTYPE html><title>" + v + "</title>" + body("index.html", 2000),
		"assets/app.css":    body("assets/app.css", 40_000),
		"assets/app.js":     body("assets/app.js", 100),
		"media/large.txt":   body("media/large.txt", 400_000),
		"docs/index.html":   body("docs/index.html", 5000),
		"docs/unused.html":  body("docs/unused.html", 5000),
		"fonts/font.woff2":  body("fonts/font.woff2", 3000),
		"img/unused-a.svg":  body("img/unused-a.svg", 700),
		"img/unused-b.webp": body("img/unused-b.webp", 700),
	}
	return site
}

// TestDeployAtomicSwap deploys v2 while clients hammer v1: every response
// is the whole of v1's or v2's file (never a mix, a 404 or a 5xx), and once
// the job has succeeded the site turns to v2.
func TestDeployAtomicSwap(t *testing.T) {
	t.Parallel()
	s := startDeployServer(t)
	appID := newSite(t, s, "swap")
	v1, v2 := versionedSite("v1"), versionedSite("v2")
	s.deploy(t, appID, v1)
	s.wantServed(t, appID, v1)

	// URL path → the file it serves.
	paths := map[string]string{"/": "index.html", "/assets/app.css": "assets/app.css", "/media/large.txt": "media/large.txt", "/docs/": "docs/index.html"}
	type tally struct{ v1, v2 atomic.Int64 }
	var (
		counts   = map[string]*tally{}
		stop     = make(chan struct{})
		started  sync.WaitGroup
		wg       sync.WaitGroup
		mu       sync.Mutex
		failures []string
	)
	for p := range paths {
		counts[p] = &tally{}
	}
	fail := func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 20 {
			failures = append(failures, msg)
		}
	}
	for g := range 4 {
		started.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Half the clients take the precompressed variants (the
			// transport asks for gzip and decodes it), half the files as
			// stored.
			var header http.Header
			if g%2 == 1 {
				header = http.Header{"Accept-Encoding": {"identity"}}
			}
			first := true
			for {
				for _, p := range sortedKeys(paths) {
					r, err := edgeGet(t, s.EdgeURL, appID, p, header)
					switch name := paths[p]; {
					case err != nil:
						fail(fmt.Sprintf("GET %s: %v", p, err))
					case r.Status != http.StatusOK:
						fail(fmt.Sprintf("GET %s: status %d", p, r.Status))
					case string(r.Body) == v1[name]:
						counts[p].v1.Add(1)
					case string(r.Body) == v2[name]:
						counts[p].v2.Add(1)
					default:
						fail(fmt.Sprintf("GET %s: %d bytes that are neither v1's (%d) nor v2's (%d): %q", p, len(r.Body), len(v1[name]), len(v2[name]), clip(r.Body)))
					}
				}
				if first {
					first = false
					started.Done()
				}
				select {
				case <-stop:
					return
				default:
				}
			}
		}()
	}
	started.Wait() // every client has read the whole site at least once
	s.deploy(t, appID, v2)
	// The site turns to v2: poll until every path serves it.
	deadline := time.Now().Add(jobTimeout)
	for p, name := range paths {
		for {
			r := s.get(t, appID, p, nil)
			if r.Status == http.StatusOK && string(r.Body) == v2[name] {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s still serves %d %q after v2 succeeded", p, r.Status, clip(r.Body))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// Let each client go round the site once more, then stop them.
	var before int64
	for _, c := range counts {
		before += c.v1.Load() + c.v2.Load()
	}
	for {
		var now int64
		for _, c := range counts {
			now += c.v1.Load() + c.v2.Load()
		}
		mu.Lock()
		failed := len(failures) > 0
		mu.Unlock()
		if now >= before+int64(4*len(paths)) || failed {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()

	for _, f := range failures {
		t.Error(f)
	}
	for p, c := range counts {
		t.Logf("%s: %d responses of v1, %d of v2", p, c.v1.Load(), c.v2.Load())
		if c.v1.Load() == 0 {
			t.Errorf("%s: no response of v1 was seen", p)
		}
	}
	s.wantServed(t, appID, v2)
}
