package proxy

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// errRefused marks a destination the policy does not let the proxy reach.
// Such a request is never retried.
var errRefused = errors.New("destination refused")

func refused(reason string) error {
	return fmt.Errorf("%w: %s", errRefused, reason)
}

// policy decides which destinations the proxy may reach. It is immutable
// once built, so safe for concurrent use.
type policy struct {
	allowHTTP bool
	prefixes  []netip.Prefix  // addresses allowed even when not public
	names     map[string]bool // host names allowed whatever they resolve to
}

func newPolicy(allowHTTP bool, allow []string) (*policy, error) {
	p := &policy{allowHTTP: allowHTTP, names: map[string]bool{}}
	for i, entry := range allow {
		if err := p.add(strings.TrimSpace(entry)); err != nil {
			return nil, fmt.Errorf("allow entry %d %q: %w", i, entry, err)
		}
	}
	return p, nil
}

// add allows a CIDR prefix, a single IP address or a host name.
func (p *policy) add(entry string) error {
	if strings.Contains(entry, "/") {
		prefix, err := netip.ParsePrefix(entry)
		if err != nil {
			return err
		}
		p.prefixes = append(p.prefixes, prefix.Masked())
		return nil
	}
	if addr, err := netip.ParseAddr(entry); err == nil {
		addr = addr.Unmap().WithZone("")
		p.prefixes = append(p.prefixes, netip.PrefixFrom(addr, addr.BitLen()))
		return nil
	}
	name := normalizeHost(entry)
	if !validName(name) {
		return errors.New("neither a CIDR prefix, an IP address nor a host name")
	}
	p.names[name] = true
	return nil
}

// check refuses a target whose scheme is not allowed, or whose host is an IP
// address or a loopback name the policy refuses. Other host names are
// checked against their addresses when connecting.
func (p *policy) check(target *url.URL) error {
	switch {
	case target.Scheme == "https":
	case target.Scheme == "http" && p.allowHTTP:
	case target.Scheme == "http":
		return refused("http:// targets are not allowed, only https://")
	default:
		return refused(fmt.Sprintf("scheme %q is not allowed", target.Scheme))
	}
	host := normalizeHost(target.Hostname())
	switch {
	case host == "":
		return refused("target has no host")
	case p.names[host]:
		return nil
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		return p.checkAddr(addr)
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return refused(host + " is a loopback name")
	}
	return nil
}

// checkAddr refuses a non-public address outside the allowed prefixes.
func (p *policy) checkAddr(addr netip.Addr) error {
	addr = addr.Unmap().WithZone("")
	for _, prefix := range p.prefixes {
		if prefix.Contains(addr) {
			return nil
		}
	}
	if kind := nonPublic(addr); kind != "" {
		return refused(fmt.Sprintf("%s is a %s address", addr, kind))
	}
	return nil
}

// control is a net.Dialer Control function: it runs after name resolution,
// on the address about to be connected to, so a name that resolves (or
// rebinds) to a refused address cannot be reached.
func (p *policy) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return refused(fmt.Sprintf("unexpected dial address %q", address))
	}
	return p.checkAddr(ap.Addr())
}

// special lists the IANA special-purpose ranges that are not globally
// reachable, beyond those netip.Addr reports itself.
var special = []struct {
	prefix netip.Prefix
	kind   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this-network"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (carrier-grade NAT)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignment"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("::/96"), "IPv4-compatible"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local NAT64"},
	{netip.MustParsePrefix("100::/64"), "discard-only"},
	{netip.MustParsePrefix("2001::/23"), "IETF protocol assignment"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("3fff::/20"), "documentation"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
}

var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4 = netip.MustParsePrefix("2002::/16")
)

// nonPublic names the kind of a non-public address, or returns "" for a
// public one. NAT64 and 6to4 addresses are judged by the IPv4 address they
// embed.
func nonPublic(addr netip.Addr) string {
	switch {
	case addr.IsLoopback():
		return "loopback"
	case addr.IsPrivate():
		return "private"
	case addr.IsLinkLocalUnicast(), addr.IsLinkLocalMulticast():
		return "link-local"
	case addr.IsUnspecified():
		return "unspecified"
	case addr.IsMulticast():
		return "multicast"
	}
	for _, s := range special {
		if s.prefix.Contains(addr) {
			return s.kind
		}
	}
	b := addr.As16()
	switch {
	case nat64.Contains(addr):
		return nonPublic(netip.AddrFrom4([4]byte(b[12:16])))
	case sixTo4.Contains(addr):
		return nonPublic(netip.AddrFrom4([4]byte(b[2:6])))
	}
	return ""
}

// normalizeHost lower-cases a host name and drops a trailing dot, so that
// "API.internal." and "api.internal" are the same name.
func normalizeHost(host string) string {
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// validName reports whether name is a DNS host name: dot-separated labels
// of letters, digits, "-" and "_", each 1 to 63 bytes.
func validName(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range []byte(label) {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
