package pier

import "context"

// Certificates issues the TLS certificates of custom domains and checks
// the ones operators import (package certs). Methods are safe for
// concurrent use.
type Certificates interface {
	// Issue obtains a certificate for every name by ACME (HTTP-01 answered
	// by the edge) unless a valid one is stored, and keeps renewing them.
	// It returns once the certificates are stored; an ACME failure is
	// EDEPENDENCY with the CA's reason.
	Issue(ctx context.Context, names []string) error
	// CheckCustom checks that the certificate account imported as arn is
	// valid now and covers every name: ENOTFOUND for an unknown arn (or
	// another account's), EINVALID naming the problem otherwise.
	CheckCustom(ctx context.Context, account, arn string, names []string) error
	// Release stops renewing names (their association is gone).
	Release(ctx context.Context, names []string) error
}

// DomainCandidates returns the domain names an association serving host
// could have: host itself, then each parent with at least two labels
// ("a.b.example.com" → "a.b.example.com", "b.example.com", "example.com").
func DomainCandidates(host string) []string {
	var out []string
	for {
		out = append(out, host)
		_, parent, ok := cutLabel(host)
		if !ok || !hasDot(parent) {
			return out
		}
		host = parent
	}
}

func cutLabel(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func hasDot(s string) bool {
	_, _, ok := cutLabel(s)
	return ok
}

// SubDomainFor returns the subdomain of d that serves host (a lower-case
// hostname without port), matching "" to the apex and "*" to any single
// label not otherwise configured.
func (d *DomainAssociation) SubDomainFor(host string) (SubDomain, bool) {
	var prefix string
	switch {
	case host == d.DomainName:
	case len(host) > len(d.DomainName) && host[len(host)-len(d.DomainName)-1:] == "."+d.DomainName:
		prefix = host[:len(host)-len(d.DomainName)-1]
	default:
		return SubDomain{}, false
	}
	var wildcard *SubDomain
	for i, sd := range d.SubDomains {
		if sd.Prefix == prefix {
			return sd, true
		}
		if sd.Prefix == "*" && prefix != "" && !hasDot(prefix) {
			wildcard = &d.SubDomains[i]
		}
	}
	if wildcard != nil {
		return *wildcard, true
	}
	return SubDomain{}, false
}
