package dnscheck_test

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/pier-hosting/pier/dnscheck"
	"github.com/pier-hosting/pier/dnscheck/dnstest"
)

func TestCNAMEs(t *testing.T) {
	srv := dnstest.Start(t)
	srv.Set(t,
		"www.example.com. 60 IN CNAME d1.pier.test.",
		"chain.example.com. 60 IN CNAME hop.example.net.",
		"hop.example.net. 60 IN CNAME D1.Pier.Test.",
		"d1.pier.test. 60 IN A 192.0.2.1",
		"loop1.example.com. 60 IN CNAME loop2.example.com.",
		"loop2.example.com. 60 IN CNAME loop1.example.com.",
		"*.wild.example.com. 60 IN CNAME d1.pier.test.",
		"big.example.com. 60 IN CNAME d1.pier.test.",
	)
	srv.Truncate("big.example.com")
	r, err := dnscheck.New(srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		want    []string
		wantErr string
	}{
		{"www.example.com", []string{"d1.pier.test"}, ""},
		{"WWW.Example.COM.", []string{"d1.pier.test"}, ""},
		{"chain.example.com", []string{"hop.example.net", "d1.pier.test"}, ""},
		{"d1.pier.test", nil, ""},
		{"missing.example.com", nil, ""},
		{"feature-x.wild.example.com", []string{"d1.pier.test"}, ""},
		{"big.example.com", []string{"d1.pier.test"}, ""}, // truncated over UDP: TCP
		{"loop1.example.com", nil, "loops"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.CNAMEs(t.Context(), tt.name)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("CNAMEs(%q) error = %v, want one containing %q", tt.name, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("CNAMEs(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

func TestAddrs(t *testing.T) {
	srv := dnstest.Start(t)
	srv.Set(t,
		"d1.pier.test. 60 IN A 192.0.2.1",
		"d1.pier.test. 60 IN AAAA 2001:db8::1",
		"example.com. 60 IN A 192.0.2.1",
		"www.example.com. 60 IN CNAME d1.pier.test.",
		"v6.example.com. 60 IN AAAA 2001:db8::2",
		"big.example.com. 60 IN A 192.0.2.9",
	)
	srv.Truncate("big.example.com")
	r, err := dnscheck.New(srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		want []string
	}{
		{"d1.pier.test", []string{"192.0.2.1", "2001:db8::1"}},
		{"example.com", []string{"192.0.2.1"}},
		{"www.example.com", []string{"192.0.2.1", "2001:db8::1"}},
		{"v6.example.com", []string{"2001:db8::2"}},
		{"big.example.com", []string{"192.0.2.9"}},
		{"missing.example.com", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addrs, err := r.Addrs(t.Context(), tt.name)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range addrs {
				got = append(got, a.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Addrs(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

// TestAddrsAcrossZones checks that an answer stopping at a CNAME (as an
// authoritative server's does for a target outside its zone) is followed.
func TestAddrsAcrossZones(t *testing.T) {
	srv := dnstest.Start(t)
	srv.Set(t, "www.example.com. 60 IN CNAME d1.pier.test.", "d1.pier.test. 60 IN A 192.0.2.1")
	srv.StopAtCNAME()
	r := &dnscheck.Resolver{Addr: srv.Addr}
	addrs, err := r.Addrs(t.Context(), "www.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(addrs, []netip.Addr{netip.MustParseAddr("192.0.2.1")}) {
		t.Errorf("Addrs = %v", addrs)
	}
}

func TestNew(t *testing.T) {
	if _, err := dnscheck.New("no-port"); err == nil {
		t.Error(`New("no-port") succeeded, want an error`)
	}
	if _, err := dnscheck.New("127.0.0.1:53"); err != nil {
		t.Errorf(`New("127.0.0.1:53") = %v`, err)
	}
}

func TestUnreachable(t *testing.T) {
	// A port nobody answers on: the query fails rather than returning an
	// empty chain, so that a DNS outage is not taken for missing records.
	srv := dnstest.Start(t)
	r := &dnscheck.Resolver{Addr: srv.Addr, Timeout: 1}
	if _, err := r.CNAMEs(t.Context(), "www.example.com"); err == nil {
		t.Error("CNAMEs with a 1ns timeout succeeded, want an error")
	}
}
