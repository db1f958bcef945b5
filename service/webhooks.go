package service

import (
	"context"
	"net/url"

	"github.com/pier-hosting/pier"
)

// CreateWebhook creates an incoming webhook that starts jobs of a branch.
func (s *Service) CreateWebhook(ctx context.Context, account, appID, branch, description string) (*pier.Webhook, error) {
	if _, err := s.store.GetBranch(ctx, account, appID, branch); err != nil {
		return nil, err
	}
	now := s.now()
	w := &pier.Webhook{
		AccountID: account, ID: pier.NewUUID(), AppID: appID, BranchName: branch,
		Description: description, Token: pier.NewSecret(24),
		CreateTime: now, UpdateTime: now,
	}
	if err := s.store.CreateWebhook(ctx, w); err != nil {
		return nil, err
	}
	return w, nil
}

// GetWebhook returns a webhook.
func (s *Service) GetWebhook(ctx context.Context, account, id string) (*pier.Webhook, error) {
	return s.store.GetWebhook(ctx, account, id)
}

// UpdateWebhook moves a webhook to another branch of its app and/or changes
// its description; nil means "not given".
func (s *Service) UpdateWebhook(ctx context.Context, account, id string, branch, description *string) (*pier.Webhook, error) {
	return update(ctx, &s.locks, webhookKey(account, id), func() (*pier.Webhook, error) {
		return s.store.GetWebhook(ctx, account, id)
	}, func(w *pier.Webhook) error {
		if branch != nil {
			if _, err := s.store.GetBranch(ctx, account, w.AppID, *branch); err != nil {
				return err
			}
			w.BranchName = *branch
		}
		set(&w.Description, description)
		w.UpdateTime = s.now()
		return nil
	}, func(w *pier.Webhook) error {
		return s.store.UpdateWebhook(ctx, w)
	})
}

// DeleteWebhook deletes a webhook and returns it as it was.
func (s *Service) DeleteWebhook(ctx context.Context, account, id string) (*pier.Webhook, error) {
	w, err := s.store.GetWebhook(ctx, account, id)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteWebhook(ctx, account, id); err != nil {
		return nil, err
	}
	return w, nil
}

// ListWebhooks lists an app's webhooks.
func (s *Service) ListWebhooks(ctx context.Context, account, appID string, maxResults int, token string) ([]*pier.Webhook, string, error) {
	if _, err := s.store.GetApp(ctx, account, appID); err != nil {
		return nil, "", err
	}
	scope := "webhooks/" + account + "/" + appID
	p, err := s.page(scope, maxResults, 50, token)
	if err != nil {
		return nil, "", err
	}
	ws, next, err := s.store.ListWebhooks(ctx, account, appID, p)
	return ws, s.pageToken(scope, next), err
}

// WebhookURL returns the absolute URL that triggers w, in the shape of
// Amplify's (…/webhooks?id=…&token=…&operation=startbuild).
func (s *Service) WebhookURL(w *pier.Webhook) string {
	q := url.Values{"id": {w.ID}, "token": {w.Token}, "operation": {"startbuild"}}
	return s.cfg.PublicURL + "/prod/webhooks?" + q.Encode()
}
