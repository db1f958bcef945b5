// Package dnstest runs a small authoritative DNS server for tests, on UDP
// and TCP on a loopback port, answering from records the test sets and
// changes while it runs.
package dnstest

import (
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// Server answers queries from its records. Names are matched without
// letter case; a record owned by "*.example.com" answers for any single
// label below example.com that has no records of its own (RFC 4592, for
// what tests need). It is safe for concurrent use.
type Server struct {
	// Addr is "127.0.0.1:port", on both UDP and TCP.
	Addr string

	mu       sync.Mutex
	records  map[string][]dns.RR // by canonical owner name
	truncate map[string]bool     // names whose UDP answers are truncated
	stop     bool                // answers stop at a CNAME
	queries  int
}

// Start starts a server on a free loopback port and stops it when the test
// ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{records: map[string][]dns.RR{}, truncate: map[string]bool{}}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// TCP on the same port number as UDP.
	ln, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		pc.Close()
		t.Fatal(err)
	}
	s.Addr = pc.LocalAddr().String()
	udp := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(s.serve(true))}
	tcp := &dns.Server{Listener: ln, Handler: dns.HandlerFunc(s.serve(false))}
	started := make(chan struct{}, 2)
	udp.NotifyStartedFunc = func() { started <- struct{}{} }
	tcp.NotifyStartedFunc = func() { started <- struct{}{} }
	go func() { _ = udp.ActivateAndServe() }()
	go func() { _ = tcp.ActivateAndServe() }()
	<-started
	<-started
	t.Cleanup(func() {
		_ = udp.Shutdown()
		_ = tcp.Shutdown()
	})
	return s
}

// Set replaces the records of the names the given records own. Each record
// is in zone-file syntax with an absolute owner, such as
// "www.example.com. 60 IN CNAME d1.pier.test.". Set fails the test on a
// record it cannot parse.
func (s *Server) Set(t testing.TB, records ...string) {
	t.Helper()
	parsed := map[string][]dns.RR{}
	for _, text := range records {
		rr, err := dns.NewRR(text)
		if err != nil || rr == nil {
			t.Fatalf("dnstest: record %q: %v", text, err)
		}
		owner := canonical(rr.Header().Name)
		parsed[owner] = append(parsed[owner], rr)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for owner, rrs := range parsed {
		s.records[owner] = rrs
	}
}

// Remove deletes every record of the names.
func (s *Server) Remove(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		delete(s.records, canonical(n))
	}
}

// Truncate makes UDP answers for name truncated and empty, so that only a
// client that retries over TCP sees its records.
func (s *Server) Truncate(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.truncate[canonical(name)] = true
}

// StopAtCNAME makes answers stop at the first CNAME instead of following
// it within the server's records, as an authoritative server's do for a
// target outside its zones.
func (s *Server) StopAtCNAME() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stop = true
}

// Queries returns how many queries the server has answered.
func (s *Server) Queries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries
}

// serve answers a query from the records: the name's records of the asked
// type, else its CNAME followed within the server's records, else NXDOMAIN
// if the name owns nothing.
func (s *Server) serve(udp bool) func(w dns.ResponseWriter, q *dns.Msg) {
	return func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Authoritative = true
		s.mu.Lock()
		s.queries++
		if len(q.Question) == 1 {
			qn := q.Question[0]
			name := canonical(qn.Name)
			if udp && s.truncate[name] {
				m.Truncated = true
			} else {
				s.answer(m, name, qn.Name, qn.Qtype)
			}
		}
		s.mu.Unlock()
		_ = w.WriteMsg(m)
	}
}

// answer fills m for name (asked as qname) and qtype. The caller holds mu.
func (s *Server) answer(m *dns.Msg, name, qname string, qtype uint16) {
	for hops := 0; hops < 16; hops++ {
		rrs, ok := s.lookup(name)
		if !ok {
			if hops == 0 {
				m.Rcode = dns.RcodeNameError
			}
			return
		}
		var alias string
		for _, rr := range rrs {
			c := dns.Copy(rr)
			c.Header().Name = dns.Fqdn(qname)
			if rr.Header().Rrtype == qtype || qtype == dns.TypeANY {
				m.Answer = append(m.Answer, c)
			} else if cn, ok := rr.(*dns.CNAME); ok {
				m.Answer = append(m.Answer, c)
				alias = cn.Target
			}
		}
		if alias == "" || qtype == dns.TypeCNAME || s.stop {
			return
		}
		name, qname = canonical(alias), alias
	}
}

// lookup returns the records of name, or of the wildcard covering it.
func (s *Server) lookup(name string) ([]dns.RR, bool) {
	if rrs, ok := s.records[name]; ok {
		return rrs, true
	}
	if _, parent, ok := strings.Cut(name, "."); ok {
		rrs, ok := s.records["*."+parent]
		return rrs, ok
	}
	return nil, false
}

func canonical(name string) string {
	return strings.TrimSuffix(strings.ToLower(name), ".")
}
