package rules

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pier-hosting/pier"
)

func TestIgnored(t *testing.T) {
	tests := []struct {
		name   string
		rule   pier.CustomRule
		reason string // a prefix of the reason
	}{
		{"<*> in the middle", cr("/docs/<*>/content", "/d", "301"), reasonStar},
		{"<*> twice", cr("/<*>/<*>", "/d", "301"), reasonStar},
		{"<*> twice in a segment", cr("/<*><*>", "/d", "301"), reasonStar},
		{"<*> before text", cr("/a/<*>.html", "/d", "301"), reasonStar},
		{"<*> after a placeholder in a segment", cr("/<a>-<*>", "/d", "301"), reasonStar},
		{"<*> in the query", cr("/docs?id=<*>", "/d", "301"), reasonStar},
		{"two placeholders in a segment", cr("/<a>-<b>", "/d", "301"), "a path segment can hold only one placeholder"},
		{"a placeholder twice", cr("/<a>/<a>", "/d", "301"), "placeholder <a> appears more than once in the source"},
		{"a placeholder in the path and the query", cr("/<a>?x=<a>", "/d", "301"), "placeholder <a> appears more than once in the source"},
		{"part of a query value", cr("/docs?id=x<v>", "/d", "301"), "a query placeholder must be the whole value"},
		{"domain with a path", cr("https://example.com/specific-path", "/d", "301"), reasonDomainURL},
		{"domain with a query", cr("https://example.com?x=1", "/d", "301"), reasonDomainURL},
		{"domain without a host", cr("https://", "/d", "301"), "a domain source needs a host"},
		{"invalid regex", cr("</(a/>", "/d", "301"), "invalid regular expression: "},
		{"no leading slash", cr("docs/<*>", "/d", "301"), `a source must start with "/"`},
		{"empty source", cr(" ", "/d", "301"), "empty source"},
		{"empty target", cr("/a", "", "301"), "empty target"},
		{"unknown status", cr("/a", "/b", "abc"), `unknown status "abc"`},
		{"404-302 is not a status", cr("/a", "/b", "404-302"), `unknown status "404-302"`},
		{"rewrite to a relative path", cr("/a", "index.html", "200"), `a 200 target must be a path starting with "/" or an http(s) URL`},
		{"404 to a URL", cr("/a", "https://x.example/404", "404"), `a 404 target must be a path starting with "/"`},
		{"404-200 to a relative path", cr("/a", "index.html", "404-200"), `a 404 target must be a path starting with "/"`},
		{"country list", pier.CustomRule{Source: "/a", Target: "/b", Condition: "<US,CA>"}, "a condition must be a country code"},
		{"country without brackets", pier.CustomRule{Source: "/a", Target: "/b", Condition: "US"}, "a condition must be a country code"},
		{"three-letter country", pier.CustomRule{Source: "/a", Target: "/b", Condition: "<USA>"}, "a condition must be a country code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules := []pier.CustomRule{cr("/first", "/f", "301"), tt.rule, cr("/<*>", "/catch-all", "404")}
			rs := Compile(rules)
			ig := rs.Ignored()
			if len(ig) != 1 || ig[0].Index != 1 || ig[0].Rule != tt.rule || !strings.HasPrefix(ig[0].Reason, tt.reason) {
				t.Fatalf("Ignored() = %+v, want rule 1 with reason %q…", ig, tt.reason)
			}
			// The ignored rule never matches: requests fall to the others.
			req := Request{Host: "example.com", Path: "/docs/a/content", RawQuery: "id=1&x=1"}
			if d := pipeline(rs, req, false); d.Index != 2 {
				t.Errorf("decision = %+v, want the catch-all", d)
			}
		})
	}
}

func TestIgnoredIsACopy(t *testing.T) {
	rs := Compile([]pier.CustomRule{cr("x", "/y", "301"), cr("/a", "/b", "bad"), cr("/ok", "/b", "")})
	want := []Ignored{
		{Index: 0, Rule: cr("x", "/y", "301"), Reason: `a source must start with "/", "https://", "http://" or "</"`},
		{Index: 1, Rule: cr("/a", "/b", "bad"), Reason: `unknown status "bad"`},
	}
	got := rs.Ignored()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Ignored() (-want +got):\n%s", diff)
	}
	got[0].Reason = "changed"
	if diff := cmp.Diff(want, rs.Ignored()); diff != "" {
		t.Errorf("Ignored() after changing its result (-want +got):\n%s", diff)
	}
}
