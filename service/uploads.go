package service

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/pier-hosting/pier"
)

// MaxUploadBytes bounds one upload (Amplify's manual deploy limit is 5 GB).
const MaxUploadBytes = 5 << 30

// Upload stores the body of a PUT to one of CreateDeployment's signed
// upload URLs (escapedPath and query as sent). Uploads are accepted while
// the deployment waits for StartDeployment; a file upload must match the md5
// its fileMap declared, else nothing is kept.
func (s *Service) Upload(ctx context.Context, escapedPath string, query url.Values, body io.Reader) error {
	u, err := s.resolveUpload(ctx, escapedPath, query)
	if err != nil {
		return err
	}
	if u.job.Status != pier.JobCreated {
		return pier.Errorf(pier.EINVALID, "Deployment %s was already started; uploads are closed.", u.job.IDString())
	}
	return s.putUpload(ctx, u.key, io.LimitReader(body, MaxUploadBytes+1), u.md5)
}

// HasUpload answers a HEAD of an upload URL: whether Pier already has the
// content — it was uploaded, or (for a file) one of the app's live
// deployments has a file with the declared md5 — so the upload can be
// skipped. The URL's PUT signature authorizes the question.
func (s *Service) HasUpload(ctx context.Context, escapedPath string, query url.Values) (bool, error) {
	u, err := s.resolveUpload(ctx, escapedPath, query)
	if err != nil {
		return false, err
	}
	if _, err := s.blobs.Stat(ctx, u.key); err == nil {
		return true, nil
	} else if pier.ErrorCode(err) != pier.ENOTFOUND {
		return false, err
	}
	if u.md5 == "" { // the zip
		return false, nil
	}
	known, err := pier.KnownFiles(ctx, s.store, u.job.AccountID, u.job.AppID)
	if err != nil {
		return false, err
	}
	_, ok := known[strings.ToLower(u.md5)]
	return ok, nil
}

// upload is what a signed upload URL names.
type upload struct {
	job *pier.Job
	key string // the blob key of the upload
	md5 string // the md5 a file upload must have; "" for the zip
}

// resolveUpload checks an upload URL's PUT signature and finds the job and
// blob key it names: …/uploads/{account}/{app}/{branch}/{job}/zip or
// …/files/{fileMap key}.
func (s *Service) resolveUpload(ctx context.Context, escapedPath string, query url.Values) (*upload, error) {
	if err := s.VerifyURL(http.MethodPut, escapedPath, query); err != nil {
		return nil, err
	}
	notFound := pier.Errorf(pier.ENOTFOUND, "No upload at this URL.")
	segs, err := unescapeSegments(escapedPath)
	if err != nil || len(segs) < 7 || segs[0] != "_pier" || segs[1] != "uploads" {
		return nil, notFound
	}
	account, appID, branch := segs[2], segs[3], segs[4]
	j, err := s.store.GetJob(ctx, account, appID, branch, parseJobID(segs[5]))
	if err != nil {
		return nil, err
	}
	switch {
	case segs[6] == "zip" && len(segs) == 7:
		return &upload{job: j, key: pier.UploadKey(account, appID, branch, j.ID, "zip")}, nil
	case segs[6] == "files" && len(segs) == 8:
		want, ok := j.FileMap[segs[7]]
		if !ok {
			return nil, pier.Errorf(pier.ENOTFOUND, "File %q is not in the deployment's fileMap.", truncate(segs[7], 100))
		}
		return &upload{job: j, key: pier.UploadKey(account, appID, branch, j.ID, "files/"+pier.FileMapPath(segs[7])), md5: want}, nil
	}
	return nil, notFound
}

// putUpload stores body under key, checking its size and, when wantMD5 is
// set, its md5; a failed check deletes what was stored.
func (s *Service) putUpload(ctx context.Context, key string, body io.Reader, wantMD5 string) error {
	h := md5.New()
	n := &countingReader{r: io.TeeReader(body, h)}
	if err := s.blobs.Put(ctx, key, n); err != nil {
		return err
	}
	var reject error
	if n.n > MaxUploadBytes {
		reject = pier.Errorf(pier.ELIMIT, "The upload is larger than %d bytes.", int64(MaxUploadBytes))
	} else if got := hex.EncodeToString(h.Sum(nil)); wantMD5 != "" && !strings.EqualFold(got, wantMD5) {
		reject = pier.Errorf(pier.EINVALID, "BadDigest: the upload's md5 is %s but the fileMap declared %s.", got, strings.ToLower(wantMD5))
	}
	if reject != nil {
		return errors.Join(reject, s.blobs.Delete(ctx, key))
	}
	return pier.SyncBlobs(ctx, s.blobs) // the client may start the deployment as soon as we answer
}

// BlobURL returns a signed URL from which the blob under key can be read
// for ttl (step logs, artifacts).
func (s *Service) BlobURL(key string) string {
	return s.signedURL(http.MethodGet, BlobURLLifetime, append([]string{"_pier", "blobs"}, strings.Split(key, "/")...)...)
}

// OpenSignedBlob opens the blob a signed blob URL names.
func (s *Service) OpenSignedBlob(ctx context.Context, escapedPath string, query url.Values) (io.ReadSeekCloser, pier.BlobInfo, error) {
	if err := s.VerifyURL(http.MethodGet, escapedPath, query); err != nil {
		return nil, pier.BlobInfo{}, err
	}
	segs, err := unescapeSegments(escapedPath)
	if err != nil || len(segs) < 3 || segs[0] != "_pier" || segs[1] != "blobs" {
		return nil, pier.BlobInfo{}, pier.Errorf(pier.ENOTFOUND, "No blob at this URL.")
	}
	return s.blobs.Open(ctx, strings.Join(segs[2:], "/"))
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// unescapeSegments splits an escaped path into unescaped segments.
func unescapeSegments(escapedPath string) ([]string, error) {
	segs := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	for i, seg := range segs {
		v, err := url.PathUnescape(seg)
		if err != nil {
			return nil, err
		}
		segs[i] = v
	}
	return segs, nil
}
