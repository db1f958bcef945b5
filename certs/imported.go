package certs

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
)

// Limits on what ImportCertificate accepts.
const (
	MaxCertificateBytes = 64 << 10 // the certificate with its chain
	MaxPrivateKeyBytes  = 16 << 10
)

// importedPrefix is where imported certificates live in the value store:
// importedPrefix + account + "/" + id.
const importedPrefix = "imported-certificates/"

// importedRecord is the stored form of an imported certificate.
type importedRecord struct {
	pier.ImportedCertificate
	// Chain is the leaf followed by its intermediates, PEM.
	Chain string
	// PrivateKey is the PEM private key sealed for the ARN.
	PrivateKey string
}

// parsedCertificate is a checked certificate, key and chain.
type parsedCertificate struct {
	leaf     *x509.Certificate
	chainPEM []byte // leaf first
	keyPEM   []byte
	names    []string
}

// parseCertificate checks an import: PEM certificates, a private key that
// matches the leaf, a chain in which each certificate signs the one before,
// DNS names, and validity at now. Errors are EINVALID and name the problem.
func parseCertificate(certPEM, keyPEM, chainPEM []byte, now time.Time) (*parsedCertificate, error) {
	if len(certPEM)+len(chainPEM) > MaxCertificateBytes {
		return nil, pier.Errorf(pier.EINVALID, "The certificate and its chain exceed %d KiB.", MaxCertificateBytes>>10)
	}
	if len(keyPEM) > MaxPrivateKeyBytes {
		return nil, pier.Errorf(pier.EINVALID, "The private key exceeds %d KiB.", MaxPrivateKeyBytes>>10)
	}
	certs, err := parsePEMCertificates("certificate", certPEM)
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		return nil, pier.Errorf(pier.EINVALID, "The certificate holds no PEM CERTIFICATE block.")
	}
	chain, err := parsePEMCertificates("certificate chain", chainPEM)
	if err != nil {
		return nil, err
	}
	certs = append(certs, chain...)
	leaf := certs[0]
	for i := 1; i < len(certs); i++ {
		if err := certs[i-1].CheckSignatureFrom(certs[i]); err != nil {
			return nil, pier.Errorf(pier.EINVALID, "Certificate %d of the chain (%s) does not sign certificate %d (%s): %v",
				i, certs[i].Subject, i-1, certs[i-1].Subject, err)
		}
	}
	var full bytes.Buffer
	for _, c := range certs {
		_ = pem.Encode(&full, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	if b, _ := pem.Decode(keyPEM); b == nil || !strings.Contains(b.Type, "PRIVATE KEY") {
		return nil, pier.Errorf(pier.EINVALID, "The private key is not a PEM PRIVATE KEY block.")
	}
	if _, err := tls.X509KeyPair(full.Bytes(), keyPEM); err != nil {
		return nil, pier.Errorf(pier.EINVALID, "The private key does not fit the certificate: %s",
			strings.TrimPrefix(err.Error(), "tls: "))
	}
	if err := checkValidity(leaf, now); err != nil {
		return nil, err
	}
	var names []string
	for _, n := range leaf.DNSNames {
		names = append(names, strings.ToLower(n))
	}
	if len(names) == 0 {
		return nil, pier.Errorf(pier.EINVALID, "The certificate names no DNS names (subjectAltName): it can serve no domain.")
	}
	return &parsedCertificate{leaf: leaf, chainPEM: full.Bytes(), keyPEM: keyPEM, names: names}, nil
}

// parsePEMCertificates parses every block of data, which must all be
// CERTIFICATE blocks; what names the input in errors.
func parsePEMCertificates(what string, data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			if len(bytes.TrimSpace(rest)) > 0 {
				return nil, pier.Errorf(pier.EINVALID, "The %s is not PEM.", what)
			}
			return out, nil
		}
		if b.Type != "CERTIFICATE" {
			return nil, pier.Errorf(pier.EINVALID, "The %s holds a %s block; only CERTIFICATE blocks belong there.", what, b.Type)
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, pier.Errorf(pier.EINVALID, "The %s does not parse: %v", what, err)
		}
		out = append(out, c)
	}
}

