package service

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/pier-hosting/pier"
)

// The AmplifyBackend operations. Every one that changes something checks
// its input and the resources it names at once (an unknown app or
// environment is ENOTFOUND), then records a job and does the work in the
// background (backendjobs.go).

// BackendDetails is what GetBackend reports.
type BackendDetails struct {
	Backend      *pier.Backend
	Environments []string // names of the app's backend environments
	Environment  string   // the one asked for, else the first
	// MetaConfig describes the environment's storage resources in the shape
	// of the Amplify CLI's amplify-meta.json.
	MetaConfig string
}

// CreateBackend creates an app's backend (if it has none) with the backend
// environment env, which amplify's ListBackendEnvironments shows too.
func (s *Service) CreateBackend(ctx context.Context, account, appID, appName, env string) (*pier.BackendJob, error) {
	if env == "" {
		return nil, pier.Errorf(pier.EINVALID, "backendEnvironmentName must not be empty.")
	}
	if _, err := s.store.GetApp(ctx, account, appID); err != nil {
		return nil, err
	}
	if _, err := s.store.GetBackendEnvironment(ctx, account, appID, env); err == nil {
		return nil, pier.Errorf(pier.ECONFLICT, "Backend environment %s already exists for app %s.", truncate(env, 100), appID)
	} else if pier.ErrorCode(err) != pier.ENOTFOUND {
		return nil, err
	}
	return s.startBackendJob(ctx, account, appID, env, "CreateBackend", "", func(ctx context.Context) (string, error) {
		now := s.now()
		err := s.store.CreateBackend(ctx, &pier.Backend{AccountID: account, AppID: appID, AppName: appName, CreateTime: now, UpdateTime: now})
		if err != nil && pier.ErrorCode(err) != pier.ECONFLICT {
			return "", err
		}
		_, err = s.CreateBackendEnvironment(ctx, account, appID, &pier.BackendEnvironment{
			Name: env, StackName: "amplify-" + appID + "-" + env, DeploymentArtifacts: "amplify-" + appID + "-" + env + "-deployment",
		})
		return "", err
	})
}

// GetBackend returns an app's backend and its environments; env, if not
// empty, must be one of them.
func (s *Service) GetBackend(ctx context.Context, account, appID, env string) (*BackendDetails, error) {
	if _, err := s.store.GetApp(ctx, account, appID); err != nil {
		return nil, err
	}
	b, err := s.store.GetBackend(ctx, account, appID)
	if err != nil {
		return nil, err
	}
	envs, err := s.backendEnvironments(ctx, account, appID)
	if err != nil {
		return nil, err
	}
	d := &BackendDetails{Backend: b, Environments: []string{}}
	for _, e := range envs {
		d.Environments = append(d.Environments, e.Name)
	}
	switch {
	case env != "":
		if _, err := s.store.GetBackendEnvironment(ctx, account, appID, env); err != nil {
			return nil, err
		}
		d.Environment = env
	case len(envs) > 0:
		d.Environment = envs[0].Name
	}
	if d.Environment != "" {
		if d.MetaConfig, err = s.metaConfig(ctx, account, appID, d.Environment); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// metaConfig describes an environment's storage resources as the Amplify
// CLI's amplify-meta.json does.
func (s *Service) metaConfig(ctx context.Context, account, appID, env string) (string, error) {
	resources, err := s.store.ListBackendStorage(ctx, account, appID, env)
	if err != nil {
		return "", err
	}
	storage := map[string]any{}
	for _, r := range resources {
		storage[r.ResourceName] = map[string]any{
			"service": pier.BackendStorageS3, "providerPlugin": "pier", "imported": r.Imported,
			"output": map[string]string{"BucketName": r.BucketName, "Region": s.cfg.Region},
		}
	}
	b, err := json.Marshal(map[string]any{"storage": storage})
	return string(b), err
}

// backendEnvironments returns all of an app's backend environments.
func (s *Service) backendEnvironments(ctx context.Context, account, appID string) ([]*pier.BackendEnvironment, error) {
	var all []*pier.BackendEnvironment
	p := pier.Page{Limit: 100}
	for {
		envs, next, err := s.store.ListBackendEnvironments(ctx, account, appID, "", p)
		if err != nil {
			return nil, err
		}
		all = append(all, envs...)
		if next == "" {
			return all, nil
		}
		p.After = next
	}
}

// DeleteBackend deletes a backend environment with its storage resources
// (as DeleteBackendStorage does) and its credential.
func (s *Service) DeleteBackend(ctx context.Context, account, appID, env string) (*pier.BackendJob, error) {
	if err := s.checkBackendEnvironment(ctx, account, appID, env); err != nil {
		return nil, err
	}
	return s.startBackendJob(ctx, account, appID, env, "DeleteBackend", "", func(ctx context.Context) (string, error) {
		return s.deleteEnvironment(ctx, account, appID, env)
	})
}

// RemoveAllBackends deletes every backend environment of an app, as
// DeleteBackend does, and its backend; with cleanApp, the app as well (and
// with it the job's own record).
func (s *Service) RemoveAllBackends(ctx context.Context, account, appID string, cleanApp bool) (*pier.BackendJob, error) {
	if _, err := s.store.GetApp(ctx, account, appID); err != nil {
		return nil, err
	}
	return s.startBackendJob(ctx, account, appID, "", "RemoveAllBackends", "", func(ctx context.Context) (string, error) {
		envs, err := s.backendEnvironments(ctx, account, appID)
		if err != nil {
			return "", err
		}
		var notes []string
		for _, e := range envs {
			note, err := func() (string, error) {
				unlock, err := s.locks.lock(ctx, backendEnvKey(account, appID, e.Name))
				if err != nil {
					return "", err
				}
				defer unlock()
				return s.deleteEnvironment(ctx, account, appID, e.Name)
			}()
			if err != nil {
				return "", err
			}
			notes = appendNote(notes, note)
		}
		if err := s.store.DeleteBackend(ctx, account, appID); err != nil && pier.ErrorCode(err) != pier.ENOTFOUND {
			return "", err
		}
		if cleanApp {
			if _, err := s.DeleteApp(ctx, account, appID); err != nil && pier.ErrorCode(err) != pier.ENOTFOUND {
				return "", err
			}
		}
		return joinNotes(notes), nil
	})
}

// deleteEnvironment removes an environment's storage resources, its
// credential and the environment itself.
func (s *Service) deleteEnvironment(ctx context.Context, account, appID, env string) (string, error) {
	resources, err := s.store.ListBackendStorage(ctx, account, appID, env)
	if err != nil {
		return "", err
	}
	var notes []string
	for _, r := range resources {
		note, err := s.removeStorage(ctx, r)
		if err != nil {
			return "", err
		}
		notes = appendNote(notes, note)
	}
	if err := s.deleteCredential(ctx, account, appID, env); err != nil {
		return "", err
	}
	if err := s.store.DeleteBackendEnvironment(ctx, account, appID, env); err != nil && pier.ErrorCode(err) != pier.ENOTFOUND {
		return "", err
	}
	return joinNotes(notes), nil
}

// checkBackendEnvironment returns ENOTFOUND unless the app and its backend
// environment exist.
func (s *Service) checkBackendEnvironment(ctx context.Context, account, appID, env string) error {
	if _, err := s.store.GetApp(ctx, account, appID); err != nil {
		return err
	}
	_, err := s.store.GetBackendEnvironment(ctx, account, appID, env)
	return err
}

func appendNote(notes []string, note string) []string {
	if note == "" {
		return notes
	}
	return append(notes, note)
}

func joinNotes(notes []string) string { return strings.Join(notes, " ") }
