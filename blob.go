package pier

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// BlobStore keeps file bodies, logs and uploads by key. Keys are relative
// slash-separated paths without "." or ".." segments. Every method is safe
// for concurrent use.
type BlobStore interface {
	// Put stores the content of r under key. The blob appears atomically:
	// readers see all of it or none of it. Putting an existing key replaces it.
	Put(ctx context.Context, key string, r io.Reader) error
	// Open returns the blob for reading; ENOTFOUND if there is none. Local
	// stores return an *os.File so servers can hand it to sendfile.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, BlobInfo, error)
	// Stat returns the size and modification time of a blob; ENOTFOUND if
	// there is none.
	Stat(ctx context.Context, key string) (BlobInfo, error)
	// Delete removes a blob; deleting a missing blob is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn for every blob whose key starts with prefix, in no
	// particular order, stopping at the first error fn returns. A prefix no
	// valid key can start with ("/", "../", "a//") is EINVALID.
	List(ctx context.Context, prefix string, fn func(key string, info BlobInfo) error) error
}

// Syncer is implemented by blob stores that defer durability to one call:
// the local store syncs its filesystem once instead of fsyncing every blob.
// Callers sync before recording blobs elsewhere (a published deployment, an
// acknowledged upload).
type Syncer interface {
	Sync(ctx context.Context) error
}

// SyncBlobs makes the blobs stored so far durable, if the store defers that.
func SyncBlobs(ctx context.Context, blobs BlobStore) error {
	if s, ok := blobs.(Syncer); ok {
		return s.Sync(ctx)
	}
	return nil
}

// BlobInfo describes a stored blob.
type BlobInfo struct {
	Size    int64
	ModTime time.Time
}

// ContentKey returns the key of a file body by its sha256 (hex):
// sha256/ab/cdef….
func ContentKey(sha256Hex string) string {
	return "sha256/" + sha256Hex[:2] + "/" + sha256Hex[2:]
}

// ValidBlobKey reports whether key is a relative slash-separated path with
// no empty, "." or ".." segment and no backslash or NUL.
func ValidBlobKey(key string) bool {
	if key == "" || len(key) > 1024 {
		return false
	}
	start := 0
	for i := 0; i <= len(key); i++ {
		if i < len(key) && key[i] != '/' {
			if key[i] == '\\' || key[i] == 0 {
				return false
			}
			continue
		}
		seg := key[start:i]
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		start = i + 1
	}
	return true
}

// UploadKey returns the blob key of an upload to a created deployment: name
// is "zip" or "files/" + the file's path.
func UploadKey(account, appID, branch string, jobID int64, name string) string {
	return jobKey("uploads", account, appID, branch, jobID) + "/" + name
}

// LogKey returns the blob key of the log of one step of a job.
func LogKey(account, appID, branch string, jobID int64, step string) string {
	return jobKey("logs", account, appID, branch, jobID) + "/" + step + ".log"
}

// ArtifactKey returns the blob key of a file a job produced (a test
// artifact, say); name is a relative slash-separated path.
func ArtifactKey(account, appID, branch string, jobID int64, name string) string {
	return jobKey("artifacts", account, appID, branch, jobID) + "/" + name
}

// BuildCacheKey returns the blob key of a branch's build cache, or of
// another per-branch build record when name is not "cache".
func BuildCacheKey(account, appID, branch, name string) string {
	return "build-cache/" + account + "/" + appID + "/" + branchSegment(branch) + "/" + name
}

// GitHeadsKey returns the blob key of the branch heads of an app's
// repository as last polled (a JSON object of branch name to commit id).
func GitHeadsKey(account, appID string) string {
	return "git-heads/" + account + "/" + appID + ".json"
}

// jobKey is the key prefix of a job's blobs under kind.
func jobKey(kind, account, appID, branch string, jobID int64) string {
	return kind + "/" + account + "/" + appID + "/" + branchSegment(branch) + "/" + strconv.FormatInt(jobID, 10)
}

// branchSegment escapes a branch name into one key segment — it may
// contain "/", or be "." or ".." — hashed when the escaped form is too long
// for a file name.
func branchSegment(branch string) string {
	seg := url.PathEscape(branch)
	if seg == "." || seg == ".." {
		seg = strings.ReplaceAll(seg, ".", "%2E")
	}
	if len(seg) > 128 {
		sum := sha256.Sum256([]byte(branch))
		seg = "sha256-" + hex.EncodeToString(sum[:])
	}
	return seg
}
