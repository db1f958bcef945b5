package rules

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pier-hosting/pier"
)

// spaRegex is the single-page-app rule source of the current Amplify docs.
const spaRegex = `</^[^.]+$|\.(?!(css|gif|ico|jpg|js|png|txt|svg|woff|woff2|ttf|map|json|webp)$)([^.]+$)/>`

// oldSPARegex is the SPA source older CDK examples used, without woff2 and
// webp.
const oldSPARegex = `</^[^.]+$|\.(?!(css|gif|ico|jpg|js|png|txt|svg|woff|ttf|map|json)$)([^.]+$)/>`

func cr(source, target, status string) pier.CustomRule {
	return pier.CustomRule{Source: source, Target: target, Status: status}
}

// pipeline is what the edge does with a ruleset: rules that apply whatever
// the files, then the file if it exists, then not-found rules. The zero
// Decision means "serve the file" when fileExists, else "plain 404".
func pipeline(rs *Ruleset, req Request, fileExists bool) Decision {
	if d := rs.Evaluate(req); d.Matched {
		return d
	}
	if fileExists {
		return Decision{}
	}
	return rs.NotFound(req)
}

func redirect(index, status int, target string) Decision {
	return Decision{Matched: true, Index: index, Kind: Redirect, Status: status, Target: target}
}

func rewrite(index int, target string) Decision {
	return Decision{Matched: true, Index: index, Kind: Rewrite, Status: 200, Target: target}
}

func proxy(index int, target string) Decision {
	return Decision{Matched: true, Index: index, Kind: Proxy, Status: 200, Target: target}
}

func notFoundPage(index int, target string) Decision {
	return Decision{Matched: true, Index: index, Kind: NotFoundPage, Status: 404, Target: target}
}

func notFoundRewrite(index int, target string) Decision {
	return Decision{Matched: true, Index: index, Kind: NotFoundRewrite, Status: 200, Target: target}
}

