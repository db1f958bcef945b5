package rules

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pier-hosting/pier"
)

// matchCase is a request against a rule list, for a path that has no file.
type matchCase struct {
	name  string
	rules []pier.CustomRule
	req   Request
	want  Decision
}

func runMatchCases(t *testing.T, tests []matchCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := Compile(tt.rules)
			if ig := rs.Ignored(); len(ig) > 0 {
				t.Fatalf("Ignored() = %+v, want none", ig)
			}
			if diff := cmp.Diff(tt.want, pipeline(rs, tt.req, false)); diff != "" {
				t.Errorf("decision (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWildcard(t *testing.T) {
	docs := []pier.CustomRule{cr("/docs/<*>", "/d/<*>", "301")}
	all := []pier.CustomRule{cr("/<*>", "/all/<*>", "301")}
	runMatchCases(t, []matchCase{
		{"needs the slash before it", docs, Request{Path: "/docs"}, Decision{}},
		{"matches the empty rest", docs, Request{Path: "/docs/"}, redirect(0, 301, "/d/")},
		{"matches several segments", docs, Request{Path: "/docs/a/b/"}, redirect(0, 301, "/d/a/b/")},
		{"is case-sensitive", docs, Request{Path: "/Docs/a"}, Decision{}},
		{"root matches root", all, Request{Path: "/"}, redirect(0, 301, "/all/")},
		{"root matches everything", all, Request{Path: "/x/y.html"}, redirect(0, 301, "/all/x/y.html")},
		{"after literal text in the segment",
			[]pier.CustomRule{cr("/files/v-<*>", "/v/<*>", "302")},
			Request{Path: "/files/v-1.2/x"}, redirect(0, 302, "/v/1.2/x")},
		{"literal text before it must match",
			[]pier.CustomRule{cr("/files/v-<*>", "/v/<*>", "302")},
			Request{Path: "/files/w-1"}, Decision{}},
		{"with a query part",
			[]pier.CustomRule{cr("/docs/<*>?lang=<l>", "/<l>/<*>", "301")},
			Request{Path: "/docs/a", RawQuery: "lang=fr"}, redirect(0, 301, "/fr/a")},
		{"stays literal in the target of a regex rule",
			[]pier.CustomRule{cr("</^/old/>", "/new/<*>", "301")},
			Request{Path: "/old/a"}, redirect(0, 301, "/new/<*>")},
	})
}

func TestPlaceholders(t *testing.T) {
	one := []pier.CustomRule{cr("/docs/<id>", "/d/<id>", "301")}
	runMatchCases(t, []matchCase{
		{"one segment", one, Request{Path: "/docs/42"}, redirect(0, 301, "/d/42")},
		{"not an empty segment", one, Request{Path: "/docs/"}, Decision{}},
		{"not two segments", one, Request{Path: "/docs/4/2"}, Decision{}},
		{"not with a trailing slash", one, Request{Path: "/docs/42/"}, Decision{}},
		{"not between empty segments",
			[]pier.CustomRule{cr("/docs/<a>/x", "/d/<a>", "301")},
			Request{Path: "/docs//x"}, Decision{}},
		{"with literal text around it",
			[]pier.CustomRule{cr("/blog/<slug>.html", "/posts/<slug>", "301")},
			Request{Path: "/blog/hello.html"}, redirect(0, 301, "/posts/hello")},
		{"not empty between literal text",
			[]pier.CustomRule{cr("/blog/<slug>.html", "/posts/<slug>", "301")},
			Request{Path: "/blog/.html"}, Decision{}},
		{"mixed with <*>",
			[]pier.CustomRule{cr("/u/<id>/<*>", "/users/<id>/files/<*>", "302")},
			Request{Path: "/u/7/a/b"}, redirect(0, 302, "/users/7/files/a/b")},
		{"reused in the target",
			[]pier.CustomRule{cr("/<lang>/home", "/<lang>/index-<lang>.html", "200")},
			Request{Path: "/en/home"}, rewrite(0, "/en/index-en.html")},
		{"unknown in the target stays literal",
			[]pier.CustomRule{cr("/docs/<id>", "/d/<other>/<id>", "301")},
			Request{Path: "/docs/1"}, redirect(0, 301, "/d/<other>/1")},
		{"more than fit on the stack",
			[]pier.CustomRule{cr("/<a>/<b>/<c>/<d>/<e>/<f>/<g>/<h>/<i>/<j>", "/<j><i><h><g><f><e><d><c><b><a>", "301")},
			Request{Path: "/0/1/2/3/4/5/6/7/8/9"}, redirect(0, 301, "/9876543210")},
		{"a literal trailing slash is significant",
			[]pier.CustomRule{cr("/about/", "/a", "301")},
			Request{Path: "/about"}, Decision{}},
		{"a '<' that is not a placeholder is literal",
			[]pier.CustomRule{cr("/a<b", "/c", "301")},
			Request{Path: "/a<b"}, redirect(0, 301, "/c")},
	})
}

func TestEncoding(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"captures are escaped for the path",
			[]pier.CustomRule{cr("/<*>", "/x/<*>", "301")},
			Request{Path: "/a b/ü?#%&=+"}, redirect(0, 301, "/x/a%20b/%C3%BC%3F%23%25&=+")},
		{"escaped source paths are decoded",
			[]pier.CustomRule{cr("/a%20b", "/c", "301")},
			Request{Path: "/a b"}, redirect(0, 301, "/c")},
		{"escaped source segments are decoded",
			[]pier.CustomRule{cr("/%C3%BC/<x>", "/u/<x>", "301")},
			Request{Path: "/ü/1"}, redirect(0, 301, "/u/1")},
		{"a domain rule escapes the appended path",
			[]pier.CustomRule{cr("https://old.example", "https://new.example", "301")},
			Request{Host: "old.example", Path: "/a b"}, redirect(0, 301, "https://new.example/a%20b")},
		{"the forwarded query is kept as it is",
			[]pier.CustomRule{cr("/old", "/new", "301")},
			Request{Path: "/old", RawQuery: "q=a%20b&r"}, redirect(0, 301, "/new?q=a%20b&r")},
	})
}

