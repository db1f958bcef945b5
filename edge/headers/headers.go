// Package headers implements Amplify custom headers (hosting-semantics §2):
// the YAML of an app's customHeaders field and of the customHttp.yml at the
// root of a deployment. Parse compiles a document once; Rules.Apply is a pure
// function from a request path and a response status to the headers to set.
//
// # Format
//
// A document has a top-level customHeaders list, or the monorepo form, an
// applications list whose items carry an appRoot and their own
// customHeaders list:
//
//	customHeaders:
//	  - pattern: '*.json'
//	    headers:
//	      - key: 'Cache-Control'
//	        value: 'max-age=60'
//
// The same document comes from the app's customHeaders field and from
// FileName at the root of a deployment, whose entries come later and so win
// (Rules.Merge). Other top-level keys are ignored, so the legacy
// customHeaders section of an amplify.yml parses too. Keys and values are literal: there is no
// variable interpolation. A value loses surrounding spaces, tabs and line
// breaks (a folded YAML scalar ends in one) and must not contain other
// control characters. Keys must be HTTP field names, and may not name the
// framing and hop-by-hop fields the server itself manages (Connection,
// Content-Length, Keep-Alive, Proxy-Connection, TE, Trailer,
// Transfer-Encoding, Upgrade). Amplify documents neither rule; Pier rejects
// such a document rather than send a broken response.
//
// # Patterns
//
// Amplify does not document its patterns; Pier reads them as globs on the
// decoded request path (hosting-semantics §2.3, Pier's decision):
//
//   - "*" matches any run of characters within a segment, "?" one
//     character; neither crosses "/". Every other character is literal,
//     including "[", "{" and "\": brace alternation does not work on Amplify
//     either. Matching is case-sensitive.
//   - "**" as a whole segment matches any number of segments, none
//     included: "/assets/**" matches "/assets", "/assets/" and
//     "/assets/a/b.js"; "/a/**/b" matches "/a/b". Elsewhere "**" is a "*",
//     as in gitignore.
//   - A pattern without "/" matches the last segment of the path at any
//     depth: "*.js" matches "/app.js" and "/static/js/app.js". The last
//     segment of "/" and of "/docs/" is empty, so "*" and "**" match every
//     path and "*.html" does not match "/docs/".
//   - A pattern with "/" is anchored at the root whether or not it starts
//     with "/": "/img/*" and "img/*" match "/img/a.png" but not "/img/a/b.png"
//     or "/static/img/a.png". "**/*" and "/**" match every path, "/" too.
//
// # Precedence
//
// Every matching entry applies, in list order; for a key set more than once
// (compared case-insensitively) the last value wins, as Amplify users observe
// (hosting-semantics, contradiction 5). A custom Cache-Control applies only
// to responses that stand for a 200 OK; see Rules.Apply.
package headers

import (
	"net/http"
	"slices"
	"strings"
)

// FileName is the name of the custom-headers file at the root of a
// deployment. One page of the Amplify guide calls it customHeaders.yaml; Pier
// follows every other page (hosting-semantics, contradiction 4).
const FileName = "customHttp.yml"

// Header is one response header field, with the key as written.
type Header struct {
	Key   string
	Value string
}

// Match is an entry that matches a path, as Rules.Matches reports it.
type Match struct {
	Index   int      // position of the entry in the rules, from 0
	Line    int      // line of the entry in its YAML document
	Pattern string   // the pattern as written
	Headers []Header // the entry's headers as written, in order
}

// Rules is a compiled custom-headers document. It is immutable and safe for
// concurrent use. A nil *Rules has no entries.
type Rules struct {
	entries []entry
	keys    int // distinct keys, case-insensitively, numbered from 0
	cacheID int // the number of Cache-Control, -1 if no entry sets it
}

// entry is one compiled item of a customHeaders list.
type entry struct {
	line    int
	pattern string
	glob    glob
	headers []Header // as written
	// all has one header per key, the last value at the key's first
	// position; ids holds the number of each one's key in its Rules.
	// noCache is all without Cache-Control. Apply returns them as they are.
	all     []Header
	ids     []int
	noCache []Header
}

const cacheControl = "cache-control"

