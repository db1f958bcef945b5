package pier

import (
	"context"
	"time"
)

// Permissions of AmplifyBackend storage (the AuthenticatedElement and
// UnAuthenticatedElement enums).
const (
	StorageRead            = "READ"
	StorageCreateAndUpdate = "CREATE_AND_UPDATE"
	StorageDelete          = "DELETE"
)

// BucketAdmin administers the buckets of the S3-compatible store that backs
// AmplifyBackend storage (package s3admin). Methods are safe for concurrent
// use; failures of the store itself are EDEPENDENCY.
type BucketAdmin interface {
	// ListBuckets lists the buckets the configured credentials can see.
	ListBuckets(ctx context.Context) ([]Bucket, error)
	// CreateBucket creates a bucket owned by the configured credentials:
	// ECONFLICT when the name is taken (by them or by anyone else, the
	// message says which), EINVALID when the store refuses the name.
	CreateBucket(ctx context.Context, name string) error
	// BucketOwned reports whether a bucket belongs to the configured
	// credentials: ENOTFOUND if it does not exist, false if another account
	// of the store owns it.
	BucketOwned(ctx context.Context, name string) (bool, error)
	// BucketEmpty reports whether a bucket holds no objects; ENOTFOUND if it
	// does not exist.
	BucketEmpty(ctx context.Context, name string) (bool, error)
	// DeleteBucket deletes an empty bucket: ECONFLICT if it is not empty,
	// ENOTFOUND if it does not exist.
	DeleteBucket(ctx context.Context, name string) error
	// SetBucketPolicy replaces a bucket's policy with one granting p; a
	// BucketPolicy that grants nothing removes the policy.
	SetBucketPolicy(ctx context.Context, bucket string, p BucketPolicy) error
	// CreateUser creates an account of the store with these credentials,
	// allowed only what bucket policies grant it: ECONFLICT if the access
	// key exists; an error that wraps ErrNoBucketUsers if the store cannot
	// create accounts at all.
	CreateUser(ctx context.Context, c BucketCredential) error
	// DeleteUser deletes an account of the store; one that does not exist
	// is not an error.
	DeleteUser(ctx context.Context, accessKey string) error
}

// ErrNoBucketUsers is wrapped by BucketAdmin.CreateUser's error when the
// store has no user management (versitygw without an IAM service, or
// another S3 store).
var ErrNoBucketUsers = Errorf(EDEPENDENCY, "The S3 store has no user management.")

// Bucket is a bucket of the S3-compatible store.
type Bucket struct {
	Name         string
	CreationDate time.Time
}

// BucketPolicy is what a bucket grants, in AmplifyBackend permissions
// (StorageRead, StorageCreateAndUpdate, StorageDelete): Anonymous to
// unsigned requests, Users to each access key.
type BucketPolicy struct {
	Anonymous []string
	Users     map[string][]string
}

// BucketCredential is an access key of the S3-compatible store.
type BucketCredential struct {
	AccessKey string
	SecretKey string
}
