package sqlstore

import (
	"context"
	"fmt"

	"github.com/pier-hosting/pier"
)

func domainNotFound(domain string) *pier.Error {
	return pier.Errorf(pier.ENOTFOUND, "Domain association %s not found", domain)
}

func domainChanged(domain string) *pier.Error {
	return pier.Errorf(pier.ECONFLICT, "Domain association %s was changed concurrently", domain)
}

// domainColumns are the columns scanDomain scans.
const domainColumns = "seq, doc, version"

// scanDomain scans a row of domainColumns.
var scanDomain = scanVersioned(func(d *pier.DomainAssociation, v int64) { d.Version = v })

// domainDoc returns the document stored for d, without Version: its column
// is the one copy that counts.
func domainDoc(d *pier.DomainAssociation) (string, error) {
	c := *d
	c.Version = 0
	return encode(&c)
}

// CreateDomainAssociation implements pier.DomainAssociationStore.
func (s *Store) CreateDomainAssociation(ctx context.Context, d *pier.DomainAssociation) error {
	doc, err := domainDoc(d)
	if err != nil {
		return fmt.Errorf("create domain association: %w", err)
	}
	if _, err := s.exec(ctx, `INSERT INTO domain_associations (account_id, app_id, domain_name, doc, version) VALUES (?, ?, ?, ?, 1)`,
		d.AccountID, d.AppID, d.DomainName, doc); err != nil {
		return s.writeError(err, "create domain association",
			pier.Errorf(pier.ECONFLICT, "Domain association %s already exists", d.DomainName),
			appNotFound(d.AppID))
	}
	d.Version = 1
	return nil
}

// GetDomainAssociation implements pier.DomainAssociationStore.
func (s *Store) GetDomainAssociation(ctx context.Context, accountID, appID, domain string) (*pier.DomainAssociation, error) {
	return get(ctx, s, "get domain association", domainNotFound(domain), scanDomain,
		`SELECT `+domainColumns+` FROM domain_associations WHERE account_id = ? AND app_id = ? AND domain_name = ?`,
		accountID, appID, domain)
}

// UpdateDomainAssociation implements pier.DomainAssociationStore; the
// ECONFLICT message is "Domain association D was changed concurrently".
func (s *Store) UpdateDomainAssociation(ctx context.Context, d *pier.DomainAssociation) error {
	doc, err := domainDoc(d)
	if err != nil {
		return fmt.Errorf("update domain association: %w", err)
	}
	res, err := s.exec(ctx, `UPDATE domain_associations SET doc = ?, version = version + 1
		WHERE account_id = ? AND app_id = ? AND domain_name = ? AND version = ?`,
		doc, d.AccountID, d.AppID, d.DomainName, d.Version)
	if err != nil {
		return fmt.Errorf("update domain association: %w", err)
	}
	if err := s.mustMatch(ctx, res, domainNotFound(d.DomainName), domainChanged(d.DomainName),
		`SELECT 1 FROM domain_associations WHERE account_id = ? AND app_id = ? AND domain_name = ?`,
		d.AccountID, d.AppID, d.DomainName); err != nil {
		return err
	}
	d.Version++
	return nil
}

// DeleteDomainAssociation implements pier.DomainAssociationStore; ENOTFOUND
// if the association does not exist.
func (s *Store) DeleteDomainAssociation(ctx context.Context, accountID, appID, domain string) error {
	res, err := s.exec(ctx, `DELETE FROM domain_associations WHERE account_id = ? AND app_id = ? AND domain_name = ?`,
		accountID, appID, domain)
	if err != nil {
		return fmt.Errorf("delete domain association: %w", err)
	}
	return mustAffect(res, domainNotFound(domain))
}

// ListDomainAssociations implements pier.DomainAssociationStore; ENOTFOUND
// if the app does not exist.
func (s *Store) ListDomainAssociations(ctx context.Context, accountID, appID string, p pier.Page) ([]*pier.DomainAssociation, string, error) {
	domains, next, err := list(ctx, s, "list domain associations", listing{
		columns: domainColumns,
		table:   "domain_associations",
		where:   "account_id = ? AND app_id = ?",
		args:    []any{accountID, appID},
		key:     "seq",
	}, p, scanDomain)
	if err == nil && len(domains) == 0 {
		err = s.checkApp(ctx, accountID, appID)
	}
	if err != nil {
		return nil, "", err
	}
	return domains, next, nil
}

// FindDomainAssociation implements pier.DomainAssociationStore. Domain
// names are unique across accounts since migration 0006; the ORDER BY keeps
// the answer well defined all the same.
func (s *Store) FindDomainAssociation(ctx context.Context, domain string) (*pier.DomainAssociation, error) {
	return get(ctx, s, "find domain association", domainNotFound(domain), scanDomain,
		`SELECT `+domainColumns+` FROM domain_associations WHERE domain_name = ? ORDER BY seq LIMIT 1`, domain)
}

// ListAllDomainAssociations implements pier.DomainAssociationStore.
func (s *Store) ListAllDomainAssociations(ctx context.Context, p pier.Page) ([]*pier.DomainAssociation, string, error) {
	return list(ctx, s, "list all domain associations", listing{
		columns: domainColumns,
		table:   "domain_associations",
		where:   "1 = 1",
		key:     "seq",
	}, p, scanDomain)
}
