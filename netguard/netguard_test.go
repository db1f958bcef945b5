package netguard

import (
	"errors"
	"net"
	"strings"
	"testing"
)

func TestCheckHost(t *testing.T) {
	tests := []struct {
		name    string
		allow   []string
		host    string
		refused bool
	}{
		{name: "public name", host: "api.example.com"},
		{name: "public IPv4", host: "8.8.8.8"},
		{name: "public IPv6", host: "2606:4700:4700::1111"},
		{name: "NAT64 of a public address", host: "64:ff9b::808:808"},
		{name: "6to4 of a public address", host: "2002:808:808::1"},
		{name: "no host", host: "", refused: true},
		{name: "loopback", host: "127.0.0.1", refused: true},
		{name: "loopback elsewhere in 127/8", host: "127.8.9.10", refused: true},
		{name: "IPv6 loopback", host: "::1", refused: true},
		{name: "IPv4-mapped loopback", host: "::ffff:127.0.0.1", refused: true},
		{name: "localhost", host: "localhost", refused: true},
		{name: "LOCALHOST with a dot", host: "LOCALHOST.", refused: true},
		{name: "a .localhost name", host: "app.localhost", refused: true},
		{name: "private 10/8", host: "10.1.2.3", refused: true},
		{name: "private 172.16/12", host: "172.31.0.1", refused: true},
		{name: "private 192.168/16", host: "192.168.1.1", refused: true},
		{name: "IPv6 ULA", host: "fd12:3456::1", refused: true},
		{name: "metadata", host: "169.254.169.254", refused: true},
		{name: "IPv6 metadata", host: "fd00:ec2::254", refused: true},
		{name: "IPv6 link-local with zone", host: "fe80::1%eth0", refused: true},
		{name: "unspecified", host: "0.0.0.0", refused: true},
		{name: "IPv6 unspecified", host: "::", refused: true},
		{name: "this network", host: "0.1.2.3", refused: true},
		{name: "carrier-grade NAT", host: "100.64.0.1", refused: true},
		{name: "documentation", host: "192.0.2.10", refused: true},
		{name: "IPv6 documentation", host: "2001:db8::1", refused: true},
		{name: "benchmarking", host: "198.18.0.1", refused: true},
		{name: "multicast", host: "224.0.0.1", refused: true},
		{name: "IPv6 multicast", host: "ff02::1", refused: true},
		{name: "broadcast", host: "255.255.255.255", refused: true},
		{name: "site-local", host: "fec0::1", refused: true},
		{name: "NAT64 of loopback", host: "64:ff9b::7f00:1", refused: true},
		{name: "6to4 of a private address", host: "2002:a00:1::1", refused: true},
		{name: "allowed prefix", allow: []string{"10.0.0.0/8"}, host: "10.9.9.9"},
		{name: "outside the allowed prefix", allow: []string{"10.0.0.0/8"}, host: "192.168.0.1", refused: true},
		{name: "allowed prefix admits IPv4-mapped", allow: []string{"127.0.0.0/8"}, host: "::ffff:127.0.0.1"},
		{name: "allowed address", allow: []string{"169.254.169.254"}, host: "169.254.169.254"},
		{name: "allowed IPv6 prefix", allow: []string{"fd00::/8"}, host: "fd12::1"},
		{name: "allowed name", allow: []string{"API.Internal."}, host: "api.internal"},
		{name: "allowed localhost", allow: []string{"localhost"}, host: "localhost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.allow)
			if err != nil {
				t.Fatal(err)
			}
			err = p.CheckHost(tt.host)
			if got := err != nil; got != tt.refused {
				t.Fatalf("CheckHost(%q) = %v, want refused %v", tt.host, err, tt.refused)
			}
			if err != nil && !errors.Is(err, ErrRefused) {
				t.Errorf("CheckHost(%q) = %v, not ErrRefused", tt.host, err)
			}
		})
	}
}

func TestNewInvalidAllow(t *testing.T) {
	tests := []struct {
		entry string
		want  string
	}{
		{"10.0.0.0/33", `allow entry 1 "10.0.0.0/33"`},
		{"", `allow entry 1 ""`},
		{"bad name", `allow entry 1 "bad name"`},
		{"https://api.internal", `allow entry 1 "https://api.internal"`},
		{"a..b", `allow entry 1 "a..b"`},
		{strings.Repeat("a", 64) + ".com", "allow entry 1"},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			_, err := New([]string{" 127.0.0.0/8 ", tt.entry})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New(%q) = %v, want an error containing %q", tt.entry, err, tt.want)
			}
		})
	}
}

func TestControl(t *testing.T) {
	p, err := New([]string{"10.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		address string
		refused bool
	}{
		{"93.184.215.14:443", false},
		{"[2606:4700:4700::1111]:443", false},
		{"10.1.1.1:443", false},
		{"127.0.0.1:443", true},
		{"[::1]:443", true},
		{"[::ffff:192.168.0.1]:443", true},
		{"[fe80::1%eth0]:443", true},
		{"169.254.169.254:80", true},
		{"not-an-address", true},
	}
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			err := p.Control("tcp", tt.address, nil)
			if got := err != nil; got != tt.refused {
				t.Fatalf("Control(%s) = %v, want refused %v", tt.address, err, tt.refused)
			}
		})
	}
}

// TestDialContext dials a loopback listener: refused by default, reached
// when allowed by address or by name.
func TestDialContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	at := func(host string) string { return net.JoinHostPort(host, port) }
	tests := []struct {
		name    string
		allow   []string
		address string
		refused bool
	}{
		{"loopback address", nil, at("127.0.0.1"), true},
		{"loopback name", nil, at("localhost"), true},
		{"allowed address", []string{"127.0.0.1/32"}, at("127.0.0.1"), false},
		{"allowed name", []string{"localhost"}, at("localhost"), false},
		{"no port", nil, "127.0.0.1", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.allow)
			if err != nil {
				t.Fatal(err)
			}
			c, err := p.DialContext(t.Context(), "tcp", tt.address)
			if err == nil {
				c.Close()
			}
			switch {
			case tt.refused && !errors.Is(err, ErrRefused):
				t.Fatalf("DialContext(%s) = %v, want ErrRefused", tt.address, err)
			case !tt.refused && err != nil:
				t.Fatalf("DialContext(%s) = %v", tt.address, err)
			}
		})
	}
}

func TestZeroPolicy(t *testing.T) {
	var p Policy
	if err := p.CheckHost("169.254.169.254"); !errors.Is(err, ErrRefused) {
		t.Errorf("CheckHost = %v, want ErrRefused", err)
	}
	if _, err := p.DialContext(t.Context(), "tcp", "127.0.0.1:1"); !errors.Is(err, ErrRefused) {
		t.Errorf("DialContext = %v, want ErrRefused", err)
	}
}
