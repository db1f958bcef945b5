package sigv4

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// param is one decoded query parameter, in the order sent.
type param struct{ key, value string }

// parseQuery decodes a raw query string the way url.ParseQuery does ('+' is
// a space), keeping repeated keys and failing on a bad percent-encoding,
// which the client cannot have signed.
func parseQuery(raw string) ([]param, error) {
	var params []param
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, unauthorized("The query string is not properly percent-encoded.")
		}
		params = append(params, param{key, value})
	}
	return params, nil
}

// canonicalRequest returns the SigV4 canonical request of r up to and
// including the newline before the payload hash.
func canonicalRequest(r *http.Request, query []param, a *auth) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(query, a.presigned))
	b.WriteByte('\n')
	for _, name := range a.signedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(a.signedHeaders, ";"))
	b.WriteByte('\n')
	return b.String()
}

// canonicalURI encodes the path as sent on the wire a second time, as AWS
// does for every service but S3: a client that sends /tags/arn%3Aaws signs
// /tags/arn%253Aaws.
func canonicalURI(r *http.Request) string {
	path := r.URL.EscapedPath()
	if path == "" {
		return "/"
	}
	return escape(path, true)
}

// canonicalQuery encodes each key and value, then sorts by key and value;
// sorting after encoding is what SigV4 specifies. The signature of a
// presigned URL is not part of what it signs.
func canonicalQuery(query []param, presigned bool) string {
	encoded := make([]param, 0, len(query))
	for _, p := range query {
		if presigned && p.key == "X-Amz-Signature" {
			continue
		}
		encoded = append(encoded, param{escape(p.key, false), escape(p.value, false)})
	}
	slices.SortFunc(encoded, func(x, y param) int {
		return cmp.Or(strings.Compare(x.key, y.key), strings.Compare(x.value, y.value))
	})
	var b strings.Builder
	for i, p := range encoded {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.key)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// canonicalHeaderValue joins the values of a header with commas, each
// trimmed and with runs of spaces collapsed. Go moves the Host header to
// r.Host.
func canonicalHeaderValue(r *http.Request, name string) string {
	if name == "host" {
		return collapseSpaces(strings.TrimSpace(r.Host))
	}
	values := r.Header.Values(name)
	cleaned := make([]string, len(values))
	for i, v := range values {
		cleaned[i] = collapseSpaces(strings.TrimSpace(v))
	}
	return strings.Join(cleaned, ",")
}

// collapseSpaces replaces each run of spaces in s with a single space.
func collapseSpaces(s string) string {
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' || i == 0 || s[i-1] != ' ' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// escape percent-encodes every byte of s except the unreserved characters
// A-Z a-z 0-9 - . _ ~ (and '/' when keepSlash is set), with uppercase hex
// digits, as SigV4's UriEncode does.
func escape(s string, keepSlash bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (c == '/' && keepSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xF])
	}
	return b.String()
}

// unreserved reports whether c is an RFC 3986 unreserved character.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
