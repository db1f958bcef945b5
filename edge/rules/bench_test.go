package rules

import (
	"fmt"
	"testing"

	"github.com/pier-hosting/pier"
)

// BenchmarkEvaluate evaluates a request matching the last of n rules:
//
//   - literal: n literal redirects;
//   - spa: n-1 literal redirects, then the SPA regex rewrite;
//   - pattern: n "/sN/<*>" redirects, which cannot use the literal map.
func BenchmarkEvaluate(b *testing.B) {
	families := []struct {
		name string
		last func(n int) pier.CustomRule
		fill func(i int) pier.CustomRule
		req  func(n int) Request
	}{
		{
			name: "literal",
			fill: func(i int) pier.CustomRule { return cr(fmt.Sprintf("/page%d.html", i), fmt.Sprintf("/p/%d", i), "301") },
			req:  func(n int) Request { return Request{Path: fmt.Sprintf("/page%d.html", n-1)} },
		},
		{
			name: "spa",
			fill: func(i int) pier.CustomRule { return cr(fmt.Sprintf("/page%d.html", i), fmt.Sprintf("/p/%d", i), "301") },
			last: func(int) pier.CustomRule { return cr(spaRegex, "/index.html", "200") },
			req:  func(int) Request { return Request{Path: "/dashboard/settings"} },
		},
		{
			name: "pattern",
			fill: func(i int) pier.CustomRule { return cr(fmt.Sprintf("/s%d/<*>", i), fmt.Sprintf("/t%d/<*>", i), "301") },
			req:  func(n int) Request { return Request{Path: fmt.Sprintf("/s%d/a/b", n-1)} },
		},
	}
	for _, fam := range families {
		for _, n := range []int{1, 100, 1000} {
			rules := make([]pier.CustomRule, n)
			for i := range rules {
				rules[i] = fam.fill(i)
			}
			if fam.last != nil {
				rules[n-1] = fam.last(n)
			}
			rs := Compile(rules)
			req := fam.req(n)
			if d := rs.Evaluate(req); d.Index != n-1 {
				b.Fatalf("%s/%d: decision %+v, want rule %d", fam.name, n, d, n-1)
			}
			b.Run(fmt.Sprintf("%s/%d", fam.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rs.Evaluate(req)
				}
			})
		}
	}
}
