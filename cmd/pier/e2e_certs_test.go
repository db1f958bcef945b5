package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

// TestCertificates runs a server with HTTPS, Pebble as its ACME CA and a
// base-domain certificate, imports a certificate with "pier certs import",
// and checks what the edge's HTTPS serves for each kind of host.
func TestCertificates(t *testing.T) {
	ca, challenges := startACME(t)

	dir := t.TempDir()
	now := time.Now()
	pki := newE2EPKI(t)
	baseCert, baseKey := pki.leaf(t, []string{"pier.test", "*.pier.test"}, now.Add(-time.Hour), now.Add(24*time.Hour))
	shopCert, shopKey := pki.leaf(t, []string{"shop.example.org", "*.shop.example.org"}, now.Add(-time.Hour), now.Add(24*time.Hour))
	files := map[string][]byte{"base.pem": baseCert, "base.key": baseKey, "shop.pem": shopCert, "shop.key": shopKey}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s := startServerWith(t, t.TempDir(), fixedCredentials, nil, "--roles", "api,edge",
		"--https-addr", "127.0.0.1:0", "--base-domain", "pier.test",
		"--acme-directory", ca.DirectoryURL, "--acme-ca-root", ca.DirectoryRootFile,
		"--tls-cert", filepath.Join(dir, "base.pem"), "--tls-key", filepath.Join(dir, "base.key"))
	challenges.to(s.EdgeURL)
	traceEnv(t, testAccessKeyID, testSecretKey)

	var out bytes.Buffer
	if err := run(t.Context(), []string{"certs", "import", filepath.Join(dir, "shop.pem"), filepath.Join(dir, "shop.key"), "--endpoint", s.APIURL}, &out, os.Getenv); err != nil {
		t.Fatalf("pier certs import: %v\n%s", err, out.String())
	}
	arn := strings.TrimSpace(out.String())
	if !strings.HasPrefix(arn, "arn:aws:acm:"+testRegion+":"+testAccount+":certificate/") {
		t.Fatalf("pier certs import printed %q, want an ACM ARN", arn)
	}
	out.Reset()
	if err := run(t.Context(), []string{"certs", "list", "--endpoint", s.APIURL}, &out, os.Getenv); err != nil {
		t.Fatalf("pier certs list: %v", err)
	}
	if !strings.Contains(out.String(), arn) || !strings.Contains(out.String(), "shop.example.org,*.shop.example.org") {
		t.Errorf("pier certs list printed %q, want %s and its names", out.String(), arn)
	}
	if err := run(t.Context(), []string{"certs", "import", filepath.Join(dir, "shop.pem"), filepath.Join(dir, "base.key"), "--endpoint", s.APIURL}, &out, os.Getenv); err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Errorf("importing a certificate with another key: %v, want an error saying the key does not fit", err)
	}

	app := createApp(t, s.client, "certs")
	store := s.openStore(t)
	for _, d := range []*pier.DomainAssociation{
		{DomainName: "shop.example.org", CertificateType: pier.CertificateCustom, CustomCertificateARN: arn,
			SubDomains: []pier.SubDomain{{Prefix: "www", BranchName: "main", Verified: true}}},
		{DomainName: "example.com", CertificateType: pier.CertificateAmplifyManaged,
			SubDomains: []pier.SubDomain{{Prefix: "", BranchName: "main", Verified: true}, {Prefix: "www", BranchName: "main", Verified: true}}},
	} {
		d.AccountID, d.AppID, d.Status, d.CreateTime, d.UpdateTime = testAccount, *app.AppId, pier.DomainAvailable, now, now
		if err := store.CreateDomainAssociation(t.Context(), d); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.certs.CheckCustom(t.Context(), testAccount, arn, []string{"www.shop.example.org"}); err != nil {
		t.Errorf("CheckCustom: %v", err)
	}
	start := time.Now()
	if err := s.certs.Issue(t.Context(), []string{"www.example.com", "example.com"}); err != nil {
		t.Fatalf("Issue: %v", err)
	}
	t.Logf("Pebble issued 2 certificates through the server's edge in %v", time.Since(start))

	httpsAddr := strings.TrimPrefix(s.HTTPSURL, "https://")
	for _, c := range []struct {
		host  string
		roots *x509.CertPool
		names []string
	}{
		{"www.example.com", ca.Roots, []string{"www.example.com"}},
		{"example.com", ca.Roots, []string{"example.com"}},
		{"www.shop.example.org", pki.pool, []string{"shop.example.org", "*.shop.example.org"}},
		{"d123.pier.test", pki.pool, []string{"pier.test", "*.pier.test"}},
	} {
		client := &http.Client{Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: c.roots},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, httpsAddr)
			},
		}}
		resp, err := client.Get("https://" + c.host + "/")
		if err != nil {
			t.Errorf("%s: %v", c.host, err)
			continue
		}
		resp.Body.Close()
		if got := resp.TLS.PeerCertificates[0].DNSNames; !slices.Equal(got, c.names) {
			t.Errorf("%s: served a certificate for %v, want %v", c.host, got, c.names)
		}
	}

	if err := run(t.Context(), []string{"certs", "delete", arn, "--endpoint", s.APIURL}, &out, os.Getenv); err != nil {
		t.Fatalf("pier certs delete: %v", err)
	}
	if err := run(t.Context(), []string{"certs", "delete", arn, "--endpoint", s.APIURL}, &out, os.Getenv); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("deleting a deleted certificate: %v, want not found", err)
	}
	out.Reset()
	if err := run(t.Context(), []string{"certs", "list", "--endpoint", s.APIURL}, &out, os.Getenv); err != nil || out.Len() != 0 {
		t.Errorf("pier certs list after delete: %q, %v; want nothing", out.String(), err)
	}
}

// e2ePKI is a private CA for imported and base certificates.
type e2ePKI struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newE2EPKI(t *testing.T) *e2ePKI {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "E2E CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &e2ePKI{cert: cert, key: key, pool: pool}
}

func (p *e2ePKI) leaf(t *testing.T, names []string, notBefore, notAfter time.Time) (certPEM, keyPEM []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, DNSNames: names, NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.cert, &key.PublicKey, p.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}
