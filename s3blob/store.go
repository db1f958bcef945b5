package s3blob

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/pier-hosting/pier"
)

// DefaultPartSize and MinPartSize bound Config.PartSize. S3 refuses parts
// smaller than 5 MiB (but the last) and uploads of more than 10,000 parts,
// so the part size also bounds the size of a blob: about 80 GiB at the
// default.
const (
	DefaultPartSize = 8 << 20
	MinPartSize     = 5 << 20
	maxPartSize     = 5 << 30
	maxParts        = 10000
)

var _ pier.BlobStore = (*Store)(nil)

// Config says where a Store keeps its blobs.
type Config struct {
	// Endpoint is the URL of the S3-compatible service, such as
	// "http://127.0.0.1:7070"; empty for AWS S3 in Region. Requests use
	// path-style addressing (endpoint/bucket/key).
	Endpoint string
	// Region signs the requests; "us-east-1" if empty.
	Region string
	// Bucket holds the blobs. It must exist.
	Bucket string
	// Prefix is prepended, with a "/", to every blob key, so that several
	// stores can share a bucket; empty for none.
	Prefix string
	// AccessKeyID and SecretAccessKey sign the requests.
	AccessKeyID     string
	SecretAccessKey string
	// PartSize is the size of the parts of multipart uploads, and of the
	// largest blob put in one request; DefaultPartSize if zero, at least
	// MinPartSize otherwise. A Put holds up to three parts in memory.
	PartSize int64
}

// Store keeps blobs as the objects of an S3 bucket, under a key prefix. It
// is safe for concurrent use, also by several Stores (on several nodes) on
// the same bucket and prefix.
type Store struct {
	client   *s3.Client
	bucket   string
	prefix   string // "" or ending in "/"
	partSize int
}

// New returns a blob store on cfg.Bucket, keys under cfg.Prefix, at
// cfg.Endpoint (path-style addressing). It checks that the bucket exists
// and that the credentials may use it.
func New(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	opts := s3.Options{
		Region:       cfg.Region,
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, ""),
		// Checksums beyond SigV4's payload hash only when an operation
		// requires them: many S3-compatible stores refuse or mishandle the
		// ones the SDK adds by default.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	s := &Store{
		client:   s3.New(opts),
		bucket:   cfg.Bucket,
		prefix:   strings.Trim(cfg.Prefix, "/"),
		partSize: int(cfg.PartSize),
	}
	if s.prefix != "" {
		s.prefix += "/"
	}
	if s.partSize == 0 {
		s.partSize = DefaultPartSize
	}
	if _, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.bucket)}); err != nil {
		return nil, fmt.Errorf("blob bucket %q: %w", s.bucket, err)
	}
	return s, nil
}

// validate checks the fields that New cannot leave to the service.
func (cfg Config) validate() error {
	if err := cfg.validateLocation(); err != nil {
		return fmt.Errorf("blob store: %w", err)
	}
	if cfg.AccessKeyID == "" || cfg.SecretAccessKey == "" {
		return errors.New("blob store: no access key id or secret access key")
	}
	if cfg.PartSize != 0 && (cfg.PartSize < MinPartSize || cfg.PartSize > maxPartSize) {
		return fmt.Errorf("blob store: part size %d is not between %d and %d", cfg.PartSize, MinPartSize, maxPartSize)
	}
	return nil
}

// validateLocation checks the bucket, prefix and endpoint, which ParseURL
// checks too.
func (cfg Config) validateLocation() error {
	if cfg.Bucket == "" {
		return errors.New("no bucket")
	}
	if p := strings.Trim(cfg.Prefix, "/"); p != "" && !pier.ValidBlobKey(p) {
		return fmt.Errorf("invalid key prefix %q", cfg.Prefix)
	}
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("endpoint %q is not an http or https URL", cfg.Endpoint)
		}
	}
	return nil
}

// Stat returns the size and modification time of the blob under key;
// ENOTFOUND if there is none.
func (s *Store) Stat(ctx context.Context, key string) (pier.BlobInfo, error) {
	object, err := s.object(key)
	if err != nil {
		return pier.BlobInfo{}, err
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(object)})
	if err != nil {
		return pier.BlobInfo{}, s.error("stat", key, err)
	}
	return pier.BlobInfo{Size: aws.ToInt64(out.ContentLength), ModTime: aws.ToTime(out.LastModified)}, nil
}

// Delete removes the blob under key; a missing blob is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	object, err := s.object(key)
	if err != nil {
		return err
	}
	_, err = s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(object)})
	if err == nil {
		return nil
	} else if err := s.error("delete", key, err); pier.ErrorCode(err) != pier.ENOTFOUND {
		return err
	}
	return nil
}

// object returns the object key of a blob key, or EINVALID.
func (s *Store) object(key string) (string, error) {
	if !pier.ValidBlobKey(key) {
		return "", pier.Errorf(pier.EINVALID, "Invalid blob key %q.", key)
	}
	return s.prefix + key, nil
}

// error returns ENOTFOUND if err says that the object of key does not
// exist, and err wrapped otherwise: access errors and a missing bucket are
// failures of the store (internal), not of the caller.
func (s *Store) error(op, key string, err error) error {
	if api, ok := errors.AsType[smithy.APIError](err); ok {
		switch api.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return pier.Errorf(pier.ENOTFOUND, "No blob %q.", key)
		}
	}
	return fmt.Errorf("%s blob %q in s3://%s/%s: %w", op, key, s.bucket, s.prefix, err)
}
