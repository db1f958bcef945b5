package service

import (
	"context"

	"github.com/pier-hosting/pier"
)

// CreateBackendEnvironment creates a (Gen 1) backend environment of an app.
func (s *Service) CreateBackendEnvironment(ctx context.Context, account, appID string, e *pier.BackendEnvironment) (*pier.BackendEnvironment, error) {
	if e.Name == "" {
		return nil, pier.Errorf(pier.EINVALID, "Missing required field 'environmentName'.")
	}
	if _, err := s.store.GetApp(ctx, account, appID); err != nil {
		return nil, err
	}
	if _, err := s.store.GetBackendEnvironment(ctx, account, appID, e.Name); err == nil {
		return nil, pier.Errorf(pier.ECONFLICT, "Backend environment %s already exists for app %s.", truncate(e.Name, 100), appID)
	} else if pier.ErrorCode(err) != pier.ENOTFOUND {
		return nil, err
	}
	now := s.now()
	e.AccountID, e.AppID, e.CreateTime, e.UpdateTime = account, appID, now, now
	if err := s.store.CreateBackendEnvironment(ctx, e); err != nil {
		return nil, err
	}
	return e, nil
}

// GetBackendEnvironment returns a backend environment.
func (s *Service) GetBackendEnvironment(ctx context.Context, account, appID, name string) (*pier.BackendEnvironment, error) {
	return s.store.GetBackendEnvironment(ctx, account, appID, name)
}

// DeleteBackendEnvironment deletes a backend environment and returns it as it was.
func (s *Service) DeleteBackendEnvironment(ctx context.Context, account, appID, name string) (*pier.BackendEnvironment, error) {
	e, err := s.store.GetBackendEnvironment(ctx, account, appID, name)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteBackendEnvironment(ctx, account, appID, name); err != nil {
		return nil, err
	}
	return e, nil
}

// ListBackendEnvironments lists an app's backend environments, optionally
// only the one named environmentName.
func (s *Service) ListBackendEnvironments(ctx context.Context, account, appID, environmentName string, maxResults int, token string) ([]*pier.BackendEnvironment, string, error) {
	if _, err := s.store.GetApp(ctx, account, appID); err != nil {
		return nil, "", err
	}
	scope := "backendenvs/" + account + "/" + appID + "/" + environmentName
	p, err := s.page(scope, maxResults, 50, token)
	if err != nil {
		return nil, "", err
	}
	es, next, err := s.store.ListBackendEnvironments(ctx, account, appID, environmentName, p)
	return es, s.pageToken(scope, next), err
}
