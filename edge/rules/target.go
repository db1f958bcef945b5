package rules

import (
	"slices"
	"strings"
)

// template is a compiled rule target, split at its "?" and "#" so that a
// domain rule's path and a forwarded query can be put in their places.
type template struct {
	text        string // the target, returned as is when nothing is substituted or added
	static      bool   // no part is a capture
	base        []part // before "?" and "#"; a domain rule's without its trailing "/"
	query       []part // between "?" and "#"
	fragment    []part // after "#"
	hasQuery    bool
	hasFragment bool
}

// part is literal target text, or the value of a capture (capture >= 0).
type part struct {
	text    string
	capture int
}

// parseTarget compiles target for a source whose captures are named names.
func parseTarget(target string, names []string, domain bool) template {
	t := template{text: target}
	rest, fragment, hasFragment := strings.Cut(target, "#")
	base, query, hasQuery := strings.Cut(rest, "?")
	if domain {
		base = strings.TrimSuffix(base, "/")
	}
	t.base = parseParts(base, names)
	t.query = parseParts(query, names)
	t.fragment = parseParts(fragment, names)
	t.hasQuery, t.hasFragment = hasQuery, hasFragment
	t.static = !hasCapture(t.base) && !hasCapture(t.query) && !hasCapture(t.fragment)
	return t
}

func hasCapture(parts []part) bool {
	return slices.ContainsFunc(parts, func(p part) bool { return p.capture >= 0 })
}

// parseParts splits s into literal text and the placeholders names define;
// other placeholders stay literal text.
func parseParts(s string, names []string) []part {
	var parts []part
	from, i := 0, 0
	for {
		start, end, name := placeholder(s[i:])
		if start < 0 {
			break
		}
		start, end = i+start, i+end
		i = end
		c := slices.Index(names, name)
		if c < 0 {
			continue
		}
		if from < start {
			parts = append(parts, part{text: s[from:start], capture: -1})
		}
		parts = append(parts, part{capture: c})
		from = end
	}
	if from < len(s) {
		parts = append(parts, part{text: s[from:], capture: -1})
	}
	return parts
}

// expand returns r's target for a request it matched with captures caps:
// placeholders substituted, a domain rule's request path appended and the
// query forwarded (see the package documentation).
func (r *rule) expand(req *Request, caps []string) string {
	t := &r.target
	forward := req.RawQuery != "" && (r.kind != Redirect || len(r.src.query) == 0 && !t.hasQuery)
	join := r.src.kind == domainSource
	if t.static && !forward && !join {
		return t.text
	}
	var b strings.Builder
	b.Grow(len(t.text) + 2*(len(req.Path)+len(req.RawQuery)))
	writeParts(&b, t.base, caps, false)
	if join {
		if !strings.HasPrefix(req.Path, "/") { // keep a path target a path
			b.WriteByte('/')
		}
		writeEscaped(&b, req.Path, false)
	}
	if t.hasQuery || forward {
		b.WriteByte('?')
	}
	writeParts(&b, t.query, caps, true)
	if forward {
		if len(t.query) > 0 {
			b.WriteByte('&')
		}
		b.WriteString(req.RawQuery)
	}
	if t.hasFragment {
		b.WriteByte('#')
		writeParts(&b, t.fragment, caps, false)
	}
	return b.String()
}

// writeParts writes parts to b, escaping captured values for a query
// component or else for a path.
func writeParts(b *strings.Builder, parts []part, caps []string, query bool) {
	for _, p := range parts {
		if p.capture < 0 {
			b.WriteString(p.text)
		} else {
			writeEscaped(b, caps[p.capture], query)
		}
	}
}

// writeEscaped writes s to b, percent-encoding each byte that may not appear
// literally in a query component (query) or a path (RFC 3986).
func writeEscaped(b *strings.Builder, s string, query bool) {
	const hex = "0123456789ABCDEF"
	from := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; !keep(c, query) {
			b.WriteString(s[from:i])
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			from = i + 1
		}
	}
	b.WriteString(s[from:])
}

// keep reports whether c may appear unescaped in a query component (query)
// or a path.
func keep(c byte, query bool) bool {
	if isLetter(c) || '0' <= c && c <= '9' {
		return true
	}
	switch c {
	case '-', '.', '_', '~', '!', '$', '\'', '(', ')', '*', ',', ';', ':', '@', '/':
		return true
	case '&', '=', '+':
		return !query
	case '?':
		return query
	}
	return false
}
