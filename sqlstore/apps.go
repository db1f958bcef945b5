package sqlstore

import (
	"context"
	"fmt"

	"github.com/pier-hosting/pier"
)

func appNotFound(appID string) *pier.Error {
	return pier.Errorf(pier.ENOTFOUND, "App %s not found", appID)
}

func appChanged(appID string) *pier.Error {
	return pier.Errorf(pier.ECONFLICT, "App %s was changed concurrently", appID)
}

// appColumns are the columns scanApp scans.
const appColumns = "seq, doc, version"

// scanApp scans a row of appColumns.
var scanApp = scanVersioned(func(a *pier.App, v int64) { a.Version = v })

// appDoc returns the document stored for a. Version lives in a column of
// its own, the one copy that counts, so the document leaves it out.
func appDoc(a *pier.App) (string, error) {
	c := *a
	c.Version = 0
	return encode(&c)
}

// CreateApp implements pier.AppStore. App ids are unique across accounts,
// since the edge finds an app by the id in a request's Host.
func (s *Store) CreateApp(ctx context.Context, a *pier.App) error {
	doc, err := appDoc(a)
	if err != nil {
		return fmt.Errorf("create app: %w", err)
	}
	if _, err := s.exec(ctx, `INSERT INTO apps (account_id, app_id, doc, version) VALUES (?, ?, ?, 1)`, a.AccountID, a.ID, doc); err != nil {
		return s.writeError(err, "create app",
			pier.Errorf(pier.ECONFLICT, "App %s already exists", a.ID),
			pier.Errorf(pier.ENOTFOUND, "Account %s not found", a.AccountID))
	}
	a.Version = 1
	return nil
}

// GetApp implements pier.AppStore.
func (s *Store) GetApp(ctx context.Context, accountID, appID string) (*pier.App, error) {
	return get(ctx, s, "get app", appNotFound(appID), scanApp,
		`SELECT `+appColumns+` FROM apps WHERE account_id = ? AND app_id = ?`, accountID, appID)
}

// FindApp implements pier.AppStore.
func (s *Store) FindApp(ctx context.Context, appID string) (*pier.App, error) {
	return get(ctx, s, "find app", appNotFound(appID), scanApp,
		`SELECT `+appColumns+` FROM apps WHERE app_id = ?`, appID)
}

// UpdateApp implements pier.AppStore; the ECONFLICT message is "App X was
// changed concurrently".
func (s *Store) UpdateApp(ctx context.Context, a *pier.App) error {
	doc, err := appDoc(a)
	if err != nil {
		return fmt.Errorf("update app: %w", err)
	}
	res, err := s.exec(ctx, `UPDATE apps SET doc = ?, version = version + 1
		WHERE account_id = ? AND app_id = ? AND version = ?`, doc, a.AccountID, a.ID, a.Version)
	if err != nil {
		return fmt.Errorf("update app: %w", err)
	}
	if err := s.mustMatch(ctx, res, appNotFound(a.ID), appChanged(a.ID),
		`SELECT 1 FROM apps WHERE account_id = ? AND app_id = ?`, a.AccountID, a.ID); err != nil {
		return err
	}
	a.Version++
	return nil
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
		columns: appColumns,
		table:   "apps",
		where:   "account_id = ?",
		args:    []any{accountID},
		key:     "seq",
	}, p, scanApp)
}

// ListAllApps implements pier.AppStore.
func (s *Store) ListAllApps(ctx context.Context, p pier.Page) ([]*pier.App, string, error) {
	return list(ctx, s, "list all apps", listing{
		columns: appColumns,
		table:   "apps",
		where:   "1 = 1",
		key:     "seq",
	}, p, scanApp)
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
