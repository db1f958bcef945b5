package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pier-hosting/pier"
)

// errNoBuckets refuses the storage operations of a Pier without an S3 store.
var errNoBuckets = pier.Errorf(pier.EINVALID, "Pier has no S3 store configured for backend storage (--backend-s3-endpoint).")

// storagePermissions is the canonical order of the storage permissions.
var storagePermissions = []string{pier.StorageRead, pier.StorageCreateAndUpdate, pier.StorageDelete}

// StorageInput is the input of CreateBackendStorage.
type StorageInput struct {
	Env          string
	ResourceName string
	// BucketName is the bucket to create; "" derives one from the app,
	// environment and resource names.
	BucketName  string
	Permissions pier.StoragePermissions
}

// buckets returns the configured bucket administrator, or errNoBuckets.
func (s *Service) buckets() (pier.BucketAdmin, error) {
	if s.cfg.Buckets == nil {
		return nil, errNoBuckets
	}
	return s.cfg.Buckets, nil
}

// CreateBackendStorage creates a bucket for a new storage resource of a
// backend environment and grants its permissions.
func (s *Service) CreateBackendStorage(ctx context.Context, account, appID string, in StorageInput) (*pier.BackendJob, error) {
	ba, err := s.buckets()
	if err != nil {
		return nil, err
	}
	perms, err := normalizePermissions(in.Permissions)
	if err != nil {
		return nil, err
	}
	if in.ResourceName == "" {
		return nil, pier.Errorf(pier.EINVALID, "resourceName must not be empty.")
	}
	if err := s.checkNewResource(ctx, account, appID, in.Env, in.ResourceName); err != nil {
		return nil, err
	}
	bucket := in.BucketName
	if bucket == "" {
		bucket = deriveBucketName(appID, in.Env, in.ResourceName)
	} else if err := validateBucketName(bucket); err != nil {
		return nil, err
	}
	if err := s.checkBucketUnused(ctx, bucket); err != nil {
		return nil, err
	}
	return s.startBackendJob(ctx, account, appID, in.Env, "CreateBackendStorage", in.ResourceName, func(ctx context.Context) (string, error) {
		if err := ba.CreateBucket(ctx, bucket); err != nil {
			return "", err
		}
		now := s.now()
		st := &pier.BackendStorage{AccountID: account, AppID: appID, Env: in.Env, ResourceName: in.ResourceName,
			BucketName: bucket, Permissions: perms, CreateTime: now, UpdateTime: now}
		note, err := s.applyPolicy(ctx, st)
		if err == nil {
			err = s.store.CreateBackendStorage(ctx, st)
		}
		if err != nil {
			if derr := ba.DeleteBucket(ctx, bucket); derr != nil {
				s.cfg.Logger.Warn("delete the bucket of a failed CreateBackendStorage", "bucket", bucket, "err", derr)
			}
			return "", err
		}
		return note, nil
	})
}

// ImportBackendStorage adds an existing bucket, owned by the configured
// credentials, as a storage resource named after it. Pier never deletes an
// imported bucket and leaves its policy alone until UpdateBackendStorage.
func (s *Service) ImportBackendStorage(ctx context.Context, account, appID, env, bucket string) (*pier.BackendJob, error) {
	ba, err := s.buckets()
	if err != nil {
		return nil, err
	}
	if bucket == "" {
		return nil, pier.Errorf(pier.EINVALID, "bucketName is required: the bucket to import.")
	}
	if err := s.checkNewResource(ctx, account, appID, env, bucket); err != nil {
		return nil, err
	}
	if err := s.checkBucketUnused(ctx, bucket); err != nil {
		return nil, err
	}
	if err := checkOwned(ctx, ba, bucket); err != nil {
		return nil, err
	}
	return s.startBackendJob(ctx, account, appID, env, "ImportBackendStorage", bucket, func(ctx context.Context) (string, error) {
		if err := checkOwned(ctx, ba, bucket); err != nil {
			return "", err
		}
		now := s.now()
		return "", s.store.CreateBackendStorage(ctx, &pier.BackendStorage{AccountID: account, AppID: appID, Env: env,
			ResourceName: bucket, BucketName: bucket, Imported: true,
			Permissions: pier.StoragePermissions{Authenticated: []string{}, UnAuthenticated: []string{}}, CreateTime: now, UpdateTime: now})
	})
}

// checkOwned returns ENOTFOUND for a bucket the store does not have and
// EINVALID for one another account of the store owns.
func checkOwned(ctx context.Context, ba pier.BucketAdmin, bucket string) error {
	owned, err := ba.BucketOwned(ctx, bucket)
	if pier.ErrorCode(err) == pier.ENOTFOUND {
		return pier.Errorf(pier.ENOTFOUND, "Bucket %s does not exist in the S3 store.", truncate(bucket, 63))
	} else if err != nil {
		return err
	}
	if !owned {
		return pier.Errorf(pier.EINVALID, "Bucket %s belongs to another account of the S3 store: Pier can import only buckets its credentials own.", truncate(bucket, 63))
	}
	return nil
}