// checkValidity returns EINVALID unless leaf is valid at now.
func checkValidity(leaf *x509.Certificate, now time.Time) error {
	switch {
	case now.Before(leaf.NotBefore):
		return pier.Errorf(pier.EINVALID, "The certificate is not valid before %s.", leaf.NotBefore.UTC().Format(time.RFC3339))
	case now.After(leaf.NotAfter):
		return pier.Errorf(pier.EINVALID, "The certificate expired on %s.", leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	return nil
}

// Covers reports whether a certificate for the DNS names patterns serves
// name: a pattern equal to name (ignoring case and a final dot), or a
// wildcard "*.rest" matching exactly one label before rest (RFC 6125
// §6.4.3; partial-label wildcards such as "w*.example.com" match only
// themselves).
func Covers(patterns []string, name string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	for _, p := range patterns {
		p = strings.ToLower(strings.TrimSuffix(p, "."))
		if p == name {
			return true
		}
		rest, ok := strings.CutPrefix(p, "*.")
		if !ok || !strings.Contains(rest, ".") {
			continue // no wildcard, or one as wide as a public suffix
		}
		label, ok := strings.CutSuffix(name, "."+rest)
		if ok && label != "" && label != "*" && !strings.Contains(label, ".") {
			return true
		}
	}
	return false
}

// CertificateARN returns the ARN of an imported certificate.
func CertificateARN(region, account, id string) string {
	return fmt.Sprintf("arn:aws:acm:%s:%s:certificate/%s", region, account, id)
}

// importedKey returns the value-store key of account's certificate arn,
// or ENOTFOUND for an ARN that is not one of account's certificates.
func (m *Manager) importedKey(account, arn string) (string, error) {
	notFound := pier.Errorf(pier.ENOTFOUND, "Certificate %s not found.", arn)
	prefix := fmt.Sprintf("arn:aws:acm:%s:%s:certificate/", m.cfg.Region, account)
	id, ok := strings.CutPrefix(arn, prefix)
	if !ok || id == "" || strings.ContainsAny(id, "/.") || account == "" || strings.Contains(account, "/") {
		return "", notFound
	}
	return importedPrefix + account + "/" + id, nil
}

// ImportCertificate implements pier.CertificateImporter.
func (m *Manager) ImportCertificate(ctx context.Context, account string, certPEM, keyPEM, chainPEM []byte) (*pier.ImportedCertificate, error) {
	p, err := parseCertificate(certPEM, keyPEM, chainPEM, m.now())
	if err != nil {
		return nil, err
	}
	arn := CertificateARN(m.cfg.Region, account, pier.NewUUID())
	key, err := m.importedKey(account, arn)
	if err != nil {
		return nil, pier.Errorf(pier.EINVALID, "Invalid account %q.", account)
	}
	sealedKey, err := m.cfg.Sealer.Seal(string(p.keyPEM), arn)
	if err != nil {
		return nil, fmt.Errorf("seal private key: %w", err)
	}
	rec := importedRecord{
		ImportedCertificate: pier.ImportedCertificate{ARN: arn, AccountID: account, DomainNames: p.names,
			NotBefore: p.leaf.NotBefore, NotAfter: p.leaf.NotAfter, CreateTime: m.now()},
		Chain:      string(p.chainPEM),
		PrivateKey: sealedKey,
	}
	doc, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	if err := m.cfg.Store.PutValue(ctx, key, doc); err != nil {
		return nil, fmt.Errorf("store certificate: %w", err)
	}
	out := rec.ImportedCertificate
	return &out, nil
}

// loadImported returns account's certificate arn; ENOTFOUND if there is
// none.
func (m *Manager) loadImported(ctx context.Context, account, arn string) (*importedRecord, error) {
	key, err := m.importedKey(account, arn)
	if err != nil {
		return nil, err
	}
	doc, err := m.cfg.Store.GetValue(ctx, key)
	if pier.ErrorCode(err) == pier.ENOTFOUND {
		return nil, pier.Errorf(pier.ENOTFOUND, "Certificate %s not found.", arn)
	} else if err != nil {
		return nil, fmt.Errorf("load certificate: %w", err)
	}
	var rec importedRecord
	if err := json.Unmarshal(doc, &rec); err != nil {
		return nil, fmt.Errorf("decode certificate %s: %w", arn, err)
	}
	return &rec, nil
}

// ListCertificates implements pier.CertificateImporter.
func (m *Manager) ListCertificates(ctx context.Context, account string) ([]*pier.ImportedCertificate, error) {
	if account == "" || strings.Contains(account, "/") {
		return []*pier.ImportedCertificate{}, nil
	}
	keys, err := m.cfg.Store.ListValues(ctx, importedPrefix+account+"/")
	if err != nil {
		return nil, fmt.Errorf("list certificates: %w", err)
	}
	out := []*pier.ImportedCertificate{}
	for _, k := range keys {
		doc, err := m.cfg.Store.GetValue(ctx, k)
		if pier.ErrorCode(err) == pier.ENOTFOUND {
			continue // deleted since the listing
		} else if err != nil {
			return nil, fmt.Errorf("list certificates: %w", err)
		}
		var rec importedRecord
		if err := json.Unmarshal(doc, &rec); err != nil {
			return nil, fmt.Errorf("decode certificate %s: %w", k, err)
		}
		c := rec.ImportedCertificate
		out = append(out, &c)
	}
	slices.SortStableFunc(out, func(a, b *pier.ImportedCertificate) int { return a.CreateTime.Compare(b.CreateTime) })
	return out, nil
}

// DeleteCertificate implements pier.CertificateImporter. Associations that
// still name the certificate serve no certificate for their hosts.
func (m *Manager) DeleteCertificate(ctx context.Context, account, arn string) error {
	key, err := m.importedKey(account, arn)
	if err != nil {
		return err
	}
	if err := m.cfg.Store.DeleteValue(ctx, key); pier.ErrorCode(err) == pier.ENOTFOUND {
		return pier.Errorf(pier.ENOTFOUND, "Certificate %s not found.", arn)
	} else if err != nil {
		return fmt.Errorf("delete certificate: %w", err)
	}
	m.mu.Lock()
	delete(m.imported, arn)
	m.mu.Unlock()
	return nil
}

// CheckCustom implements pier.Certificates.
func (m *Manager) CheckCustom(ctx context.Context, account, arn string, names []string) error {
	rec, err := m.loadImported(ctx, account, arn)
	if err != nil {
		return err
	}
	now := m.now()
	switch {
	case now.Before(rec.NotBefore):
		return pier.Errorf(pier.EINVALID, "The certificate %s is not valid before %s.", arn, rec.NotBefore.UTC().Format(time.RFC3339))
	case now.After(rec.NotAfter):
		return pier.Errorf(pier.EINVALID, "The certificate %s expired on %s.", arn, rec.NotAfter.UTC().Format(time.RFC3339))
	}
	var missing []string
	for _, n := range names {
		if !Covers(rec.DomainNames, n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return pier.Errorf(pier.EINVALID, "The certificate %s does not cover %s (it covers %s).",
			arn, strings.Join(missing, ", "), strings.Join(rec.DomainNames, ", "))
	}
	return nil
}

// importedTLS returns the tls.Certificate of account's certificate arn,
// parsed once per node and kept for the lookup TTL.
func (m *Manager) importedTLS(ctx context.Context, account, arn string) (*tls.Certificate, error) {
	now := m.now()
	m.mu.Lock()
	e, ok := m.imported[arn]
	m.mu.Unlock()
	if ok && e.account == account && now.Before(e.until) {
		return e.cert, nil
	}
	rec, err := m.loadImported(ctx, account, arn)
	if err != nil {
		return nil, err
	}
	keyPEM, err := m.cfg.Sealer.Open(rec.PrivateKey, arn)
	if err != nil {
		return nil, fmt.Errorf("open private key of %s: %w", arn, err)
	}
	cert, err := tls.X509KeyPair([]byte(rec.Chain), []byte(keyPEM))
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %w", arn, err)
	}
	m.mu.Lock()
	if len(m.imported) >= maxCached {
		clear(m.imported)
	}
	m.imported[arn] = importedEntry{account: account, cert: &cert, until: now.Add(m.cfg.LookupTTL)}
	m.mu.Unlock()
	return &cert, nil
}
