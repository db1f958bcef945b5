// Package s3admin administers the buckets and users of an S3-compatible
// store for AmplifyBackend storage, with aws-sdk-go-v2 and, for users,
// versitygw's admin API.
//
// Admin implements pier.BucketAdmin. Buckets are created, listed and
// deleted with the S3 API under the configured credentials, which should be
// the store's root (or an admin) so that Pier owns the buckets it creates.
// A bucket is Pier's when its owner (GetBucketAcl) is Pier's access key, or
// the canonical id that ListBuckets reports for it; a bucket whose ACL Pier
// may not read (403) exists but belongs to another account.
//
// Permissions become one bucket policy (Version 2012-10-17) per bucket:
//
//	READ               s3:GetObject, and s3:ListBucket for Users
//	CREATE_AND_UPDATE  s3:PutObject
//	DELETE             s3:DeleteObject
//
// Anonymous permissions are one statement with Principal "*" on
// arn:aws:s3:::BUCKET/*, for unsigned requests. Each user's permissions are
// one statement with Principal {"AWS": [ACCESS_KEY]}, since versitygw (with
// any IAM but its standalone IAM service) matches principals by access key;
// it also names arn:aws:s3:::BUCKET when s3:ListBucket is granted. A policy
// that grants nothing is deleted rather than written empty.
//
// Users are created with versitygw's admin API: a SigV4-signed (service
// "s3") PATCH of /create-user with an XML Account (role "user", so that
// only bucket policies grant it anything) and PATCH /delete-user?access=KEY,
// on the S3 endpoint or on Config.AdminEndpoint when versitygw runs with
// --admin-port. Only versitygw with an IAM service (such as --iam-dir)
// manages users; CreateUser reports EDEPENDENCY on any other store.
package s3admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/pier-hosting/pier"
)

var _ pier.BucketAdmin = (*Admin)(nil)

// Config says which S3-compatible store an Admin administers, and as whom.
type Config struct {
	// Endpoint is the URL of the store, such as "http://127.0.0.1:7070".
	// Requests use path-style addressing (endpoint/bucket/key).
	Endpoint string
	// AdminEndpoint is the URL of versitygw's admin API when it listens
	// apart (versitygw --admin-port); empty for Endpoint.
	AdminEndpoint string
	// Region signs the requests; "us-east-1" if empty.
	Region string
	// AccessKey and SecretKey sign the requests: the store's root, or an
	// account with the admin role, to create users.
	AccessKey string
	SecretKey string
	// HTTPClient sends the requests; http.DefaultClient if nil.
	HTTPClient *http.Client
}

// Admin administers the buckets and users of an S3-compatible store. It is
// safe for concurrent use.
type Admin struct {
	client    *s3.Client
	http      *http.Client
	admin     *url.URL // base of versitygw's admin API
	region    string
	accessKey string
	secretKey string

	// ownerID is the canonical id the store gives Pier's credentials, once
	// a bucket's owner is not simply the access key.
	mu      sync.Mutex
	ownerID string
}

// New returns an Admin of the store at cfg.Endpoint. It sends no request.
func New(cfg Config) (*Admin, error) {
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, errors.New("s3 admin: no access key or secret key")
	}
	endpoint, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("s3 admin: %w", err)
	}
	admin := endpoint
	if cfg.AdminEndpoint != "" {
		if admin, err = parseEndpoint(cfg.AdminEndpoint); err != nil {
			return nil, fmt.Errorf("s3 admin: admin %w", err)
		}
	}
	a := &Admin{
		http:      cfg.HTTPClient,
		admin:     admin,
		region:    cfg.Region,
		accessKey: cfg.AccessKey,
		secretKey: cfg.SecretKey,
	}
	if a.http == nil {
		a.http = http.DefaultClient
	}
	if a.region == "" {
		a.region = "us-east-1"
	}
	a.client = s3.New(s3.Options{
		Region:       a.region,
		BaseEndpoint: aws.String(cfg.Endpoint),
		UsePathStyle: true,
		HTTPClient:   a.http,
		Credentials:  credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, ""),
		// Checksums beyond SigV4's payload hash only where an operation
		// requires them, as S3-compatible stores differ in the rest.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	return a, nil
}

// parseEndpoint checks that endpoint is an http or https URL.
func parseEndpoint(endpoint string) (*url.URL, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("endpoint %q is not an http or https URL", endpoint)
	}
	return u, nil
}

// ListBuckets lists the buckets the credentials can see: with versitygw,
// every bucket for root and admins, and their own for users.
func (a *Admin) ListBuckets(ctx context.Context) ([]pier.Bucket, error) {
	var buckets []pier.Bucket
	p := s3.NewListBucketsPaginator(a.client, &s3.ListBucketsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, storeError("list buckets", "", err)
		}
		for _, b := range page.Buckets {
			buckets = append(buckets, pier.Bucket{Name: aws.ToString(b.Name), CreationDate: aws.ToTime(b.CreationDate)})
		}
	}
	return buckets, nil
}

// CreateBucket creates a bucket owned by the credentials: ECONFLICT if the
// name is taken, EINVALID if the store refuses it.
func (a *Admin) CreateBucket(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if a.region != "us-east-1" {
		// us-east-1 is the default, which S3 refuses to be named.
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(a.region)}
	}
	if _, err := a.client.CreateBucket(ctx, in); err != nil {
		return storeError("create bucket", name, err)
	}
	return nil
}

