package sqlstore

import (
	"context"
	"fmt"

	"github.com/pier-hosting/pier"
)

func webhookNotFound(id string) *pier.Error {
	return pier.Errorf(pier.ENOTFOUND, "Webhook %s not found", id)
}

// CreateWebhook implements pier.WebhookStore; ECONFLICT if the id is taken
// in any account.
func (s *Store) CreateWebhook(ctx context.Context, w *pier.Webhook) error {
	doc, err := encode(w)
	if err != nil {
		return fmt.Errorf("create webhook: %w", err)
	}
	if _, err := s.exec(ctx, `INSERT INTO webhooks (account_id, webhook_id, app_id, branch_name, doc) VALUES (?, ?, ?, ?, ?)`,
		w.AccountID, w.ID, w.AppID, w.BranchName, doc); err != nil {
		return s.writeError(err, "create webhook",
			pier.Errorf(pier.ECONFLICT, "Webhook %s already exists", w.ID),
			branchNotFound(w.AppID, w.BranchName))
	}
	return nil
}

// GetWebhook implements pier.WebhookStore.
func (s *Store) GetWebhook(ctx context.Context, accountID, id string) (*pier.Webhook, error) {
	return get(ctx, s, "get webhook", webhookNotFound(id), scanDoc[pier.Webhook],
		`SELECT seq, doc FROM webhooks WHERE account_id = ? AND webhook_id = ?`, accountID, id)
}

// UpdateWebhook implements pier.WebhookStore.
func (s *Store) UpdateWebhook(ctx context.Context, w *pier.Webhook) error {
	doc, err := encode(w)
	if err != nil {
		return fmt.Errorf("update webhook: %w", err)
	}
	res, err := s.exec(ctx, `UPDATE webhooks SET app_id = ?, branch_name = ?, doc = ? WHERE account_id = ? AND webhook_id = ?`,
		w.AppID, w.BranchName, doc, w.AccountID, w.ID)
	if err != nil {
		return s.writeError(err, "update webhook", nil, branchNotFound(w.AppID, w.BranchName))
	}
	return mustAffect(res, webhookNotFound(w.ID))
}

// DeleteWebhook implements pier.WebhookStore; ENOTFOUND if the webhook does
// not exist.
func (s *Store) DeleteWebhook(ctx context.Context, accountID, id string) error {
	res, err := s.exec(ctx, `DELETE FROM webhooks WHERE account_id = ? AND webhook_id = ?`, accountID, id)
	if err != nil {
		return fmt.Errorf("delete webhook: %w", err)
	}
	return mustAffect(res, webhookNotFound(id))
}

// ListWebhooks implements pier.WebhookStore, listing the webhooks of every
// branch of the app; ENOTFOUND if the app does not exist.
func (s *Store) ListWebhooks(ctx context.Context, accountID, appID string, p pier.Page) ([]*pier.Webhook, string, error) {
	webhooks, next, err := list(ctx, s, "list webhooks", listing{
		columns: "seq, doc",
		table:   "webhooks",
		where:   "account_id = ? AND app_id = ?",
		args:    []any{accountID, appID},
		key:     "seq",
	}, p, scanDoc[pier.Webhook])
	if err == nil && len(webhooks) == 0 {
		err = s.checkApp(ctx, accountID, appID)
	}
	if err != nil {
		return nil, "", err
	}
	return webhooks, next, nil
}
