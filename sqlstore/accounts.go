package sqlstore

import (
	"context"
	"fmt"

	"github.com/pier-hosting/pier"
)

// CreateAccount implements pier.AccountStore.
func (s *Store) CreateAccount(ctx context.Context, a *pier.Account) error {
	doc, err := encode(a)
	if err != nil {
		return fmt.Errorf("create account: %w", err)
	}
	if _, err := s.exec(ctx, `INSERT INTO accounts (account_id, doc) VALUES (?, ?)`, a.ID, doc); err != nil {
		return s.writeError(err, "create account",
			pier.Errorf(pier.ECONFLICT, "Account %s already exists", a.ID), nil)
	}
	return nil
}

// GetAccount implements pier.AccountStore.
func (s *Store) GetAccount(ctx context.Context, id string) (*pier.Account, error) {
	return get(ctx, s, "get account", pier.Errorf(pier.ENOTFOUND, "Account %s not found", id),
		scanDoc[pier.Account], `SELECT seq, doc FROM accounts WHERE account_id = ?`, id)
}

// CreateAccessKey implements pier.AccountStore.
func (s *Store) CreateAccessKey(ctx context.Context, k *pier.AccessKey) error {
	doc, err := encode(k)
	if err != nil {
		return fmt.Errorf("create access key: %w", err)
	}
	if _, err := s.exec(ctx, `INSERT INTO access_keys (key_id, account_id, doc) VALUES (?, ?, ?)`, k.ID, k.AccountID, doc); err != nil {
		return s.writeError(err, "create access key",
			pier.Errorf(pier.ECONFLICT, "Access key %s already exists", k.ID),
			pier.Errorf(pier.ENOTFOUND, "Account %s not found", k.AccountID))
	}
	return nil
}

// GetAccessKey implements pier.AccountStore.
func (s *Store) GetAccessKey(ctx context.Context, id string) (*pier.AccessKey, error) {
	return get(ctx, s, "get access key", pier.Errorf(pier.ENOTFOUND, "Access key %s not found", id),
		scanDoc[pier.AccessKey], `SELECT seq, doc FROM access_keys WHERE key_id = ?`, id)
}
