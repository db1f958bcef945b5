package s3blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/pier-hosting/pier"
)

const (
	// uploadConcurrency is how many parts of one Put are in memory at once:
	// uploading, or being read while others upload.
	uploadConcurrency = 3
	// firstReadSize is the buffer a Put starts with; it grows up to the
	// part size, so small blobs take little memory.
	firstReadSize = 32 << 10
	// abortTimeout bounds aborting a failed multipart upload, which runs
	// even when the Put's context is canceled.
	abortTimeout = 30 * time.Second
)

// Put stores the content of r under key. A blob shorter than the part size
// is sent in one PutObject; a longer one in a multipart upload of parts
// read one at a time, up to uploadConcurrency at once. S3 makes the object
// appear only when the upload completes, so readers see the old blob or the
// whole new one. If r fails or ctx ends, the upload is aborted, the key is
// left as it was, and Put returns r's error or ctx's.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) error {
	object, err := s.object(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put blob %q: %w", key, err)
	}
	first, err := readPart(ctx, r, make([]byte, 0, min(firstReadSize, s.partSize)), s.partSize)
	if err != nil {
		return fmt.Errorf("put blob %q: %w", key, err)
	}
	if len(first) < s.partSize {
		_, err = s.client.PutObject(ctx, &s3.PutObjectInput{
			Bucket:        aws.String(s.bucket),
			Key:           aws.String(object),
			Body:          bytes.NewReader(first),
			ContentLength: aws.Int64(int64(len(first))),
		})
	} else {
		err = s.putMultipart(ctx, object, first, r)
	}
	if err != nil {
		return s.error("put", key, err)
	}
	return nil
}

// putMultipart uploads first and the rest of r as the parts of a multipart
// upload of object, and aborts the upload if that fails.
func (s *Store) putMultipart(ctx context.Context, object string, first []byte, r io.Reader) error {
	out, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(object),
	})
	if err != nil {
		return err
	}
	u := &upload{s: s, object: object, id: aws.ToString(out.UploadId)}
	parts, err := u.parts(ctx, first, r)
	if err == nil {
		_, err = s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket:          aws.String(s.bucket),
			Key:             aws.String(object),
			UploadId:        out.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		})
	}
	if err != nil {
		// The abort must run even when ctx is canceled: it frees the parts
		// the service keeps (and bills) until then.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
		defer cancel()
		if aerr := s.abort(actx, object, u.id); aerr != nil {
			return fmt.Errorf("%w (and aborting upload %s failed: %v)", err, u.id, aerr)
		}
		return err
	}
	return nil
}

// upload is one multipart upload in progress.
type upload struct {
	s      *Store
	object string
	id     string

	mu   sync.Mutex
	done []types.CompletedPart
}

// parts reads r part by part, first being the first part, and uploads the
// parts while reading the next ones. It returns the uploaded parts in
// order, or the first error of r, of an upload or of ctx, once no upload
// is running any more.
func (u *upload) parts(ctx context.Context, first []byte, r io.Reader) ([]types.CompletedPart, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// Buffers return to free when their part is uploaded; at most
	// uploadConcurrency exist, so sends never block.
	free := make(chan []byte, uploadConcurrency)
	buffers := 1
	var wg sync.WaitGroup
	buf := first
	for n := int32(1); ; n++ {
		if n > maxParts {
			cancel(fmt.Errorf("blob larger than %d parts of %d bytes", maxParts, u.s.partSize))
			break
		}
		part := buf
		wg.Go(func() {
			if err := u.part(ctx, n, part); err != nil {
				cancel(err)
			}
			free <- part[:0]
		})
		if len(part) < u.s.partSize {
			break
		}
		var err error
		if buf, err = u.buffer(ctx, free, &buffers); err == nil {
			buf, err = readPart(ctx, r, buf, u.s.partSize)
		}
		if err != nil {
			cancel(err)
			break
		} else if len(buf) == 0 {
			break
		}
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	slices.SortFunc(u.done, func(a, b types.CompletedPart) int { return int(*a.PartNumber - *b.PartNumber) })
	return u.done, nil
}

// buffer returns an empty buffer for the next part: a free one, a new one
// if fewer than uploadConcurrency exist, or else the first one an upload
// frees.
func (u *upload) buffer(ctx context.Context, free chan []byte, buffers *int) ([]byte, error) {
	select {
	case b := <-free:
		return b, nil
	default:
	}
	if *buffers < uploadConcurrency {
		*buffers++
		return make([]byte, 0, u.s.partSize), nil
	}
	select {
	case b := <-free:
		return b, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// part uploads b as part number n.
func (u *upload) part(ctx context.Context, n int32, b []byte) error {
	out, err := u.s.client.UploadPart(ctx, &s3.UploadPartInput{
		Bucket:        aws.String(u.s.bucket),
		Key:           aws.String(u.object),
		UploadId:      aws.String(u.id),
		PartNumber:    aws.Int32(n),
		Body:          bytes.NewReader(b),
		ContentLength: aws.Int64(int64(len(b))),
	})
	if err != nil {
		return fmt.Errorf("upload part %d: %w", n, err)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.done = append(u.done, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(n)})
	return nil
}

// readPart appends what r reads to buf until buf holds limit bytes or r
// ends, growing buf (up to limit) as needed. It checks ctx before every
// read, so that an endless reader stops when ctx ends.
func readPart(ctx context.Context, r io.Reader, buf []byte, limit int) ([]byte, error) {
	for len(buf) < limit {
		if err := ctx.Err(); err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(max(2*cap(buf), firstReadSize), limit))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		} else if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// abort aborts a multipart upload until it is gone. A part still being
// stored when the abort arrives can bring the upload back, so, as the S3
// documentation advises, abort is repeated until listing the upload's
// parts says it no longer exists.
func (s *Store) abort(ctx context.Context, object, id string) error {
	wait := 50 * time.Millisecond
	for attempt := 0; ; attempt++ {
		_, err := s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
			Bucket: aws.String(s.bucket), Key: aws.String(object), UploadId: aws.String(id),
		})
		if err != nil && !noSuchUpload(err) {
			return err
		}
		if attempt == 5 {
			return nil // gave it every chance; a lifecycle rule cleans up the rest
		}
		if err := pier.Sleep(ctx, wait); err != nil {
			return err
		}
		wait *= 2
		_, err = s.client.ListParts(ctx, &s3.ListPartsInput{
			Bucket: aws.String(s.bucket), Key: aws.String(object), UploadId: aws.String(id),
		})
		if noSuchUpload(err) {
			return nil
		}
	}
}

// noSuchUpload reports whether err says the multipart upload does not exist.
func noSuchUpload(err error) bool {
	api, ok := errors.AsType[smithy.APIError](err)
	return ok && (api.ErrorCode() == "NoSuchUpload" || api.ErrorCode() == "NotFound")
}
