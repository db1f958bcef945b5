package pier

import (
	"context"
	"io"
	"strings"
	"time"
)

// Deployment is an immutable manifest of a site: request path → file. File
// bodies are content-addressed blobs shared by every deployment that has
// them. A branch serves exactly one deployment at a time.
type Deployment struct {
	ID         string
	AccountID  string
	AppID      string
	BranchName string
	JobID      int64 // the job that produced it
	// Files maps request paths ("/index.html", "/assets/app.js") to files.
	Files      map[string]File
	CreateTime time.Time
}

// File is one file of a deployment.
type File struct {
	Body               // the file's bytes
	MD5         string // hex, as in CreateDeployment's fileMap
	ContentType string
	// Gzip and Brotli are precompressed variants of text files, made once
	// at publish time; nil when the file is not compressible or did not
	// shrink.
	Gzip   *Body `json:",omitempty"`
	Brotli *Body `json:",omitempty"`
}

// Body locates some bytes by their sha256: either the whole blob
// ContentKey(SHA256), or, when Pack is set, Size bytes at Offset in the pack
// blob Pack. Deployments pack their small files into one blob because
// creating a file costs far more than writing its bytes on many disks.
type Body struct {
	SHA256 string // hex
	Size   int64
	Pack   string `json:",omitempty"`
	Offset int64  `json:",omitempty"`
}

// Key returns the key of the blob that holds the body.
func (b Body) Key() string {
	if b.Pack != "" {
		return b.Pack
	}
	return ContentKey(b.SHA256)
}

// OpenBody returns a reader of exactly the bytes of b.
func OpenBody(ctx context.Context, blobs BlobStore, b Body) (io.ReadCloser, error) {
	rc, _, err := blobs.Open(ctx, b.Key())
	if err != nil {
		return nil, err
	}
	if b.Offset > 0 {
		if _, err := rc.Seek(b.Offset, io.SeekStart); err != nil {
			rc.Close()
			return nil, err
		}
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(rc, b.Size), rc}, nil
}

// FileMapPath turns a key of CreateDeployment's fileMap into the relative
// path of the file in the site: "/index.html" and "index.html" are the same
// file.
func FileMapPath(key string) string {
	return strings.TrimLeft(key, "/")
}

// DeploymentStore keeps deployments and publishes them.
type DeploymentStore interface {
	// CreateDeployment stores a deployment; ENOTFOUND if its branch does
	// not exist, ECONFLICT if the id is taken.
	CreateDeployment(ctx context.Context, d *Deployment) error
	// GetDeployment returns a deployment by id; ENOTFOUND if there is none.
	GetDeployment(ctx context.Context, id string) (*Deployment, error)
	// PublishDeployment makes deployment id the live site of job j's branch
	// and stores j, in one transaction: the branch's DeploymentID and
	// ActiveJobID change together with the job. It fails with ECONFLICT,
	// changing nothing, if j.Version is stale (the job was changed since it
	// was read, e.g. stopped).
	PublishDeployment(ctx context.Context, j *Job, id string) error
	// ListDeploymentIDs calls fn with the id of every stored deployment.
	ListDeploymentIDs(ctx context.Context, fn func(id string) error) error
	// DeleteDeployment removes a deployment that no branch serves; ECONFLICT
	// if a branch serves it, ENOTFOUND if there is none.
	DeleteDeployment(ctx context.Context, id string) error
}

// KnownFiles indexes by md5 the files of the deployments the app's branches
// serve: content a new fileMap deployment need not upload again.
func KnownFiles(ctx context.Context, s Store, accountID, appID string) (map[string]File, error) {
	known := map[string]File{}
	err := EachPage(50, func(p Page) ([]*Branch, string, error) {
		return s.ListBranches(ctx, accountID, appID, p)
	}, func(b *Branch) error {
		if b.DeploymentID == "" {
			return nil
		}
		d, err := s.GetDeployment(ctx, b.DeploymentID)
		if ErrorCode(err) == ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		for _, f := range d.Files {
			known[f.MD5] = f
		}
		return nil
	})
	return known, err
}