func TestQuery(t *testing.T) {
	two := []pier.CustomRule{cr("/docs?id=<v>&lang=<l>", "/documents/<l>/<v>", "301")}
	runMatchCases(t, []matchCase{
		{"several parameters in any order, others allowed", two,
			Request{Path: "/docs", RawQuery: "lang=en&x=1&id=7"}, redirect(0, 301, "/documents/en/7")},
		{"every parameter is required", two, Request{Path: "/docs", RawQuery: "id=7"}, Decision{}},
		{"an empty value does not fill a placeholder", two,
			Request{Path: "/docs", RawQuery: "id=&lang=en"}, Decision{}},
		{"the first occurrence counts", two,
			Request{Path: "/docs", RawQuery: "id=1&lang=en&id=2"}, redirect(0, 301, "/documents/en/1")},
		{"values are decoded, then escaped for the path", two,
			Request{Path: "/docs", RawQuery: "id=a%2Fb+c&lang=en"}, redirect(0, 301, "/documents/en/a/b%20c")},
		{"a parameter that does not decode is skipped", two,
			Request{Path: "/docs", RawQuery: "id=%zz&lang=en&id=3"}, redirect(0, 301, "/documents/en/3")},
		{"the path must match too", two, Request{Path: "/docs/", RawQuery: "id=1&lang=en"}, Decision{}},
		{"values are escaped for the query",
			[]pier.CustomRule{cr("/find?q=<q>", "/search?q=<q>&src=old", "302")},
			Request{Path: "/find", RawQuery: "q=a%26b+c"}, redirect(0, 302, "/search?q=a%26b%20c&src=old")},
		{"a literal value must be equal",
			[]pier.CustomRule{cr("/docs?id=5", "/five", "301"), cr("/docs", "/other", "301")},
			Request{Path: "/docs", RawQuery: "id=6"}, redirect(1, 301, "/other?id=6")},
		{"a literal value matches",
			[]pier.CustomRule{cr("/docs?id=5", "/five", "301")},
			Request{Path: "/docs", RawQuery: "x=1&id=5"}, redirect(0, 301, "/five")},
		{"a bare key requires an empty value",
			[]pier.CustomRule{cr("/p?preview", "/draft", "302")},
			Request{Path: "/p", RawQuery: "preview"}, redirect(0, 302, "/draft")},
		{"a bare key does not match a value",
			[]pier.CustomRule{cr("/p?preview", "/draft", "302")},
			Request{Path: "/p", RawQuery: "preview=1"}, Decision{}},
		{"a query is not part of a regex match",
			[]pier.CustomRule{cr("</x=1/>", "/x", "301")},
			Request{Path: "/p", RawQuery: "x=1"}, Decision{}},
	})
}

