package archive

import (
	"archive/zip"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pier-hosting/pier"
)

// ExtractZip extracts the zip archive at zipPath into dir, which must exist
// and be empty, and returns the regular files it wrote, sorted by Path.
// Directory entries are allowed and create nothing by themselves.
//
// It refuses, with a *pier.Error of code pier.EINVALID whose message names
// the entry and the reason, an archive that is not a readable zip or has:
//   - an entry path that escapes dir: ".." segments after cleaning, absolute
//     paths, drive letters ("C:", "C:/x");
//   - a backslash (so also "C:\x" and UNC paths), a NUL byte or invalid
//     UTF-8 in a name, a path over 1024 bytes or a segment over 255;
//   - symbolic links, devices, named pipes and other non-regular entries;
//   - two entries with the same path after cleaning, or a path used both as
//     a file and as a directory ("a" and "a/b");
//   - encrypted entries or compression methods other than store and deflate;
//   - more than lim.MaxEntries entries, more than lim.MaxBytes in total, or a
//     ratio above lim.MaxRatio, by the declared sizes and by the bytes
//     actually decompressed;
//   - data that is corrupt, truncated, fails its CRC-32 or expands beyond
//     its declared size;
//   - no regular files at all.
//
// Headers are all checked before anything is written. On any refusal or
// error, including ctx being done, nothing it wrote remains in dir. Other
// failures (zipPath cannot be read, dir is not an empty directory, a write
// fails) are ordinary errors, and a done ctx yields ctx.Err(). Calls with
// distinct dirs may run concurrently.
func ExtractZip(ctx context.Context, zipPath, dir string, lim Limits) ([]File, error) {
	root, err := openEmpty(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	x := &extractor{root: root, made: make(map[string]bool), top: make(map[string]bool)}
	buf := make([]byte, 32<<10)
	var files []File
	err = WalkZip(ctx, zipPath, lim, func(p string, r io.Reader) error {
		n, err := x.write(p, r, buf)
		files = append(files, File{Path: p, Size: n})
		return err
	})
	if err != nil {
		if uerr := x.undo(); uerr != nil {
			err = errors.Join(err, uerr)
		}
		return nil, err
	}
	slices.SortFunc(files, func(a, b File) int { return cmp.Compare(a.Path, b.Path) })
	return files, nil
}

// WalkZip checks every header of the zip archive at zipPath exactly as
// ExtractZip does and then, only if all of them pass, calls fn for each
// regular file in archive order with its clean path and a reader of its
// content. The reader enforces the limits, the declared size and the CRC-32
// on the bytes it produces, failing with EINVALID like ExtractZip; whatever
// fn leaves unread is read after it returns, so every check always runs. An
// error from fn or from a check stops the walk and is returned.
func WalkZip(ctx context.Context, zipPath string, lim Limits, fn func(path string, r io.Reader) error) error {
	lim = lim.withDefaults()
	f, err := os.Open(zipPath)
	if err != nil {
		return fmt.Errorf("open archive: %w", err)
	}
	defer f.Close()
	zr, size, err := openZip(f)
	if err != nil {
		return err
	}
	p, err := check(zr, size, lim)
	if err != nil {
		return err
	}
	dec := newDecoder()
	t := &totals{size: p.size}
	for _, e := range p.entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, err := dec.open(ctx, e, lim, t)
		if err != nil {
			return err
		}
		if err := fn(e.path, r); err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return err
		}
	}
	return nil
}

// openZip reads the central directory of the zip in f.
func openZip(f *os.File) (*zip.Reader, int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("open archive: %w", err)
	}
	// ErrInsecurePath only means archive/zip saw a name check refuses anyway.
	zr, err := zip.NewReader(archiveFile{f}, fi.Size())
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		if isIO(err) {
			return nil, 0, fmt.Errorf("open archive: %w", err)
		}
		return nil, 0, pier.Errorf(pier.EINVALID, "Invalid archive: it is not a readable zip file.")
	}
	return zr, fi.Size(), nil
}

// openEmpty opens dir as a root that nothing can escape, and checks that it
// is empty.
func openEmpty(dir string) (*os.Root, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open extraction directory: %w", err)
	}
	d, err := root.Open(".")
	if err == nil {
		_, err = d.Readdirnames(1)
		d.Close()
		if err == nil {
			err = errors.New("directory is not empty")
		} else if err == io.EOF {
			return root, nil
		}
	}
	root.Close()
	return nil, fmt.Errorf("open extraction directory %s: %w", dir, err)
}

// extractor writes files under root and remembers what it created, so that
// undo can remove it.
type extractor struct {
	root *os.Root
	made map[string]bool // directories created or known to exist
	top  map[string]bool // first segments of everything created
}

// write creates the file at the clean path p, with its parents, and copies r
// into it.
func (x *extractor) write(p string, r io.Reader, buf []byte) (int64, error) {
	top, _, _ := strings.Cut(p, "/")
	x.top[top] = true
	if dir := path.Dir(p); dir != "." && !x.made[dir] {
		if err := x.root.MkdirAll(filepath.FromSlash(dir), 0o755); err != nil {
			return 0, fmt.Errorf("create directory for %q: %w", p, err)
		}
		for ; dir != "." && !x.made[dir]; dir = path.Dir(dir) {
			x.made[dir] = true
		}
	}
	f, err := x.root.OpenFile(filepath.FromSlash(p), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, fmt.Errorf("create %q: %w", p, err)
	}
	// Hide ReadFrom so that CopyBuffer uses buf rather than allocating.
	n, err := io.CopyBuffer(struct{ io.Writer }{f}, r, buf)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write %q: %w", p, cerr)
	}
	return n, err
}

// undo removes everything extract created.
func (x *extractor) undo() error {
	var errs []error
	for name := range x.top {
		if err := x.root.RemoveAll(filepath.FromSlash(name)); err != nil {
			errs = append(errs, fmt.Errorf("clean up: %w", err))
		}
	}
	return errors.Join(errs...)
}
