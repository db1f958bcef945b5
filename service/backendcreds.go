package service

import (
	"context"
	"fmt"

	"github.com/pier-hosting/pier"
)

// BackendCredentials is the credential of a backend environment's signed-in
// users on the S3 store: bucket policies grant it the Authenticated
// permissions of the environment's storage resources.
type BackendCredentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	// Endpoint is the S3 store's URL ("" if Pier was not told).
	Endpoint string `json:"endpoint,omitempty"`
	Region   string `json:"region"`
}

// BackendCredential returns the credential of a backend environment. It
// exists once a storage resource of the environment has been given
// Authenticated permissions; ENOTFOUND before.
func (s *Service) BackendCredential(ctx context.Context, account, appID, env string) (*BackendCredentials, error) {
	if err := s.checkBackendEnvironment(ctx, account, appID, env); err != nil {
		return nil, err
	}
	c, err := s.store.GetBackendCredential(ctx, account, appID, env)
	if pier.ErrorCode(err) == pier.ENOTFOUND {
		return nil, pier.Errorf(pier.ENOTFOUND, "Backend environment %s has no credential yet: Pier issues it when a storage resource first gets Authenticated permissions.", truncate(env, 100))
	} else if err != nil {
		return nil, err
	}
	secret, err := s.cfg.Sealer.Open(c.SealedSecret, c.AccessKey)
	if err != nil {
		return nil, fmt.Errorf("open backend credential: %w", err)
	}
	return &BackendCredentials{AccessKeyID: c.AccessKey, SecretAccessKey: secret, Endpoint: s.cfg.BucketsEndpoint, Region: s.cfg.Region}, nil
}

// ensureCredential returns the credential of a backend environment,
// creating it (an account of the S3 store) if it has none.
func (s *Service) ensureCredential(ctx context.Context, account, appID, env string) (*pier.BackendCredential, error) {
	c, err := s.store.GetBackendCredential(ctx, account, appID, env)
	if err == nil || pier.ErrorCode(err) != pier.ENOTFOUND {
		return c, err
	}
	ba, err := s.buckets()
	if err != nil {
		return nil, err
	}
	key, secret := pier.NewAccessKeyID(), pier.NewSecret(20)
	sealed, err := s.cfg.Sealer.Seal(secret, key)
	if err != nil {
		return nil, fmt.Errorf("seal backend credential: %w", err)
	}
	if err := ba.CreateUser(ctx, pier.BucketCredential{AccessKey: key, SecretKey: secret}); err != nil {
		return nil, err
	}
	c = &pier.BackendCredential{AccountID: account, AppID: appID, Env: env, AccessKey: key, SealedSecret: sealed, CreateTime: s.now()}
	if err := s.store.CreateBackendCredential(ctx, c); err != nil {
		if derr := ba.DeleteUser(ctx, key); derr != nil {
			s.cfg.Logger.Warn("delete the S3 user of an unsaved backend credential", "access_key", key, "err", derr)
		}
		if pier.ErrorCode(err) == pier.ECONFLICT { // another node made one first
			return s.store.GetBackendCredential(ctx, account, appID, env)
		}
		return nil, err
	}
	return c, nil
}

// deleteCredential deletes a backend environment's credential, if it has
// one, from the S3 store and from Pier.
func (s *Service) deleteCredential(ctx context.Context, account, appID, env string) error {
	c, err := s.store.GetBackendCredential(ctx, account, appID, env)
	if pier.ErrorCode(err) == pier.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	ba, err := s.buckets()
	if err != nil {
		return err
	}
	if err := ba.DeleteUser(ctx, c.AccessKey); err != nil {
		return err
	}
	if err := s.store.DeleteBackendCredential(ctx, account, appID, env); err != nil && pier.ErrorCode(err) != pier.ENOTFOUND {
		return err
	}
	return nil
}
