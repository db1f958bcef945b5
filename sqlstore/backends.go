package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/pier-hosting/pier"
)

func backendNotFound(appID string) *pier.Error {
	return pier.Errorf(pier.ENOTFOUND, "Backend of app %s not found", appID)
}

func backendStorageNotFound(name string) *pier.Error {
	return pier.Errorf(pier.ENOTFOUND, "Storage resource %s not found", name)
}

func backendJobNotFound(id string) *pier.Error {
	return pier.Errorf(pier.ENOTFOUND, "Backend job %s not found", id)
}

func backendCredentialNotFound(env string) *pier.Error {
	return pier.Errorf(pier.ENOTFOUND, "No credential for backend environment %s", env)
}

// CreateBackend implements pier.BackendStore.
func (s *Store) CreateBackend(ctx context.Context, b *pier.Backend) error {
	doc, err := encode(b)
	if err != nil {
		return fmt.Errorf("create backend: %w", err)
	}
	if _, err := s.exec(ctx, `INSERT INTO backends (account_id, app_id, doc) VALUES (?, ?, ?)`,
		b.AccountID, b.AppID, doc); err != nil {
		return s.writeError(err, "create backend",
			pier.Errorf(pier.ECONFLICT, "App %s already has a backend", b.AppID), appNotFound(b.AppID))
	}
	return nil
}

// GetBackend implements pier.BackendStore.
func (s *Store) GetBackend(ctx context.Context, accountID, appID string) (*pier.Backend, error) {
	return get(ctx, s, "get backend", backendNotFound(appID), scanDoc[pier.Backend],
		`SELECT seq, doc FROM backends WHERE account_id = ? AND app_id = ?`, accountID, appID)
}

// DeleteBackend implements pier.BackendStore; ENOTFOUND if the app has no
// backend.
func (s *Store) DeleteBackend(ctx context.Context, accountID, appID string) error {
	res, err := s.exec(ctx, `DELETE FROM backends WHERE account_id = ? AND app_id = ?`, accountID, appID)
	if err != nil {
		return fmt.Errorf("delete backend: %w", err)
	}
	return mustAffect(res, backendNotFound(appID))
}

// CreateBackendStorage implements pier.BackendStore.
func (s *Store) CreateBackendStorage(ctx context.Context, st *pier.BackendStorage) error {
	doc, err := encode(st)
	if err != nil {
		return fmt.Errorf("create backend storage: %w", err)
	}
	if _, err := s.exec(ctx, `INSERT INTO backend_storage (account_id, app_id, env, name, bucket, doc) VALUES (?, ?, ?, ?, ?, ?)`,
		st.AccountID, st.AppID, st.Env, st.ResourceName, st.BucketName, doc); err != nil {
		return s.writeError(err, "create backend storage",
			pier.Errorf(pier.ECONFLICT, "Storage resource %s already exists in backend environment %s", st.ResourceName, st.Env),
			backendEnvironmentNotFound(st.Env))
	}
	return nil
}

// GetBackendStorage implements pier.BackendStore.
func (s *Store) GetBackendStorage(ctx context.Context, accountID, appID, env, name string) (*pier.BackendStorage, error) {
	return get(ctx, s, "get backend storage", backendStorageNotFound(name), scanDoc[pier.BackendStorage],
		`SELECT seq, doc FROM backend_storage WHERE account_id = ? AND app_id = ? AND env = ? AND name = ?`,
		accountID, appID, env, name)
}

// UpdateBackendStorage implements pier.BackendStore.
func (s *Store) UpdateBackendStorage(ctx context.Context, st *pier.BackendStorage) error {
	doc, err := encode(st)
	if err != nil {
		return fmt.Errorf("update backend storage: %w", err)
	}
	res, err := s.exec(ctx, `UPDATE backend_storage SET doc = ?, bucket = ? WHERE account_id = ? AND app_id = ? AND env = ? AND name = ?`,
		doc, st.BucketName, st.AccountID, st.AppID, st.Env, st.ResourceName)
	if err != nil {
		return fmt.Errorf("update backend storage: %w", err)
	}
	return mustAffect(res, backendStorageNotFound(st.ResourceName))
}

// DeleteBackendStorage implements pier.BackendStore; ENOTFOUND if the
// resource does not exist.
func (s *Store) DeleteBackendStorage(ctx context.Context, accountID, appID, env, name string) error {
	res, err := s.exec(ctx, `DELETE FROM backend_storage WHERE account_id = ? AND app_id = ? AND env = ? AND name = ?`,
		accountID, appID, env, name)
	if err != nil {
		return fmt.Errorf("delete backend storage: %w", err)
	}
	return mustAffect(res, backendStorageNotFound(name))
}

// ListBackendStorage implements pier.BackendStore.
func (s *Store) ListBackendStorage(ctx context.Context, accountID, appID, env string) ([]*pier.BackendStorage, error) {
	items, _, err := queryAll(ctx, s, `SELECT seq, doc FROM backend_storage WHERE account_id = ? AND app_id = ? AND env = ? ORDER BY seq`,
		[]any{accountID, appID, env}, scanDoc[pier.BackendStorage])
	if err != nil {
		return nil, fmt.Errorf("list backend storage: %w", err)
	}
	return items, nil
}

// FindBackendStorageByBucket implements pier.BackendStore.
func (s *Store) FindBackendStorageByBucket(ctx context.Context, bucket string) (*pier.BackendStorage, error) {
	return get(ctx, s, "find backend storage", pier.Errorf(pier.ENOTFOUND, "No storage resource uses bucket %s", bucket),
		scanDoc[pier.BackendStorage], `SELECT seq, doc FROM backend_storage WHERE bucket = ? ORDER BY seq LIMIT 1`, bucket)
}

