package edge

import (
	"strconv"
	"strings"

	"github.com/pier-hosting/pier"
)

// Content-Encoding header values, shared like those in files.go.
var (
	encodingBr   = []string{"br"}
	encodingGzip = []string{"gzip"}
)

// variant is one stored encoding of a file.
type variant struct {
	encoding []string // Content-Encoding header, nil for identity
	pier.Body
}

// pick returns the variant of f to send for an Accept-Encoding value.
func pick(f pier.File, acceptEncoding string) variant {
	switch negotiate(acceptEncoding, f.Brotli != nil, f.Gzip != nil) {
	case "br":
		return variant{encodingBr, *f.Brotli}
	case "gzip":
		return variant{encodingGzip, *f.Gzip}
	}
	return variant{nil, f.Body}
}

// negotiate chooses among the stored encodings of a file ("br" if haveBr,
// "gzip" if haveGzip, and identity, always) for an Accept-Encoding value
// (RFC 9110 §12.5.3). It returns the acceptable encoding with the highest
// q-value, br winning ties, or "" for identity. An encoding the header does
// not list takes the q-value of "*", and is unacceptable without one; q=0
// refuses. Identity is sent even when the header refuses it, rather than 406.
func negotiate(acceptEncoding string, haveBr, haveGzip bool) string {
	if acceptEncoding == "" || (!haveBr && !haveGzip) {
		return ""
	}
	br, gzip, star := -1.0, -1.0, -1.0
	for rest := acceptEncoding; rest != ""; {
		var item string
		item, rest, _ = strings.Cut(rest, ",")
		name, params, _ := strings.Cut(item, ";")
		switch name = strings.TrimSpace(name); {
		case strings.EqualFold(name, "br"):
			br = qvalue(params)
		case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
			gzip = qvalue(params)
		case name == "*":
			star = qvalue(params)
		}
	}
	if br < 0 {
		br = star
	}
	if gzip < 0 {
		gzip = star
	}
	switch {
	case haveBr && br > 0 && (!haveGzip || br >= gzip):
		return "br"
	case haveGzip && gzip > 0:
		return "gzip"
	}
	return ""
}

// qvalue returns the q parameter among the ";"-separated params of an
// Accept-Encoding item: 1 if absent, 0 if malformed.
func qvalue(params string) float64 {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		p = strings.TrimSpace(p)
		if len(p) < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=' {
			continue
		}
		q, err := strconv.ParseFloat(p[2:], 64)
		if err != nil || q < 0 || q > 1 {
			return 0
		}
		return q
	}
	return 1
}