// GetBackendStorage returns a storage resource.
func (s *Service) GetBackendStorage(ctx context.Context, account, appID, env, name string) (*pier.BackendStorage, error) {
	if err := s.checkBackendEnvironment(ctx, account, appID, env); err != nil {
		return nil, err
	}
	return s.store.GetBackendStorage(ctx, account, appID, env, name)
}

// UpdateBackendStorage replaces the permissions of a storage resource.
func (s *Service) UpdateBackendStorage(ctx context.Context, account, appID, env, name string, p pier.StoragePermissions) (*pier.BackendJob, error) {
	if _, err := s.buckets(); err != nil {
		return nil, err
	}
	perms, err := normalizePermissions(p)
	if err != nil {
		return nil, err
	}
	if _, err := s.GetBackendStorage(ctx, account, appID, env, name); err != nil {
		return nil, err
	}
	return s.startBackendJob(ctx, account, appID, env, "UpdateBackendStorage", name, func(ctx context.Context) (string, error) {
		st, err := s.store.GetBackendStorage(ctx, account, appID, env, name)
		if err != nil {
			return "", err
		}
		st.Permissions, st.UpdateTime = perms, s.now()
		note, err := s.applyPolicy(ctx, st)
		if err != nil {
			return "", err
		}
		return note, s.store.UpdateBackendStorage(ctx, st)
	})
}

// DeleteBackendStorage removes a storage resource: its grants, and its
// bucket if Pier created it and it is empty. A bucket that is kept is
// detached; the job's error notes why.
func (s *Service) DeleteBackendStorage(ctx context.Context, account, appID, env, name string) (*pier.BackendJob, error) {
	if _, err := s.buckets(); err != nil {
		return nil, err
	}
	if _, err := s.GetBackendStorage(ctx, account, appID, env, name); err != nil {
		return nil, err
	}
	return s.startBackendJob(ctx, account, appID, env, "DeleteBackendStorage", name, func(ctx context.Context) (string, error) {
		st, err := s.store.GetBackendStorage(ctx, account, appID, env, name)
		if err != nil {
			return "", err
		}
		return s.removeStorage(ctx, st)
	})
}

// removeStorage removes the grants of a storage resource, its bucket if Pier
// created it and it is empty, and the resource. It returns a note saying
// why a bucket was kept.
func (s *Service) removeStorage(ctx context.Context, st *pier.BackendStorage) (string, error) {
	ba, err := s.buckets()
	if err != nil {
		return "", err
	}
	note := ""
	if err := ba.SetBucketPolicy(ctx, st.BucketName, pier.BucketPolicy{}); err != nil && pier.ErrorCode(err) != pier.ENOTFOUND {
		return "", err
	}
	if st.Imported {
		note = fmt.Sprintf("Bucket %s was imported: it was detached from resource %s, not deleted.", st.BucketName, st.ResourceName)
	} else {
		empty, err := ba.BucketEmpty(ctx, st.BucketName)
		switch {
		case pier.ErrorCode(err) == pier.ENOTFOUND:
		case err != nil:
			return "", err
		case !empty:
			note = fmt.Sprintf("Bucket %s is not empty: it was kept and detached from resource %s.", st.BucketName, st.ResourceName)
		default:
			err := ba.DeleteBucket(ctx, st.BucketName)
			switch pier.ErrorCode(err) {
			case "", pier.ENOTFOUND:
			case pier.ECONFLICT: // an object arrived meanwhile
				note = fmt.Sprintf("Bucket %s is not empty: it was kept and detached from resource %s.", st.BucketName, st.ResourceName)
			default:
				return "", err
			}
		}
	}
	if note != "" {
		s.cfg.Logger.Info("storage resource detached from its bucket", "app_id", st.AppID, "env", st.Env,
			"resource", st.ResourceName, "bucket", st.BucketName, "reason", note)
	}
	if err := s.store.DeleteBackendStorage(ctx, st.AccountID, st.AppID, st.Env, st.ResourceName); err != nil && pier.ErrorCode(err) != pier.ENOTFOUND {
		return "", err
	}
	return note, nil
}

