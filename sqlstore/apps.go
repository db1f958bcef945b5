package sqlstore

import (
	"context"
	"fmt"

	"github.com/pier-hosting/pier"
)

func appNotFound(appID string) *pier.Error {
	return pier.Errorf(pier.ENOTFOUND, "App %s not found", appID)
}

// CreateApp implements pier.AppStore. App ids are unique across accounts,
// since the edge finds an app by the id in a request's Host.
func (s *Store) CreateApp(ctx context.Context, a *pier.App) error {
	doc, err := encode(a)
	if err != nil {
		return fmt.Errorf("create app: %w", err)
	}
	if _, err := s.exec(ctx, `INSERT INTO apps (account_id, app_id, doc) VALUES (?, ?, ?)`, a.AccountID, a.ID, doc); err != nil {
		return s.writeError(err, "create app",
			pier.Errorf(pier.ECONFLICT, "App %s already exists", a.ID),
			pier.Errorf(pier.ENOTFOUND, "Account %s not found", a.AccountID))
	}
	return nil
}

// GetApp implements pier.AppStore.
func (s *Store) GetApp(ctx context.Context, accountID, appID string) (*pier.App, error) {
	return get(ctx, s, "get app", appNotFound(appID), scanDoc[pier.App],
		`SELECT seq, doc FROM apps WHERE account_id = ? AND app_id = ?`, accountID, appID)
}

// FindApp implements pier.AppStore.
func (s *Store) FindApp(ctx context.Context, appID string) (*pier.App, error) {
	return get(ctx, s, "find app", appNotFound(appID), scanDoc[pier.App],
		`SELECT seq, doc FROM apps WHERE app_id = ?`, appID)
}

// UpdateApp implements pier.AppStore.
func (s *Store) UpdateApp(ctx context.Context, a *pier.App) error {
	doc, err := encode(a)
	if err != nil {
		return fmt.Errorf("update app: %w", err)
	}
	res, err := s.exec(ctx, `UPDATE apps SET doc = ? WHERE account_id = ? AND app_id = ?`, doc, a.AccountID, a.ID)
	if err != nil {
		return fmt.Errorf("update app: %w", err)
	}
	return mustAffect(res, appNotFound(a.ID))
}

// DeleteApp implements pier.AppStore. The schema's cascades delete what the
// app owns within the one statement.
func (s *Store) DeleteApp(ctx context.Context, accountID, appID string) error {
	res, err := s.exec(ctx, `DELETE FROM apps WHERE account_id = ? AND app_id = ?`, accountID, appID)
	if err != nil {
		return fmt.Errorf("delete app: %w", err)
	}
	return mustAffect(res, appNotFound(appID))
}

// ListApps implements pier.AppStore.
func (s *Store) ListApps(ctx context.Context, accountID string, p pier.Page) ([]*pier.App, string, error) {
	return list(ctx, s, "list apps", listing{
		columns: "seq, doc",
		table:   "apps",
		where:   "account_id = ?",
		args:    []any{accountID},
		key:     "seq",
	}, p, scanDoc[pier.App])
}

// checkApp returns ENOTFOUND unless the app exists. Lists call it when they
// come back empty, to tell an app without children from a missing app.
func (s *Store) checkApp(ctx context.Context, accountID, appID string) error {
	ok, err := s.exists(ctx, `SELECT 1 FROM apps WHERE account_id = ? AND app_id = ?`, accountID, appID)
	if err != nil {
		return fmt.Errorf("check app: %w", err)
	} else if !ok {
		return appNotFound(appID)
	}
	return nil
}