func TestQueryForwarding(t *testing.T) {
	q := Request{Path: "/a", RawQuery: "x=1"}
	runMatchCases(t, []matchCase{
		{"redirect forwards", []pier.CustomRule{cr("/a", "https://b.example/c", "302")}, q,
			redirect(0, 302, "https://b.example/c?x=1")},
		{"redirect with a query source does not forward",
			[]pier.CustomRule{cr("/a?x=<v>", "/b", "301")}, q, redirect(0, 301, "/b")},
		{"redirect to a target with a query does not forward",
			[]pier.CustomRule{cr("/a", "/b?", "301")}, q, redirect(0, 301, "/b?")},
		{"redirect puts the query before the fragment",
			[]pier.CustomRule{cr("/a", "/b#top", "301")}, q, redirect(0, 301, "/b?x=1#top")},
		{"rewrite forwards", []pier.CustomRule{cr("/<*>", "/index.html", "200")}, q,
			rewrite(0, "/index.html?x=1")},
		{"rewrite adds to the target's query",
			[]pier.CustomRule{cr("/<*>", "/index.html?from=<*>", "200")}, q,
			rewrite(0, "/index.html?from=a&x=1")},
		{"rewrite with a query source forwards",
			[]pier.CustomRule{cr("/a?x=<v>", "/b/<v>", "200")}, q, rewrite(0, "/b/1?x=1")},
		{"proxy forwards", []pier.CustomRule{cr("/a", "https://api.example/a", "200")}, q,
			proxy(0, "https://api.example/a?x=1")},
		{"404 forwards", []pier.CustomRule{cr("/<*>", "/404.html", "404")}, q,
			notFoundPage(0, "/404.html?x=1")},
		{"404-200 forwards", []pier.CustomRule{cr("/<*>", "/index.html", "404-200")}, q,
			notFoundRewrite(0, "/index.html?x=1")},
	})
}

func TestDomain(t *testing.T) {
	www := []pier.CustomRule{cr("https://example.com", "https://www.example.com", "301")}
	runMatchCases(t, []matchCase{
		{"host without port", www, Request{Host: "example.com", Path: "/a"}, redirect(0, 301, "https://www.example.com/a")},
		{"host with port and other case", www, Request{Host: "Example.COM:8443", Path: "/"}, redirect(0, 301, "https://www.example.com/")},
		{"host with trailing dot", www, Request{Host: "example.com.", Path: "/"}, redirect(0, 301, "https://www.example.com/")},
		{"other host", www, Request{Host: "www.example.com", Path: "/"}, Decision{}},
		{"query forwarded", www, Request{Host: "example.com", Path: "/a", RawQuery: "x=1"}, redirect(0, 301, "https://www.example.com/a?x=1")},
		{"scheme, case, trailing slash and port in the source",
			[]pier.CustomRule{cr("HTTP://Example.com:8080/", "https://www.example.com/", "302")},
			Request{Host: "example.com", Path: "/b"}, redirect(0, 302, "https://www.example.com/b")},
		{"path inserted before the target's query",
			[]pier.CustomRule{cr("https://example.com", "https://www.example.com/?src=apex", "301")},
			Request{Host: "example.com", Path: "/a", RawQuery: "x=1"}, redirect(0, 301, "https://www.example.com/a?src=apex")},
		{"IPv6 host",
			[]pier.CustomRule{cr("https://[::1]", "https://localhost", "301")},
			Request{Host: "[::1]:443", Path: "/"}, redirect(0, 301, "https://localhost/")},
		{"rewrite to a path",
			[]pier.CustomRule{cr("https://legacy.example", "/legacy/", "200")},
			Request{Host: "legacy.example", Path: "/a.html"}, rewrite(0, "/legacy/a.html")},
	})
}

