package awsapi

import (
	"net/http"
	"strings"

	"github.com/pier-hosting/pier"
)

// signedPrefix starts the paths of Pier's own URLs: signed uploads, logs and
// artifacts, which carry their authorization in the URL instead of SigV4,
// and /_pier/info, which tells clients such as "pier deploy" where the edge
// listens.
const signedPrefix = "/_pier/"

// serveSigned serves a signed URL: PUT to an upload URL, GET of a blob URL.
// Errors are plain JSON {"message": …} with the status of their code.
func (s *Server) serveSigned(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	var err error
	switch {
	case r.Method == http.MethodGet && path == signedPrefix+"info":
		_ = writeJSON(w, http.StatusOK, map[string]string{"edgeUrl": s.EdgeURL})
		return
	case r.Method == http.MethodPut && strings.HasPrefix(path, signedPrefix+"uploads/"):
		if err = s.svc.Upload(r.Context(), path, r.URL.Query(), r.Body); err == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
	case r.Method == http.MethodHead && strings.HasPrefix(path, signedPrefix+"uploads/"):
		var have bool
		if have, err = s.svc.HasUpload(r.Context(), path, r.URL.Query()); err == nil {
			if have {
				w.WriteHeader(http.StatusOK)
			} else {
				w.WriteHeader(http.StatusNotFound)
			}
			return
		}
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && strings.HasPrefix(path, signedPrefix+"blobs/"):
		rc, info, oerr := s.svc.OpenSignedBlob(r.Context(), path, r.URL.Query())
		if err = oerr; err == nil {
			defer rc.Close()
			w.Header().Set("Content-Type", blobContentType(path))
			http.ServeContent(w, r, "", info.ModTime, rc)
			return
		}
	default:
		err = pier.Errorf(pier.ENOTFOUND, "No signed resource at %s %s.", r.Method, path)
	}
	shape := errorTable[pier.ErrorCode(err)]
	if pier.ErrorCode(err) == pier.EUNAUTHORIZED {
		shape.Status = http.StatusForbidden // a bad or expired URL, like S3's presigned URLs
	}
	if pier.ErrorCode(err) == pier.EINTERNAL {
		s.log.Error("signed url failed", "method", r.Method, "path", path, "err", err)
	}
	_ = writeJSON(w, shape.Status, shape.body(pier.ErrorMessage(err)))
}

// blobURL returns the signed URL of a blob (a step's log or artifacts), ""
// when there is none.
func (s *Server) blobURL(key string) string {
	if key == "" {
		return ""
	}
	return s.svc.BlobURL(key)
}

// blobContentType is the Content-Type of a signed blob: CSV for the access
// logs of GenerateAccessLogs, text for logs and everything else.
func blobContentType(path string) string {
	if strings.HasSuffix(path, ".csv") {
		return "text/csv; charset=utf-8"
	}
	return "text/plain; charset=utf-8"
}