// TestVectors runs the rule-matching vectors of hosting-semantics §1.6.
// R17–R19 involve no rules; they are clean-URL tests of package edge.
func TestVectors(t *testing.T) {
	var (
		r1  = []pier.CustomRule{cr("/original.html", "/destination.html", "301")}
		r2  = []pier.CustomRule{cr("/docs/<*>", "/documents/<*>", "301")}
		r3  = []pier.CustomRule{cr("/<*>", "/index.html", "200")}
		r5  = []pier.CustomRule{cr("https://mydomain.com", "https://www.mydomain.com", "200")}
		r6  = []pier.CustomRule{cr("https://mydomain.com", "https://www.mydomain.com/documents/", "302")}
		r7  = []pier.CustomRule{cr("/<*>", "/404.html", "404")}
		spa = []pier.CustomRule{cr(spaRegex, "/index.html", "200")}
		old = []pier.CustomRule{cr(oldSPARegex, "/index.html", "200")}
		r16 = []pier.CustomRule{cr("/images/<*>", "https://images.otherdomain.com/<*>", "200")}
		r20 = []pier.CustomRule{cr("/docs/<year>/<month>/<date>/<itemid>", "/documents/<year>/<month>/<date>/<itemid>", "301")}
		r22 = []pier.CustomRule{cr("/docs?id=<my-blog-id-value>", "/documents/<my-blog-id-value>", "301")}
		r24 = []pier.CustomRule{cr("/documents/<x>/<y>/<z>", "/documents/index.html", "404")}
		r25 = []pier.CustomRule{{Source: "/documents", Target: "/documents/us/", Status: "302", Condition: "<US>"}}
		r27 = []pier.CustomRule{
			cr("/docs/specific-filename.html", "/documents/different-filename.html", "301"),
			cr("/docs/<*>", "/documents/<*>", "301"),
		}
		r29 = []pier.CustomRule{r27[1], r27[0]}
		r30 = []pier.CustomRule{cr("/docs/<*>/content", "/documents/<*>/content", "301")}
		r31 = []pier.CustomRule{cr("https://example.com/specific-path", "https://www.example.com/", "301")}
		r32 = []pier.CustomRule{cr("/old", "/new", "301")}
		r33 = []pier.CustomRule{cr("/old", "/new?a=b", "301")}
		r34 = []pier.CustomRule{cr("/<*>", "/index.html", "404-200")}
	)
	tests := []struct {
		name       string
		rules      []pier.CustomRule
		req        Request
		fileExists bool
		want       Decision // the zero Decision: the file, or a plain 404
	}{
		{"R1 literal redirect", r1, Request{Path: "/original.html"}, false, redirect(0, 301, "/destination.html")},
		{"R2 rest of path", r2, Request{Path: "/docs/a/b.html"}, false, redirect(0, 301, "/documents/a/b.html")},
		{"R3 catch-all rewrite", r3, Request{Path: "/x/y"}, false, rewrite(0, "/index.html")},
		{"R4 rewrite ignores an existing file", r3, Request{Path: "/main.js"}, true, rewrite(0, "/index.html")},
		{"R5 domain proxy", r5, Request{Host: "mydomain.com", Path: "/"}, false, proxy(0, "https://www.mydomain.com/")},
		{"R6 domain redirect with a target path", r6, Request{Host: "mydomain.com", Path: "/"}, false, redirect(0, 302, "https://www.mydomain.com/documents/")},
		{"R7 404 page", r7, Request{Path: "/nope"}, false, notFoundPage(0, "/404.html")},
		{"R8 404 rule not consulted for an existing file", r7, Request{Path: "/index.html"}, true, Decision{}},
		{"R9 SPA route", spa, Request{Path: "/dashboard/settings"}, false, rewrite(0, "/index.html")},
		{"R10 SPA leaves js alone", spa, Request{Path: "/static/app.js"}, true, Decision{}},
		{"R11 SPA rewrites pdf", spa, Request{Path: "/report.pdf"}, true, rewrite(0, "/index.html")},
		{"R12 SPA rewrites xml", spa, Request{Path: "/sitemap.xml"}, true, rewrite(0, "/index.html")},
		{"R13 SPA extensions are case-sensitive", spa, Request{Path: "/img/logo.PNG"}, true, rewrite(0, "/index.html")},
		{"R14 SPA leaves woff2 alone", spa, Request{Path: "/fonts/a.woff2"}, true, Decision{}},
		{"R15 old SPA regex rewrites woff2", old, Request{Path: "/fonts/a.woff2"}, true, rewrite(0, "/index.html")},
		{"R16 proxy with rest of path", r16, Request{Path: "/images/cat.png"}, false, proxy(0, "https://images.otherdomain.com/cat.png")},
		{"R20 named placeholders", r20, Request{Path: "/docs/2024/05/17/42"}, false, redirect(0, 301, "/documents/2024/05/17/42")},
		{"R21 placeholder count differs", r20, Request{Path: "/docs/2024/05/17"}, false, Decision{}},
		{"R22 query placeholder", r22, Request{Path: "/docs", RawQuery: "id=123"}, false, redirect(0, 301, "/documents/123")},
		{"R23 query parameter missing", r22, Request{Path: "/docs"}, false, Decision{}},
		{"R24 404 with placeholders", r24, Request{Path: "/documents/a/b/c"}, false, notFoundPage(0, "/documents/index.html")},
		{"R25 country condition met", r25, Request{Path: "/documents", Country: "US"}, false, redirect(0, 302, "/documents/us/")},
		{"R26 country condition not met", r25, Request{Path: "/documents", Country: "DE"}, false, Decision{}},
		{"R27 specific rule first", r27, Request{Path: "/docs/specific-filename.html"}, false, redirect(0, 301, "/documents/different-filename.html")},
		{"R28 wildcard after specific rule", r27, Request{Path: "/docs/other.html"}, false, redirect(1, 301, "/documents/other.html")},
		{"R29 specific rule after wildcard is dead", r29, Request{Path: "/docs/specific-filename.html"}, false, redirect(0, 301, "/documents/specific-filename.html")},
		{"R30 <*> not at the end is ignored", r30, Request{Path: "/docs/a/content"}, false, Decision{}},
		{"R31 domain source with a path is ignored", r31, Request{Host: "example.com", Path: "/specific-path"}, false, Decision{}},
		{"R32 query forwarded", r32, Request{Path: "/old", RawQuery: "x=1&y=2"}, false, redirect(0, 301, "/new?x=1&y=2")},
		{"R33 target query wins", r33, Request{Path: "/old", RawQuery: "x=1"}, false, redirect(0, 301, "/new?a=b")},
		{"R34 404-200 for a missing file", r34, Request{Path: "/app/route"}, false, notFoundRewrite(0, "/index.html")},
		{"R35 404-200 not consulted for an existing file", r34, Request{Path: "/logo.png"}, true, Decision{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pipeline(Compile(tt.rules), tt.req, tt.fileExists)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decision (-want +got):\n%s", diff)
			}
		})
	}
}
