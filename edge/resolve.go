package edge

import (
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/pier-hosting/pier"
)

// decision is the outcome of file resolution for one request path.
type decision struct {
	// status is http.StatusOK (serve file), http.StatusMovedPermanently
	// (redirect to path), http.StatusNotFound or http.StatusBadRequest.
	status int
	// path is the manifest path of the file to serve (200) or the escaped
	// path to redirect to (301); the caller appends the query string.
	path string
	file pier.File // the file to serve (200)
}

// resolve maps an escaped request path to a file of d, following the
// clean-URL table of hosting-semantics §1.5, in this order:
//
//   - a path ending in "/" serves its index.html ("/" → "/index.html");
//   - an exact file wins ("/app.js");
//   - "/about" serves "/about.html" if present, URL unchanged;
//   - "/about" with "/about/index.html" redirects (301) to "/about/";
//   - anything else is 404 (Pier's choice where Amplify answers 403).
//
// The path is percent-decoded and its dot segments resolved first; a path
// that does not decode, contains NUL, or climbs above the root is 400.
// Backslashes are ordinary characters.
func resolve(d *pier.Deployment, escapedPath string) decision {
	p, ok := cleanPath(escapedPath)
	if !ok {
		return decision{status: http.StatusBadRequest}
	}
	return resolveClean(d, p)
}

// resolveClean is resolve for a path cleanPath already decoded and cleaned.
func resolveClean(d *pier.Deployment, p string) decision {
	if strings.HasSuffix(p, "/") {
		index := "/index.html"
		if p != "/" {
			index = p + "index.html"
		}
		return serve(d, index)
	}
	if f, ok := d.Files[p]; ok {
		return decision{status: http.StatusOK, path: p, file: f}
	}
	if f, ok := d.Files[p+".html"]; ok {
		return decision{status: http.StatusOK, path: p + ".html", file: f}
	}
	if _, ok := d.Files[p+"/index.html"]; ok {
		u := url.URL{Path: p + "/"}
		return decision{status: http.StatusMovedPermanently, path: u.EscapedPath()}
	}
	return decision{status: http.StatusNotFound}
}

// serve is the decision to serve d's file at p, or 404 if there is none.
func serve(d *pier.Deployment, p string) decision {
	if f, ok := d.Files[p]; ok {
		return decision{status: http.StatusOK, path: p, file: f}
	}
	return decision{status: http.StatusNotFound}
}

// cleanPath decodes an escaped request path and resolves its ".", ".." and
// empty segments, keeping a trailing slash (a path ending in "/." or "/.."
// names a directory too). It reports false for a path that does not decode,
// does not start with "/", contains NUL, or climbs above the root.
func cleanPath(escaped string) (string, bool) {
	p, err := url.PathUnescape(escaped)
	if err != nil || !strings.HasPrefix(p, "/") || strings.IndexByte(p, 0) >= 0 || climbs(p) {
		return "", false
	}
	c := path.Clean(p)
	if c != "/" && (strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")) {
		c += "/"
	}
	return c, true
}

// climbs reports whether a ".." segment of p goes above the root, which
// path.Clean would silently forgive.
func climbs(p string) bool {
	depth := 0
	for p != "" {
		var seg string
		seg, p, _ = strings.Cut(p, "/")
		switch seg {
		case "", ".":
		case "..":
			if depth--; depth < 0 {
				return true
			}
		default:
			depth++
		}
	}
	return false
}
