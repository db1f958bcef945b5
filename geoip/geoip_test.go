package geoip

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// writeDB writes a tiny country database and returns its path.
func writeDB(t testing.TB) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: "GeoLite2-Country",
		// The documentation ranges below are reserved networks.
		IncludeReservedNetworks: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	iso := func(cc string) mmdbtype.Map { return mmdbtype.Map{"iso_code": mmdbtype.String(cc)} }
	for network, rec := range map[string]mmdbtype.Map{
		"81.2.69.0/24":    {"country": iso("GB"), "registered_country": iso("GB")},
		"216.160.83.0/24": {"country": iso("US")},
		"2001:db8::/32":   {"country": iso("DE")},
		"89.160.20.0/24":  {"registered_country": iso("SE")},
		"2.125.160.0/24":  {"country": iso("fr")},
		"67.43.156.0/24":  {"country": iso("Bhutan")},
		"1.128.0.0/24":    {"country": mmdbtype.String("AU")},
	} {
		_, ipnet, err := net.ParseCIDR(network)
		if err != nil {
			t.Fatal(err)
		}
		if err := tree.Insert(ipnet, rec); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "country.mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	return path
}

func newLocator(t testing.TB, dbPath string, trusted ...string) *Locator {
	t.Helper()
	l, err := New(dbPath, trusted)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	})
	return l
}

func request(remoteAddr string, header map[string]string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://pier.example.com/", nil)
	r.RemoteAddr = remoteAddr
	for k, v := range header {
		r.Header.Set(k, v)
	}
	return r
}

