package pier

import (
	"context"
	"time"
)

// ImportedCertificate is a certificate an operator imported for the domain
// associations of one account whose CertificateType is CUSTOM; its ARN is
// what their customCertificateArn names. The private key never leaves the
// certificate manager.
type ImportedCertificate struct {
	// ARN reads arn:aws:acm:{region}:{account}:certificate/{uuid}.
	ARN       string
	AccountID string
	// DomainNames are the DNS names of the certificate (subjectAltName),
	// lower case, possibly wildcards ("*.example.com").
	DomainNames []string
	NotBefore   time.Time
	NotAfter    time.Time
	CreateTime  time.Time
}

// CertificateImporter keeps the certificates operators import (package
// certs). Methods are safe for concurrent use.
type CertificateImporter interface {
	// ImportCertificate checks a PEM certificate (the leaf, optionally
	// followed by intermediates), its PEM private key and an optional PEM
	// chain, and stores them for account. EINVALID names the problem: not
	// PEM, a key that does not match, a certificate not valid now, no DNS
	// names, a chain that does not sign it.
	ImportCertificate(ctx context.Context, account string, certPEM, keyPEM, chainPEM []byte) (*ImportedCertificate, error)
	// ListCertificates lists account's certificates oldest first.
	ListCertificates(ctx context.Context, account string) ([]*ImportedCertificate, error)
	// DeleteCertificate deletes a certificate; ENOTFOUND for an unknown
	// arn or another account's.
	DeleteCertificate(ctx context.Context, account, arn string) error
}
