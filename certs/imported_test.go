package certs_test

import (
	"bytes"
	"crypto/tls"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/certs"
)

func TestImportCertificate(t *testing.T) {
	pki, other := newPKI(t, "Test CA"), newPKI(t, "Other CA")
	now := time.Now()
	names := []string{"shop.example.org", "*.shop.example.org"}
	good, goodKey := pki.leaf(t, names, now.Add(-time.Hour), now.Add(time.Hour))
	_, otherKey := pki.leaf(t, names, now.Add(-time.Hour), now.Add(time.Hour))
	expired, expiredKey := pki.leaf(t, names, now.Add(-2*time.Hour), now.Add(-time.Hour))
	future, futureKey := pki.leaf(t, names, now.Add(time.Hour), now.Add(2*time.Hour))
	noNames, noNamesKey := pki.leaf(t, nil, now.Add(-time.Hour), now.Add(time.Hour))

	for _, c := range []struct {
		name             string
		cert, key, chain []byte
		want             string // error code
		message          string // in the error message
	}{
		{"valid", good, goodKey, nil, "", ""},
		{"valid with chain", good, goodKey, pki.pem(), "", ""},
		{"chain in the certificate", append(slices.Clone(good), pki.pem()...), goodKey, nil, "", ""},
		{"not PEM", []byte("hello"), goodKey, nil, pier.EINVALID, "not PEM"},
		{"empty", nil, goodKey, nil, pier.EINVALID, "no PEM CERTIFICATE"},
		{"key in the certificate", goodKey, goodKey, nil, pier.EINVALID, "PRIVATE KEY block"},
		{"key not PEM", good, []byte("secret"), nil, pier.EINVALID, "private key is not"},
		{"wrong key", good, otherKey, nil, pier.EINVALID, "does not fit"},
		{"chain of another CA", good, goodKey, other.pem(), pier.EINVALID, "does not sign"},
		{"expired", expired, expiredKey, nil, pier.EINVALID, "expired on"},
		{"not yet valid", future, futureKey, nil, pier.EINVALID, "not valid before"},
		{"no DNS names", noNames, noNamesKey, nil, pier.EINVALID, "no DNS names"},
		{"too large", bytes.Repeat([]byte("x"), certs.MaxCertificateBytes+1), goodKey, nil, pier.EINVALID, "exceed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			store := openStore(t)
			m := newManager(t, certs.Config{Store: store, Region: "eu-west-1"})
			got, err := m.ImportCertificate(t.Context(), accountA, c.cert, c.key, c.chain)
			wantCode(t, err, c.want)
			if err != nil {
				if !strings.Contains(pier.ErrorMessage(err), c.message) {
					t.Errorf("message %q does not say %q", pier.ErrorMessage(err), c.message)
				}
				return
			}
			if !strings.HasPrefix(got.ARN, "arn:aws:acm:eu-west-1:"+accountA+":certificate/") {
				t.Errorf("ARN = %q", got.ARN)
			}
			if !slices.Equal(got.DomainNames, names) {
				t.Errorf("DomainNames = %v, want %v", got.DomainNames, names)
			}
			// The private key is sealed at rest.
			keys, err := store.ListValues(t.Context(), "")
			check(t, err)
			for _, k := range keys {
				v, err := store.GetValue(t.Context(), k)
				check(t, err)
				if bytes.Contains(v, []byte("PRIVATE KEY")) {
					t.Errorf("%s holds a private key in the clear", k)
				}
			}
			list, err := m.ListCertificates(t.Context(), accountA)
			check(t, err)
			if len(list) != 1 || list[0].ARN != got.ARN {
				t.Errorf("ListCertificates = %v, want the imported one", list)
			}
			list, err = m.ListCertificates(t.Context(), accountB)
			check(t, err)
			if len(list) != 0 {
				t.Errorf("another account lists %v", list)
			}
		})
	}
}

