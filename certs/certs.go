// Package certs provides the TLS certificates of the edge: certificates
// obtained and renewed by ACME (certmagic, HTTP-01) for AMPLIFY_MANAGED
// domain associations, certificates operators import for CUSTOM ones, and a
// configured certificate for the base domain. Everything it keeps lives in
// Pier's shared store (pier.ValueStore), so that every edge node serves the
// certificates any node obtained, answers the HTTP-01 challenges of orders
// any node placed, and only one node at a time obtains or renews a
// certificate.
package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/certmagic"
	"github.com/mholt/acmez/v3/acme"
	"github.com/pier-hosting/pier"
)

// Store is what the manager needs of Pier's store; every pier.Store is one.
type Store interface {
	pier.ValueStore
	// FindDomainAssociation finds the association serving a domain.
	FindDomainAssociation(ctx context.Context, domain string) (*pier.DomainAssociation, error)
}

// Config configures a Manager.
type Config struct {
	// Store keeps certificates, ACME state and imported certificates.
	Store Store
	// Sealer seals private keys at rest.
	Sealer pier.Sealer
	// Region is used in the ARNs of imported certificates (us-east-1 by
	// default); it should be the API's region.
	Region string

	// Directory is the URL of the ACME directory AMPLIFY_MANAGED
	// certificates are obtained from, such as Let's Encrypt's
	// https://acme-v02.api.letsencrypt.org/directory. Empty disables
	// AMPLIFY_MANAGED certificates: Issue fails.
	Directory string
	// Email is the contact of the ACME account (optional).
	Email string
	// CARoots are the roots trusted for the ACME directory's HTTPS (nil:
	// the system's). LoadCARoots adds a file's certificates to the system's.
	CARoots *x509.CertPool
	// HTTPPort is the port the CA connects to for HTTP-01 challenges, which
	// the edge's HTTP listener answers through HTTPChallenge (80 by
	// default). While it obtains a certificate, a node whose port is free
	// listens on 127.0.0.1 there; the CA reaches the edge nodes anyway.
	HTTPPort int

	// BaseCertFile and BaseKeyFile are a PEM certificate (typically a
	// wildcard for the base domain, "*.example.app") and its key, served for
	// BaseDomain and every name under it, or, without a BaseDomain, for
	// every name the certificate covers; and for connections without a
	// server name.
	BaseCertFile, BaseKeyFile string
	// BaseDomain is the parent of every app's default domain.
	BaseDomain string

	// LockTTL is the lease of the lock held while obtaining a certificate:
	// how long a crashed node blocks the others (2 minutes by default).
	LockTTL time.Duration
	// LookupTTL is how long a node reuses a host's association and an
	// imported certificate before reading them again (10 s by default).
	LookupTTL time.Duration

	Logger *slog.Logger
	// Now returns the current time (time.Now by default).
	Now func() time.Time
}

// Key prefixes of the manager's values in the store.
const (
	certmagicPrefix = "certmagic/"
	// managedPrefix marks the names Issue manages until Release; a node
	// renews a name only while its mark exists.
	managedPrefix = "managed-names/"
)

// maxCached bounds the per-node caches; a full cache is emptied.
const maxCached = 10000

// Manager issues, imports, checks and serves certificates; it implements
// pier.Certificates and pier.CertificateImporter. It is safe for
// concurrent use.
type Manager struct {
	cfg  Config
	log  *slog.Logger
	base *tls.Certificate
	// baseNames are the DNS names base covers.
	baseNames []string

	// magic and issuer are nil when no ACME directory is configured.
	magic  *certmagic.Config
	issuer *certmagic.ACMEIssuer
	cache  *certmagic.Cache

	mu       sync.Mutex
	lookups  map[string]lookupEntry   // host → its association
	imported map[string]importedEntry // ARN → parsed certificate
}

// lookupEntry is a cached association lookup.
type lookupEntry struct {
	assoc *pier.DomainAssociation // nil: no association serves the host
	until time.Time
}

// importedEntry is a cached imported certificate.
type importedEntry struct {
	account string
	cert    *tls.Certificate
	until   time.Time
}

var (
	_ pier.Certificates        = (*Manager)(nil)
	_ pier.CertificateImporter = (*Manager)(nil)
)

