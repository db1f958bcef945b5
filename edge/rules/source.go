package rules

import (
	"net/url"
	"strings"

	"github.com/dlclark/regexp2"
)

// Reasons for ignoring a source that more than one check gives.
const (
	reasonStar      = "<*> may appear only once, at the end of the source"
	reasonDomainURL = "a domain source cannot have a path"
)

// sourceKind says how a source matches a request.
type sourceKind uint8

const (
	literalSource sourceKind = iota // path equals path
	patternSource                   // path matches segs and rest
	regexSource                     // re is found in the path
	domainSource                    // the Host is host
)

// source is a compiled rule source.
type source struct {
	kind  sourceKind
	path  string          // the decoded path (literalSource), or its literal prefix (patternSource)
	segs  []segment       // patternSource: the segments after the leading "/", without rest
	rest  *segment        // patternSource: the final "prefix<*>", nil without one
	query []queryParam    // parameters the request must carry, for path sources
	re    *regexp2.Regexp // regexSource
	host  string          // domainSource: lower-case host, without port and trailing dot
	names []string        // placeholder names by capture number; "*" is <*>
}

// segment matches one path segment: literal text alone (capture < 0), or a
// placeholder between a literal prefix and suffix.
type segment struct {
	prefix, suffix string
	capture        int
}

// queryParam is a query parameter a source requires: a literal value
// (capture < 0) or a non-empty value to capture.
type queryParam struct {
	key, value string
	capture    int
}

// parseSource compiles a trimmed source, or returns why Amplify ignores it.
func parseSource(s string) (source, string) {
	switch {
	case s == "":
		return source{}, "empty source"
	case len(s) >= 4 && strings.HasPrefix(s, "</") && strings.HasSuffix(s, "/>"):
		re, err := compileRegex(s[2 : len(s)-2])
		if err != nil {
			return source{}, "invalid regular expression: " + err.Error()
		}
		return source{kind: regexSource, re: re}, ""
	case isAbsoluteURL(s):
		return parseDomain(s)
	case s[0] != '/':
		return source{}, `a source must start with "/", "https://", "http://" or "</"`
	}
	return parsePath(s)
}

// parseDomain compiles a domain source "https://host[/]".
func parseDomain(s string) (source, string) {
	_, host, _ := strings.Cut(s, "://")
	host = strings.TrimSuffix(host, "/")
	if strings.ContainsAny(host, "/?#") {
		return source{}, reasonDomainURL
	}
	host = hostname(host)
	if host == "" {
		return source{}, "a domain source needs a host"
	}
	return source{kind: domainSource, host: strings.ToLower(host)}, ""
}

// parsePath compiles a source made of a path and an optional query.
func parsePath(s string) (source, string) {
	p, q, _ := strings.Cut(s, "?")
	var src source
	elems := strings.Split(p[1:], "/")
	for i, e := range elems {
		start, end, name := placeholder(e)
		if start < 0 {
			src.segs = append(src.segs, segment{prefix: unescapePath(e), capture: -1})
			continue
		}
		seg := segment{prefix: unescapePath(e[:start]), suffix: e[end:], capture: len(src.names)}
		if next, _, nextName := placeholder(seg.suffix); next >= 0 {
			if name == "*" || nextName == "*" {
				return source{}, reasonStar
			}
			return source{}, "a path segment can hold only one placeholder"
		}
		seg.suffix = unescapePath(seg.suffix)
		if reason := src.define(name); reason != "" {
			return source{}, reason
		}
		if name != "*" {
			src.segs = append(src.segs, seg)
			continue
		}
		if i != len(elems)-1 || seg.suffix != "" {
			return source{}, reasonStar
		}
		src.rest = &seg
	}
	literal := len(src.names) == 0
	if reason := src.parseQuery(q); reason != "" {
		return source{}, reason
	}
	if literal {
		return source{kind: literalSource, path: unescapePath(p), query: src.query, names: src.names}, ""
	}
	src.kind = patternSource
	src.path = src.literalPrefix()
	return src, ""
}

// literalPrefix returns the text every path matching a pattern source
// starts with: its segments up to the first placeholder.
func (src *source) literalPrefix() string {
	var b strings.Builder
	b.WriteByte('/')
	for _, seg := range src.segs {
		b.WriteString(seg.prefix)
		if seg.capture >= 0 {
			return b.String()
		}
		b.WriteByte('/')
	}
	b.WriteString(src.rest.prefix)
	return b.String()
}

// parseQuery compiles the query part of a path source.
func (src *source) parseQuery(q string) string {
	for _, pair := range strings.Split(q, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		param := queryParam{key: unescapeQuery(k), value: unescapeQuery(v), capture: -1}
		if start, end, name := placeholder(v); start >= 0 {
			switch {
			case name == "*":
				return reasonStar
			case start != 0 || end != len(v):
				return "a query placeholder must be the whole value"
			}
			if reason := src.define(name); reason != "" {
				return reason
			}
			param.capture = len(src.names) - 1
		}
		src.query = append(src.query, param)
	}
	return ""
}

// define gives the placeholder name the next capture number.
func (src *source) define(name string) string {
	for _, n := range src.names {
		if n == name {
			return "placeholder <" + name + "> appears more than once in the source"
		}
	}
	src.names = append(src.names, name)
	return ""
}

// placeholder finds the first "<name>" or "<*>" in s and returns its
// bounds and name, or start -1. Other "<" are literal text.
func placeholder(s string) (start, end int, name string) {
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		j := i + 1
		for j < len(s) && isNameChar(s[j]) {
			j++
		}
		if j < len(s) && s[j] == '>' && j > i+1 {
			return i, j + 1, s[i+1 : j]
		}
		if strings.HasPrefix(s[i:], "<*>") {
			return i, i + 3, "*"
		}
	}
	return -1, -1, ""
}

func isNameChar(c byte) bool {
	return isLetter(c) || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// isAbsoluteURL reports whether s starts with "http://" or "https://", in
// any case.
func isAbsoluteURL(s string) bool {
	return len(s) >= 8 && strings.EqualFold(s[:8], "https://") ||
		len(s) >= 7 && strings.EqualFold(s[:7], "http://")
}

// hostname strips the port and a trailing dot from a host.
func hostname(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i >= 0 {
			return h[:i+1]
		}
	} else if i := strings.IndexByte(h, ':'); i >= 0 && i == strings.LastIndexByte(h, ':') {
		h = h[:i]
	}
	return strings.TrimSuffix(h, ".")
}

// unescapePath decodes the percent-escapes of a source path, leaving text
// that does not decode as it is.
func unescapePath(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// unescapeQuery decodes a query key or value, leaving text that does not
// decode as it is.
func unescapeQuery(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}
