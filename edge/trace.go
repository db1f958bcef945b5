package edge

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/edge/rules"
)

// Trace explains how the edge answers one request: which rule matched,
// the resulting status and target, the custom headers applied, whether
// basic auth guards the branch, and the rules Amplify would ignore. It is
// the answer to "why does my site do that?".
type Trace struct {
	URL          string         `json:"url"`
	AppID        string         `json:"appId"`
	Branch       string         `json:"branch"`
	Country      string         `json:"country,omitempty"`
	AuthRequired bool           `json:"authRequired"`
	Authorized   bool           `json:"authorized"`
	Status       int            `json:"status"`
	Outcome      string         `json:"outcome"`
	Rule         *TracedRule    `json:"rule,omitempty"`
	Location     string         `json:"location,omitempty"`
	ProxyTarget  string         `json:"proxyTarget,omitempty"`
	ProxyRefused string         `json:"proxyRefused,omitempty"`
	File         string         `json:"file,omitempty"`
	Headers      []TracedHeader `json:"headers"`
	HeaderRules  []TracedMatch  `json:"headerRules"`
	Ignored      []TracedRule   `json:"ignoredRules"`
}

// TracedRule is a custom rule with its position in the app's list.
type TracedRule struct {
	Index     int    `json:"index"`
	Source    string `json:"source"`
	Target    string `json:"target"`
	Status    string `json:"status,omitempty"`
	Condition string `json:"condition,omitempty"`
	Reason    string `json:"reason,omitempty"` // why Amplify ignores it
}

// TracedHeader is a response header set by custom header rules.
type TracedHeader struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// TracedMatch is a custom-headers entry whose pattern matched the path.
type TracedMatch struct {
	Pattern string         `json:"pattern"`
	Line    int            `json:"line"`
	Headers []TracedHeader `json:"headers"`
}

// Trace traces a request for rawURL with the given request headers (for
// Authorization) and viewer country ("" = as the edge would determine it
// without a client address: unknown). The URL must name a branch of an app
// of account; anything else is ENOTFOUND.
func (s *Server) Trace(ctx context.Context, account, rawURL string, reqHeader http.Header, country string) (*Trace, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, pier.Errorf(pier.EINVALID, "Invalid url %q: want an absolute URL of a branch.", rawURL)
	}
	notFound := pier.Errorf(pier.ENOTFOUND, "No branch of yours is served at %s.", u.Host)
	st, b, err := s.lookup(ctx, u.Host)
	if err != nil {
		return nil, err
	}
	if st == nil || st.accountID != account || b == nil {
		return nil, notFound
	}
	appID, _ := s.AppID(ctx, u.Host)
	r := &http.Request{Method: http.MethodGet, Host: u.Host, URL: u, Header: reqHeader}
	if r.Header == nil {
		r.Header = http.Header{}
	}
	t := &Trace{
		URL: rawURL, AppID: appID, Branch: b.name, Country: country,
		AuthRequired: b.auth != nil, Authorized: authorized(b.auth, r),
		Headers: []TracedHeader{}, HeaderRules: []TracedMatch{}, Ignored: []TracedRule{},
	}
	for _, ig := range st.rules.Ignored() {
		t.Ignored = append(t.Ignored, traced(ig.Index, ig.Rule, ig.Reason))
	}
	if !t.Authorized {
		t.Status, t.Outcome = http.StatusUnauthorized, "basic-auth"
		t.addHeaders(st.headers, u.Path, t.Status)
		return t, nil
	}
	if b.deploymentID == "" {
		t.Status, t.Outcome = http.StatusNotFound, "no-deployment"
		return t, nil
	}
	d, err := s.deployment(ctx, b.deploymentID)
	if err != nil {
		return nil, err
	}
	escaped := u.EscapedPath()
	if escaped == "" {
		escaped = "/"
	}
	path, ok := cleanPath(escaped)
	if !ok {
		t.Status, t.Outcome = http.StatusBadRequest, outBadPath
		return t, nil
	}
	o := route(st, d, rules.Request{Host: u.Host, Path: path, RawQuery: u.RawQuery, Country: country})
	t.Status, t.Outcome, t.File = o.status, o.kind, o.path
	if o.kind == "" {
		t.Outcome = outNotFound
	}
	if o.rule >= 0 {
		tr := traced(o.rule, st.customRules[o.rule], "")
		t.Rule = &tr
	}
	switch o.kind {
	case outRedirect, outCleanRedirect:
		t.Location, t.File = o.target, ""
	case outProxy:
		t.ProxyTarget, t.File = o.target, ""
		if t.ProxyRefused = s.proxyRefusal(o.target); t.ProxyRefused != "" {
			t.Status = http.StatusBadGateway // what the edge answers
		}
	}
	t.addHeaders(d.headersFor(st), path, t.Status)
	return t, nil
}

// addHeaders records the custom headers of hdr a response with status to
// path gets, and the entries that matched.
func (t *Trace) addHeaders(c *customHeaders, path string, status int) {
	if c == nil {
		return
	}
	hdr := c.rules
	for _, h := range hdr.Apply(path, status) {
		t.Headers = append(t.Headers, TracedHeader{Key: h.Key, Value: h.Value})
	}
	for _, m := range hdr.Matches(path) {
		tm := TracedMatch{Pattern: m.Pattern, Line: m.Line, Headers: []TracedHeader{}}
		for _, h := range m.Headers {
			tm.Headers = append(tm.Headers, TracedHeader{Key: h.Key, Value: h.Value})
		}
		t.HeaderRules = append(t.HeaderRules, tm)
	}
}

// proxyRefusal says why target would not be proxied, "" if it would.
func (s *Server) proxyRefusal(target string) string {
	u, err := url.Parse(target)
	switch {
	case err != nil:
		return "invalid URL"
	case s.proxy == nil:
		return "this edge runs no proxy"
	}
	if err := s.proxy.Check(u); err != nil {
		return err.Error()
	}
	return ""
}

// traced renders a rule for a trace.
func traced(i int, r pier.CustomRule, reason string) TracedRule {
	return TracedRule{Index: i, Source: r.Source, Target: r.Target, Status: strings.TrimSpace(r.Status), Condition: r.Condition, Reason: reason}
}
