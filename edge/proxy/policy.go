package proxy

import (
	"fmt"
	"net/url"

	"github.com/pier-hosting/pier/netguard"
)

// errRefused marks a destination the policy does not let the proxy reach.
// Such a request is never retried.
var errRefused = netguard.ErrRefused

// policy decides which destinations the proxy may reach: the scheme here,
// the address by netguard. It is immutable once built, so safe for
// concurrent use.
type policy struct {
	allowHTTP bool
	guard     *netguard.Policy
}

func newPolicy(allowHTTP bool, allow []string) (*policy, error) {
	guard, err := netguard.New(allow)
	if err != nil {
		return nil, err
	}
	return &policy{allowHTTP: allowHTTP, guard: guard}, nil
}

// check refuses a target whose scheme is not allowed, or whose host is an IP
// address or a loopback name the policy refuses. Other host names are
// checked against their addresses when connecting.
func (p *policy) check(target *url.URL) error {
	switch {
	case target.Scheme == "https":
	case target.Scheme == "http" && p.allowHTTP:
	case target.Scheme == "http":
		return netguard.Refused("http:// targets are not allowed, only https://")
	default:
		return netguard.Refused(fmt.Sprintf("scheme %q is not allowed", target.Scheme))
	}
	return p.guard.CheckHost(target.Hostname())
}
