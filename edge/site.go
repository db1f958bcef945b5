package edge

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
)

// site is an app as the edge serves it, compiled from the store once per
// SiteTTL: its branches by lowercased display name.
type site struct {
	branches map[string]*branchSite
}

// branchSite is what serving one branch needs, compiled once per site
// resolution.
type branchSite struct {
	deploymentID string // live deployment, "" before the first publish
	auth         *credentials
	cacheControl []string // the Cache-Control header of its files
}

// compileSite compiles an app and its branches (in creation order). If two
// branches share a display name, the older one is served.
func compileSite(a *pier.App, branches []*pier.Branch) *site {
	s := &site{branches: make(map[string]*branchSite, len(branches))}
	for _, b := range branches {
		label := b.DisplayName
		if label == "" {
			label = pier.DisplayNameFor(b.Name)
		}
		label = strings.ToLower(label)
		if _, taken := s.branches[label]; taken {
			continue
		}
		s.branches[label] = &branchSite{
			deploymentID: b.DeploymentID,
			auth:         guard(a, b),
			cacheControl: []string{cacheControl(b.TTL)},
		}
	}
	return s
}

// deployment is a deployment with what serving it needs precomputed.
type deployment struct {
	*pier.Deployment
	lastModified []string // the Last-Modified header; nil without a CreateTime
}

// newDeployment precomputes what serving d needs.
func newDeployment(d *pier.Deployment) *deployment {
	dep := &deployment{Deployment: d}
	if !noTime(d.CreateTime) {
		dep.lastModified = []string{d.CreateTime.UTC().Format(http.TimeFormat)}
	}
	return dep
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
func loadSite(ctx context.Context, st Store, appID string) (*site, error) {
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
			return compileSite(a, branches), nil
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
