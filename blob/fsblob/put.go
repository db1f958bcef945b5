package fsblob

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pier-hosting/pier"
)

// Put writes r to a temporary file and renames it to the file of key,
// creating its parent directories, so readers see all of the blob or none of
// it. Put does not sync: call Sync before recording blobs elsewhere (one
// filesystem sync for a whole deployment costs what one fsync per file
// would cost per file). Put fails with
// ECONFLICT if a leading part of the key's path is a blob, or if the key's
// path is a directory, and with EINVALID if a segment of the key is longer
// than the file system allows (255 bytes on most).
func (s *Store) Put(ctx context.Context, key string, r io.Reader) error {
	name, err := fileName(key)
	if err != nil {
		return err
	}
	tmp := filepath.Join(tmpDir, rand.Text())
	if err := s.writeTemp(ctx, tmp, r); err != nil {
		s.root.Remove(tmp)
		return fmt.Errorf("put blob %q: %w", key, err)
	}
	dir := filepath.Dir(name)
	err = s.root.MkdirAll(dir, 0o700)
	if err == nil {
		err = s.root.Rename(tmp, name)
	}
	if err != nil {
		s.root.Remove(tmp)
		if conflict(err) {
			return pier.Errorf(pier.ECONFLICT, "Blob %q conflicts with the path of another blob.", key)
		} else if errors.Is(err, syscall.ENAMETOOLONG) {
			return pier.Errorf(pier.EINVALID, "Blob key %q has a segment too long for the file system.", key)
		}
		return fmt.Errorf("put blob %q: %w", key, err)
	}
	return nil
}

// Sync makes every blob Put so far durable, with one syncfs(2) of the
// filesystem that holds the directory.
func (s *Store) Sync(ctx context.Context) error {
	d, err := s.root.Open(".")
	if err != nil {
		return fmt.Errorf("sync blobs: %w", err)
	}
	defer d.Close()
	if err := unix.Syncfs(int(d.Fd())); err != nil {
		return fmt.Errorf("sync blobs: %w", err)
	}
	return nil
}

// conflict reports whether err, from MkdirAll or Rename, says that a file
// is where a directory must be or the other way round.
func conflict(err error) bool {
	return errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EISDIR)
}

// writeTemp writes r to the new file tmp.
func (s *Store) writeTemp(ctx context.Context, tmp string, r io.Reader) error {
	f, err := s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, ctxReader{ctx, r})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// removeStaleTemp removes the temporary files of Puts that have not finished
// within an hour: crashes left them behind.
func (s *Store) removeStaleTemp() error {
	entries, err := fs.ReadDir(s.root.FS(), tmpDir)
	if err != nil {
		return fmt.Errorf("read temporary blobs: %w", err)
	}
	cutoff := time.Now().Add(-time.Hour)
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || !fi.ModTime().Before(cutoff) {
			continue
		}
		if err := s.root.Remove(filepath.Join(tmpDir, e.Name())); err != nil && !isNotExist(err) {
			return fmt.Errorf("remove temporary blob: %w", err)
		}
	}
	return nil
}

// ctxReader reads from r until ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