// applyPolicy sets the bucket policy of a storage resource: UnAuthenticated
// to anonymous requests, Authenticated to the environment's credential,
// which it creates the first time it is needed. On a store that cannot
// create users, Authenticated is granted to nobody but the store's own
// keys, and the returned note (the job's error) says so.
func (s *Service) applyPolicy(ctx context.Context, st *pier.BackendStorage) (note string, err error) {
	ba, err := s.buckets()
	if err != nil {
		return "", err
	}
	p := pier.BucketPolicy{Anonymous: st.Permissions.UnAuthenticated}
	if len(st.Permissions.Authenticated) > 0 {
		c, err := s.ensureCredential(ctx, st.AccountID, st.AppID, st.Env)
		switch {
		case errors.Is(err, pier.ErrNoBucketUsers):
			note = "Authenticated permissions are not granted to a credential: " + pier.ErrorMessage(err)
		case err != nil:
			return "", err
		default:
			p.Users = map[string][]string{c.AccessKey: st.Permissions.Authenticated}
		}
	}
	return note, ba.SetBucketPolicy(ctx, st.BucketName, p)
}

// ListS3Buckets lists the buckets the configured credentials of the S3
// store can see.
func (s *Service) ListS3Buckets(ctx context.Context) ([]pier.Bucket, error) {
	ba, err := s.buckets()
	if err != nil {
		return nil, err
	}
	return ba.ListBuckets(ctx)
}

// checkNewResource returns ENOTFOUND unless the app and environment exist,
// and ECONFLICT if the environment has a resource of that name.
func (s *Service) checkNewResource(ctx context.Context, account, appID, env, name string) error {
	if err := s.checkBackendEnvironment(ctx, account, appID, env); err != nil {
		return err
	}
	if _, err := s.store.GetBackendStorage(ctx, account, appID, env, name); err == nil {
		return pier.Errorf(pier.ECONFLICT, "Storage resource %s already exists in backend environment %s.", truncate(name, 100), truncate(env, 100))
	} else if pier.ErrorCode(err) != pier.ENOTFOUND {
		return err
	}
	return nil
}

// checkBucketUnused returns ECONFLICT if a storage resource, of any app,
// uses bucket.
func (s *Service) checkBucketUnused(ctx context.Context, bucket string) error {
	if _, err := s.store.FindBackendStorageByBucket(ctx, bucket); err == nil {
		return pier.Errorf(pier.ECONFLICT, "Bucket %s is already the bucket of a storage resource.", bucket)
	} else if pier.ErrorCode(err) != pier.ENOTFOUND {
		return err
	}
	return nil
}

// normalizePermissions checks permissions and puts each list in canonical
// order without duplicates, never nil.
func normalizePermissions(p pier.StoragePermissions) (pier.StoragePermissions, error) {
	norm := func(field string, in []string) ([]string, error) {
		out := []string{}
		for _, v := range in {
			if !slices.Contains(storagePermissions, v) {
				return nil, pier.Errorf(pier.EINVALID, "Value '%s' at '%s' is not one of READ, CREATE_AND_UPDATE, DELETE.", truncate(v, 32), field)
			}
		}
		for _, v := range storagePermissions {
			if slices.Contains(in, v) {
				out = append(out, v)
			}
		}
		return out, nil
	}
	auth, err := norm("resourceConfig.permissions.authenticated", p.Authenticated)
	if err != nil {
		return p, err
	}
	unauth, err := norm("resourceConfig.permissions.unAuthenticated", p.UnAuthenticated)
	if err != nil {
		return p, err
	}
	return pier.StoragePermissions{Authenticated: auth, UnAuthenticated: unauth}, nil
}

// validateBucketName checks the S3 rules for bucket names.
func validateBucketName(name string) error {
	bad := func(why string) error {
		return pier.Errorf(pier.EINVALID, "Invalid bucketName '%s': %s.", truncate(name, 63), why)
	}
	if len(name) < 3 || len(name) > 63 {
		return bad("a bucket name has 3 to 63 characters")
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return bad("a bucket name has only lowercase letters, digits, '-' and '.'")
		}
	}
	if !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return bad("a bucket name begins and ends with a letter or digit")
	}
	if strings.Contains(name, "..") {
		return bad("a bucket name has no two adjacent periods")
	}
	return nil
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// deriveBucketName returns the bucket name of a resource created without
// one: {resource}-{appId}-{env}, lowercased, with every other character
// than a letter or digit turned into '-'. A name that had to change that
// way, or to be cut to S3's 63 characters, ends with a hash of the original
// so that different resources keep different buckets.
func deriveBucketName(appID, env, resource string) string {
	raw := resource + "-" + appID + "-" + env
	lower := strings.ToLower(raw)
	var b strings.Builder
	for i := 0; i < len(lower); i++ {
		c := lower[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteByte(c)
		default:
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	for strings.Contains(name, "--") {
		name = strings.ReplaceAll(name, "--", "-")
	}
	if name == raw && len(name) <= 63 {
		return name
	}
	sum := sha256.Sum256([]byte(raw))
	suffix := hex.EncodeToString(sum[:4])
	if len(name) > 54 {
		name = strings.TrimRight(name[:54], "-")
	}
	return name + "-" + suffix
}
