package rules

import (
	"strings"
	"testing"

	"github.com/pier-hosting/pier"
)

// checkDecision fails t unless d is a well-formed decision of phase
// notFound for a ruleset compiled from rules.
func checkDecision(t *testing.T, rules []pier.CustomRule, d Decision, notFound bool) {
	t.Helper()
	if !d.Matched {
		if d != (Decision{}) {
			t.Fatalf("unmatched decision %+v is not zero", d)
		}
		return
	}
	if d.Index < 0 || d.Index >= len(rules) {
		t.Fatalf("decision %+v: index out of range", d)
	}
	wantStatus := map[Kind]int{Rewrite: 200, Proxy: 200, NotFoundPage: 404, NotFoundRewrite: 200}[d.Kind]
	if d.Kind == Redirect && (d.Status == 301 || d.Status == 302) {
		wantStatus = d.Status
	}
	if wantStatus == 0 || d.Status != wantStatus {
		t.Fatalf("decision %+v: kind and status disagree", d)
	}
	if isNotFound := d.Kind == NotFoundPage || d.Kind == NotFoundRewrite; isNotFound != notFound {
		t.Fatalf("decision %+v in the wrong phase", d)
	}
	if d.Target == "" ||
		d.Kind == Proxy && !isAbsoluteURL(d.Target) ||
		(d.Kind == Rewrite || notFound) && !strings.HasPrefix(d.Target, "/") {
		t.Fatalf("decision %+v: bad target", d)
	}
}

func FuzzCompile(f *testing.F) {
	for _, r := range realisticRules() {
		f.Add(r.Source, r.Target, r.Status, r.Condition, "/docs/a", "id=1")
	}
	f.Add("/docs/<*>/content", "/d/<*>", "301", "", "/docs/a/content", "")
	f.Add("https://example.com/x", "/d", "302", "<US>", "/x", "")
	f.Add("/<a>-<b>?x=<c>&y=<a>", "/<c>#<b>", "404-200", "<de>", "/p-q", "x=1&y=2")
	f.Add("</(a/>", "/d", "200", "", "/a", "")
	f.Fuzz(func(t *testing.T, source, target, status, condition, path, query string) {
		rules := []pier.CustomRule{
			{Source: source, Target: target, Status: status, Condition: condition},
			cr("/<*>", "/index.html", "404-200"),
		}
		rs := Compile(rules)
		ignored := rs.Ignored()
		compiled := len(rs.serve.rules) + len(rs.notFound.rules)
		if len(ignored)+compiled != len(rules) {
			t.Fatalf("%d ignored + %d compiled rules, want %d", len(ignored), compiled, len(rules))
		}
		if len(ignored) > 0 && (ignored[0].Index != 0 || ignored[0].Reason == "") {
			t.Fatalf("Ignored() = %+v", ignored)
		}
		req := Request{Host: "example.com", Path: path, RawQuery: query, Country: "US"}
		for _, notFound := range []bool{false, true} {
			d := rs.Evaluate(req)
			if notFound {
				d = rs.NotFound(req)
			}
			checkDecision(t, rules, d, notFound)
			if len(ignored) > 0 && d.Matched && d.Index == 0 {
				t.Fatalf("ignored rule matched: %+v", d)
			}
		}
		// A literal source matches its own path.
		s := strings.TrimSpace(source)
		if len(ignored) == 0 && strings.HasPrefix(s, "/") && !strings.ContainsAny(s, "<?%") && condition == "" {
			own := Request{Path: s}
			if d := pipeline(rs, own, false); !d.Matched || d.Index != 0 {
				t.Fatalf("literal source %q: decision %+v for its own path", s, d)
			}
		}
	})
}

func FuzzEvaluate(f *testing.F) {
	rules := realisticRules()
	rs := Compile(rules)
	if ig := rs.Ignored(); len(ig) > 0 {
		f.Fatalf("Ignored() = %+v", ig)
	}
	// slow is rs without the literal-path map, as a reference.
	slow := *rs
	slow.serve = withoutExact(rs.serve)
	slow.notFound = withoutExact(rs.notFound)
	f.Add("example.com", "/", "", "")
	f.Add("www.example.com:443", "/old.html", "x=1", "")
	f.Add("www.example.com", "/blog/2024/hello.html", "", "US")
	f.Add("www.example.com", "/docs", "id=a%20b&id=2", "")
	f.Add("www.example.com", "/api/v/ü x", "q=1", "")
	f.Add("www.example.com", "/shop", "", "us")
	f.Add("www.example.com", "/static/app.js", "", "")
	f.Fuzz(func(t *testing.T, host, path, query, country string) {
		req := Request{Host: host, Path: path, RawQuery: query, Country: country}
		for _, notFound := range []bool{false, true} {
			eval, ref := rs.Evaluate, slow.Evaluate
			if notFound {
				eval, ref = rs.NotFound, slow.NotFound
			}
			d := eval(req)
			checkDecision(t, rules, d, notFound)
			// A regex timeout on a loaded machine can flip one evaluation;
			// a real disagreement repeats.
			agree := func() bool { return eval(req) == ref(req) }
			if want := ref(req); d != want && !agree() && !agree() {
				t.Fatalf("decision %+v, without the literal map %+v", d, want)
			}
		}
	})
}

// withoutExact returns t with every rule tried in order.
func withoutExact(t table) table {
	s := table{rules: t.rules}
	for pos := range t.rules {
		s.others = append(s.others, pos)
	}
	return s
}
