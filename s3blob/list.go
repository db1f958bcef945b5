package s3blob

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pier-hosting/pier"
)

// List calls fn for every blob whose key starts with prefix, a page of
// ListObjectsV2 at a time. Objects under the store's prefix whose names are
// no valid blob key (such as "dir/" markers other tools create) are
// skipped. A prefix that no valid key starts with is EINVALID.
func (s *Store) List(ctx context.Context, prefix string, fn func(key string, info pier.BlobInfo) error) error {
	if !pier.ValidBlobKey(prefix) && !pier.ValidBlobKey(prefix+"x") {
		return pier.Errorf(pier.EINVALID, "Invalid blob key prefix %q.", prefix)
	}
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket),
		Prefix: aws.String(s.prefix + prefix),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return s.error("list", prefix+"*", err)
		}
		for _, o := range page.Contents {
			key, ok := strings.CutPrefix(aws.ToString(o.Key), s.prefix)
			if !ok || !pier.ValidBlobKey(key) {
				continue
			}
			if err := fn(key, pier.BlobInfo{Size: aws.ToInt64(o.Size), ModTime: aws.ToTime(o.LastModified)}); err != nil {
				return err
			}
		}
	}
	return nil
}
