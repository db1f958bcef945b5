package edge

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
)

// serveFile answers r with the file of outcome o from deployment d of
// branch b, with the custom headers custom.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, b *branchSite, d *deployment, o outcome, custom []field) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writePage(w, http.StatusMethodNotAllowed)
		return
	}
	s.sendFile(w, r, b, d, o.path, o.file.file, o.status, custom)
}

// Header values shared by every response. Code that changes response
// headers replaces values (Header.Set) and never modifies them in place.
var (
	acceptRanges = []string{"bytes"}
	varyEncoding = []string{"Accept-Encoding"}
)

// sendFile sends file f (at manifest path name) of deployment d. The body is
// the variant Accept-Encoding picks; ETag names that variant, so each
// encoding validates separately. http.ServeContent answers conditional and
// range requests; a plain GET or HEAD of a file held in memory is written
// directly, with the headers ServeContent would send, because that is the
// hot path.
//
// A status other than 200 (a 404 rule's page) sends the whole body with that
// status, without conditional or range handling.
func (s *Server) sendFile(w http.ResponseWriter, r *http.Request, b *branchSite, d *deployment, name string, f pier.File, status int, custom []field) {
	v := pick(f, header(r.Header, "Accept-Encoding"))
	rep, blob, err := s.representation(r.Context(), v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if blob != nil {
		defer blob.Close()
	}
	if status == http.StatusOK && preconditionFailed(r, rep.etag[0], d.CreateTime) {
		writePage(w, http.StatusPreconditionFailed)
		return
	}

	h := w.Header()
	h["Content-Type"] = []string{contentType(name, f)}
	h["Cache-Control"] = b.cacheControl
	h["Etag"] = rep.etag
	if f.Gzip != nil || f.Brotli != nil {
		h["Vary"] = varyEncoding
	}
	if v.encoding != nil {
		// ServeContent leaves Content-Length out when Content-Encoding is
		// set (it guards against writers that compress on the fly), but a
		// stored variant's length is known. Every response ServeContent
		// makes without the full body deletes or replaces it: 206 and 416
		// replace, 304 deletes, and 412 was answered above.
		h["Content-Encoding"] = v.encoding
		h["Content-Length"] = rep.length
	}
	setFields(w, custom)
	if status != http.StatusOK || (blob == nil && plain(r)) {
		if d.lastModified != nil {
			h["Last-Modified"] = d.lastModified
		}
		h["Content-Length"] = rep.length
		if status != http.StatusOK {
			delete(h, "Etag") // a 404 page is not the file's representation
			w.WriteHeader(status)
			if r.Method != http.MethodHead {
				s.writeBody(w, rep, blob)
			}
			return
		}
		h["Accept-Ranges"] = acceptRanges
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(rep.data)
		}
		return
	}
	var content io.ReadSeeker = blob
	if blob == nil {
		content = bytes.NewReader(rep.data)
	}
	http.ServeContent(w, r, name, d.CreateTime, content)
}

// writeBody writes a representation's body: from memory, or copied from its
// open blob.
func (s *Server) writeBody(w http.ResponseWriter, rep *representation, blob io.Reader) {
	if blob == nil {
		_, _ = w.Write(rep.data)
		return
	}
	_, _ = io.Copy(w, blob)
}

// plain reports whether r asks for the whole body unconditionally (If-Match
// and If-Unmodified-Since, already checked, cannot change that).
func plain(r *http.Request) bool {
	h := r.Header
	return len(h["Range"]) == 0 && len(h["If-None-Match"]) == 0 && len(h["If-Modified-Since"]) == 0
}

// header returns the first value of a request header by its canonical key.
// It saves Header.Get's canonicalization of the key on every call: the keys
// of a request net/http parsed are canonical already.
func header(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// representation is one variant of a file, ready to send.
type representation struct {
	etag   []string // the ETag header: the variant's sha256, quoted
	length []string // the Content-Length header of the whole body
	data   []byte   // the body, when held in memory
}

// newRepresentation returns the representation of variant v, size bytes long.
func newRepresentation(v variant, size int64) *representation {
	return &representation{etag: []string{`"` + v.SHA256 + `"`}, length: []string{strconv.FormatInt(size, 10)}}
}

// representation returns variant v. A small variant (and any packed one:
// deployments pack only small files) is held in memory; a large one comes
// with its blob open (the caller closes it), straight from the blob store,
// which for a local store is an *os.File that ServeContent's copy hands to
// sendfile.
func (s *Server) representation(ctx context.Context, v variant) (*representation, io.ReadSeekCloser, error) {
	if v.Size <= s.smallFileBytes || v.Pack != "" {
		rep, err := s.bodies.get(ctx, v.SHA256, v.Size, func(ctx context.Context) (*representation, error) {
			return s.readBlob(ctx, v)
		})
		return rep, nil, err
	}
	blob, info, err := s.blobs.Open(ctx, v.Key())
	if err != nil {
		return nil, nil, fmt.Errorf("open blob %s: %w", v.SHA256, err)
	}
	return newRepresentation(v, info.Size), blob, nil
}

// readBlob reads variant v whole, checking its size against the manifest
// (a blob of its own must be exactly that long; a pack at least).
func (s *Server) readBlob(ctx context.Context, v variant) (*representation, error) {
	var blob io.ReadCloser
	var err error
	extra := int64(0)
	if v.Pack != "" {
		blob, err = pier.OpenBody(ctx, s.blobs, v.Body)
	} else {
		blob, _, err = s.blobs.Open(ctx, v.Key())
		extra = 1 // one byte more to notice a longer blob
	}
	if err != nil {
		return nil, fmt.Errorf("open blob %s: %w", v.SHA256, err)
	}
	defer blob.Close()
	buf := make([]byte, v.Size+extra)
	n, err := io.ReadFull(blob, buf)
	if extra == 1 && err == nil {
		err = fmt.Errorf("longer than %d bytes", v.Size)
	} else if err == io.ErrUnexpectedEOF && int64(n) == v.Size {
		err = nil
	}
	if err != nil || int64(n) != v.Size {
		return nil, fmt.Errorf("read blob %s: %d bytes, want %d: %v", v.SHA256, n, v.Size, err)
	}
	buf = buf[:n]
	rep := newRepresentation(v, v.Size)
	rep.data = buf
	return rep, nil
}

// preconditionFailed reports whether r's If-Match, or else its
// If-Unmodified-Since, fails for a representation with etag (strong) and
// modtime (RFC 9110 §13.2.2, as http.ServeContent evaluates them). The edge
// answers these itself so that ServeContent never writes a 412 carrying a
// variant's Content-Encoding and Content-Length.
func preconditionFailed(r *http.Request, etag string, modtime time.Time) bool {
	if im := header(r.Header, "If-Match"); im != "" {
		for rest := im; rest != ""; {
			var tag string
			tag, rest, _ = strings.Cut(rest, ",")
			if tag = strings.TrimSpace(tag); tag == "*" || tag == etag {
				return false
			}
		}
		return true
	}
	ius := header(r.Header, "If-Unmodified-Since")
	if ius == "" || noTime(modtime) {
		return false
	}
	t, err := http.ParseTime(ius)
	return err == nil && modtime.Truncate(time.Second).After(t)
}

// contentType is the Content-Type of file f at path name: the manifest's,
// else one guessed from the extension. The edge never sniffs content.
func contentType(name string, f pier.File) string {
	if f.ContentType != "" {
		return f.ContentType
	} else if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}
