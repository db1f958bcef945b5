package sqlstore

import (
	"context"
	"fmt"

	"github.com/pier-hosting/pier"
)

func backendEnvironmentNotFound(name string) *pier.Error {
	return pier.Errorf(pier.ENOTFOUND, "Backend environment %s not found", name)
}

// CreateBackendEnvironment implements pier.BackendEnvironmentStore.
func (s *Store) CreateBackendEnvironment(ctx context.Context, e *pier.BackendEnvironment) error {
	doc, err := encode(e)
	if err != nil {
		return fmt.Errorf("create backend environment: %w", err)
	}
	if _, err := s.exec(ctx, `INSERT INTO backend_environments (account_id, app_id, name, doc) VALUES (?, ?, ?, ?)`,
		e.AccountID, e.AppID, e.Name, doc); err != nil {
		return s.writeError(err, "create backend environment",
			pier.Errorf(pier.ECONFLICT, "Backend environment %s already exists for app %s", e.Name, e.AppID),
			appNotFound(e.AppID))
	}
	return nil
}

// GetBackendEnvironment implements pier.BackendEnvironmentStore.
func (s *Store) GetBackendEnvironment(ctx context.Context, accountID, appID, name string) (*pier.BackendEnvironment, error) {
	return get(ctx, s, "get backend environment", backendEnvironmentNotFound(name), scanDoc[pier.BackendEnvironment],
		`SELECT seq, doc FROM backend_environments WHERE account_id = ? AND app_id = ? AND name = ?`,
		accountID, appID, name)
}

// DeleteBackendEnvironment implements pier.BackendEnvironmentStore;
// ENOTFOUND if the environment does not exist.
func (s *Store) DeleteBackendEnvironment(ctx context.Context, accountID, appID, name string) error {
	res, err := s.exec(ctx, `DELETE FROM backend_environments WHERE account_id = ? AND app_id = ? AND name = ?`,
		accountID, appID, name)
	if err != nil {
		return fmt.Errorf("delete backend environment: %w", err)
	}
	return mustAffect(res, backendEnvironmentNotFound(name))
}

// ListBackendEnvironments implements pier.BackendEnvironmentStore; ENOTFOUND
// if the app does not exist.
func (s *Store) ListBackendEnvironments(ctx context.Context, accountID, appID, name string, p pier.Page) ([]*pier.BackendEnvironment, string, error) {
	l := listing{
		columns: "seq, doc",
		table:   "backend_environments",
		where:   "account_id = ? AND app_id = ?",
		args:    []any{accountID, appID},
		key:     "seq",
	}
	if name != "" {
		l.where += " AND name = ?"
		l.args = append(l.args, name)
	}
	envs, next, err := list(ctx, s, "list backend environments", l, p, scanDoc[pier.BackendEnvironment])
	if err == nil && len(envs) == 0 {
		err = s.checkApp(ctx, accountID, appID)
	}
	if err != nil {
		return nil, "", err
	}
	return envs, next, nil
}
