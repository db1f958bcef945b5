package edge

import (
	"net/http"
	"strings"

	"github.com/pier-hosting/pier/edge/rules"
)

// Outcomes of routing a request, as the tracer names them.
const (
	outRedirect        = "redirect"          // a 301/302 rule
	outRewrite         = "rewrite"           // a 200 rule to a path
	outProxy           = "proxy"             // a 200 rule to an absolute URL
	outFile            = "file"              // the requested file (clean URLs applied)
	outCleanRedirect   = "clean-url"         // 301 to the directory ("/about" → "/about/")
	outNotFoundPage    = "not-found-page"    // a 404 rule: its target with 404
	outNotFoundRewrite = "not-found-rewrite" // a 404-200 rule: its target with 200
	outNotFound        = "not-found"         // nothing: Pier's 404 page
	outBadPath         = "bad-path"          // a path that does not decode: 400, before routing
)

// outcome is what the edge does with a request: the pure result of custom
// rules (hosting-semantics §1.2: phase-1 rules, then files with clean URLs,
// then 404 rules) over a deployment. ServeHTTP carries it out; Trace
// reports it.
type outcome struct {
	kind   string
	status int
	rule   int       // the matching rule's index, -1 when none
	target string    // Location of a redirect or the proxied URL (escaped)
	path   string    // manifest path of the file served
	file   *decision // the file served, nil when none
}

// route computes the outcome of request req, whose Path cleanPath decoded
// and cleaned, against the rules of st and deployment d.
func route(st *site, d *deployment, req rules.Request) outcome {
	if dec := st.evaluate(req); dec.Matched {
		switch dec.Kind {
		case rules.Redirect:
			return outcome{kind: outRedirect, status: dec.Status, rule: dec.Index, target: dec.Target}
		case rules.Proxy:
			return outcome{kind: outProxy, status: http.StatusOK, rule: dec.Index, target: dec.Target}
		case rules.Rewrite:
			o := serveTarget(d, dec.Target, http.StatusOK)
			o.kind, o.rule = outRewrite, dec.Index
			return o
		}
	}
	res := resolveClean(d.Deployment, req.Path)
	switch res.status {
	case http.StatusOK:
		return outcome{kind: outFile, status: http.StatusOK, rule: -1, path: res.path, file: &res}
	case http.StatusMovedPermanently:
		return outcome{kind: outCleanRedirect, status: res.status, rule: -1, target: res.path}
	}
	if dec := st.notFound(req); dec.Matched {
		kind, status := outNotFoundRewrite, http.StatusOK
		if dec.Kind == rules.NotFoundPage {
			kind, status = outNotFoundPage, http.StatusNotFound
		}
		o := serveTarget(d, dec.Target, status)
		o.kind, o.rule = kind, dec.Index
		return o
	}
	return outcome{kind: outNotFound, status: http.StatusNotFound, rule: -1}
}

// serveTarget resolves the target of a rewrite (an escaped path, maybe
// with a query) in d. The file is served with status; a target that names no
// file is Pier's 404 page. Rewrites are not re-evaluated.
func serveTarget(d *deployment, target string, status int) outcome {
	p, _, _ := strings.Cut(target, "?")
	res := resolve(d.Deployment, p)
	if res.status != http.StatusOK {
		return outcome{status: http.StatusNotFound, path: p}
	}
	return outcome{status: status, path: res.path, file: &res}
}