func TestConditions(t *testing.T) {
	us := []pier.CustomRule{
		{Source: "/", Target: "/us/", Status: "302", Condition: " <us> "},
		cr("/", "/intl/", "302"),
	}
	runMatchCases(t, []matchCase{
		{"country matches in any case", us, Request{Path: "/", Country: "uS"}, redirect(0, 302, "/us/")},
		{"other country", us, Request{Path: "/", Country: "CA"}, redirect(1, 302, "/intl/")},
		{"unknown country", us, Request{Path: "/"}, redirect(1, 302, "/intl/")},
		{"with a wildcard source",
			[]pier.CustomRule{{Source: "/<*>", Target: "/de/<*>", Status: "301", Condition: "<DE>"}},
			Request{Path: "/a", Country: "DE"}, redirect(0, 301, "/de/a")},
	})
}

func TestStatuses(t *testing.T) {
	req := Request{Path: "/a"}
	runMatchCases(t, []matchCase{
		{"missing means 301", []pier.CustomRule{cr("/a", "/b", "")}, req, redirect(0, 301, "/b")},
		{"spaces are trimmed", []pier.CustomRule{cr(" /a ", " /b ", " 302 ")}, req, redirect(0, 302, "/b")},
		{"200 to a path rewrites", []pier.CustomRule{cr("/a", "/b", "200")}, req, rewrite(0, "/b")},
		{"200 to https proxies", []pier.CustomRule{cr("/a", "HTTPS://up.example/b", "200")}, req, proxy(0, "HTTPS://up.example/b")},
		{"200 to http is a proxy too", []pier.CustomRule{cr("/a", "http://up.example/b", "200")}, req, proxy(0, "http://up.example/b")},
		{"redirect to a relative target", []pier.CustomRule{cr("/a", "b.html", "301")}, req, redirect(0, 301, "b.html")},
	})
}

func TestOrder(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"a 404 rule before a rewrite cannot fire first",
			[]pier.CustomRule{cr("/<*>", "/404.html", "404"), cr("/app/<*>", "/app.html", "200")},
			Request{Path: "/app/x"}, rewrite(1, "/app.html")},
		{"a 404 rule fires when nothing else matched",
			[]pier.CustomRule{cr("/<*>", "/404.html", "404"), cr("/app/<*>", "/app.html", "200")},
			Request{Path: "/x"}, notFoundPage(0, "/404.html")},
		{"404 rules keep their order",
			[]pier.CustomRule{cr("/a", "/a.html", "404-200"), cr("/<*>", "/404.html", "404")},
			Request{Path: "/a"}, notFoundRewrite(0, "/a.html")},
		{"a later 404 rule when the first does not match",
			[]pier.CustomRule{cr("/a", "/a.html", "404-200"), cr("/<*>", "/404.html", "404")},
			Request{Path: "/b"}, notFoundPage(1, "/404.html")},
		{"a regex before a literal rule wins",
			[]pier.CustomRule{cr("</^/a/>", "/regex", "301"), cr("/a", "/literal", "301")},
			Request{Path: "/a"}, redirect(0, 301, "/regex")},
		{"a literal rule before a wildcard wins",
			[]pier.CustomRule{cr("/b", "/x", "301"), cr("/a", "/literal", "301"), cr("/<*>", "/all", "301")},
			Request{Path: "/a"}, redirect(1, 301, "/literal")},
		{"the first of two equal literal rules wins",
			[]pier.CustomRule{cr("/a", "/first", "301"), cr("/a", "/second", "302")},
			Request{Path: "/a"}, redirect(0, 301, "/first")},
		{"a literal rule with a condition keeps its place",
			[]pier.CustomRule{{Source: "/a", Target: "/us", Status: "301", Condition: "<US>"}, cr("/a", "/all", "301")},
			Request{Path: "/a", Country: "US"}, redirect(0, 301, "/us")},
		{"a literal rule with a query keeps its place",
			[]pier.CustomRule{cr("/a?x=1", "/x", "301"), cr("/a", "/all", "301")},
			Request{Path: "/a", RawQuery: "x=1"}, redirect(0, 301, "/x")},
	})
}

