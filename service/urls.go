package service

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
)

// UploadURLLifetime is how long CreateDeployment's upload URLs stay valid,
// and how long a created deployment may wait for StartDeployment.
const UploadURLLifetime = 8 * time.Hour

// BlobURLLifetime is how long a signed URL to a log or artifact stays valid.
const BlobURLLifetime = time.Hour

// Query parameters of signed URLs.
const (
	urlExpiresParam   = "X-Pier-Expires"
	urlSignatureParam = "X-Pier-Signature"
)

// signedURL returns an absolute URL under the public URL that authorizes
// method on path until now+ttl. segments are escaped and joined into the path.
func (s *Service) signedURL(method string, ttl time.Duration, segments ...string) string {
	esc := make([]string, len(segments))
	for i, seg := range segments {
		esc[i] = url.PathEscape(seg)
	}
	path := "/" + strings.Join(esc, "/")
	exp := strconv.FormatInt(s.now().Add(ttl).Unix(), 10)
	q := url.Values{urlExpiresParam: {exp}, urlSignatureParam: {s.urls.sum(method, path, exp)}}
	return s.cfg.PublicURL + path + "?" + q.Encode()
}

// VerifyURL checks a signed URL presented with method: escapedPath is the
// request's path as sent, query its query. It returns EUNAUTHORIZED when the
// signature is wrong or has expired.
func (s *Service) VerifyURL(method, escapedPath string, query url.Values) error {
	exp := query.Get(urlExpiresParam)
	if !s.urls.valid(query.Get(urlSignatureParam), method, escapedPath, exp) {
		return pier.Errorf(pier.EUNAUTHORIZED, "The URL signature is not valid for this request.")
	}
	t, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || s.cfg.Now().Unix() > t {
		return pier.Errorf(pier.EUNAUTHORIZED, "The URL has expired.")
	}
	return nil
}