// newRules returns rules of entries, which it owns, after computing what
// Apply needs: the keys are numbered across all entries so that merging the
// headers of several entries takes one pass.
func newRules(entries []entry) *Rules {
	r := &Rules{entries: entries, cacheID: -1}
	ids := make(map[string]int)
	// For each key id, the entry (plus 1) whose all last got it, and where.
	var owner, where []int
	for i := range entries {
		e := &entries[i]
		e.all, e.ids, e.noCache = nil, nil, nil
		for _, h := range e.headers {
			key := strings.ToLower(h.Key)
			id, ok := ids[key]
			if !ok {
				id = len(ids)
				ids[key] = id
				owner, where = append(owner, 0), append(where, 0)
			}
			if key == cacheControl {
				r.cacheID = id
			}
			if owner[id] == i+1 {
				e.all[where[id]] = h
				continue
			}
			owner[id], where[id] = i+1, len(e.all)
			e.all = append(e.all, h)
			e.ids = append(e.ids, id)
		}
		for j, h := range e.all {
			if e.ids[j] != r.cacheID {
				e.noCache = append(e.noCache, h)
			}
		}
	}
	r.keys = len(ids)
	return r
}

// Len returns the number of entries.
func (r *Rules) Len() int {
	if r == nil {
		return 0
	}
	return len(r.entries)
}

// Apply returns the headers to set on a response with status to a request
// for path, the decoded request path starting with "/". The headers of every
// matching entry apply in order, a later value replacing an earlier one for
// the same key (case-insensitive); each key appears once, at the position of
// its first appearance, spelled as its last. They override the headers a
// file or an origin brings.
//
// Custom Cache-Control applies only to 200 OK responses (hosting-semantics
// §2.2, §7.2), and to the 206 Partial Content and 304 Not Modified responses
// that stand for one: RFC 9110 §15.4.5 requires a 304 to carry the
// Cache-Control a 200 would. Error and redirect responses get every other
// header, so security headers cover them too.
//
// The result is empty when no header applies. It may be shared with other
// calls: callers must not modify it.
func (r *Rules) Apply(path string, status int) []Header {
	if r == nil {
		return nil
	}
	cacheable := status == http.StatusOK || status == http.StatusPartialContent || status == http.StatusNotModified
	var buf [16]int
	matched := buf[:0]
	base := lastSegment(path)
	for i := range r.entries {
		if r.entries[i].glob.match(path, base) {
			matched = append(matched, i)
		}
	}
	switch len(matched) {
	case 0:
		return nil
	case 1:
		e := &r.entries[matched[0]]
		if cacheable {
			return e.all
		}
		return e.noCache
	}
	return r.combine(matched, cacheable)
}

// combine merges the headers of the matched entries (indexes in order) into
// one new slice, later values replacing earlier ones, in one pass.
func (r *Rules) combine(matched []int, cacheable bool) []Header {
	n := 0
	for _, i := range matched {
		n += len(r.entries[i].all)
	}
	out := make([]Header, 0, n)
	var buf [64]int32
	var pos []int32 // pos[id] is 1 + the index in out of key id, 0 if absent
	if r.keys <= len(buf) {
		pos = buf[:r.keys]
	} else {
		pos = make([]int32, r.keys)
	}
	for _, i := range matched {
		e := &r.entries[i]
		for j, h := range e.all {
			switch id := e.ids[j]; {
			case !cacheable && id == r.cacheID:
			case pos[id] > 0:
				out[pos[id]-1] = h
			default:
				out = append(out, h)
				pos[id] = int32(len(out))
			}
		}
	}
	return out
}

// Merge returns rules with the entries of r followed by those of other, so
// that other's value wins for a key both set. The edge merges an app's
// customHeaders with its live deployment's customHttp.yml, which wins
// (hosting-semantics §2.2). Match indexes count r's entries first. Either
// rules may be nil; neither changes.
func (r *Rules) Merge(other *Rules) *Rules {
	entries := make([]entry, 0, r.Len()+other.Len())
	for _, rules := range []*Rules{r, other} {
		if rules != nil {
			entries = append(entries, rules.entries...)
		}
	}
	return newRules(entries)
}

// Matches returns the entries whose pattern matches path, in order, whatever
// the response status: it explains Apply.
func (r *Rules) Matches(path string) []Match {
	var ms []Match
	for i := range r.Len() {
		if e := &r.entries[i]; e.glob.match(path, lastSegment(path)) {
			ms = append(ms, Match{Index: i, Line: e.line, Pattern: e.pattern, Headers: slices.Clone(e.headers)})
		}
	}
	return ms
}
