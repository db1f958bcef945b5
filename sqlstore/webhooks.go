package sqlstore

import (
	"context"
	"fmt"

	"github.com/pier-hosting/pier"
)

func webhookNotFound(id string) *pier.Error {
	return pier.Errorf(pier.ENOTFOUND, "Webhook %s not found", id)
}

func webhookChanged(id string) *pier.Error {
	return pier.Errorf(pier.ECONFLICT, "Webhook %s was changed concurrently", id)
}

// webhookColumns are the columns scanWebhook scans.
const webhookColumns = "seq, doc, version"

// scanWebhook scans a row of webhookColumns.
var scanWebhook = scanVersioned(func(w *pier.Webhook, v int64) { w.Version = v })

// webhookDoc returns the document stored for w, without Version: its column
// is the one copy that counts.
func webhookDoc(w *pier.Webhook) (string, error) {
	c := *w
	c.Version = 0
	return encode(&c)
}

// CreateWebhook implements pier.WebhookStore; ECONFLICT if the id is taken
// in any account.
func (s *Store) CreateWebhook(ctx context.Context, w *pier.Webhook) error {
	doc, err := webhookDoc(w)
	if err != nil {
		return fmt.Errorf("create webhook: %w", err)
	}
	if _, err := s.exec(ctx, `INSERT INTO webhooks (account_id, webhook_id, app_id, branch_name, doc, version) VALUES (?, ?, ?, ?, ?, 1)`,
		w.AccountID, w.ID, w.AppID, w.BranchName, doc); err != nil {
		return s.writeError(err, "create webhook",
			pier.Errorf(pier.ECONFLICT, "Webhook %s already exists", w.ID),
			branchNotFound(w.AppID, w.BranchName))
	}
	w.Version = 1
	return nil
}

// GetWebhook implements pier.WebhookStore.
func (s *Store) GetWebhook(ctx context.Context, accountID, id string) (*pier.Webhook, error) {
	return get(ctx, s, "get webhook", webhookNotFound(id), scanWebhook,
		`SELECT `+webhookColumns+` FROM webhooks WHERE account_id = ? AND webhook_id = ?`, accountID, id)
}

// FindWebhook implements pier.WebhookStore.
func (s *Store) FindWebhook(ctx context.Context, id string) (*pier.Webhook, error) {
	return get(ctx, s, "find webhook", webhookNotFound(id), scanWebhook,
		`SELECT `+webhookColumns+` FROM webhooks WHERE webhook_id = ?`, id)
}

// UpdateWebhook implements pier.WebhookStore; the ECONFLICT message is
// "Webhook W was changed concurrently".
func (s *Store) UpdateWebhook(ctx context.Context, w *pier.Webhook) error {
	doc, err := webhookDoc(w)
	if err != nil {
		return fmt.Errorf("update webhook: %w", err)
	}
	res, err := s.exec(ctx, `UPDATE webhooks SET app_id = ?, branch_name = ?, doc = ?, version = version + 1
		WHERE account_id = ? AND webhook_id = ? AND version = ?`,
		w.AppID, w.BranchName, doc, w.AccountID, w.ID, w.Version)
	if err != nil {
		return s.writeError(err, "update webhook", nil, branchNotFound(w.AppID, w.BranchName))
	}
	if err := s.mustMatch(ctx, res, webhookNotFound(w.ID), webhookChanged(w.ID),
		`SELECT 1 FROM webhooks WHERE account_id = ? AND webhook_id = ?`, w.AccountID, w.ID); err != nil {
		return err
	}
	w.Version++
	return nil
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
		columns: webhookColumns,
		table:   "webhooks",
		where:   "account_id = ? AND app_id = ?",
		args:    []any{accountID, appID},
		key:     "seq",
	}, p, scanWebhook)
	if err == nil && len(webhooks) == 0 {
		err = s.checkApp(ctx, accountID, appID)
	}
	if err != nil {
		return nil, "", err
	}
	return webhooks, next, nil
}
