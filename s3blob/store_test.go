package s3blob_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/blob/blobtest"
	"github.com/pier-hosting/pier/internal/peertest"
	"github.com/pier-hosting/pier/s3blob"
)

// TestStore runs the conformance suite on a fresh bucket per subtest. The
// smallest part size makes the suite's large blob a multipart upload.
func TestStore(t *testing.T) {
	t.Parallel()
	gw := peertest.StartVersitygw(t)
	blobtest.Run(t, func(t *testing.T) pier.BlobStore {
		return newStore(t, gw, gw.NewBucket(t), "pier/blobs", s3blob.MinPartSize)
	})
}

// newStore returns a Store on bucket of gw.
func newStore(t *testing.T, gw *peertest.S3, bucket, prefix string, partSize int64) *s3blob.Store {
	t.Helper()
	s, err := s3blob.New(t.Context(), s3blob.Config{
		Endpoint:        gw.Endpoint,
		Region:          gw.Region,
		Bucket:          bucket,
		Prefix:          prefix,
		AccessKeyID:     gw.AccessKeyID,
		SecretAccessKey: gw.SecretAccessKey,
		PartSize:        partSize,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPrefix checks that stores with different prefixes share a bucket
// without seeing each other's blobs, and that List skips objects that are
// no blob.
func TestPrefix(t *testing.T) {
	t.Parallel()
	gw := peertest.StartVersitygw(t)
	bucket := gw.NewBucket(t)
	one := newStore(t, gw, bucket, "one", 0)
	two := newStore(t, gw, bucket, "/two/", 0)
	root := newStore(t, gw, bucket, "", 0)
	for i, s := range []*s3blob.Store{one, two, root} {
		if err := s.Put(t.Context(), "key", strings.NewReader(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	// A directory marker, as other tools create, is no blob.
	if _, err := gw.Client.PutObject(t.Context(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String("one/dir/"), Body: strings.NewReader(""),
	}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		s    *s3blob.Store
		want []string
	}{
		{"one", one, []string{"key"}},
		{"two", two, []string{"key"}},
		{"root", root, []string{"key", "one/key", "two/key"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := listKeys(t, tt.s, ""); !equal(got, tt.want) {
				t.Fatalf("List = %q, want %q", got, tt.want)
			}
		})
	}
	if got := readAll(t, two, "key"); got != "1" {
		t.Fatalf("blob key of the store on prefix two = %q, want %q", got, "1")
	}
}

// readAll returns the content of the blob under key.
func readAll(t *testing.T, s pier.BlobStore, key string) string {
	t.Helper()
	rc, _, err := s.Open(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestNew checks that New refuses a missing bucket and bad configurations.
func TestNew(t *testing.T) {
	t.Parallel()
	gw := peertest.StartVersitygw(t)
	good := s3blob.Config{
		Endpoint: gw.Endpoint, Bucket: gw.NewBucket(t),
		AccessKeyID: gw.AccessKeyID, SecretAccessKey: gw.SecretAccessKey,
	}
	if _, err := s3blob.New(t.Context(), good); err != nil {
		t.Fatalf("New: %v", err)
	}
	for _, tt := range []struct {
		name   string
		change func(*s3blob.Config)
	}{
		{"missing bucket", func(c *s3blob.Config) { c.Bucket = "no-such-bucket" }},
		{"wrong secret", func(c *s3blob.Config) { c.SecretAccessKey = "wrong" }},
		{"no credentials", func(c *s3blob.Config) { c.AccessKeyID = "" }},
		{"small parts", func(c *s3blob.Config) { c.PartSize = 1 << 20 }},
		{"invalid prefix", func(c *s3blob.Config) { c.Prefix = "a/../b" }},
		{"endpoint without scheme", func(c *s3blob.Config) { c.Endpoint = "127.0.0.1:9000" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			if _, err := s3blob.New(t.Context(), cfg); err == nil {
				t.Fatal("New succeeded")
			}
		})
	}
}

// listKeys returns the keys s lists under prefix, sorted (S3 lists in key
// order).
func listKeys(t *testing.T, s pier.BlobStore, prefix string) []string {
	t.Helper()
	var keys []string
	if err := s.List(t.Context(), prefix, func(key string, _ pier.BlobInfo) error {
		keys = append(keys, key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return keys
}

func equal(a, b []string) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// pattern returns n bytes that differ from those at any other offset of a
// shorter pattern, so a misplaced read shows.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i) ^ byte(i>>8) ^ byte(i>>16) ^ byte(i>>24)
	}
	return b
}

// readAt opens key, seeks to off and reads n bytes.
func readAt(t *testing.T, s pier.BlobStore, key string, off int64, n int) []byte {
	t.Helper()
	rc, _, err := s.Open(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := rc.Seek(off, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(rc, b); err != nil {
		t.Fatalf("read %d bytes at %d: %v", n, off, err)
	}
	return b
}
