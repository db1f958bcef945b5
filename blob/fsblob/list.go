package fsblob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/pier-hosting/pier"
)

// List calls fn for every regular file whose key starts with prefix,
// skipping symbolic links and the temporary files of Puts. It walks only
// the directory that holds prefix's last segment. A prefix that no valid
// key starts with is EINVALID.
func (s *Store) List(ctx context.Context, prefix string, fn func(key string, info pier.BlobInfo) error) error {
	if !validPrefix(prefix) {
		return pier.Errorf(pier.EINVALID, "Invalid blob key prefix %q.", prefix)
	}
	start := "."
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		start = prefix[:i]
	}
	// The names of an fs.FS are slash-separated keys.
	err := fs.WalkDir(s.root.FS(), start, func(key string, d fs.DirEntry, err error) error {
		switch {
		case err != nil && key == start && isNotExist(err):
			return fs.SkipAll
		case err != nil:
			return err
		case ctx.Err() != nil:
			return ctx.Err()
		case d.IsDir():
			if key != start && (key == tmpDir || !strings.HasPrefix(key+"/", prefix)) {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasPrefix(key, prefix) {
			return nil
		}
		fi, err := d.Info()
		if isNotExist(err) {
			return nil
		} else if err != nil {
			return err
		}
		if err := fn(key, info(fi)); err != nil {
			return fnError{err}
		}
		return nil
	})
	if fe, ok := errors.AsType[fnError](err); ok {
		return fe.err
	} else if err != nil {
		return fmt.Errorf("list blobs %q: %w", prefix, err)
	}
	return nil
}

// validPrefix reports whether some valid key outside tmpDir starts with
// prefix.
func validPrefix(prefix string) bool {
	return (pier.ValidBlobKey(prefix) || pier.ValidBlobKey(prefix+"x")) && !inTmp(prefix)
}

// fnError carries the error of List's callback through fs.WalkDir, which
// would otherwise take fs.SkipDir or fs.SkipAll from fn as instructions.
type fnError struct{ err error }

func (e fnError) Error() string { return e.err.Error() }