// New returns a Manager; Close stops its renewals.
func New(cfg Config) (*Manager, error) {
	if cfg.Store == nil || cfg.Sealer == nil {
		return nil, errors.New("certs: Store and Sealer are required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.HTTPPort == 0 {
		cfg.HTTPPort = 80
	}
	if cfg.LockTTL <= 0 {
		cfg.LockTTL = 2 * time.Minute
	}
	if cfg.LookupTTL <= 0 {
		cfg.LookupTTL = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m := &Manager{cfg: cfg, log: cfg.Logger, lookups: map[string]lookupEntry{}, imported: map[string]importedEntry{}}
	if cfg.BaseCertFile != "" || cfg.BaseKeyFile != "" {
		base, err := tls.LoadX509KeyPair(cfg.BaseCertFile, cfg.BaseKeyFile)
		if err != nil {
			return nil, fmt.Errorf("certs: base certificate: %w", err)
		}
		for _, n := range base.Leaf.DNSNames {
			m.baseNames = append(m.baseNames, strings.ToLower(n))
		}
		m.base = &base
	}
	if cfg.Directory != "" {
		zl := zapLogger(cfg.Logger.With("component", "certmagic"))
		m.cache = certmagic.NewCache(certmagic.CacheOptions{
			GetConfigForCert: func(certmagic.Certificate) (*certmagic.Config, error) { return m.magic, nil },
			Logger:           zl,
		})
		m.magic = certmagic.New(m.cache, certmagic.Config{
			Storage: NewStorage(cfg.Store, cfg.Sealer, certmagicPrefix, cfg.LockTTL),
			OnEvent: m.onEvent,
			OCSP:    certmagic.OCSPConfig{DisableStapling: true},
			Logger:  zl,
		})
		m.issuer = certmagic.NewACMEIssuer(m.magic, certmagic.ACMEIssuer{
			CA:                      cfg.Directory,
			TestCA:                  cfg.Directory, // never fall back to another CA
			Email:                   cfg.Email,
			Agreed:                  true,
			DisableTLSALPNChallenge: true,
			ListenHost:              "127.0.0.1",
			AltHTTPPort:             cfg.HTTPPort,
			TrustedRoots:            cfg.CARoots,
			Logger:                  zl,
		})
		m.magic.Issuers = []certmagic.Issuer{quietIssuer{m.issuer}}
	}
	return m, nil
}

// quietIssuer is an ACMEIssuer that never prompts on the terminal: without
// an e-mail address, certmagic asks for one on standard input when a
// certificate is obtained in the foreground (ManageSync), which a server
// must not do.
type quietIssuer struct{ *certmagic.ACMEIssuer }

// PreCheck implements certmagic.PreChecker, never interactively.
func (q quietIssuer) PreCheck(ctx context.Context, names []string, _ bool) error {
	return q.ACMEIssuer.PreCheck(ctx, names, false)
}

// LoadCARoots returns the system's roots with the PEM certificates of file
// added (for an ACME directory served with a private CA, such as Pebble).
func LoadCARoots(file string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%s holds no PEM certificate", file)
	}
	return pool, nil
}

// Close stops renewing certificates.
func (m *Manager) Close() error {
	if m.cache != nil {
		m.cache.Stop()
	}
	return nil
}

func (m *Manager) now() time.Time { return m.cfg.Now() }

// normalize lower-cases a host name and drops a final dot.
func normalize(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, "."))
}

// Issue implements pier.Certificates: it marks names managed, then has
// certmagic load each certificate from the store or obtain it, one order
// per name, and renew it from then on.
func (m *Manager) Issue(ctx context.Context, names []string) error {
	if m.magic == nil {
		return pier.Errorf(pier.EINVALID, "AMPLIFY_MANAGED certificates are not available: this server has no ACME directory (pier serve --acme-directory); import a certificate and use a CUSTOM one.")
	}
	var list []string
	for _, n := range names {
		n = normalize(n)
		switch {
		case n == "":
			return pier.Errorf(pier.EINVALID, "Empty domain name.")
		case strings.Contains(n, "*"):
			return pier.Errorf(pier.EINVALID, "%s: HTTP-01 cannot validate wildcard names; use a CUSTOM certificate.", n)
		}
		list = append(list, n)
	}
	for _, n := range list {
		if err := m.cfg.Store.PutValue(ctx, managedPrefix+n, []byte(m.now().UTC().Format(time.RFC3339))); err != nil {
			return fmt.Errorf("mark %s managed: %w", n, err)
		}
	}
	if err := m.magic.ManageSync(ctx, list); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return pier.Errorf(pier.EDEPENDENCY, "The ACME CA did not issue a certificate: %s", acmeReason(err))
	}
	return nil
}

// acmeReason returns the CA's explanation of err.
func acmeReason(err error) string {
	var p acme.Problem
	if errors.As(err, &p) {
		if p.Detail != "" {
			return p.Detail
		}
		return p.Type
	}
	var pp *acme.Problem
	if errors.As(err, &pp) && pp != nil && pp.Detail != "" {
		return pp.Detail
	}
	return err.Error()
}

