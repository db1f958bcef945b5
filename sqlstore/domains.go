package sqlstore

import (
	"context"
	"fmt"

	"github.com/pier-hosting/pier"
)

func domainNotFound(domain string) *pier.Error {
	return pier.Errorf(pier.ENOTFOUND, "Domain association %s not found", domain)
}

// CreateDomainAssociation implements pier.DomainAssociationStore.
func (s *Store) CreateDomainAssociation(ctx context.Context, d *pier.DomainAssociation) error {
	doc, err := encode(d)
	if err != nil {
		return fmt.Errorf("create domain association: %w", err)
	}
	if _, err := s.exec(ctx, `INSERT INTO domain_associations (account_id, app_id, domain_name, doc) VALUES (?, ?, ?, ?)`,
		d.AccountID, d.AppID, d.DomainName, doc); err != nil {
		return s.writeError(err, "create domain association",
			pier.Errorf(pier.ECONFLICT, "Domain association %s already exists for app %s", d.DomainName, d.AppID),
			appNotFound(d.AppID))
	}
	return nil
}

// GetDomainAssociation implements pier.DomainAssociationStore.
func (s *Store) GetDomainAssociation(ctx context.Context, accountID, appID, domain string) (*pier.DomainAssociation, error) {
	return get(ctx, s, "get domain association", domainNotFound(domain), scanDoc[pier.DomainAssociation],
		`SELECT seq, doc FROM domain_associations WHERE account_id = ? AND app_id = ? AND domain_name = ?`,
		accountID, appID, domain)
}

// UpdateDomainAssociation implements pier.DomainAssociationStore; ENOTFOUND
// if the association does not exist.
func (s *Store) UpdateDomainAssociation(ctx context.Context, d *pier.DomainAssociation) error {
	doc, err := encode(d)
	if err != nil {
		return fmt.Errorf("update domain association: %w", err)
	}
	res, err := s.exec(ctx, `UPDATE domain_associations SET doc = ? WHERE account_id = ? AND app_id = ? AND domain_name = ?`,
		doc, d.AccountID, d.AppID, d.DomainName)
	if err != nil {
		return fmt.Errorf("update domain association: %w", err)
	}
	return mustAffect(res, domainNotFound(d.DomainName))
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
		columns: "seq, doc",
		table:   "domain_associations",
		where:   "account_id = ? AND app_id = ?",
		args:    []any{accountID, appID},
		key:     "seq",
	}, p, scanDoc[pier.DomainAssociation])
	if err == nil && len(domains) == 0 {
		err = s.checkApp(ctx, accountID, appID)
	}
	if err != nil {
		return nil, "", err
	}
	return domains, next, nil
}
