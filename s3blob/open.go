package s3blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/pier-hosting/pier"
)

// maxSkip is how far a reader reads on and discards, rather than sending a
// new request, to reach a position ahead of its response.
const maxSkip = 128 << 10

// Open returns the blob under key; ENOTFOUND if there is none. It sends a
// GetObject for the whole blob and takes the BlobInfo from its response,
// so that a reader that reads on without seeking gets exactly the blob
// that info describes, even if the key is replaced meanwhile. The body
// streams as it is read. Seek only moves the position; the next Read sends
// a ranged GetObject (Range: bytes=off-) if the position is not a little
// ahead of the response in hand, with If-Match so that it fails rather
// than mix two versions of a replaced blob. Requests use ctx. The reader is
// not safe for concurrent use.
func (s *Store) Open(ctx context.Context, key string) (io.ReadSeekCloser, pier.BlobInfo, error) {
	object, err := s.object(key)
	if err != nil {
		return nil, pier.BlobInfo{}, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(object)})
	if err != nil {
		return nil, pier.BlobInfo{}, s.error("open", key, err)
	}
	if out.ContentLength == nil {
		out.Body.Close()
		return nil, pier.BlobInfo{}, fmt.Errorf("open blob %q: response without Content-Length", key)
	}
	info := pier.BlobInfo{Size: *out.ContentLength, ModTime: aws.ToTime(out.LastModified)}
	rd := &reader{
		ctx:    ctx,
		s:      s,
		key:    key,
		object: object,
		etag:   aws.ToString(out.ETag),
		size:   info.Size,
		body:   out.Body,
	}
	return rd, info, nil
}

// reader reads a blob through GetObject responses.
type reader struct {
	ctx               context.Context
	s                 *Store
	key, object, etag string
	size              int64

	pos     int64         // where the next Read reads
	body    io.ReadCloser // the response in hand, or nil
	bodyPos int64         // the offset of body's next byte
	closed  bool
}

// Read reads from the current position, first moving the response in hand
// there or requesting one that starts there.
func (r *reader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, os.ErrClosed
	} else if r.pos >= r.size {
		return 0, io.EOF
	} else if len(p) == 0 {
		return 0, nil
	}
	if r.body != nil && r.pos != r.bodyPos {
		r.skip()
	}
	if r.body == nil {
		if err := r.get(); err != nil {
			return 0, err
		}
	}
	n, err := r.body.Read(p)
	r.pos += int64(n)
	r.bodyPos += int64(n)
	switch {
	case err == io.EOF && r.pos < r.size:
		err = io.ErrUnexpectedEOF
	case err != nil && err != io.EOF:
		r.drop()
		err = fmt.Errorf("read blob %q: %w", r.key, err)
	}
	return n, err
}

// skip moves the response in hand to the current position by discarding
// what lies before it, or drops the response if the position is behind it
// or too far ahead.
func (r *reader) skip() {
	if d := r.pos - r.bodyPos; d > 0 && d <= maxSkip {
		n, err := io.CopyN(io.Discard, r.body, d)
		r.bodyPos += n
		if err == nil {
			return
		}
	}
	r.drop()
}

// get sends a GetObject for the rest of the blob from the current
// position, which lies before its end.
func (r *reader) get() error {
	out, err := r.s.client.GetObject(r.ctx, &s3.GetObjectInput{
		Bucket:  aws.String(r.s.bucket),
		Key:     aws.String(r.object),
		Range:   aws.String(fmt.Sprintf("bytes=%d-", r.pos)),
		IfMatch: aws.String(r.etag),
	})
	if api, ok := errors.AsType[smithy.APIError](err); ok && api.ErrorCode() == "PreconditionFailed" {
		return fmt.Errorf("read blob %q: it was replaced while being read", r.key)
	} else if err != nil {
		return r.s.error("read", r.key, err)
	}
	if etag := aws.ToString(out.ETag); (r.etag != "" && etag != r.etag) || aws.ToInt64(out.ContentLength) != r.size-r.pos {
		// The service ignored If-Match or Range.
		out.Body.Close()
		return fmt.Errorf("read blob %q at %d: got %d bytes of version %s, want %d bytes of version %s",
			r.key, r.pos, aws.ToInt64(out.ContentLength), etag, r.size-r.pos, r.etag)
	}
	r.body, r.bodyPos = out.Body, r.pos
	return nil
}

// drop closes the response in hand.
func (r *reader) drop() {
	if r.body != nil {
		r.body.Close()
		r.body = nil
	}
}

// Seek sets the position of the next Read. It sends no request.
func (r *reader) Seek(offset int64, whence int) (int64, error) {
	if r.closed {
		return 0, os.ErrClosed
	}
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, fmt.Errorf("seek blob %q: invalid whence %d", r.key, whence)
	}
	if offset < 0 {
		return 0, fmt.Errorf("seek blob %q: negative position %d", r.key, offset)
	}
	r.pos = offset
	return offset, nil
}

// Close closes the response in hand, if any.
func (r *reader) Close() error {
	if r.closed {
		return os.ErrClosed
	}
	r.closed = true
	r.drop()
	return nil
}