// Release implements pier.Certificates: it removes the names' marks, so
// that no node renews them, drops them from this node's cache and deletes
// their certificates and keys from the store.
func (m *Manager) Release(ctx context.Context, names []string) error {
	var subjects []certmagic.SubjectIssuer
	for _, n := range names {
		n = normalize(n)
		if err := m.cfg.Store.DeleteValue(ctx, managedPrefix+n); err != nil && pier.ErrorCode(err) != pier.ENOTFOUND {
			return fmt.Errorf("release %s: %w", n, err)
		}
		subjects = append(subjects, certmagic.SubjectIssuer{Subject: n})
		m.mu.Lock()
		delete(m.lookups, n)
		m.mu.Unlock()
		if m.magic != nil {
			if err := m.magic.Storage.Delete(ctx, certmagic.StorageKeys.CertsSitePrefix(m.issuer.IssuerKey(), n)); err != nil {
				return fmt.Errorf("release %s: %w", n, err)
			}
		}
	}
	if m.cache != nil {
		m.cache.RemoveManaged(subjects)
	}
	return nil
}

// onEvent aborts obtaining or renewing a certificate for a name no
// association uses any more (Release ran, perhaps on another node).
func (m *Manager) onEvent(ctx context.Context, event string, data map[string]any) error {
	if event != "cert_obtaining" {
		return nil
	}
	name, _ := data["identifier"].(string)
	_, err := m.cfg.Store.GetValue(ctx, managedPrefix+normalize(name))
	if pier.ErrorCode(err) == pier.ENOTFOUND {
		return fmt.Errorf("%s was released: no association uses it", name)
	}
	return err
}

// HTTPChallenge returns next behind the answer to ACME HTTP-01 challenges
// (/.well-known/acme-challenge/): the answer comes from the store, so any
// node answers for an order any node placed. Without an ACME directory it
// returns next.
func (m *Manager) HTTPChallenge(next http.Handler) http.Handler {
	if m.issuer == nil {
		return next
	}
	return m.issuer.HTTPChallengeHandler(next)
}

// GetCertificate returns the certificate for a TLS handshake, for
// tls.Config.GetCertificate: the base certificate for the names it covers
// (and without a server name), otherwise the certificate of the domain
// association serving the host — the imported certificate its
// customCertificateArn names for CUSTOM, the ACME certificate for
// AMPLIFY_MANAGED.
func (m *Manager) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	ctx := hello.Context()
	if ctx == nil {
		ctx = context.Background() // a ClientHelloInfo not made by crypto/tls
	}
	host := normalize(hello.ServerName)
	if host == "" {
		if m.base != nil {
			return m.base, nil
		}
		return nil, errors.New("no server name (SNI) and no base certificate")
	}
	if m.base != nil && m.isBase(host) {
		return m.base, nil
	}
	assoc, err := m.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	if assoc == nil {
		return nil, fmt.Errorf("no domain association serves %s", host)
	}
	if assoc.CertificateType == pier.CertificateCustom {
		return m.importedTLS(ctx, assoc.AccountID, assoc.CustomCertificateARN)
	}
	return m.managedTLS(ctx, hello, host)
}

// isBase reports whether the base certificate serves host.
func (m *Manager) isBase(host string) bool {
	if base := normalize(m.cfg.BaseDomain); base != "" {
		return host == base || strings.HasSuffix(host, "."+base)
	}
	return Covers(m.baseNames, host)
}

// managedTLS returns the ACME certificate of host: from this node's cache,
// or loaded from the store (another node may have obtained it), after which
// this node renews it too.
func (m *Manager) managedTLS(ctx context.Context, hello *tls.ClientHelloInfo, host string) (*tls.Certificate, error) {
	if m.magic == nil {
		return nil, fmt.Errorf("%s: AMPLIFY_MANAGED certificates are not available without an ACME directory", host)
	}
	if cert, err := m.magic.GetCertificate(hello); err == nil && cert != nil {
		return cert, nil
	}
	if _, err := m.magic.CacheManagedCertificate(ctx, host); err != nil {
		return nil, fmt.Errorf("no certificate for %s yet: %w", host, err)
	}
	return m.magic.GetCertificate(hello)
}

// lookup returns the association serving host, or nil if none does,
// remembering the answer for the lookup TTL.
func (m *Manager) lookup(ctx context.Context, host string) (*pier.DomainAssociation, error) {
	now := m.now()
	m.mu.Lock()
	e, ok := m.lookups[host]
	m.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.assoc, nil
	}
	var found *pier.DomainAssociation
	for _, candidate := range pier.DomainCandidates(host) {
		d, err := m.cfg.Store.FindDomainAssociation(ctx, candidate)
		if pier.ErrorCode(err) == pier.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("find association of %s: %w", host, err)
		}
		if _, ok := d.SubDomainFor(host); ok {
			found = d
		}
		break // the nearest association decides
	}
	m.mu.Lock()
	if len(m.lookups) >= maxCached {
		clear(m.lookups)
	}
	m.lookups[host] = lookupEntry{assoc: found, until: now.Add(m.cfg.LookupTTL)}
	m.mu.Unlock()
	return found, nil
}