// BucketOwned reports whether the credentials own a bucket: ENOTFOUND if it
// does not exist.
func (a *Admin) BucketOwned(ctx context.Context, name string) (bool, error) {
	if err := checkName(name); err != nil {
		return false, err
	}
	out, err := a.client.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(name)})
	if err != nil {
		err = storeError("read the owner of bucket", name, err)
		if errors.Is(err, errAccessDenied) {
			// The ACL of a bucket is its owner's to read: the bucket
			// exists (or the store would say NoSuchBucket) and is not ours.
			return false, nil
		}
		return false, err
	}
	if out.Owner == nil || aws.ToString(out.Owner.ID) == "" {
		return false, pier.Errorf(pier.EDEPENDENCY, "The S3 store did not say who owns bucket %q.", name)
	}
	owner := aws.ToString(out.Owner.ID)
	if owner == a.accessKey {
		return true, nil
	}
	id, err := a.canonicalID(ctx)
	if err != nil {
		return false, err
	}
	return owner == id, nil
}

// canonicalID returns the owner id the store gives the credentials, which
// AWS S3 and some other stores show instead of the access key.
func (a *Admin) canonicalID(ctx context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ownerID != "" {
		return a.ownerID, nil
	}
	out, err := a.client.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1)})
	if err != nil {
		return "", storeError("list buckets", "", err)
	}
	if out.Owner == nil || aws.ToString(out.Owner.ID) == "" {
		return "", pier.Errorf(pier.EDEPENDENCY, "The S3 store did not say which owner Pier's credentials are.")
	}
	a.ownerID = aws.ToString(out.Owner.ID)
	return a.ownerID, nil
}

// BucketEmpty reports whether a bucket holds no objects: ENOTFOUND if it
// does not exist.
func (a *Admin) BucketEmpty(ctx context.Context, name string) (bool, error) {
	if err := checkName(name); err != nil {
		return false, err
	}
	out, err := a.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(name), MaxKeys: aws.Int32(1)})
	if err != nil {
		return false, storeError("list the objects of bucket", name, err)
	}
	return len(out.Contents) == 0, nil
}

// DeleteBucket deletes an empty bucket: ECONFLICT if it is not empty,
// ENOTFOUND if it does not exist.
func (a *Admin) DeleteBucket(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if _, err := a.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)}); err != nil {
		return storeError("delete bucket", name, err)
	}
	return nil
}

// SetBucketPolicy replaces a bucket's policy with one granting p, or deletes
// it if p grants nothing: ENOTFOUND if the bucket does not exist, EINVALID
// for an unknown permission or a user the store does not know.
func (a *Admin) SetBucketPolicy(ctx context.Context, bucket string, p pier.BucketPolicy) error {
	if err := checkName(bucket); err != nil {
		return err
	}
	doc, err := policyDocument(bucket, p)
	if err != nil {
		return err
	}
	if doc == nil {
		_, err = a.client.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(bucket)})
		if err != nil && !isCode(err, "NoSuchBucketPolicy") {
			return storeError("delete the policy of bucket", bucket, err)
		}
		return nil
	}
	_, err = a.client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(string(doc))})
	if err != nil {
		return storeError("set the policy of bucket", bucket, err)
	}
	return nil
}

// checkName refuses the bucket names that cannot name a bucket in a
// path-style URL; the store judges the rest.
func checkName(name string) error {
	if name == "" || strings.ContainsAny(name, "/?#\\") {
		return pier.Errorf(pier.EINVALID, "Invalid bucket name %q.", name)
	}
	return nil
}

// errAccessDenied is in the chain of the errors of requests the store
// refused with 403.
var errAccessDenied = errors.New("access denied")

// storeError turns an error of the S3 API into Pier's codes. Errors that
// are not the caller's (refused credentials, a failing or unreachable
// store) are EDEPENDENCY, wrapping the cause for the log.
func storeError(op, bucket string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// The caller gave up: the store is not to blame.
		return fmt.Errorf("s3 %s %q: %w", op, bucket, err)
	}
	code, status := "", 0
	if api, ok := errors.AsType[smithy.APIError](err); ok {
		code = api.ErrorCode()
	}
	if re, ok := errors.AsType[*awshttp.ResponseError](err); ok {
		status = re.HTTPStatusCode()
	}
	switch code {
	case "BucketAlreadyOwnedByYou":
		return pier.Errorf(pier.ECONFLICT, "Bucket %q already exists and is yours.", bucket)
	case "BucketAlreadyExists":
		return pier.Errorf(pier.ECONFLICT, "Bucket %q already exists and belongs to another account.", bucket)
	case "NoSuchBucket":
		return pier.Errorf(pier.ENOTFOUND, "Bucket %q does not exist.", bucket)
	case "BucketNotEmpty":
		return pier.Errorf(pier.ECONFLICT, "Bucket %q is not empty.", bucket)
	case "InvalidBucketName":
		return pier.Errorf(pier.EINVALID, "Invalid bucket name %q.", bucket)
	case "MalformedPolicy":
		// Pier writes well-formed policies, so the store refused what they
		// name: a user it does not know.
		msg := err.Error()
		if api, ok := errors.AsType[smithy.APIError](err); ok {
			msg = api.ErrorMessage()
		}
		return pier.Errorf(pier.EINVALID, "The S3 store refused the policy of bucket %q: %s", bucket, msg)
	}
	if status == http.StatusNotFound && code == "NotFound" {
		return pier.Errorf(pier.ENOTFOUND, "Bucket %q does not exist.", bucket)
	}
	e := pier.Errorf(pier.EDEPENDENCY, "The S3 store failed to %s %q.", op, bucket)
	if status == http.StatusForbidden {
		return fmt.Errorf("s3 %s %q: %w: %w: %w", op, bucket, e, errAccessDenied, err)
	}
	return fmt.Errorf("s3 %s %q: %w: %w", op, bucket, e, err)
}

// isCode reports whether err is an S3 error with this code.
func isCode(err error, code string) bool {
	api, ok := errors.AsType[smithy.APIError](err)
	return ok && api.ErrorCode() == code
}
