package edge

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/edge/headers"
	"github.com/pier-hosting/pier/edge/rules"
)

// site is an app as the edge serves it, compiled from the store once per
// SiteTTL: its branches by lowercased display name, its custom rules and its
// custom headers.
type site struct {
	accountID   string
	branches    map[string]*branchSite // by lowercased display name
	byName      map[string]*branchSite // by branch name, for custom domains
	customRules []pier.CustomRule      // as the app has them, for traces
	rules       *rules.Ruleset
	memo        memo           // decisions of rules, when they use regexes
	headers     *customHeaders // nil when the app has none (or invalid ones)
}

// branchSite is what serving one branch needs, compiled once per site
// resolution.
type branchSite struct {
	name         string
	deploymentID string // live deployment, "" before the first publish
	auth         *credentials
	cacheControl []string // the Cache-Control header of its files
}

// compileSite compiles an app and its branches (in creation order). If two
// branches share a display name, the older one is served.
func compileSite(a *pier.App, branches []*pier.Branch, log *slog.Logger) *site {
	s := &site{
		accountID: a.AccountID, branches: make(map[string]*branchSite, len(branches)),
		byName:      make(map[string]*branchSite, len(branches)),
		customRules: a.CustomRules, rules: rules.Compile(a.CustomRules),
	}
	if a.CustomHeaders != "" {
		h, err := headers.Parse(a.CustomHeaders, "")
		if err != nil { // the API refuses these; an older record may still hold one
			log.Warn("edge: ignoring invalid customHeaders", "app", a.ID, "err", pier.ErrorMessage(err))
		}
		s.headers = newCustomHeaders(h)
	}
	for _, b := range branches {
		label := b.DisplayName
		if label == "" {
			label = pier.DisplayNameFor(b.Name)
		}
		label = strings.ToLower(label)
		bs := &branchSite{
			name:         b.Name,
			deploymentID: b.DeploymentID,
			auth:         guard(a, b),
			cacheControl: []string{cacheControl(b.TTL)},
		}
		s.byName[b.Name] = bs
		if _, taken := s.branches[label]; taken {
			continue
		}
		s.branches[label] = bs
	}
	return s
}

// deployment is a deployment with what serving it needs precomputed.
type deployment struct {
	*pier.Deployment
	lastModified []string // the Last-Modified header; nil without a CreateTime
	// customHTTP is the deployment's own customHttp.yml, nil without one.
	customHTTP *customHeaders
	// merged caches the app's headers followed by customHTTP, by the app's
	// *customHeaders (a site refresh compiles new ones).
	merged sync.Map
}

// maxCustomHTTPBytes bounds the customHttp.yml read from a deployment, as
// the API bounds customHeaders.
const maxCustomHTTPBytes = 25000

// newDeployment precomputes what serving d needs, reading its
// customHttp.yml. An invalid file is ignored (and logged): the site is
// served as if it had none.
func newDeployment(ctx context.Context, blobs pier.BlobStore, d *pier.Deployment, log *slog.Logger) (*deployment, error) {
	dep := &deployment{Deployment: d}
	if !noTime(d.CreateTime) {
		dep.lastModified = []string{d.CreateTime.UTC().Format(http.TimeFormat)}
	}
	f, ok := d.Files["/"+headers.FileName]
	if !ok || f.Size > maxCustomHTTPBytes {
		return dep, nil
	}
	rc, err := pier.OpenBody(ctx, blobs, f.Body)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", headers.FileName, err)
	}
	defer rc.Close()
	text, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", headers.FileName, err)
	}
	h, err := headers.Parse(string(text), "")
	if err != nil {
		log.Warn("edge: ignoring invalid "+headers.FileName, "deployment", d.ID, "err", pier.ErrorMessage(err))
	}
	dep.customHTTP = newCustomHeaders(h)
	return dep, nil
}

// headersFor returns the custom headers of a request to site st served from
// d: the app's, then the deployment's customHttp.yml, which wins.
func (d *deployment) headersFor(st *site) *customHeaders {
	if d.customHTTP == nil {
		return st.headers
	}
	if st.headers == nil {
		return d.customHTTP
	}
	if m, ok := d.merged.Load(st.headers); ok {
		return m.(*customHeaders)
	}
	m, _ := d.merged.LoadOrStore(st.headers, newCustomHeaders(st.headers.rules.Merge(d.customHTTP.rules)))
	return m.(*customHeaders)
}

// noTime reports whether t is no time at all: zero or, as http.ServeContent
// has it, the Unix epoch.
func noTime(t time.Time) bool {
	return t.IsZero() || t.Equal(time.Unix(0, 0))
}

// listPageSize is how many branches one ListBranches call fetches.
const listPageSize = 100

// loadSite reads app appID and its branches from st. An app that does not
// exist (or vanishes while it is read) is a nil site, which is cached like
// any other so that requests for unknown apps do not reach the store.
func loadSite(ctx context.Context, st Store, appID string, log *slog.Logger) (*site, error) {
	a, err := st.FindApp(ctx, appID)
	if pier.ErrorCode(err) == pier.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("find app: %w", err)
	}
	var branches []*pier.Branch
	page := pier.Page{Limit: listPageSize}
	for {
		bs, next, err := st.ListBranches(ctx, a.AccountID, a.ID, page)
		if pier.ErrorCode(err) == pier.ENOTFOUND {
			return nil, nil
		} else if err != nil {
			return nil, fmt.Errorf("list branches: %w", err)
		}
		branches = append(branches, bs...)
		if next == "" {
			return compileSite(a, branches, log), nil
		}
		page.After = next
	}
}

// splitHost splits a Host header of the form {displayName}.{appId}{suffix}
// (suffix is "." + the lowercased base domain), ignoring a port, a trailing
// dot and letter case. It reports false for any other host, including the
// bare {appId}{suffix}: Amplify serves nothing there.
func splitHost(host, suffix string) (label, appID string, ok bool) {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	rest, found := strings.CutSuffix(host, suffix)
	if !found {
		return "", "", false
	}
	label, appID, found = strings.Cut(rest, ".")
	if !found || label == "" || appID == "" || strings.Contains(appID, ".") {
		return "", "", false
	}
	return label, appID, true
}

// maxTTL caps the s-maxage Pier sends: one year, Amplify's maximum edge TTL
// (hosting-semantics §7.2).
const maxTTL = 365 * 24 * 60 * 60

// cacheControl returns the Cache-Control header of a branch's files. This is
// Pier's reading of hosting-semantics §7.2/§7.3, which Amplify does not
// document as a header: browsers revalidate every time (max-age=0,
// must-revalidate; ETags make that a cheap 304), while shared caches in front
// of Pier may keep a response for the branch's ttl seconds (s-maxage), the
// role the ttl plays at Amplify's CDN. A ttl that is not a decimal number
// adds no s-maxage. Custom header rules will override this value.
func cacheControl(ttl string) string {
	const browser = "public, max-age=0, must-revalidate"
	n, err := strconv.ParseUint(ttl, 10, 64)
	if err != nil {
		return browser
	}
	return browser + ", s-maxage=" + strconv.FormatUint(min(n, maxTTL), 10)
}
