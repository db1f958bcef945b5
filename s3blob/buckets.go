// Package s3blob talks to S3-compatible object stores with aws-sdk-go-v2:
// Store keeps Pier's blobs in a bucket, and Buckets reads the buckets that
// manual deployments name as their source.
package s3blob

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/pier-hosting/pier"
)

// Buckets reads objects from one S3-compatible endpoint. It is safe for
// concurrent use.
type Buckets struct {
	client *s3.Client
}

// NewBuckets returns a reader of the S3-compatible store at endpoint
// (path-style addressing, as MinIO and versitygw expect).
func NewBuckets(endpoint, region, accessKeyID, secretAccessKey string) *Buckets {
	client := s3.New(s3.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: accessKeyID, SecretAccessKey: secretAccessKey}, nil
		}),
	})
	return &Buckets{client: client}
}

// Open returns the content of an object; ENOTFOUND for a missing bucket or
// key. The caller closes it.
func (b *Buckets) Open(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, translate(err, "s3://"+bucket+"/"+key)
	}
	return out.Body, nil
}

// List calls fn for every object whose key starts with prefix.
func (b *Buckets) List(ctx context.Context, bucket, prefix string, fn func(key string, size int64) error) error {
	p := s3.NewListObjectsV2Paginator(b.client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return translate(err, "s3://"+bucket+"/"+prefix)
		}
		for _, o := range page.Contents {
			if err := fn(aws.ToString(o.Key), aws.ToInt64(o.Size)); err != nil {
				return err
			}
		}
	}
	return nil
}

// translate turns S3's "not found" errors into ENOTFOUND and access errors
// into EINVALID (both become a job's reason); others are wrapped.
func translate(err error, what string) error {
	var nsk *types.NoSuchKey
	var nsb *types.NoSuchBucket
	var api smithy.APIError
	switch {
	case errors.As(err, &nsk), errors.As(err, &nsb):
		return pier.Errorf(pier.ENOTFOUND, "%s does not exist.", what)
	case errors.As(err, &api) && (api.ErrorCode() == "NotFound" || api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NoSuchBucket"):
		// GetObject and ListObjectsV2 do not model NoSuchBucket, so the SDK
		// returns it as a generic API error rather than *types.NoSuchBucket.
		return pier.Errorf(pier.ENOTFOUND, "%s does not exist.", what)
	case errors.As(err, &api) && (api.ErrorCode() == "AccessDenied" || api.ErrorCode() == "InvalidAccessKeyId" || api.ErrorCode() == "SignatureDoesNotMatch"):
		return pier.Errorf(pier.EINVALID, "Access to %s was denied (%s).", what, api.ErrorCode())
	}
	return fmt.Errorf("s3 %s: %w", what, err)
}
