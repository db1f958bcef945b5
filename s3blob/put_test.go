package s3blob_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/internal/peertest"
	"github.com/pier-hosting/pier/s3blob"
)

// TestMultipart puts 40 MiB in parts of 5 MiB through a pipe, checks that
// parts reach the store before the reader ends (Put streams), and reads the
// blob back whole and from the middle.
func TestMultipart(t *testing.T) {
	t.Parallel()
	gw := peertest.StartVersitygw(t)
	bucket := gw.NewBucket(t)
	s := newStore(t, gw, bucket, "blobs", s3blob.MinPartSize)
	content := pattern(40 << 20)
	pr, pw := io.Pipe()
	putErr := make(chan error, 1)
	go func() {
		err := s.Put(t.Context(), "big", pr)
		pr.CloseWithError(errors.New("Put returned"))
		putErr <- err
	}()
	half := len(content) / 2
	if _, err := pw.Write(content[:half]); err != nil {
		t.Fatal(err)
	}
	waitForParts(t, gw, bucket, "blobs/big")
	if _, err := pw.Write(content[half:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if err := <-putErr; err != nil {
		t.Fatalf("Put: %v", err)
	}

	head, err := gw.Client.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("blobs/big")})
	if err != nil {
		t.Fatal(err)
	}
	// The ETag of a multipart object ends in "-" and its number of parts.
	if etag := aws.ToString(head.ETag); !strings.HasSuffix(etag, `-8"`) {
		t.Errorf("ETag %s, want one of an upload of 8 parts", etag)
	}
	if got := []byte(readAll(t, s, "big")); !bytes.Equal(got, content) {
		t.Fatalf("read %d bytes back, not the %d put", len(got), len(content))
	}
	for _, off := range []int64{17<<20 + 3, 5 << 20, 0, int64(len(content)) - 100} {
		if got := readAt(t, s, "big", off, 100); !bytes.Equal(got, content[off:off+100]) {
			t.Errorf("100 bytes at %d differ", off)
		}
	}
	// One reader seeking back and forth.
	rc, info, err := s.Open(t.Context(), "big")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if info.Size != int64(len(content)) {
		t.Fatalf("Open Size %d, want %d", info.Size, len(content))
	}
	for _, off := range []int64{10, 1000, 20 << 20, 3 << 20, 3<<20 + 100<<10, 39 << 20} {
		if _, err := rc.Seek(off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 64<<10)
		if _, err := io.ReadFull(rc, b); err != nil {
			t.Fatalf("read at %d: %v", off, err)
		}
		if !bytes.Equal(b, content[off:off+int64(len(b))]) {
			t.Fatalf("64 KiB at %d differ", off)
		}
	}
}

// waitForParts waits until an upload of object has a part in the store.
func waitForParts(t *testing.T, gw *peertest.S3, bucket, object string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		uploads, err := gw.Client.ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range uploads.Uploads {
			if aws.ToString(u.Key) != object {
				continue
			}
			parts, err := gw.Client.ListParts(t.Context(), &s3.ListPartsInput{Bucket: aws.String(bucket), Key: u.Key, UploadId: u.UploadId})
			if err != nil {
				t.Fatal(err)
			}
			if len(parts.Parts) > 0 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no part of %s uploaded while its reader had more to read", object)
}

// TestPartBoundaries round-trips blobs around multiples of the part size:
// one PutObject below it, one or two full parts (and no empty last one) at
// and above it.
func TestPartBoundaries(t *testing.T) {
	t.Parallel()
	gw := peertest.StartVersitygw(t)
	s := newStore(t, gw, gw.NewBucket(t), "", s3blob.MinPartSize)
	content := pattern(2*s3blob.MinPartSize + 1)
	for _, n := range []int{s3blob.MinPartSize - 1, s3blob.MinPartSize, s3blob.MinPartSize + 1, 2 * s3blob.MinPartSize, len(content)} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			// A reader that hides its length, as a pipe does.
			r := io.MultiReader(bytes.NewReader(content[:n]))
			if err := s.Put(t.Context(), "blob", r); err != nil {
				t.Fatal(err)
			}
			if got := []byte(readAll(t, s, "blob")); !bytes.Equal(got, content[:n]) {
				t.Fatalf("read %d bytes back, not the %d put", len(got), n)
			}
		})
	}
}

// TestMultipartFails checks that a reader failing, or the context ending,
// after several parts leaves neither the blob nor an unfinished upload, and
// that Put returns the reader's or the context's error.
func TestMultipartFails(t *testing.T) {
	t.Parallel()
	gw := peertest.StartVersitygw(t)
	bucket := gw.NewBucket(t)
	s := newStore(t, gw, bucket, "", s3blob.MinPartSize)
	errRead := errors.New("connection reset")
	for _, tt := range []struct {
		name string
		put  func() error
		want error
	}{
		{"reader fails", func() error {
			r := io.MultiReader(bytes.NewReader(pattern(12<<20)), failingReader{errRead})
			return s.Put(t.Context(), "failed", r)
		}, errRead},
		{"canceled", func() error {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			r := io.MultiReader(bytes.NewReader(pattern(12<<20)), cancelingReader{cancel})
			return s.Put(ctx, "failed", r)
		}, context.Canceled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.put(); !errors.Is(err, tt.want) {
				t.Fatalf("Put returned %v, want %v", err, tt.want)
			}
			if _, err := s.Stat(t.Context(), "failed"); pier.ErrorCode(err) != pier.ENOTFOUND {
				t.Fatalf("Stat after a failed Put: %v, want ENOTFOUND", err)
			}
			uploads, err := gw.Client.ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
			if err != nil {
				t.Fatal(err)
			}
			if len(uploads.Uploads) != 0 {
				t.Fatalf("%d multipart uploads left after a failed Put, want none", len(uploads.Uploads))
			}
		})
	}
}

// cancelingReader cancels a context and then returns endless data.
type cancelingReader struct{ cancel context.CancelFunc }

func (r cancelingReader) Read(p []byte) (int, error) {
	r.cancel()
	return len(p), nil
}

// failingReader fails every read with err.
type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }
