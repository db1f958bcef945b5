// Package fsblob implements pier.BlobStore on a local directory.
//
// A blob is a regular file at its key's path below the directory. Put writes
// to a temporary file in the directory's ".tmp" folder, so on the same file
// system, syncs it and renames it into place: readers see the old file or
// the whole new one, never a partial one. A crash leaves at most a
// temporary file, which New removes once it is an hour old.
//
// Every file access goes through an os.Root, so that a symbolic link inside
// the directory cannot lead outside it, even if it is swapped in during a
// call: a key whose path leads out through a link fails with an internal
// error and touches nothing outside. Put and Delete act on a link at the
// key itself, not on its target; List skips links.
package fsblob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/pier-hosting/pier"
)

// tmpDir is the directory, below the store's, of the files Put is writing.
// Keys under it are rejected.
const tmpDir = ".tmp"

var (
	_ pier.BlobStore = (*Store)(nil)
	_ pier.Syncer    = (*Store)(nil)
)

// Store keeps blobs as files below a directory. It is safe for concurrent
// use, also by several Stores on the same directory.
type Store struct {
	dir  string
	root *os.Root
}

// New opens a Store on dir, creating dir (mode 0o700) if needed, and removes
// temporary files that interrupted Puts left more than an hour ago.
func New(dir string) (*Store, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("blob directory: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, tmpDir), 0o700); err != nil {
		return nil, fmt.Errorf("create blob directory: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open blob directory: %w", err)
	}
	s := &Store{dir: dir, root: root}
	if err := s.removeStaleTemp(); err != nil {
		root.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the directory. The Store must not be used afterwards;
// files returned by Open stay readable.
func (s *Store) Close() error {
	return s.root.Close()
}

// Path returns the absolute path of the file of key, whether or not it
// exists. The path is computed, not resolved: opening it follows symbolic
// links that Open refuses, so prefer Open unless nothing untrusted can
// write to the directory.
func (s *Store) Path(key string) (string, error) {
	name, err := fileName(key)
	if err != nil {
		return "", err
	}
	return filepath.Join(s.dir, name), nil
}

// Open returns the blob under key as an *os.File, which servers may hand to
// sendfile; ENOTFOUND if there is no such regular file.
func (s *Store) Open(ctx context.Context, key string) (io.ReadSeekCloser, pier.BlobInfo, error) {
	name, err := fileName(key)
	if err != nil {
		return nil, pier.BlobInfo{}, err
	}
	f, err := s.root.Open(name)
	if err != nil {
		return nil, pier.BlobInfo{}, notFound(key, err)
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, pier.BlobInfo{}, notFound(key, err)
	}
	return f, info(fi), nil
}

// Stat returns the size and modification time of the blob under key;
// ENOTFOUND if there is no such regular file.
func (s *Store) Stat(ctx context.Context, key string) (pier.BlobInfo, error) {
	name, err := fileName(key)
	if err != nil {
		return pier.BlobInfo{}, err
	}
	fi, err := s.root.Stat(name)
	if err != nil || !fi.Mode().IsRegular() {
		return pier.BlobInfo{}, notFound(key, err)
	}
	return info(fi), nil
}

// Delete removes the blob under key. A missing blob, or a directory where
// a blob would be, is not an error. Directories stay, empty or not.
func (s *Store) Delete(ctx context.Context, key string) error {
	name, err := fileName(key)
	if err != nil {
		return err
	}
	fi, err := s.root.Lstat(name)
	if isNotExist(err) || err == nil && fi.IsDir() {
		return nil
	} else if err != nil {
		return fmt.Errorf("delete blob %q: %w", key, err)
	}
	if err := s.root.Remove(name); err != nil && !isNotExist(err) {
		return fmt.Errorf("delete blob %q: %w", key, err)
	}
	return nil
}

// fileName returns the file name of key relative to the store's directory,
// or EINVALID. IsLocal repeats, for the file system, what ValidBlobKey
// checks on the key.
func fileName(key string) (string, error) {
	name := filepath.FromSlash(key)
	if !pier.ValidBlobKey(key) || !filepath.IsLocal(name) || inTmp(key) {
		return "", pier.Errorf(pier.EINVALID, "Invalid blob key %q.", key)
	}
	return name, nil
}

// inTmp reports whether key, or a key that starts with it, lies in tmpDir.
func inTmp(key string) bool {
	return key == tmpDir || strings.HasPrefix(key, tmpDir+"/")
}

// notFound returns ENOTFOUND if err says that there is no file, or if err is
// nil (the file is not a regular one), and err wrapped otherwise.
func notFound(key string, err error) error {
	if err == nil || isNotExist(err) {
		return pier.Errorf(pier.ENOTFOUND, "No blob %q.", key)
	}
	return fmt.Errorf("blob %q: %w", key, err)
}

// isNotExist reports whether err says that a file does not exist, including
// because a leading part of its path is a file or a name is too long for
// the file system to hold.
func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) ||
		errors.Is(err, syscall.ENAMETOOLONG)
}

func info(fi fs.FileInfo) pier.BlobInfo {
	return pier.BlobInfo{Size: fi.Size(), ModTime: fi.ModTime()}
}
