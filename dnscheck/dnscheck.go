// Package dnscheck asks a DNS resolver what custom domains point at: the
// CNAME chain of a name and its addresses. Pier uses it to verify that a
// customer created the records a domain association asks for
// (hosting-semantics §5.2). It wraps github.com/miekg/dns so that the
// resolver is configurable ("host:port"), which the standard library's
// resolver is not portably.
package dnscheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// maxChain bounds how many CNAMEs a chain may have before it is taken for a
// loop.
const maxChain = 16

// DefaultTimeout bounds one query when Resolver.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// Resolver sends queries to one DNS server, over UDP and, when an answer
// comes back truncated, again over TCP. It is safe for concurrent use.
type Resolver struct {
	// Addr is the server's "host:port".
	Addr string
	// Timeout bounds each query (DefaultTimeout when zero).
	Timeout time.Duration
}

// New returns a Resolver for addr ("host:port"); an empty addr means the
// first nameserver of /etc/resolv.conf.
func New(addr string) (*Resolver, error) {
	if addr == "" {
		cfg, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil {
			return nil, fmt.Errorf("dnscheck: read /etc/resolv.conf: %w", err)
		}
		if len(cfg.Servers) == 0 {
			return nil, errors.New("dnscheck: /etc/resolv.conf names no nameserver")
		}
		addr = net.JoinHostPort(cfg.Servers[0], cfg.Port)
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("dnscheck: resolver address %q: want host:port", addr)
	}
	return &Resolver{Addr: addr}, nil
}

// CNAMEs returns the targets of name's CNAME chain in order, lowercased and
// without the trailing dot: ["b.example.net", "c.example.org"] for a name
// whose CNAME is b.example.net, itself a CNAME of c.example.org. A name
// without a CNAME (or that does not exist) has an empty chain. A chain that
// loops or exceeds 16 links is an error.
func (r *Resolver) CNAMEs(ctx context.Context, name string) ([]string, error) {
	var chain []string
	seen := map[string]bool{canonical(name): true}
	cur := canonical(name)
	for {
		m, err := r.query(ctx, cur, dns.TypeCNAME)
		if err != nil {
			return nil, err
		}
		next := ""
		for _, rr := range m.Answer {
			if c, ok := rr.(*dns.CNAME); ok && canonical(c.Hdr.Name) == cur {
				next = canonical(c.Target)
				break
			}
		}
		if next == "" {
			return chain, nil
		}
		if seen[next] || len(chain) == maxChain {
			return nil, fmt.Errorf("dnscheck: CNAME chain of %s loops or is too long", name)
		}
		seen[next] = true
		chain = append(chain, next)
		cur = next
	}
}

// Addrs returns the IPv4 and IPv6 addresses name resolves to, following
// CNAMEs; none for a name that does not exist.
func (r *Resolver) Addrs(ctx context.Context, name string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		cur := canonical(name)
		for hops := 0; ; hops++ {
			if hops > maxChain {
				return nil, fmt.Errorf("dnscheck: CNAME chain of %s loops or is too long", name)
			}
			m, err := r.query(ctx, cur, qtype)
			if err != nil {
				return nil, err
			}
			found, alias := addrsIn(m, cur)
			out = append(out, found...)
			// A recursive resolver answers with the whole chain and its
			// addresses; an authoritative server may stop at a CNAME
			// that leaves its zone, which is then asked for again.
			if len(found) > 0 || alias == "" {
				break
			}
			cur = alias
		}
	}
	return out, nil
}

// addrsIn returns the addresses m's answer gives for name, following the
// CNAMEs in the answer, and the last alias of the chain when the answer
// holds no address for it.
func addrsIn(m *dns.Msg, name string) ([]netip.Addr, string) {
	cnames := map[string]string{}
	addrs := map[string][]netip.Addr{}
	for _, rr := range m.Answer {
		owner := canonical(rr.Header().Name)
		switch v := rr.(type) {
		case *dns.CNAME:
			cnames[owner] = canonical(v.Target)
		case *dns.A:
			if a, ok := netip.AddrFromSlice(v.A.To4()); ok {
				addrs[owner] = append(addrs[owner], a)
			}
		case *dns.AAAA:
			if a, ok := netip.AddrFromSlice(v.AAAA.To16()); ok {
				addrs[owner] = append(addrs[owner], a)
			}
		}
	}
	cur := name
	for range maxChain {
		if len(addrs[cur]) > 0 {
			return addrs[cur], ""
		}
		next, ok := cnames[cur]
		if !ok {
			break
		}
		cur = next
	}
	if cur == name {
		return nil, ""
	}
	return nil, cur
}

// query asks for name's records of qtype over UDP, then over TCP when the
// answer is truncated. NXDOMAIN is an empty answer; other failures are
// errors naming the name.
func (r *Resolver) query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(name), qtype)
	q.RecursionDesired = true
	q.SetEdns0(4096, false)
	var m *dns.Msg
	var err error
	for _, network := range []string{"udp", "tcp"} {
		c := &dns.Client{Net: network, Timeout: timeout}
		m, _, err = c.ExchangeContext(ctx, q, r.Addr)
		if err != nil {
			return nil, fmt.Errorf("dnscheck: %s %s over %s: %w", dns.TypeToString[qtype], name, network, err)
		}
		if !m.Truncated {
			break
		}
	}
	switch m.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
		return m, nil
	default:
		return nil, fmt.Errorf("dnscheck: %s %s: %s", dns.TypeToString[qtype], name, dns.RcodeToString[m.Rcode])
	}
}

// canonical lowercases a name and drops its trailing dot.
func canonical(name string) string {
	return strings.TrimSuffix(strings.ToLower(name), ".")
}
