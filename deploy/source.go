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
	"path/filepath"
	"sort"
	"strings"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/archive"
)

// Buckets reads objects from the S3-compatible store Pier is configured
// with (for s3:// sources).
type Buckets interface {
	// Download writes the object to w; ENOTFOUND if there is none.
	Download(ctx context.Context, bucket, key string, w io.Writer) error
	// List calls fn for every object whose key starts with prefix.
	List(ctx context.Context, bucket, prefix string, fn func(key string, size int64) error) error
}

// stage puts the site of job j into dir, which is empty, and returns its
// files. A source that cannot be used is EINVALID with a reason for the job.
func (r *Runner) stage(ctx context.Context, j *pier.Job, dir string, log *logWriter) ([]archive.File, error) {
	owner := j.ID // the job whose uploads hold the site
	if j.RetryOf != 0 {
		owner = j.RetryOf
	}
	switch {
	case len(j.FileMap) > 0:
		log.Printf("Source: %d uploaded files", len(j.FileMap))
		return r.stageFiles(ctx, j, owner, dir)
	case j.SourceURL == "":
		log.Printf("Source: uploaded zip")
		return r.extractFrom(ctx, dir, log, func(w io.Writer) error {
			return r.copyBlob(ctx, pier.UploadKey(j.AccountID, j.AppID, j.BranchName, owner, "zip"), w, "the zip was not uploaded")
		})
	case j.SourceURLType == pier.SourceURLTypeBucketPrefix:
		log.Printf("Source: %s (bucket prefix)", j.SourceURL)
		return r.stageBucketPrefix(ctx, j.SourceURL, dir)
	case strings.HasPrefix(j.SourceURL, "s3://"):
		log.Printf("Source: %s (zip)", j.SourceURL)
		bucket, key, err := r.bucketOf(j.SourceURL)
		if err != nil {
			return nil, err
		}
		return r.extractFrom(ctx, dir, log, func(w io.Writer) error { return r.cfg.Buckets.Download(ctx, bucket, key, w) })
	default:
		log.Printf("Source: %s (zip)", j.SourceURL)
		return r.extractFrom(ctx, dir, log, func(w io.Writer) error { return r.download(ctx, j.SourceURL, w) })
	}
}

// stageFiles copies the files of a fileMap deployment into dir, checking
// that each has the declared md5. A file that was not uploaded is taken from
// the app's live deployments when one of them has that md5.
func (r *Runner) stageFiles(ctx context.Context, j *pier.Job, owner int64, dir string) ([]archive.File, error) {
	files := make([]archive.File, 0, len(j.FileMap))
	var known map[string]pier.File
	for name, want := range j.FileMap {
		rel := strings.TrimLeft(name, "/")
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return nil, err
		}
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, fmt.Errorf("stage %s: %w", rel, err)
		}
		h := md5.New()
		key := pier.UploadKey(j.AccountID, j.AppID, j.BranchName, owner, "files/"+rel)
		if _, serr := r.cfg.Blobs.Stat(ctx, key); pier.ErrorCode(serr) == pier.ENOTFOUND {
			if known == nil {
				if known, err = pier.KnownFiles(ctx, r.cfg.Store, j.AccountID, j.AppID); err != nil {
					out.Close()
					return nil, err
				}
			}
			if f, ok := known[strings.ToLower(want)]; ok {
				key = pier.ContentKey(f.SHA256)
			}
		}
		err = r.copyBlob(ctx, key, io.MultiWriter(out, h), fmt.Sprintf("file %q was not uploaded", name))
		size, _ := out.Seek(0, io.SeekCurrent)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, want) {
			return nil, pier.Errorf(pier.EINVALID, "File %q has md5 %s, but the fileMap declared %s.", name, got, strings.ToLower(want))
		}
		files = append(files, archive.File{Path: rel, Size: size})
	}
	sort.Slice(files, func(a, b int) bool { return files[a].Path < files[b].Path })
	return files, nil
}

// extractFrom writes a zip with fetch into a temporary file and extracts it
// safely into dir.
func (r *Runner) extractFrom(ctx context.Context, dir string, log *logWriter, fetch func(io.Writer) error) ([]archive.File, error) {
	tmp, err := os.CreateTemp(r.cfg.TempDir, "source-*.zip")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	lw := &limitWriter{w: tmp, left: r.cfg.Limits.MaxBytes}
	err = fetch(lw)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	log.Printf("Fetched the zip: %s", formatBytes(r.cfg.Limits.MaxBytes-lw.left))
	return archive.ExtractZip(ctx, tmp.Name(), dir, r.cfg.Limits)
}

// copyBlob copies a blob to w; a missing blob is EINVALID with missing as
// the reason.
func (r *Runner) copyBlob(ctx context.Context, key string, w io.Writer, missing string) error {
	rc, _, err := r.cfg.Blobs.Open(ctx, key)
	if pier.ErrorCode(err) == pier.ENOTFOUND {
		return pier.Errorf(pier.EINVALID, "The deployment cannot start: %s.", missing)
	} else if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(w, rc)
	return err
}

// download fetches an http(s) URL into w.
func (r *Runner) download(ctx context.Context, rawURL string, w io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return pier.Errorf(pier.EINVALID, "Invalid sourceUrl: %v", err)
	}
	resp, err := r.cfg.HTTPClient.Do(req)
	if err != nil {
		return pier.Errorf(pier.EINVALID, "Could not download the sourceUrl: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return pier.Errorf(pier.EINVALID, "Could not download the sourceUrl: HTTP %s.", resp.Status)
	}
	_, err = io.Copy(w, resp.Body)
	return err
}

// stageBucketPrefix downloads every object under s3://bucket/prefix into dir,
// keyed by its path below the prefix.
func (r *Runner) stageBucketPrefix(ctx context.Context, sourceURL, dir string) ([]archive.File, error) {
	bucket, prefix, err := r.bucketOf(sourceURL)
	if err != nil {
		return nil, err
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	var files []archive.File
	var total int64
	err = r.cfg.Buckets.List(ctx, bucket, prefix, func(key string, size int64) error {
		rel := strings.TrimPrefix(key, prefix)
		if strings.HasSuffix(rel, "/") { // a "folder" marker object
			return nil
		}
		if !pier.ValidBlobKey(rel) {
			return pier.Errorf(pier.EINVALID, "Object %q has a path that cannot be served.", key)
		}
		if total += size; len(files) >= r.cfg.Limits.MaxEntries || total > r.cfg.Limits.MaxBytes {
			return pier.Errorf(pier.EINVALID, "The bucket prefix holds more than %d files or %s.", r.cfg.Limits.MaxEntries, formatBytes(r.cfg.Limits.MaxBytes))
		}
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return pier.Errorf(pier.EINVALID, "Object %q clashes with another object: %v", key, err)
		}
		err = r.cfg.Buckets.Download(ctx, bucket, key, out)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		files = append(files, archive.File{Path: rel, Size: size})
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, pier.Errorf(pier.EINVALID, "No objects under %s.", sourceURL)
	}
	return files, nil
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

// limitWriter fails once more than left bytes are written.
type limitWriter struct {
	w    io.Writer
	left int64
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.left {
		return 0, pier.Errorf(pier.EINVALID, "The source is larger than the limit.")
	}
	l.left -= int64(len(p))
	return l.w.Write(p)
}

// formatBytes renders a byte count for logs.
func formatBytes(n int64) string {
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