func TestRegex(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"search, not full match",
			[]pier.CustomRule{cr("</foo/>", "/f", "301")},
			Request{Path: "/a/foo/b"}, redirect(0, 301, "/f")},
		{"anchors are the pattern's",
			[]pier.CustomRule{cr("</^/foo$/>", "/f", "301")},
			Request{Path: "/a/foo"}, Decision{}},
		{"matches the decoded path",
			[]pier.CustomRule{cr("</ />", "/space", "301")},
			Request{Path: "/a b"}, redirect(0, 301, "/space")},
		{"negative look-ahead",
			[]pier.CustomRule{cr(`</^\/(?!api\/).*/>`, "/index.html", "200")},
			Request{Path: "/api/x"}, Decision{}},
	})
}

func TestRegexTimeout(t *testing.T) {
	// Without a timeout, matching takes about 2^64 steps.
	rs := Compile([]pier.CustomRule{cr("</^/(a+)+$/>", "/never", "301"), cr("/<*>", "/fallback", "301")})
	req := Request{Path: "/" + strings.Repeat("a", 64) + "!"}
	start := time.Now()
	got := rs.Evaluate(req)
	elapsed := time.Since(start)
	t.Logf("Evaluate took %v", elapsed)
	if elapsed > time.Second {
		t.Errorf("Evaluate took %v; the regex timeout did not bound it", elapsed)
	}
	if want := redirect(1, 301, "/fallback"); got != want {
		t.Errorf("Evaluate = %+v, want %+v (a timeout is no match)", got, want)
	}
}

func TestNilRuleset(t *testing.T) {
	var rs *Ruleset
	req := Request{Path: "/"}
	if d := rs.Evaluate(req); d != (Decision{}) {
		t.Errorf("Evaluate = %+v, want none", d)
	}
	if d := rs.NotFound(req); d != (Decision{}) {
		t.Errorf("NotFound = %+v, want none", d)
	}
	if ig := rs.Ignored(); ig != nil {
		t.Errorf("Ignored = %+v, want nil", ig)
	}
	if d := Compile(nil).Evaluate(req); d != (Decision{}) {
		t.Errorf("Compile(nil).Evaluate = %+v, want none", d)
	}
}

func TestConcurrentEvaluate(t *testing.T) {
	rs := Compile(realisticRules())
	want := rs.Evaluate(Request{Path: "/dashboard"})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if got := rs.Evaluate(Request{Path: "/dashboard"}); got != want {
					t.Errorf("Evaluate = %+v, want %+v", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// realisticRules is a rule list like those apps use: a domain redirect,
// literal and placeholder redirects, a proxy, a conditional redirect, the
// SPA rewrite and a 404 page.
func realisticRules() []pier.CustomRule {
	return []pier.CustomRule{
		cr("https://example.com", "https://www.example.com", "301"),
		cr("/old.html", "/new.html", "301"),
		cr("/blog/<year>/<slug>.html", "/posts/<year>-<slug>", "301"),
		cr("/docs?id=<id>", "/documents/<id>", "302"),
		cr("/api/<*>", "https://api.example.com/v1/<*>", "200"),
		{Source: "/shop", Target: "/shop/us/", Status: "302", Condition: "<US>"},
		cr("/docs/<*>", "/documents/<*>", "301"),
		cr(spaRegex, "/index.html", "200"),
		cr("/<*>", "/404.html", "404"),
	}
}
