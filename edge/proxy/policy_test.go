package proxy

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name      string
		allowHTTP bool
		allow     []string
		target    string
		refused   bool
	}{
		{name: "public name", target: "https://api.example.com/v1?x=1"},
		{name: "public IPv4", target: "https://8.8.8.8/"},
		{name: "public IPv6", target: "https://[2606:4700:4700::1111]:8443/"},
		{name: "NAT64 of a public address", target: "https://[64:ff9b::808:808]/"},
		{name: "6to4 of a public address", target: "https://[2002:808:808::1]/"},
		{name: "http refused", target: "http://api.example.com/", refused: true},
		{name: "http allowed", allowHTTP: true, target: "http://api.example.com/"},
		{name: "other scheme", allowHTTP: true, target: "ftp://api.example.com/", refused: true},
		{name: "no host", target: "https:///path", refused: true},
		{name: "loopback", target: "https://127.0.0.1/", refused: true},
		{name: "loopback elsewhere in 127/8", target: "https://127.8.9.10:8443/", refused: true},
		{name: "IPv6 loopback", target: "https://[::1]/", refused: true},
		{name: "IPv4-mapped loopback", target: "https://[::ffff:127.0.0.1]/", refused: true},
		{name: "localhost", target: "https://localhost/", refused: true},
		{name: "LOCALHOST with a dot", target: "https://LOCALHOST./", refused: true},
		{name: "a .localhost name", target: "https://app.localhost/", refused: true},
		{name: "private 10/8", target: "https://10.1.2.3/", refused: true},
		{name: "private 172.16/12", target: "https://172.31.0.1/", refused: true},
		{name: "private 192.168/16", target: "https://192.168.1.1/", refused: true},
		{name: "IPv6 ULA", target: "https://[fd12:3456::1]/", refused: true},
		{name: "link-local metadata", target: "https://169.254.169.254/latest/meta-data", refused: true},
		{name: "IPv6 link-local with zone", target: "https://[fe80::1%25eth0]/", refused: true},
		{name: "unspecified", target: "https://0.0.0.0/", refused: true},
		{name: "IPv6 unspecified", target: "https://[::]/", refused: true},
		{name: "this network", target: "https://0.1.2.3/", refused: true},
		{name: "carrier-grade NAT", target: "https://100.64.0.1/", refused: true},
		{name: "documentation", target: "https://192.0.2.10/", refused: true},
		{name: "IPv6 documentation", target: "https://[2001:db8::1]/", refused: true},
		{name: "benchmarking", target: "https://198.18.0.1/", refused: true},
		{name: "multicast", target: "https://224.0.0.1/", refused: true},
		{name: "IPv6 multicast", target: "https://[ff02::1]/", refused: true},
		{name: "broadcast", target: "https://255.255.255.255/", refused: true},
		{name: "site-local", target: "https://[fec0::1]/", refused: true},
		{name: "NAT64 of loopback", target: "https://[64:ff9b::7f00:1]/", refused: true},
		{name: "6to4 of a private address", target: "https://[2002:a00:1::1]/", refused: true},
		{name: "userinfo does not hide the host", target: "https://user:pw@10.0.0.1/", refused: true},
		{name: "allowed prefix", allow: []string{"10.0.0.0/8"}, target: "https://10.9.9.9/"},
		{name: "outside the allowed prefix", allow: []string{"10.0.0.0/8"}, target: "https://192.168.0.1/", refused: true},
		{name: "allowed prefix admits IPv4-mapped", allow: []string{"127.0.0.0/8"}, target: "https://[::ffff:127.0.0.1]/"},
		{name: "allowed address", allow: []string{"169.254.169.254"}, target: "https://169.254.169.254/"},
		{name: "allowed IPv6 prefix", allow: []string{"fd00::/8"}, target: "https://[fd12::1]/"},
		{name: "allowed name", allow: []string{"API.Internal."}, target: "https://api.internal/"},
		{name: "allowed localhost", allow: []string{"localhost"}, target: "https://localhost:8443/"},
		{name: "allowed name still needs https", allow: []string{"api.internal"}, target: "http://api.internal/", refused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(Config{AllowHTTP: tt.allowHTTP, Allow: tt.allow, Transport: noDial{t}})
			if err != nil {
				t.Fatal(err)
			}
			target, err := url.Parse(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			err = p.Check(target)
			if got := err != nil; got != tt.refused {
				t.Fatalf("Check(%s) = %v, want refused %v", tt.target, err, tt.refused)
			}
			if err != nil && !errors.Is(err, errRefused) {
				t.Errorf("Check(%s) = %v, not errRefused", tt.target, err)
			}
		})
	}
}

// TestNewInvalidAllow checks that New reports a bad allow entry; netguard's
// tests cover which entries are bad.
func TestNewInvalidAllow(t *testing.T) {
	_, err := New(Config{Allow: []string{" 127.0.0.0/8 ", "10.0.0.0/33"}})
	if err == nil || !strings.Contains(err.Error(), `allow entry 1 "10.0.0.0/33"`) {
		t.Fatalf("New(Allow: 10.0.0.0/33) = %v, want an error naming the entry", err)
	}
}
