package certs_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/certs"
	"github.com/pier-hosting/pier/seal"
	"github.com/pier-hosting/pier/sqlite"
)

const (
	accountA = "111111111111"
	accountB = "222222222222"
)

// openStore opens a new SQLite store with two accounts and one app each.
func openStore(t *testing.T) pier.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "pier.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, acct := range []string{accountA, accountB} {
		check(t, s.CreateAccount(t.Context(), &pier.Account{ID: acct, CreateTime: time.Now()}))
		check(t, s.CreateApp(t.Context(), &pier.App{AccountID: acct, ID: "app" + acct, Name: "site", Platform: pier.PlatformWeb, CreateTime: time.Now(), UpdateTime: time.Now()}))
	}
	return s
}

var testSealer = func() pier.Sealer {
	key := make([]byte, seal.KeySize)
	_, _ = rand.Read(key)
	b, err := seal.New(key)
	if err != nil {
		panic(err)
	}
	return b
}()

// associate stores an association of domain in account with the prefixes.
func associate(t *testing.T, s pier.Store, account, domain, certType, arn string, prefixes ...string) {
	t.Helper()
	d := &pier.DomainAssociation{AccountID: account, AppID: "app" + account, DomainName: domain,
		Status: pier.DomainAvailable, CertificateType: certType, CustomCertificateARN: arn,
		CreateTime: time.Now(), UpdateTime: time.Now()}
	for _, p := range prefixes {
		d.SubDomains = append(d.SubDomains, pier.SubDomain{Prefix: p, BranchName: "main", Verified: true})
	}
	check(t, s.CreateDomainAssociation(t.Context(), d))
}

func newManager(t *testing.T, cfg certs.Config) *certs.Manager {
	t.Helper()
	if cfg.Sealer == nil {
		cfg.Sealer = testSealer
	}
	m, err := certs.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := pier.ErrorCode(err); got != want {
		t.Fatalf("error %v has code %q, want %q", err, got, want)
	}
}

// serveTLS serves TLS handshakes with getCert on 127.0.0.1 and returns the
// address.
func serveTLS(t *testing.T, getCert func(*tls.ClientHelloInfo) (*tls.Certificate, error)) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{GetCertificate: getCert})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if c.(*tls.Conn).Handshake() == nil {
					_, _ = c.Write([]byte("ok"))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// handshake connects to addr with SNI name, verifying against roots, and
// returns the server's leaf certificate.
func handshake(addr, name string, roots *x509.CertPool) (*x509.Certificate, error) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{ServerName: name, RootCAs: roots})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0], nil
}

// serveHTTP serves h on a new 127.0.0.1 listener and returns its port.
func serveHTTP(t *testing.T, h http.Handler) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	}()
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// testPKI is a private CA for imported and base certificates.
type testPKI struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newPKI(t *testing.T, name string) *testPKI {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	check(t, err)
	cert, err := x509.ParseCertificate(der)
	check(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testPKI{cert: cert, key: key, pool: pool}
}

// leaf issues a certificate for names valid from notBefore to notAfter and
// returns it and its key, PEM.
func (p *testPKI) leaf(t *testing.T, names []string, notBefore, notAfter time.Time) (certPEM, keyPEM []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: "leaf"}, DNSNames: names,
		NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.cert, &key.PublicKey, p.key)
	check(t, err)
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	check(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

func (p *testPKI) pem() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.cert.Raw})
}

// writeFiles writes a certificate and key to files and returns their paths.
func writeFiles(t *testing.T, certPEM, keyPEM []byte) (string, string) {
	t.Helper()
	dir := t.TempDir()
	cf, kf := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	check(t, os.WriteFile(cf, certPEM, 0o600))
	check(t, os.WriteFile(kf, keyPEM, 0o600))
	return cf, kf
}
