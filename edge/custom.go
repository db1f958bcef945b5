package edge

import (
	"net/http"
	"net/textproto"

	"github.com/pier-hosting/pier/edge/headers"
)

// customHeaders is a compiled custom-headers document together with the
// header sets it produced, kept ready to assign: canonical keys and shared
// value slices. Apply is pure, so its results can be remembered; most
// traffic repeats a few paths.
type customHeaders struct {
	rules *headers.Rules
	// ok and other remember the sets of responses that stand for a 200
	// (which may carry a custom Cache-Control) and of all others, by path.
	ok, other memoTable[[]field]
}

// field is one header ready to assign to a response's header map. Values
// are shared between responses and never modified.
type field struct {
	key   string
	value []string
}

// newCustomHeaders wraps rules; nil rules give nil.
func newCustomHeaders(rules *headers.Rules) *customHeaders {
	if rules == nil {
		return nil
	}
	return &customHeaders{rules: rules}
}

// fields returns the headers a response with status to path gets.
func (c *customHeaders) fields(path string, status int) []field {
	if c == nil {
		return nil
	}
	m := &c.other
	if status == http.StatusOK || status == http.StatusPartialContent || status == http.StatusNotModified {
		m, status = &c.ok, http.StatusOK
	}
	if fs, ok := m.load(path); ok {
		return fs
	}
	applied := c.rules.Apply(path, status)
	fs := make([]field, len(applied))
	for i, h := range applied {
		fs[i] = field{key: textproto.CanonicalMIMEHeaderKey(h.Key), value: []string{h.Value}}
	}
	m.keep(path, fs)
	return fs
}

// setFields sets custom headers on a response, replacing what was there.
func setFields(w http.ResponseWriter, fs []field) {
	h := w.Header()
	for _, f := range fs {
		h[f.key] = f.value
	}
}
