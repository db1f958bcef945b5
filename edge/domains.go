package edge

import (
	"context"
	"fmt"
	"strings"

	"github.com/pier-hosting/pier"
)

// customDomain is a domain association as the edge routes it: the branch
// of each host it serves. Associations that FAILED serve nothing. The
// others are served from creation on, before they are AVAILABLE, so that
// the ACME CA's HTTP-01 requests reach Pier and customers can try their
// site over HTTP as soon as their DNS points at it.
type customDomain struct {
	appID string
	assoc *pier.DomainAssociation
}

// lookup returns the site and branch host names: {label}.{appId}.{base}
// or a host of a custom domain. The branch is nil if there is none.
func (s *Server) lookup(ctx context.Context, host string) (*site, *branchSite, error) {
	if label, appID, ok := splitHost(host, s.suffix); ok {
		st, err := s.site(ctx, appID)
		if err != nil || st == nil {
			return nil, nil, err
		}
		return st, st.branches[label], nil
	}
	cd, sd, err := s.customHost(ctx, host)
	if err != nil || cd == nil {
		return nil, nil, err
	}
	st, err := s.site(ctx, cd.appID)
	if err != nil || st == nil || st.accountID != cd.assoc.AccountID {
		return nil, nil, err
	}
	return st, st.byName[sd.BranchName], nil
}

// AppID returns the id of the app host belongs to: the app of a
// {label}.{appId}.{base} host, or of the custom domain association serving
// host, whether or not a branch answers there. False when there is none.
// It is safe for concurrent use and cached like request routing.
func (s *Server) AppID(ctx context.Context, host string) (string, bool) {
	if _, appID, ok := splitHost(host, s.suffix); ok {
		st, err := s.site(ctx, appID)
		if err != nil || st == nil {
			return "", false
		}
		return appID, true
	}
	cd, _, err := s.customHost(ctx, host)
	if err != nil || cd == nil {
		return "", false
	}
	return cd.appID, true
}

// InvalidateDomain forgets what the edge knows about the association of
// domain. Call it after the association changes; otherwise the change
// shows within SiteTTL.
func (s *Server) InvalidateDomain(domain string) {
	s.domains.remove(strings.ToLower(strings.TrimSuffix(domain, ".")))
}

// customHost returns the association serving host and its subdomain: the
// association of the longest of pier.DomainCandidates(host) that serves
// it. Nil when none does or host is under the base domain.
func (s *Server) customHost(ctx context.Context, host string) (*customDomain, pier.SubDomain, error) {
	host = hostOnly(host)
	if host == "" || host == s.suffix[1:] || strings.HasSuffix(host, s.suffix) || !strings.Contains(host, ".") {
		return nil, pier.SubDomain{}, nil
	}
	for _, cand := range pier.DomainCandidates(host) {
		cd, err := s.domains.get(ctx, cand, 1, func(ctx context.Context) (*customDomain, error) {
			d, err := s.store.FindDomainAssociation(ctx, cand)
			if pier.ErrorCode(err) == pier.ENOTFOUND {
				return nil, nil // cached too, so unknown hosts do not reach the store
			} else if err != nil {
				return nil, fmt.Errorf("find domain association: %w", err)
			}
			if d.Status == pier.DomainFailed {
				return nil, nil
			}
			return &customDomain{appID: d.AppID, assoc: d}, nil
		})
		if err != nil {
			return nil, pier.SubDomain{}, err
		}
		if cd == nil {
			continue
		}
		if sd, ok := cd.assoc.SubDomainFor(host); ok {
			return cd, sd, nil
		}
	}
	return nil, pier.SubDomain{}, nil
}

// hostOnly lowercases a Host header and drops its port and trailing dot.
func hostOnly(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	return strings.ToLower(strings.TrimSuffix(host, "."))
}
