package pier

import (
	"context"
	"time"
)

// Statuses of an AmplifyBackend job. Every mutating AmplifyBackend operation
// records a job IN_PROGRESS and does its work asynchronously; the job ends
// COMPLETED, or FAILED with an error.
const (
	BackendJobInProgress = "IN_PROGRESS"
	BackendJobCompleted  = "COMPLETED"
	BackendJobFailed     = "FAILED"
)

// BackendStorageS3 is the one ServiceName of AmplifyBackend storage.
const BackendStorageS3 = "S3"

// Backend is the AmplifyBackend backend of an app, created by CreateBackend.
// Its environments are the app's BackendEnvironments.
type Backend struct {
	AccountID  string
	AppID      string
	AppName    string
	CreateTime time.Time
	UpdateTime time.Time
}

// StoragePermissions are what AmplifyBackend storage grants, each a list of
// StorageRead, StorageCreateAndUpdate and StorageDelete: Authenticated to
// the backend environment's credential (signed-in users), UnAuthenticated to
// anonymous requests.
type StoragePermissions struct {
	Authenticated   []string
	UnAuthenticated []string
}

// BackendStorage is a storage resource of a backend environment: one bucket
// of the S3-compatible store, created by Pier or imported.
type BackendStorage struct {
	AccountID    string
	AppID        string
	Env          string // the backend environment's name
	ResourceName string
	BucketName   string
	// Imported is true for a bucket that existed before (ImportBackendStorage):
	// Pier never deletes it.
	Imported    bool
	Permissions StoragePermissions
	CreateTime  time.Time
	UpdateTime  time.Time
}

// BackendJob is one asynchronous AmplifyBackend operation. ID is a UUID,
// unique across accounts.
type BackendJob struct {
	ID        string
	AccountID string
	AppID     string
	// Env is the backend environment the job concerns; "" for a job of the
	// whole backend (RemoveAllBackends).
	Env string
	// Operation is the name of the operation, e.g. "CreateBackendStorage".
	Operation string
	// ResourceName names the storage resource the job concerns, if any.
	ResourceName string
	Status       string
	// Error says why a FAILED job failed; on a COMPLETED job it notes what
	// was not done (a bucket kept because it was not empty).
	Error string
	// LeaseUntil is when a job still IN_PROGRESS counts as interrupted: the
	// node running it stopped.
	LeaseUntil time.Time
	CreateTime time.Time
	UpdateTime time.Time
}

// BackendJobFilter selects jobs of ListBackendJobs; empty fields select all.
type BackendJobFilter struct {
	ID        string
	Operation string
	Status    string
}

// BackendCredential is the access key of the S3-compatible store that Pier
// issues per backend environment for its signed-in users: bucket policies
// grant it a storage resource's Authenticated permissions. SealedSecret is
// the secret key sealed with the server's Sealer, bound to AccessKey.
type BackendCredential struct {
	AccountID    string
	AppID        string
	Env          string
	AccessKey    string
	SealedSecret string
	CreateTime   time.Time
}

// BackendStore keeps AmplifyBackend backends, storage resources, jobs and
// credentials. Everything of an app goes when the app is deleted.
type BackendStore interface {
	// CreateBackend returns ENOTFOUND if the app does not exist and
	// ECONFLICT if it has a backend.
	CreateBackend(ctx context.Context, b *Backend) error
	GetBackend(ctx context.Context, accountID, appID string) (*Backend, error)
	DeleteBackend(ctx context.Context, accountID, appID string) error

	// CreateBackendStorage returns ENOTFOUND if the backend environment
	// does not exist and ECONFLICT if it has a resource of that name.
	CreateBackendStorage(ctx context.Context, s *BackendStorage) error
	GetBackendStorage(ctx context.Context, accountID, appID, env, name string) (*BackendStorage, error)
	// UpdateBackendStorage replaces the stored resource; ENOTFOUND if it
	// does not exist.
	UpdateBackendStorage(ctx context.Context, s *BackendStorage) error
	DeleteBackendStorage(ctx context.Context, accountID, appID, env, name string) error
	// ListBackendStorage lists an environment's resources in creation
	// order; an empty list if the environment does not exist.
	ListBackendStorage(ctx context.Context, accountID, appID, env string) ([]*BackendStorage, error)
	// FindBackendStorageByBucket returns the resource of a bucket, whatever
	// its account; ENOTFOUND if no resource uses the bucket.
	FindBackendStorageByBucket(ctx context.Context, bucket string) (*BackendStorage, error)

	// CreateBackendJob returns ENOTFOUND if the app does not exist and
	// ECONFLICT if the id is taken.
	CreateBackendJob(ctx context.Context, j *BackendJob) error
	// GetBackendJob returns a job of the app by id, whatever its Env.
	GetBackendJob(ctx context.Context, accountID, appID, id string) (*BackendJob, error)
	// UpdateBackendJob replaces the stored job; ENOTFOUND if it does not
	// exist.
	UpdateBackendJob(ctx context.Context, j *BackendJob) error
	// ListBackendJobs lists the jobs of an app's environment (and those of
	// the whole backend, whose Env is "") newest first; ENOTFOUND if the app
	// does not exist.
	ListBackendJobs(ctx context.Context, accountID, appID, env string, f BackendJobFilter, p Page) ([]*BackendJob, string, error)
	// ExpiredBackendJobs returns the jobs of every account still
	// IN_PROGRESS whose lease ended before now.
	ExpiredBackendJobs(ctx context.Context, now time.Time) ([]*BackendJob, error)

	// CreateBackendCredential returns ENOTFOUND if the app does not exist
	// and ECONFLICT if the environment has a credential.
	CreateBackendCredential(ctx context.Context, c *BackendCredential) error
	GetBackendCredential(ctx context.Context, accountID, appID, env string) (*BackendCredential, error)
	DeleteBackendCredential(ctx context.Context, accountID, appID, env string) error
}