// CreateBackendJob implements pier.BackendStore.
func (s *Store) CreateBackendJob(ctx context.Context, j *pier.BackendJob) error {
	doc, err := encode(j)
	if err != nil {
		return fmt.Errorf("create backend job: %w", err)
	}
	if _, err := s.exec(ctx, `INSERT INTO backend_jobs (job_id, account_id, app_id, env, operation, status, lease_until, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, j.ID, j.AccountID, j.AppID, j.Env, j.Operation, j.Status, backendLease(j.LeaseUntil), doc); err != nil {
		return s.writeError(err, "create backend job", pier.Errorf(pier.ECONFLICT, "Backend job %s already exists", j.ID), appNotFound(j.AppID))
	}
	return nil
}

// backendLease returns the lease_until column of t: Unix nanoseconds, 0 for
// the zero time.
func backendLease(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// GetBackendJob implements pier.BackendStore.
func (s *Store) GetBackendJob(ctx context.Context, accountID, appID, id string) (*pier.BackendJob, error) {
	return get(ctx, s, "get backend job", backendJobNotFound(id), scanDoc[pier.BackendJob],
		`SELECT seq, doc FROM backend_jobs WHERE account_id = ? AND app_id = ? AND job_id = ?`, accountID, appID, id)
}

// UpdateBackendJob implements pier.BackendStore.
func (s *Store) UpdateBackendJob(ctx context.Context, j *pier.BackendJob) error {
	doc, err := encode(j)
	if err != nil {
		return fmt.Errorf("update backend job: %w", err)
	}
	res, err := s.exec(ctx, `UPDATE backend_jobs SET doc = ?, operation = ?, status = ?, lease_until = ? WHERE account_id = ? AND app_id = ? AND job_id = ?`,
		doc, j.Operation, j.Status, backendLease(j.LeaseUntil), j.AccountID, j.AppID, j.ID)
	if err != nil {
		return fmt.Errorf("update backend job: %w", err)
	}
	return mustAffect(res, backendJobNotFound(j.ID))
}

// ListBackendJobs implements pier.BackendStore.
func (s *Store) ListBackendJobs(ctx context.Context, accountID, appID, env string, f pier.BackendJobFilter, p pier.Page) ([]*pier.BackendJob, string, error) {
	l := listing{
		columns: "seq, doc",
		table:   "backend_jobs",
		where:   "account_id = ? AND app_id = ? AND env IN (?, '')",
		args:    []any{accountID, appID, env},
		key:     "seq",
		desc:    true,
	}
	for _, c := range []struct{ column, value string }{{"job_id", f.ID}, {"operation", f.Operation}, {"status", f.Status}} {
		if c.value != "" {
			l.where += " AND " + c.column + " = ?"
			l.args = append(l.args, c.value)
		}
	}
	jobs, next, err := list(ctx, s, "list backend jobs", l, p, scanDoc[pier.BackendJob])
	if err == nil && len(jobs) == 0 {
		err = s.checkApp(ctx, accountID, appID)
	}
	if err != nil {
		return nil, "", err
	}
	return jobs, next, nil
}

// ExpiredBackendJobs implements pier.BackendStore.
func (s *Store) ExpiredBackendJobs(ctx context.Context, now time.Time) ([]*pier.BackendJob, error) {
	jobs, _, err := queryAll(ctx, s, `SELECT seq, doc FROM backend_jobs WHERE status = ? AND lease_until < ? ORDER BY seq`,
		[]any{pier.BackendJobInProgress, now.UnixNano()}, scanDoc[pier.BackendJob])
	if err != nil {
		return nil, fmt.Errorf("expired backend jobs: %w", err)
	}
	return jobs, nil
}

// CreateBackendCredential implements pier.BackendStore.
func (s *Store) CreateBackendCredential(ctx context.Context, c *pier.BackendCredential) error {
	doc, err := encode(c)
	if err != nil {
		return fmt.Errorf("create backend credential: %w", err)
	}
	if _, err := s.exec(ctx, `INSERT INTO backend_credentials (account_id, app_id, env, doc) VALUES (?, ?, ?, ?)`,
		c.AccountID, c.AppID, c.Env, doc); err != nil {
		return s.writeError(err, "create backend credential",
			pier.Errorf(pier.ECONFLICT, "Backend environment %s already has a credential", c.Env), backendEnvironmentNotFound(c.Env))
	}
	return nil
}

// GetBackendCredential implements pier.BackendStore.
func (s *Store) GetBackendCredential(ctx context.Context, accountID, appID, env string) (*pier.BackendCredential, error) {
	return get(ctx, s, "get backend credential", backendCredentialNotFound(env), scanDoc[pier.BackendCredential],
		`SELECT seq, doc FROM backend_credentials WHERE account_id = ? AND app_id = ? AND env = ?`, accountID, appID, env)
}

// DeleteBackendCredential implements pier.BackendStore; ENOTFOUND if the
// environment has none.
func (s *Store) DeleteBackendCredential(ctx context.Context, accountID, appID, env string) error {
	res, err := s.exec(ctx, `DELETE FROM backend_credentials WHERE account_id = ? AND app_id = ? AND env = ?`, accountID, appID, env)
	if err != nil {
		return fmt.Errorf("delete backend credential: %w", err)
	}
	return mustAffect(res, backendCredentialNotFound(env))
}
