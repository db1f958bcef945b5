// Package netguard decides which network destinations Pier may connect to
// on behalf of someone else (an app's rewrite rule, a build's package
// install): public addresses by default, non-public ones (loopback, private,
// link-local such as the cloud metadata endpoint, unspecified, multicast
// and other special-purpose ranges) only when explicitly allowed.
//
// The check that matters runs in a net.Dialer's Control function, on the
// address actually connected to after name resolution, so a host name that
// resolves or rebinds to a refused address cannot be reached.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// ErrRefused is wrapped by every error that reports a destination the
// policy refuses.
var ErrRefused = errors.New("destination refused")

// Refused returns an error wrapping ErrRefused with reason.
func Refused(reason string) error {
	return fmt.Errorf("%w: %s", ErrRefused, reason)
}

// Policy decides which destinations may be reached. It is immutable once
// built by New, so safe for concurrent use. The zero Policy allows public
// addresses only, as New(nil) does.
type Policy struct {
	prefixes []netip.Prefix  // addresses allowed even when not public
	names    map[string]bool // host names allowed whatever they resolve to
}

// New returns a policy that refuses every non-public address except those
// in allow: CIDR prefixes ("10.0.0.0/8"), single IP addresses
// ("169.254.169.254") and host names ("api.internal"); a listed host name
// may resolve to any address. The error names the first invalid entry by
// its index.
func New(allow []string) (*Policy, error) {
	p := &Policy{names: map[string]bool{}}
	for i, entry := range allow {
		if err := p.add(strings.TrimSpace(entry)); err != nil {
			return nil, fmt.Errorf("allow entry %d %q: %w", i, entry, err)
		}
	}
	return p, nil
}

// add allows a CIDR prefix, a single IP address or a host name.
func (p *Policy) add(entry string) error {
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

// CheckHost reports whether host (a name or an IP address, without a port)
// may be reached, without resolving it: it refuses an IP address or a
// loopback name ("localhost", "*.localhost") the policy refuses. Other host
// names pass; their addresses are checked when connecting.
func (p *Policy) CheckHost(host string) error {
	host = normalizeHost(host)
	switch {
	case host == "":
		return Refused("no host")
	case p.names[host]:
		return nil
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		return p.CheckAddr(addr)
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return Refused(host + " is a loopback name")
	}
	return nil
}

// CheckAddr refuses a non-public address outside the allowed prefixes.
func (p *Policy) CheckAddr(addr netip.Addr) error {
	addr = addr.Unmap().WithZone("")
	for _, prefix := range p.prefixes {
		if prefix.Contains(addr) {
			return nil
		}
	}
	if kind := nonPublic(addr); kind != "" {
		return Refused(fmt.Sprintf("%s is a %s address", addr, kind))
	}
	return nil
}

// Control is a net.Dialer Control function: it runs after name resolution,
// on the address about to be connected to, and refuses it as CheckAddr
// does.
func (p *Policy) Control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return Refused(fmt.Sprintf("unexpected dial address %q", address))
	}
	return p.CheckAddr(ap.Addr())
}

// DialContext connects to address ("host:port") as net.Dialer.DialContext
// does, if the policy allows it: a host name allowed by name is dialed
// whatever it resolves to; any other host is checked by CheckHost and then
// every address tried by Control. A refusal wraps ErrRefused. Dials time out
// after 30 s and use TCP keep-alives.
func (p *Policy) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return nil, Refused(fmt.Sprintf("unexpected dial address %q", address))
	}
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	if !p.names[normalizeHost(host)] {
		if err := p.CheckHost(host); err != nil {
			return nil, err
		}
		d.Control = p.Control
	}
	return d.DialContext(ctx, network, address)
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
