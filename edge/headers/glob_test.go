package headers

import (
	"strings"
	"testing"
)

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern string
		match   []string
		noMatch []string
	}{
		// Patterns without "/" match the last segment at any depth.
		{"*.json", []string{"/a.json", "/data/b.json", "/x/y/z/.json"}, []string{"/a.json/", "/a.jsonp", "/json", "/"}},
		{"*.css", []string{"/main.css", "/static/css/main.css"}, []string{"/main.css.map", "/css/"}},
		{"index.html", []string{"/index.html", "/docs/index.html"}, []string{"/", "/docs/", "/xindex.html"}},
		{"*", []string{"/", "/a", "/a/b/c.js", "/docs/"}, nil},
		{"**", []string{"/", "/a", "/a/b/c.js", "/docs/"}, nil},
		{"?.js", []string{"/a.js", "/x/é.js"}, []string{"/ab.js", "/.js"}},
		{"*.JS", []string{"/A.JS"}, []string{"/a.js"}},
		// Patterns with "/" are anchored at the root.
		{"/path/*", []string{"/path/a", "/path/a.json", "/path/"}, []string{"/path", "/path/a/b", "/x/path/a"}},
		{"/path/*.json", []string{"/path/a.json"}, []string{"/path/a.html", "/a.json", "/path/a/b.json"}},
		{"/img/*", []string{"/img/logo.png"}, []string{"/img/a/logo.png", "/static/img/logo.png"}},
		{"img/*", []string{"/img/logo.png"}, []string{"/static/img/logo.png"}},
		{"/foo/*.html", []string{"/foo/a.html"}, []string{"/foo/a.htm", "/foo/a/b.html"}},
		{"/", []string{"/"}, []string{"/a", "//"}},
		{"/index.html", []string{"/index.html"}, []string{"/a/index.html"}},
		// A whole-segment "**" crosses "/" and may match no segment.
		{"**/*", []string{"/", "/a", "/a/b", "/a/b/", "/a/b/c.js"}, nil},
		{"/**", []string{"/", "/a", "/a/b/c.js"}, nil},
		{"/**/*", []string{"/", "/a/b/c.js"}, nil},
		{"/assets/**", []string{"/assets", "/assets/", "/assets/a.js", "/assets/a/b/c.js"}, []string{"/assets.js", "/assetsx/a", "/x/assets/a"}},
		{"/assets/**/*.js", []string{"/assets/a.js", "/assets/a/b/c.js"}, []string{"/assets/a.css", "/assets", "/a.js"}},
		{"**/*.js", []string{"/a.js", "/a/b/c.js"}, []string{"/a.css", "/a.js/"}},
		{"/a/**/b", []string{"/a/b", "/a/x/b", "/a/x/y/b"}, []string{"/a/b/c", "/a/xb", "/b"}},
		{"/a/**/**/b", []string{"/a/b", "/a/x/y/b"}, []string{"/a"}},
		{"/**/docs/**", []string{"/docs", "/docs/a", "/x/y/docs/a/b"}, []string{"/xdocs/a", "/docs.html"}},
		{"/*/index.html", []string{"/a/index.html"}, []string{"/index.html", "/a/b/index.html"}},
		{"/a*b/c", []string{"/ab/c", "/axxb/c"}, []string{"/a/b/c", "/ab/c/d"}},
		// Elsewhere "**" is one star.
		{"/a/**.js", []string{"/a/b.js"}, []string{"/a/b/c.js"}},
		{"/x**y", []string{"/xy", "/xaaay"}, []string{"/xa/y"}},
		// Everything but "*" and "?" is literal.
		{"*.{woff,woff2}", []string{"/f.{woff,woff2}"}, []string{"/f.woff", "/f.woff2"}},
		{"/[ab].js", []string{"/[ab].js"}, []string{"/a.js"}},
		{`/a\*.js`, []string{`/a\b.js`}, []string{"/a*.js/x"}},
		// Wildcards that need backtracking.
		{"*a*b*c", []string{"/abc", "/aabbcc", "/xaxbxc", "/cabcabc"}, []string{"/acb", "/ab"}},
		{"/a?c*", []string{"/abc", "/abcdef", "/aéc"}, []string{"/ac", "/abbc"}},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.pattern, "/", "∕"), func(t *testing.T) {
			g := compileGlob(tt.pattern)
			for _, p := range tt.match {
				if !g.match(p, lastSegment(p)) {
					t.Errorf("%q does not match %q", tt.pattern, p)
				}
				if !refMatch(tt.pattern, p) {
					t.Errorf("reference: %q does not match %q", tt.pattern, p)
				}
			}
			for _, p := range tt.noMatch {
				if g.match(p, lastSegment(p)) {
					t.Errorf("%q matches %q", tt.pattern, p)
				}
				if refMatch(tt.pattern, p) {
					t.Errorf("reference: %q matches %q", tt.pattern, p)
				}
			}
		})
	}
}

// refMatch is an obviously correct matcher of the pattern language, a
// dynamic program straight from the definition, against which tests and
// fuzz targets check compileGlob.
func refMatch(pattern, path string) bool {
	if !strings.Contains(pattern, "/") {
		return refSegment(pattern, path[strings.LastIndex(path, "/")+1:])
	}
	p := strings.Split(strings.TrimPrefix(pattern, "/"), "/")
	s := strings.Split(strings.TrimPrefix(path, "/"), "/")
	return refDP(p, s, func(p string) bool { return p == "**" }, refSegment)
}

// refSegment matches one segment: "*" any run of runes, "?" one rune.
func refSegment(p, s string) bool {
	return refDP([]rune(p), []rune(s), func(r rune) bool { return r == '*' }, func(p, s rune) bool { return p == '?' || p == s })
}

// refDP reports whether p matches s, where an element of p for which star
// holds matches any run of elements of s, and any other matches one element
// for which one holds.
func refDP[T any](p, s []T, star func(T) bool, one func(p, s T) bool) bool {
	// m[i][j] reports whether p[i:] matches s[j:].
	m := make([][]bool, len(p)+1)
	for i := range m {
		m[i] = make([]bool, len(s)+1)
	}
	m[len(p)][len(s)] = true
	for i := len(p) - 1; i >= 0; i-- {
		for j := len(s); j >= 0; j-- {
			if star(p[i]) {
				m[i][j] = m[i+1][j] || j < len(s) && m[i][j+1]
			} else {
				m[i][j] = j < len(s) && one(p[i], s[j]) && m[i+1][j+1]
			}
		}
	}
	return m[0][0]
}