func TestCountry(t *testing.T) {
	l := newLocator(t, writeDB(t), "10.0.0.0/8", "fd00::/8", "192.0.2.7")
	tests := []struct {
		name       string
		remoteAddr string
		header     map[string]string
		want       string
	}{
		{name: "IPv4", remoteAddr: "81.2.69.160:52000", want: "GB"},
		{name: "IPv4 other network", remoteAddr: "216.160.83.56:443", want: "US"},
		{name: "IPv6", remoteAddr: "[2001:db8::1]:443", want: "DE"},
		{name: "IPv4-mapped IPv6", remoteAddr: "[::ffff:81.2.69.1]:80", want: "GB"},
		{name: "IPv6 with zone", remoteAddr: "[2001:db8::1%eth0]:443", want: "DE"},
		{name: "address without port", remoteAddr: "216.160.83.56", want: "US"},
		{name: "registered country stands in", remoteAddr: "89.160.20.1:1", want: "SE"},
		{name: "lower-case code upper-cased", remoteAddr: "2.125.160.216:1", want: "FR"},
		{name: "malformed code", remoteAddr: "67.43.156.1:1", want: ""},
		{name: "malformed record", remoteAddr: "1.128.0.1:1", want: ""},
		{name: "unknown IPv4", remoteAddr: "8.8.8.8:53", want: ""},
		{name: "unknown IPv6", remoteAddr: "[2606:4700::1]:443", want: ""},
		{name: "malformed RemoteAddr", remoteAddr: "pier.example.com:80", want: ""},
		{name: "empty RemoteAddr", remoteAddr: "", want: ""},

		{name: "header from trusted proxy", remoteAddr: "10.1.2.3:4000",
			header: map[string]string{"CloudFront-Viewer-Country": "JP", "X-Forwarded-For": "81.2.69.1"}, want: "JP"},
		{name: "lower-case header from trusted proxy", remoteAddr: "10.1.2.3:4000",
			header: map[string]string{"CloudFront-Viewer-Country": "jp"}, want: "JP"},
		{name: "header from trusted IPv6 proxy", remoteAddr: "[fd00::5]:4000",
			header: map[string]string{"CloudFront-Viewer-Country": "NZ"}, want: "NZ"},
		{name: "header from trusted single address", remoteAddr: "192.0.2.7:4000",
			header: map[string]string{"CloudFront-Viewer-Country": "NZ"}, want: "NZ"},
		{name: "header from untrusted client ignored", remoteAddr: "81.2.69.1:4000",
			header: map[string]string{"CloudFront-Viewer-Country": "JP"}, want: "GB"},
		{name: "header from untrusted unknown client ignored", remoteAddr: "8.8.8.8:4000",
			header: map[string]string{"CloudFront-Viewer-Country": "JP"}, want: ""},
		{name: "X-Forwarded-For from trusted proxy", remoteAddr: "10.1.2.3:4000",
			header: map[string]string{"X-Forwarded-For": "216.160.83.56, 10.9.9.9"}, want: "US"},
		{name: "X-Forwarded-For with port", remoteAddr: "10.1.2.3:4000",
			header: map[string]string{"X-Forwarded-For": "[2001:db8::9]:1234"}, want: "DE"},
		{name: "malformed header falls back to X-Forwarded-For", remoteAddr: "10.1.2.3:4000",
			header: map[string]string{"CloudFront-Viewer-Country": "GBR", "X-Forwarded-For": "81.2.69.1"}, want: "GB"},
		{name: "malformed X-Forwarded-For from trusted proxy", remoteAddr: "10.1.2.3:4000",
			header: map[string]string{"X-Forwarded-For": "unknown, 81.2.69.1"}, want: ""},
		{name: "trusted proxy without headers", remoteAddr: "10.1.2.3:4000", want: ""},
		{name: "X-Forwarded-For from untrusted client ignored", remoteAddr: "8.8.8.8:4000",
			header: map[string]string{"X-Forwarded-For": "216.160.83.56"}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := l.Country(request(tt.remoteAddr, tt.header)); got != tt.want {
				t.Errorf("Country = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCountryWithoutDatabase(t *testing.T) {
	l := newLocator(t, "", "10.0.0.0/8")
	tests := []struct {
		name       string
		remoteAddr string
		header     map[string]string
		want       string
	}{
		{name: "client", remoteAddr: "81.2.69.160:52000", want: ""},
		{name: "trusted header", remoteAddr: "10.0.0.1:1",
			header: map[string]string{"CloudFront-Viewer-Country": "US"}, want: "US"},
		{name: "trusted X-Forwarded-For", remoteAddr: "10.0.0.1:1",
			header: map[string]string{"X-Forwarded-For": "81.2.69.160"}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := l.Country(request(tt.remoteAddr, tt.header)); got != tt.want {
				t.Errorf("Country = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	notMMDB := filepath.Join(t.TempDir(), "not.mmdb")
	if err := os.WriteFile(notMMDB, []byte("not a database"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		dbPath  string
		trusted []string
		want    string
	}{
		{name: "prefix too long", trusted: []string{"10.0.0.0/8", "10.0.0.0/33"}, want: `trusted proxy 1 "10.0.0.0/33"`},
		{name: "not an address", trusted: []string{"proxy.internal"}, want: `trusted proxy 0 "proxy.internal"`},
		{name: "empty entry", trusted: []string{""}, want: `trusted proxy 0 ""`},
		{name: "missing database", dbPath: filepath.Join(t.TempDir(), "missing.mmdb"), want: "missing.mmdb"},
		{name: "not a database", dbPath: notMMDB, want: "not.mmdb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := New(tt.dbPath, tt.trusted)
			if err == nil {
				l.Close()
				t.Fatal("New succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func BenchmarkCountry(b *testing.B) {
	l := newLocator(b, writeDB(b), "10.0.0.0/8")
	benchmarks := []struct {
		name string
		r    *http.Request
	}{
		{"database IPv4", request("81.2.69.160:52000", nil)},
		{"database IPv6", request("[2001:db8::1]:443", nil)},
		{"unknown", request("8.8.8.8:53", nil)},
		{"trusted header", request("10.1.2.3:4000", map[string]string{"CloudFront-Viewer-Country": "US"})},
		{"trusted X-Forwarded-For", request("10.1.2.3:4000", map[string]string{"X-Forwarded-For": "216.160.83.56, 10.9.9.9"})},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				l.Country(bm.r)
			}
		})
	}
}
