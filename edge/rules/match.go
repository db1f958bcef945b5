package rules

import (
	"net/url"
	"strings"
)

// match reports whether req matches src, filling caps (one per name) with
// the captured values.
func (src *source) match(req *Request, caps []string) bool {
	switch src.kind {
	case regexSource:
		return matchRegex(src.re, req.Path)
	case domainSource:
		return strings.EqualFold(hostname(req.Host), src.host)
	case literalSource:
		if req.Path != src.path {
			return false
		}
	case patternSource:
		if !src.matchPath(req.Path, caps) {
			return false
		}
	}
	return matchQuery(src.query, req.RawQuery, caps)
}

// matchPath matches p against a pattern source's segments and rest.
func (src *source) matchPath(p string, caps []string) bool {
	if !strings.HasPrefix(p, src.path) {
		return false
	}
	rest := p[1:]
	for i := range src.segs {
		part, after, more := strings.Cut(rest, "/")
		// The last segment must end the path; any other needs a "/" after it.
		if last := i == len(src.segs)-1 && src.rest == nil; more == last {
			return false
		}
		if !src.segs[i].match(part, caps) {
			return false
		}
		rest = after
	}
	if src.rest == nil {
		return true
	}
	v, ok := strings.CutPrefix(rest, src.rest.prefix)
	if ok {
		caps[src.rest.capture] = v
	}
	return ok
}

// match matches one path segment.
func (seg *segment) match(part string, caps []string) bool {
	if seg.capture < 0 {
		return part == seg.prefix
	}
	if len(part) <= len(seg.prefix)+len(seg.suffix) ||
		!strings.HasPrefix(part, seg.prefix) || !strings.HasSuffix(part, seg.suffix) {
		return false
	}
	caps[seg.capture] = part[len(seg.prefix) : len(part)-len(seg.suffix)]
	return true
}

// matchQuery reports whether the query string raw carries every parameter
// of params, capturing the values of placeholders.
func matchQuery(params []queryParam, raw string, caps []string) bool {
	for _, p := range params {
		v, ok := lookupQuery(raw, p.key)
		switch {
		case !ok, p.capture < 0 && v != p.value, p.capture >= 0 && v == "":
			return false
		case p.capture >= 0:
			caps[p.capture] = v
		}
	}
	return true
}

// lookupQuery returns the decoded value of the first parameter key in the
// query string raw. Parameters that do not decode are skipped.
func lookupQuery(raw, key string) (string, bool) {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(pair, "=")
		if k, err := url.QueryUnescape(k); err != nil || k != key {
			continue
		}
		if v, err := url.QueryUnescape(v); err == nil {
			return v, true
		}
	}
	return "", false
}
