// Package acmetest runs an ACME CA in-process for tests: Pebble, the test
// CA of Let's Encrypt, whose validation authority resolves names through a
// DNS stub that answers 127.0.0.1 for every name and connects for HTTP-01
// to a port the test chooses (its edge's HTTP listener).
package acmetest

import (
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
	"github.com/miekg/dns"
)

// CA is a running Pebble.
type CA struct {
	// DirectoryURL is the ACME directory (HTTPS).
	DirectoryURL string
	// DirectoryRoots trusts the directory's HTTPS certificate only.
	DirectoryRoots *x509.CertPool
	// DirectoryRootFile is a PEM file of the directory's HTTPS
	// certificate, for pier serve --acme-ca-root.
	DirectoryRootFile string
	// Roots trusts the certificates the CA issues.
	Roots *x509.CertPool
	// DNSAddr is the address of the DNS stub (UDP and TCP).
	DNSAddr string

	orders atomic.Int64
	issued atomic.Int64
}

// Orders returns how many orders clients placed.
func (c *CA) Orders() int { return int(c.orders.Load()) }

// Issued returns how many certificates the CA issued (finalized orders).
func (c *CA) Issued() int { return int(c.issued.Load()) }

// Start starts a CA whose validation authority connects to httpPort on
// 127.0.0.1 for HTTP-01 challenges; the test's cleanup stops it. Pebble's
// log goes to the test log when PIER_ACMETEST_LOG is set. Start sets
// Pebble's environment (no random validation delays, no rejected nonces)
// for the whole process.
func Start(t testing.TB, httpPort int) *CA {
	t.Helper()
	os.Setenv("PEBBLE_VA_NOSLEEP", "1")
	os.Setenv("PEBBLE_WFE_NONCEREJECT", "0")
	var logw io.Writer = io.Discard
	if os.Getenv("PIER_ACMETEST_LOG") != "" {
		logw = testWriter{t}
	}
	logger := log.New(logw, "pebble ", 0)

	dnsAddr := startDNS(t)
	store := db.NewMemoryStore()
	authority := ca.New(logger, store, "", "ecdsa", 0, 1, map[string]ca.Profile{
		"default": {Description: "The default profile"},
	})
	validator := va.New(logger, httpPort, 0, false, dnsAddr, store)
	front := wfe.New(logger, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)

	c := &CA{DNSAddr: dnsAddr}
	handler := front.Handler()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			switch {
			case r.URL.Path == "/order-plz":
				c.orders.Add(1)
			case strings.HasPrefix(r.URL.Path, "/finalize-order/"):
				c.issued.Add(1)
			}
		}
		handler.ServeHTTP(w, r)
	}))
	srv.EnableHTTP2 = false
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c.DirectoryURL = srv.URL + wfe.DirectoryPath

	c.DirectoryRoots = x509.NewCertPool()
	c.DirectoryRoots.AddCert(srv.Certificate())
	c.DirectoryRootFile = filepath.Join(t.TempDir(), "acme-directory-root.pem")
	if err := os.WriteFile(c.DirectoryRootFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	c.Roots = x509.NewCertPool()
	c.Roots.AddCert(authority.GetRootCert(0).Cert)
	return c
}

// startDNS starts a DNS server on one port over UDP and TCP that answers
// A 127.0.0.1 for every name and nothing else (no AAAA, no CAA).
func startDNS(t testing.TB) string {
	t.Helper()
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		for _, question := range q.Question {
			if question.Qtype == dns.TypeA {
				m.Answer = append(m.Answer, &dns.A{
					Hdr: dns.RR_Header{Name: question.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
					A:   net.IPv4(127, 0, 0, 1),
				})
			}
		}
		_ = w.WriteMsg(m)
	})
	for attempt := 0; ; attempt++ {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil {
			pc.Close()
			if attempt < 20 {
				continue // the TCP port of the same number is taken; try another
			}
			t.Fatal(err)
		}
		udp := &dns.Server{PacketConn: pc, Handler: handler}
		tcp := &dns.Server{Listener: ln, Handler: handler}
		go udp.ActivateAndServe()
		go tcp.ActivateAndServe()
		t.Cleanup(func() {
			_ = udp.Shutdown()
			_ = tcp.Shutdown()
		})
		return pc.LocalAddr().String()
	}
}

// testWriter writes Pebble's log to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
