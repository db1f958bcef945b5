// Package geoip tells a viewer's country, for custom rules with a "<US>"
// condition (hosting-semantics §1.4). Amplify takes it from CloudFront's
// CloudFront-Viewer-Country header; Pier takes that header from a trusted
// proxy in front of it, or looks the viewer's address up in a MaxMind
// country (or city) database.
package geoip

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
)

// countryHeader is the request header in which a trusted proxy states the
// viewer's country, CloudFront-Viewer-Country, in the canonical form that
// Header.Get need not allocate for.
const countryHeader = "Cloudfront-Viewer-Country"

// Locator finds the country of a request's viewer. It is immutable and safe
// for concurrent use until Close.
type Locator struct {
	db      *maxminddb.Reader // nil without a database
	trusted []netip.Prefix
}

// New returns a Locator. dbPath "" means no GeoIP database. trustedProxies
// are CIDR prefixes (or single addresses); a request whose RemoteAddr is in
// one of them may state the viewer's country in the CloudFront-Viewer-Country
// header. New fails if a prefix is invalid or the database cannot be opened.
func New(dbPath string, trustedProxies []string) (*Locator, error) {
	l := &Locator{}
	for i, s := range trustedProxies {
		prefix, err := parsePrefix(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("geoip: trusted proxy %d %q: %w", i, s, err)
		}
		l.trusted = append(l.trusted, prefix)
	}
	if dbPath != "" {
		db, err := maxminddb.Open(dbPath)
		if err != nil {
			return nil, fmt.Errorf("geoip: open %s: %w", dbPath, err)
		}
		l.db = db
	}
	return l, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		prefix, err := netip.ParsePrefix(s)
		return prefix.Masked(), err
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	addr = addr.Unmap().WithZone("")
	return netip.PrefixFrom(addr, addr.BitLen()), nil
}

// Country returns the viewer's two-letter country code in upper case, or ""
// when unknown. A request from a trusted proxy is believed first: its
// CloudFront-Viewer-Country header, else a database lookup of the first
// X-Forwarded-For entry. Any other request is looked up by its RemoteAddr;
// its headers are ignored.
func (l *Locator) Country(r *http.Request) string {
	viewer, ok := parseAddr(r.RemoteAddr)
	if ok && l.isTrusted(viewer) {
		if cc, ok := countryCode(r.Header.Get(countryHeader)); ok {
			return cc
		}
		first, _, _ := strings.Cut(r.Header.Get("X-Forwarded-For"), ",")
		viewer, ok = parseAddr(strings.TrimSpace(first))
	}
	if !ok || l.db == nil {
		return ""
	}
	return l.lookup(viewer)
}

func (l *Locator) isTrusted(addr netip.Addr) bool {
	for _, prefix := range l.trusted {
		if prefix.Contains(addr) {
			return true
		}
	}
	return false
}

// record is the part of a GeoIP2 or GeoLite2 Country or City record that
// Country reads. The registered country stands in when the country is
// missing, as for some anycast and satellite networks.
type record struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
}

// lookup returns the country of addr in the database, or "" if the
// database has none or a malformed one.
func (l *Locator) lookup(addr netip.Addr) string {
	res := l.db.Lookup(addr)
	if !res.Found() {
		return ""
	}
	var rec record
	if err := res.Decode(&rec); err != nil {
		return ""
	}
	if cc, ok := countryCode(rec.Country.ISOCode); ok {
		return cc
	}
	cc, _ := countryCode(rec.RegisteredCountry.ISOCode)
	return cc
}

// parseAddr parses an address with or without a port ("192.0.2.1:80",
// "[2001:db8::1]:443", "2001:db8::1"), dropping any zone and IPv4-in-IPv6
// mapping.
func parseAddr(s string) (netip.Addr, bool) {
	var addr netip.Addr
	var err error
	// Choosing the parser by syntax spares the allocation of a failed parse.
	if strings.HasPrefix(s, "[") || strings.Count(s, ":") == 1 {
		var ap netip.AddrPort
		ap, err = netip.ParseAddrPort(s)
		addr = ap.Addr()
	} else {
		addr, err = netip.ParseAddr(s)
	}
	if err != nil {
		return netip.Addr{}, false
	}
	return addr.Unmap().WithZone(""), true
}

// countryCode returns s in upper case if it is two ASCII letters.
func countryCode(s string) (string, bool) {
	if len(s) != 2 || !isLetter(s[0]) || !isLetter(s[1]) {
		return "", false
	}
	return strings.ToUpper(s), true
}

func isLetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// Close closes the database, if any.
func (l *Locator) Close() error {
	if l.db == nil {
		return nil
	}
	return l.db.Close()
}
