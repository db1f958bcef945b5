package headers

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pier-hosting/pier"
)

// fuzzPaths are the paths FuzzParse applies a parsed document to.
var fuzzPaths = []string{"/", "/index.html", "/a/b/c.js", "/path/x.json", "/img/", "/é/?*"}

func FuzzParse(f *testing.F) {
	for _, doc := range []string{
		"", "null", "customHeaders:", doc21, docMonorepo, docSecurity, docCache,
		"customHeaders:\n  - pattern: '*'\n    headers: &h [{key: a, value: b}]\n  - {pattern: '/x/**', headers: *h}\n",
		"customHeaders: [{pattern: '*', headers: [{key: a, value: \"b\\nc\"}]}]\n",
		"applications:\n  - appRoot: a\n  - appRoot: a\n",
		"customHeaders:\n  - pattern: *.json\n",
	} {
		f.Add(doc, "")
		f.Add(doc, "app2")
	}
	f.Fuzz(func(t *testing.T, doc, appRoot string) {
		r, err := Parse(doc, appRoot)
		if err != nil {
			var e *pier.Error
			if !errors.As(err, &e) || e.Code != pier.EINVALID || !strings.HasPrefix(e.Message, "customHeaders") {
				t.Fatalf("Parse error %#v is not an EINVALID *pier.Error naming customHeaders", err)
			}
			return
		}
		for _, p := range fuzzPaths {
			for _, status := range []int{200, 404} {
				checkHeaders(t, r.Apply(p, status), status)
			}
			if ms := r.Matches(p); len(ms) > r.Len() {
				t.Fatalf("Matches(%q) returned %d of %d entries", p, len(ms), r.Len())
			}
		}
	})
}

// fuzzRules is the fixed rule set of FuzzApply: every kind of pattern.
var fuzzRules = []string{"**", "*.js", "/assets/**", "/img/*", "**/*", "/a/**/b/*.css", "/?x*y*", "/docs/*/index.html", "/", "*a*b"}

func FuzzApply(f *testing.F) {
	var doc strings.Builder
	doc.WriteString("customHeaders:\n")
	for i, p := range fuzzRules {
		doc.WriteString("  - pattern: '" + p + "'\n    headers:\n")
		doc.WriteString("      - {key: X-Rule, value: '" + p + "'}\n")
		if i%2 == 0 {
			doc.WriteString("      - {key: Cache-Control, value: '" + p + "'}\n")
		}
	}
	r, err := Parse(doc.String(), "")
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range []string{"/", "/a.js", "/assets", "/img/a.png", "/a/x/y/b/c.css", "/axby", "/docs/v1/index.html", "/ab", "", "/a//b"} {
		f.Add(p, 200)
		f.Add(p, 404)
	}
	f.Fuzz(func(t *testing.T, path string, status int) {
		hs := r.Apply(path, status)
		checkHeaders(t, hs, status)
		ms := r.Matches(path)
		if len(ms) == 0 != (hs == nil) {
			t.Fatalf("Apply(%q) = %v but Matches = %v", path, hs, ms)
		}
		if len(ms) > 0 {
			// X-Rule is set by every entry: the last match wins.
			if last := ms[len(ms)-1].Pattern; hs[0] != (Header{"X-Rule", last}) {
				t.Fatalf("Apply(%q)[0] = %v, want X-Rule %q", path, hs[0], last)
			}
		}
		if !strings.HasPrefix(path, "/") || len(path) > 200 || !utf8.ValidString(path) {
			return
		}
		for i, m := range ms {
			if !refMatch(m.Pattern, path) {
				t.Fatalf("pattern %q matched %q; the reference disagrees", m.Pattern, path)
			}
			if i > 0 && m.Index <= ms[i-1].Index {
				t.Fatalf("Matches out of order: %v", ms)
			}
		}
		if want := countRef(path); want != len(ms) {
			t.Fatalf("%d patterns match %q, the reference says %d", len(ms), path, want)
		}
	})
}

// countRef counts the patterns of fuzzRules the reference matches path with.
func countRef(path string) int {
	n := 0
	for _, p := range fuzzRules {
		if refMatch(p, path) {
			n++
		}
	}
	return n
}

// FuzzGlob checks the compiled matcher against the reference on arbitrary
// patterns and paths.
func FuzzGlob(f *testing.F) {
	for _, c := range [][2]string{{"**/*", "/"}, {"/a/**/b", "/a/x/b"}, {"*a*b", "/xaab"}, {"/?*/**/c*", "/é/c"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		if len(pattern) > 24 || len(path) > 48 || !utf8.ValidString(pattern) || !utf8.ValidString(path) || !strings.HasPrefix(path, "/") {
			return
		}
		g := compileGlob(pattern)
		if got, want := g.match(path, lastSegment(path)), refMatch(pattern, path); got != want {
			t.Fatalf("%q matching %q = %v, the reference says %v", pattern, path, got, want)
		}
	})
}

// checkHeaders checks what Apply must guarantee for any document: valid
// keys, each at most once, values without control characters, and no
// Cache-Control on a response that does not stand for a 200. It reports
// with t.Errorf, so it may run on any goroutine.
func checkHeaders(t *testing.T, hs []Header, status int) {
	t.Helper()
	seen := make(map[string]bool)
	for _, h := range hs {
		k := strings.ToLower(h.Key)
		switch {
		case !validKey(h.Key):
			t.Errorf("invalid key %q", h.Key)
		case seen[k]:
			t.Errorf("key %q twice in %v", h.Key, hs)
		case strings.ContainsFunc(h.Value, isControl):
			t.Errorf("control character in value %q", h.Value)
		case k == "cache-control" && status != 200 && status != 206 && status != 304:
			t.Errorf("Cache-Control on a %d response", status)
		}
		seen[k] = true
	}
}
