package deploy

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/archive"
)

// Buckets reads objects from the S3-compatible store Pier is configured
// with (for s3:// sources).
type Buckets interface {
	// Open returns the content of an object; ENOTFOUND if there is none.
	Open(ctx context.Context, bucket, key string) (io.ReadCloser, error)
	// List calls fn for every object whose key starts with prefix.
	List(ctx context.Context, bucket, prefix string, fn func(key string, size int64) error) error
}

// stage collects the site of manual deployment job j into st. A source
// that cannot be used is EINVALID with a reason for the job.
func (r *Runner) stage(ctx context.Context, j *pier.Job, st *stager, log *logWriter) error {
	owner := j.ID // the job whose uploads hold the site
	if j.RetryOf != 0 {
		owner = j.RetryOf
	}
	var err error
	switch {
	case len(j.FileMap) > 0:
		log.Printf("Source: %d uploaded files", len(j.FileMap))
		err = r.stageFiles(ctx, j, owner, st)
	case j.SourceURL == "":
		log.Printf("Source: uploaded zip")
		err = r.stageZip(ctx, st, log, func() (io.ReadCloser, error) {
			return r.openBlob(ctx, pier.UploadKey(j.AccountID, j.AppID, j.BranchName, owner, "zip"), "the zip was not uploaded")
		})
	case j.SourceURLType == pier.SourceURLTypeBucketPrefix:
		log.Printf("Source: %s (bucket prefix)", j.SourceURL)
		err = r.stageBucketPrefix(ctx, j.SourceURL, st)
	case strings.HasPrefix(j.SourceURL, "s3://"):
		log.Printf("Source: %s (zip)", j.SourceURL)
		bucket, key, berr := r.bucketOf(j.SourceURL)
		if berr != nil {
			return berr
		}
		err = r.stageZip(ctx, st, log, func() (io.ReadCloser, error) { return r.cfg.Buckets.Open(ctx, bucket, key) })
	default:
		log.Printf("Source: %s (zip)", j.SourceURL)
		err = r.stageZip(ctx, st, log, func() (io.ReadCloser, error) { return r.download(ctx, j.SourceURL) })
	}
	return err
}

// stageFiles stages the files of a fileMap deployment, checking that each
// has the declared md5. A file that was not uploaded is taken from the app's
// live deployments when one of them has that md5.
func (r *Runner) stageFiles(ctx context.Context, j *pier.Job, owner int64, st *stager) error {
	var known map[string]pier.File
	names := make([]string, 0, len(j.FileMap))
	for name := range j.FileMap {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		want := j.FileMap[name]
		rel := pier.FileMapPath(name)
		rc, err := r.openBlob(ctx, pier.UploadKey(j.AccountID, j.AppID, j.BranchName, owner, "files/"+rel), fmt.Sprintf("file %q was not uploaded", name))
		if pier.ErrorCode(err) == pier.EINVALID { // not uploaded: maybe the app serves it already
			if known == nil {
				if known, err = pier.KnownFiles(ctx, r.cfg.Store, j.AccountID, j.AppID); err != nil {
					return err
				}
			}
			f, ok := known[strings.ToLower(want)]
			if !ok {
				return pier.Errorf(pier.EINVALID, "The deployment cannot start: file %q was not uploaded.", name)
			}
			rc, err = pier.OpenBody(ctx, r.cfg.Blobs, f.Body)
		}
		if err != nil {
			return err
		}
		h := md5.New()
		_, err = st.add(rel, io.TeeReader(rc, h))
		rc.Close()
		if err != nil {
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, want) {
			return pier.Errorf(pier.EINVALID, "File %q has md5 %s, but the fileMap declared %s.", name, got, strings.ToLower(want))
		}
	}
	return nil
}

// stageZip copies the zip that open returns to a temporary file (archives
// need random access) and stages its files once every header passed the
// archive checks.
func (r *Runner) stageZip(ctx context.Context, st *stager, log *logWriter, open func() (io.ReadCloser, error)) error {
	src, err := open()
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(r.cfg.TempDir, "source-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, io.LimitReader(src, r.cfg.Limits.MaxBytes+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if n > r.cfg.Limits.MaxBytes {
		return pier.Errorf(pier.EINVALID, "The zip is larger than %s.", FormatBytes(r.cfg.Limits.MaxBytes))
	}
	log.Printf("Fetched the zip: %s", FormatBytes(n))
	return archive.WalkZip(ctx, tmp.Name(), r.cfg.Limits, func(path string, rd io.Reader) error {
		_, err := st.add(path, rd)
		return err
	})
}

// openBlob opens a blob; a missing blob is EINVALID with missing as the
// reason.
func (r *Runner) openBlob(ctx context.Context, key, missing string) (io.ReadCloser, error) {
	rc, _, err := r.cfg.Blobs.Open(ctx, key)
	if pier.ErrorCode(err) == pier.ENOTFOUND {
		return nil, pier.Errorf(pier.EINVALID, "The deployment cannot start: %s.", missing)
	}
	return rc, err
}

// download opens an http(s) URL.
func (r *Runner) download(ctx context.Context, rawURL string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, pier.Errorf(pier.EINVALID, "Invalid sourceUrl: %v", err)
	}
	resp, err := r.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, pier.Errorf(pier.EINVALID, "Could not download the sourceUrl: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, pier.Errorf(pier.EINVALID, "Could not download the sourceUrl: HTTP %s.", resp.Status)
	}
	return resp.Body, nil
}

// stageBucketPrefix stages every object under s3://bucket/prefix, keyed by
// its path below the prefix.
func (r *Runner) stageBucketPrefix(ctx context.Context, sourceURL string, st *stager) error {
	bucket, prefix, err := r.bucketOf(sourceURL)
	if err != nil {
		return err
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	var total int64
	err = r.cfg.Buckets.List(ctx, bucket, prefix, func(key string, size int64) error {
		rel := strings.TrimPrefix(key, prefix)
		if strings.HasSuffix(rel, "/") { // a "folder" marker object
			return nil
		}
		if !pier.ValidBlobKey(rel) {
			return pier.Errorf(pier.EINVALID, "Object %q has a path that cannot be served.", key)
		}
		if total += size; len(st.files) >= r.cfg.Limits.MaxEntries || total > r.cfg.Limits.MaxBytes {
			return pier.Errorf(pier.EINVALID, "The bucket prefix holds more than %d files or %s.", r.cfg.Limits.MaxEntries, FormatBytes(r.cfg.Limits.MaxBytes))
		}
		rc, err := r.cfg.Buckets.Open(ctx, bucket, key)
		if err != nil {
			return err
		}
		defer rc.Close()
		_, err = st.add(rel, io.LimitReader(rc, size))
		return err
	})
	if err != nil {
		return err
	}
	if len(st.files) == 0 {
		return pier.Errorf(pier.EINVALID, "No objects under %s.", sourceURL)
	}
	return nil
}

// bucketOf splits s3://bucket/key; EINVALID without a configured store.
func (r *Runner) bucketOf(sourceURL string) (bucket, key string, err error) {
	if r.cfg.Buckets == nil {
		return "", "", pier.Errorf(pier.EINVALID, "This Pier has no S3-compatible store configured (--s3-endpoint), so it cannot read %s.", sourceURL)
	}
	u, err := url.Parse(sourceURL)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return "", "", pier.Errorf(pier.EINVALID, "Invalid sourceUrl %q: want s3://bucket/key.", sourceURL)
	}
	return u.Host, strings.TrimPrefix(u.Path, "/"), nil
}

// FormatBytes renders a byte count for logs (the builder's too).
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