// TestCustomCertificate imports a certificate, checks it against the names
// of associations, serves it for the hosts of a CUSTOM association and
// deletes it.
func TestCustomCertificate(t *testing.T) {
	pki := newPKI(t, "Test CA")
	now := time.Now()
	certPEM, keyPEM := pki.leaf(t, []string{"shop.example.org", "*.shop.example.org"}, now.Add(-time.Hour), now.Add(24*time.Hour))
	store := openStore(t)
	m := newManager(t, certs.Config{Store: store})
	imported, err := m.ImportCertificate(t.Context(), accountA, certPEM, keyPEM, pki.pem())
	check(t, err)
	arn := imported.ARN

	later := newManager(t, certs.Config{Store: store, Now: func() time.Time { return now.Add(48 * time.Hour) }})
	for _, c := range []struct {
		name    string
		m       *certs.Manager
		account string
		arn     string
		names   []string
		want    string
		message string
	}{
		{"covered", m, accountA, arn, []string{"shop.example.org", "www.shop.example.org", "*.shop.example.org"}, "", ""},
		{"name not covered", m, accountA, arn, []string{"shop.example.org", "a.b.shop.example.org", "example.org"}, pier.EINVALID, "does not cover a.b.shop.example.org, example.org"},
		{"other account", m, accountB, arn, []string{"shop.example.org"}, pier.ENOTFOUND, "not found"},
		{"ARN of the other account", m, accountB, strings.Replace(arn, accountA, accountB, 1), []string{"shop.example.org"}, pier.ENOTFOUND, "not found"},
		{"unknown", m, accountA, arn[:len(arn)-4] + "0000", []string{"shop.example.org"}, pier.ENOTFOUND, "not found"},
		{"not an ARN", m, accountA, "certificate", nil, pier.ENOTFOUND, "not found"},
		{"expired since", later, accountA, arn, []string{"shop.example.org"}, pier.EINVALID, "expired on"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.m.CheckCustom(t.Context(), c.account, c.arn, c.names)
			wantCode(t, err, c.want)
			if !strings.Contains(pier.ErrorMessage(err), c.message) {
				t.Errorf("message %q does not say %q", pier.ErrorMessage(err), c.message)
			}
		})
	}

	associate(t, store, accountA, "shop.example.org", pier.CertificateCustom, arn, "", "www")
	addr := serveTLS(t, m.GetCertificate)
	for _, host := range []string{"shop.example.org", "www.shop.example.org", "WWW.Shop.Example.Org"} {
		leaf, err := handshake(addr, host, pki.pool)
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		if !slices.Equal(leaf.DNSNames, imported.DomainNames) {
			t.Errorf("%s: served %v", host, leaf.DNSNames)
		}
	}
	if _, err := handshake(addr, "dev.shop.example.org", pki.pool); err == nil {
		t.Error("a prefix the association does not have got a certificate")
	}

	wantCode(t, m.DeleteCertificate(t.Context(), accountB, arn), pier.ENOTFOUND)
	check(t, m.DeleteCertificate(t.Context(), accountA, arn))
	wantCode(t, m.DeleteCertificate(t.Context(), accountA, arn), pier.ENOTFOUND)
	wantCode(t, m.CheckCustom(t.Context(), accountA, arn, nil), pier.ENOTFOUND)
	fresh := newManager(t, certs.Config{Store: store})
	if _, err := handshake(serveTLS(t, fresh.GetCertificate), "shop.example.org", pki.pool); err == nil {
		t.Error("a deleted certificate is still served")
	}
}

func TestBaseCertificate(t *testing.T) {
	pki := newPKI(t, "Base CA")
	certPEM, keyPEM := pki.leaf(t, []string{"pier.test", "*.pier.test"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	certFile, keyFile := writeFiles(t, certPEM, keyPEM)
	m := newManager(t, certs.Config{Store: openStore(t), BaseCertFile: certFile, BaseKeyFile: keyFile})
	addr := serveTLS(t, m.GetCertificate)
	for _, c := range []struct {
		host string
		ok   bool
	}{
		{"pier.test", true},
		{"main.d1234567890.pier.test", false}, // a wildcard covers one label
		{"d1234567890.pier.test", true},
		{"D1234567890.PIER.TEST", true},
		{"example.com", false},
	} {
		_, err := handshake(addr, c.host, pki.pool)
		if (err == nil) != c.ok {
			t.Errorf("%s: handshake error %v, want success %v", c.host, err, c.ok)
		}
	}
	// With a base domain, every host under it gets the base certificate
	// (the operator's wildcard may not cover BRANCH.APPID.BASE).
	withDomain := newManager(t, certs.Config{Store: openStore(t), BaseCertFile: certFile, BaseKeyFile: keyFile, BaseDomain: "pier.test"})
	for _, c := range []struct {
		host string
		ok   bool
	}{
		{"pier.test", true},
		{"main.d1234567890.pier.test", true},
		{"", true},
		{"example.com", false},
		{"notpier.test", false},
	} {
		cert, err := withDomain.GetCertificate(&tls.ClientHelloInfo{ServerName: c.host})
		if got := err == nil && slices.Equal(cert.Leaf.DNSNames, []string{"pier.test", "*.pier.test"}); got != c.ok {
			t.Errorf("%q: base certificate served %v (error %v), want %v", c.host, got, err, c.ok)
		}
	}
	if _, err := certs.New(certs.Config{Store: openStore(t), Sealer: testSealer, BaseCertFile: certFile, BaseKeyFile: certFile}); err == nil {
		t.Error("New accepted a base certificate without its key")
	}
}

func TestCovers(t *testing.T) {
	for _, c := range []struct {
		patterns []string
		name     string
		want     bool
	}{
		{[]string{"example.com"}, "example.com", true},
		{[]string{"Example.COM."}, "example.com", true},
		{[]string{"example.com"}, "www.example.com", false},
		{[]string{"*.example.com"}, "www.example.com", true},
		{[]string{"*.example.com"}, "WWW.example.com.", true},
		{[]string{"*.example.com"}, "example.com", false},
		{[]string{"*.example.com"}, "a.b.example.com", false},
		{[]string{"*.example.com"}, "*.example.com", true},
		{[]string{"www.example.com"}, "*.example.com", false},
		{[]string{"*.com"}, "example.com", false},
		{[]string{"w*.example.com"}, "www.example.com", false},
		{[]string{"a.example.com", "*.b.example.com"}, "x.b.example.com", true},
		{nil, "example.com", false},
	} {
		if got := certs.Covers(c.patterns, c.name); got != c.want {
			t.Errorf("Covers(%q, %q) = %v, want %v", c.patterns, c.name, got, c.want)
		}
	}
}
