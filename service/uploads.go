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
	if err := s.VerifyURL(http.MethodPut, escapedPath, query); err != nil {
		return err
	}
	segs, err := unescapeSegments(escapedPath)
	if err != nil || len(segs) < 7 || segs[0] != "_pier" || segs[1] != "uploads" {
		return pier.Errorf(pier.ENOTFOUND, "No upload at this URL.")
	}
	account, appID, branch, jobID, kind := segs[2], segs[3], segs[4], parseJobID(segs[5]), segs[6]
	j, err := s.store.GetJob(ctx, account, appID, branch, jobID)
	if err != nil {
		return err
	}
	if j.Status != pier.JobCreated {
		return pier.Errorf(pier.EINVALID, "Deployment %s was already started; uploads are closed.", j.IDString())
	}
	body = io.LimitReader(body, MaxUploadBytes+1)
	switch {
	case kind == "zip" && len(segs) == 7:
		return s.putUpload(ctx, pier.UploadKey(account, appID, branch, j.ID, "zip"), body, "")
	case kind == "files" && len(segs) == 8:
		want, ok := j.FileMap[segs[7]]
		if !ok {
			return pier.Errorf(pier.ENOTFOUND, "File %q is not in the deployment's fileMap.", truncate(segs[7], 100))
		}
		return s.putUpload(ctx, pier.UploadKey(account, appID, branch, j.ID, "files/"+cleanFilePath(segs[7])), body, want)
	}
	return pier.Errorf(pier.ENOTFOUND, "No upload at this URL.")
}

// HasUpload answers a HEAD of an upload URL: whether Pier already has the
// content — it was uploaded, or (for a file) one of the app's live
// deployments has a file with the declared md5 — so the upload can be
// skipped. The URL's PUT signature authorizes the question.
func (s *Service) HasUpload(ctx context.Context, escapedPath string, query url.Values) (bool, error) {
	if err := s.VerifyURL(http.MethodPut, escapedPath, query); err != nil {
		return false, err
	}
	segs, err := unescapeSegments(escapedPath)
	if err != nil || len(segs) < 7 || segs[0] != "_pier" || segs[1] != "uploads" {
		return false, pier.Errorf(pier.ENOTFOUND, "No upload at this URL.")
	}
	account, appID, branch, jobID := segs[2], segs[3], segs[4], parseJobID(segs[5])
	j, err := s.store.GetJob(ctx, account, appID, branch, jobID)
	if err != nil {
		return false, err
	}
	name := segs[6]
	if name == "files" && len(segs) == 8 {
		name = "files/" + cleanFilePath(segs[7])
	}
	if _, err := s.blobs.Stat(ctx, pier.UploadKey(account, appID, branch, j.ID, name)); err == nil {
		return true, nil
	} else if pier.ErrorCode(err) != pier.ENOTFOUND {
		return false, err
	}
	want, ok := j.FileMap[segs[len(segs)-1]]
	if !ok || len(segs) != 8 {
		return false, nil
	}
	known, err := pier.KnownFiles(ctx, s.store, account, appID)
	if err != nil {
		return false, err
	}
	_, ok = known[strings.ToLower(want)]
	return ok, nil
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
	if sy, ok := s.blobs.(interface{ Sync(context.Context) error }); ok {
		return sy.Sync(ctx) // the client may start the deployment as soon as we answer
	}
	return nil
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
