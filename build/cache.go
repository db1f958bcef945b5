package build

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/pier-hosting/pier"
)

// maxCacheBytes is the largest cache saved, Amplify's limit.
const maxCacheBytes = 5 << 30

// cacheStats describes a saved or restored cache.
type cacheStats struct {
	files int
	bytes int64
}

// saveCache stores the files and symbolic links at paths (relative to src)
// as a gzipped tar under key. Links are stored as links, never followed.
func saveCache(ctx context.Context, blobs pier.BlobStore, key, src string, paths []string) (cacheStats, error) {
	root, err := os.OpenRoot(src)
	if err != nil {
		return cacheStats{}, err
	}
	defer root.Close()
	pr, pw := io.Pipe()
	var st cacheStats
	go func() {
		gz, _ := gzip.NewWriterLevel(pw, gzip.BestSpeed)
		tw := tar.NewWriter(gz)
		err := writeCache(root, tw, paths, &st)
		if err == nil {
			err = tw.Close()
		}
		if err == nil {
			err = gz.Close()
		}
		pw.CloseWithError(err)
	}()
	err = blobs.Put(ctx, key, pr)
	pr.CloseWithError(err) // unblocks the writer when Put gave up early
	return st, err
}

func writeCache(root *os.Root, tw *tar.Writer, paths []string, st *cacheStats) error {
	for _, p := range paths {
		fi, err := root.Lstat(p)
		if err != nil {
			continue // vanished, or unreadable: not worth failing a build
		}
		hdr := &tar.Header{Name: p, Mode: int64(fi.Mode().Perm()), ModTime: fi.ModTime()}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := root.Readlink(p)
			if err != nil {
				continue
			}
			hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, target
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
		case fi.Mode().IsRegular():
			if st.bytes += fi.Size(); st.bytes > maxCacheBytes {
				return pier.Errorf(pier.EINVALID, "The cache is larger than 5 GiB.")
			}
			f, err := root.Open(p)
			if err != nil {
				continue
			}
			hdr.Typeflag, hdr.Size = tar.TypeReg, fi.Size()
			if err := tw.WriteHeader(hdr); err != nil {
				f.Close()
				return err
			}
			_, err = io.CopyN(tw, f, fi.Size())
			f.Close()
			if err != nil {
				return fmt.Errorf("cache %s: %w", p, err)
			}
		default:
			continue
		}
		st.files++
	}
	return nil
}

// restoreCache extracts the cache stored under key into src; a missing
// cache restores nothing. Entries are written inside src only: a path or
// a link that would lead out of it is skipped.
func restoreCache(ctx context.Context, blobs pier.BlobStore, key, src string) (cacheStats, error) {
	rc, _, err := blobs.Open(ctx, key)
	if pier.ErrorCode(err) == pier.ENOTFOUND {
		return cacheStats{}, nil
	} else if err != nil {
		return cacheStats{}, err
	}
	defer rc.Close()
	gz, err := gzip.NewReader(rc)
	if err != nil {
		return cacheStats{}, fmt.Errorf("read cache: %w", err)
	}
	root, err := os.OpenRoot(src)
	if err != nil {
		return cacheStats{}, err
	}
	defer root.Close()
	var st cacheStats
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return st, nil
		} else if err != nil {
			return st, fmt.Errorf("read cache: %w", err)
		}
		name := hdr.Name
		if !fs.ValidPath(name) || name == "." {
			continue
		}
		if err := root.MkdirAll(path.Dir(name), 0o755); err != nil {
			continue
		}
		switch hdr.Typeflag {
		case tar.TypeSymlink:
			if !linkInside(name, hdr.Linkname) {
				continue
			}
			_ = root.Remove(name)
			if root.Symlink(hdr.Linkname, name) == nil {
				st.files++
			}
		case tar.TypeReg:
			f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fs.FileMode(hdr.Mode).Perm()|0o600)
			if err != nil {
				continue // the checkout has something else there
			}
			n, err := io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return st, fmt.Errorf("restore %s: %w", name, err)
			}
			st.files++
			st.bytes += n
		}
	}
}

// linkInside reports whether a relative symbolic link at name pointing at
// target stays inside the tree name belongs to.
func linkInside(name, target string) bool {
	if target == "" || path.IsAbs(target) {
		return false
	}
	joined := path.Join(path.Dir(name), target)
	return joined != ".." && !strings.HasPrefix(joined, "../")
}
