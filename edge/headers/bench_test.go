package headers

import (
	"strings"
	"testing"
)

// benchPatterns are nine typical patterns; with the security headers of
// §2.4 in front they make the ten-rule set of the benchmarks.
var benchPatterns = []string{
	"/img/*", "/assets/**", "*.js", "*.css", "/api/*", "/fonts/*.woff2",
	"/static/**/*.map", "/docs/*/index.html", "/.well-known/*",
}

// benchRules returns the nine patterns, each setting Cache-Control and one
// more header, after the security entry if security is set.
func benchRules(b *testing.B, security bool) *Rules {
	var doc strings.Builder
	if security {
		doc.WriteString(docSecurity)
	} else {
		doc.WriteString("customHeaders:\n  - pattern: '*.json'\n    headers: [{key: X-Json, value: '1'}]\n")
	}
	for _, p := range benchPatterns {
		doc.WriteString("  - pattern: '" + p + "'\n    headers:\n")
		doc.WriteString("      - {key: Cache-Control, value: 'public, max-age=31536000, immutable'}\n")
		doc.WriteString("      - {key: X-Pattern, value: '" + p + "'}\n")
	}
	r := mustParse(b, doc.String(), "")
	if r.Len() != 10 {
		b.Fatalf("%d rules, want 10", r.Len())
	}
	return r
}

func BenchmarkApply(b *testing.B) {
	tests := []struct {
		name     string
		security bool
		path     string
		status   int
		matches  int
	}{
		{"none", false, "/about/team/index.html", 200, 0},
		{"one", false, "/img/logo.png", 200, 1},
		{"one 404", false, "/img/missing.png", 404, 1},
		{"two", false, "/assets/js/app.js", 200, 2},
		{"security only", true, "/about/team/index.html", 200, 1},
		{"security and two", true, "/assets/js/app.js", 200, 3},
		{"security and two 404", true, "/assets/js/missing.js", 404, 3},
	}
	for _, tt := range tests {
		r := benchRules(b, tt.security)
		if n := len(r.Matches(tt.path)); n != tt.matches {
			b.Fatalf("%s: %d matches, want %d", tt.name, n, tt.matches)
		}
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r.Apply(tt.path, tt.status)
			}
		})
	}
}

// BenchmarkParse parses the security headers and nine entries, the work of
// one UpdateApp or one deployment.
func BenchmarkParse(b *testing.B) {
	var doc strings.Builder
	doc.WriteString(docSecurity)
	for _, p := range benchPatterns {
		doc.WriteString("  - pattern: '" + p + "'\n    headers: [{key: Cache-Control, value: 'max-age=60'}]\n")
	}
	text := doc.String()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(text, ""); err != nil {
			b.Fatal(err)
		}
	}
}
