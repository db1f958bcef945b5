package headers

import (
	"strings"
	"unicode/utf8"
)

// glob is a compiled pattern of a custom-header entry; see the package
// documentation for the language.
type glob struct {
	// base is set for patterns without "/", which match the last segment of
	// the path at any depth; segs then holds that one segment.
	base bool
	segs []segment
}

// segment matches one "/"-separated segment of a path, or any number of
// whole segments for a globstar ("**" alone between slashes).
type segment struct {
	kind segmentKind
	text string // the segment for literals and wildcards, the suffix for suffix
}

type segmentKind uint8

const (
	segLiteral  segmentKind = iota // no wildcard: the segment must equal text
	segAny                         // only stars: any segment, including ""
	segSuffix                      // "*" then a literal: any segment ending in text
	segWildcard                    // "*" and "?" anywhere
	segGlobstar                    // "**" as a whole segment
)

// compileGlob compiles a pattern. Every string is a valid pattern.
func compileGlob(pattern string) glob {
	if !strings.Contains(pattern, "/") {
		return glob{base: true, segs: []segment{compileSegment(pattern)}}
	}
	parts := strings.Split(strings.TrimPrefix(pattern, "/"), "/")
	segs := make([]segment, 0, len(parts))
	for _, p := range parts {
		if p == "**" {
			// "**/**" matches what "**" matches.
			if n := len(segs); n > 0 && segs[n-1].kind == segGlobstar {
				continue
			}
			segs = append(segs, segment{kind: segGlobstar})
			continue
		}
		segs = append(segs, compileSegment(p))
	}
	return glob{segs: segs}
}

// compileSegment compiles a pattern segment that contains no "/". A "**"
// inside a segment ("**.js") is two stars, which match what one star does.
func compileSegment(p string) segment {
	switch rest, star := strings.CutPrefix(p, "*"); {
	case !strings.ContainsAny(p, "*?"):
		return segment{kind: segLiteral, text: p}
	case strings.Trim(p, "*") == "":
		return segment{kind: segAny}
	case star && !strings.ContainsAny(rest, "*?"):
		return segment{kind: segSuffix, text: rest}
	}
	return segment{kind: segWildcard, text: p}
}

// match reports whether the decoded request path, which starts with "/",
// matches g; base is its last segment, lastSegment(path), which callers
// matching many globs compute once.
func (g *glob) match(path, base string) bool {
	if g.base {
		return g.segs[0].match(base)
	}
	return matchSegments(g.segs, strings.TrimPrefix(path, "/"))
}

// lastSegment returns what follows the last "/" of path.
func lastSegment(path string) string {
	return path[strings.LastIndexByte(path, '/')+1:]
}

// matchSegments reports whether the "/"-separated segments of name match
// segs. It is the classic wildcard algorithm with a globstar as the star: on
// a mismatch it resumes after the last globstar, which then takes one more
// segment. That needs no allocation and at most len(segs)·len(name) steps.
func matchSegments(segs []segment, name string) bool {
	// pos is where the next segment of name starts; past len(name) when all
	// segments are matched. Every name, even "", has at least one segment.
	i, pos := 0, 0
	star, starPos := -1, 0
	for {
		if i < len(segs) && segs[i].kind == segGlobstar {
			star, starPos = i, pos
			i++
			continue
		}
		if pos > len(name) && i == len(segs) {
			return true
		}
		if pos <= len(name) && i < len(segs) {
			end := segmentEnd(name, pos)
			if segs[i].match(name[pos:end]) {
				i, pos = i+1, end+1
				continue
			}
		}
		if star < 0 || starPos > len(name) {
			return false
		}
		starPos = segmentEnd(name, starPos) + 1
		i, pos = star+1, starPos
	}
}

// segmentEnd returns the index of the "/" that ends the segment of name
// starting at pos, or len(name) for the last segment.
func segmentEnd(name string, pos int) int {
	if i := strings.IndexByte(name[pos:], '/'); i >= 0 {
		return pos + i
	}
	return len(name)
}

// match reports whether one path segment (no "/") matches s, which is not
// a globstar.
func (s segment) match(seg string) bool {
	switch s.kind {
	case segLiteral:
		return seg == s.text
	case segAny:
		return true
	case segSuffix:
		return strings.HasSuffix(seg, s.text)
	}
	return matchWildcard(s.text, seg)
}

// matchWildcard reports whether seg matches the wildcard pattern p, in which
// "*" matches any run of characters and "?" one character (a rune). On a
// mismatch the last "*" takes one more character; that is enough because a
// star matches anything, so at most len(p)·len(seg) steps.
func matchWildcard(p, seg string) bool {
	pi, si := 0, 0
	star, starSi := -1, 0
	for pi < len(p) || si < len(seg) {
		if pi < len(p) {
			switch c := p[pi]; {
			case c == '*':
				star, starSi = pi, si
				pi++
				continue
			case c == '?' && si < len(seg):
				_, w := utf8.DecodeRuneInString(seg[si:])
				pi, si = pi+1, si+w
				continue
			case c != '?' && si < len(seg) && seg[si] == c:
				pi, si = pi+1, si+1
				continue
			}
		}
		if star < 0 || starSi == len(seg) {
			return false
		}
		_, w := utf8.DecodeRuneInString(seg[starSi:])
		starSi += w
		pi, si = star+1, starSi
	}
	return true
}
