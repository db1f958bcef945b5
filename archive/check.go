package archive

import (
	"archive/zip"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/pier-hosting/pier"
)

const (
	maxPathLen    = 1024 // the longest key a pier.BlobStore accepts
	maxSegmentLen = 255  // NAME_MAX on Linux and most file systems
)

// entry is a regular file that passed every header check.
type entry struct {
	f    *zip.File
	path string // clean, relative, slash-separated
}

// plan is what extraction will write: the entries, in archive order.
type plan struct {
	entries []entry
	size    uint64 // of the archive
}

// node is a path the archive claims, as a file or as a directory, and the
// entry name that first claimed it.
type node struct {
	dir  bool
	name string
}

// check validates every header of r, an archive of size bytes, against lim
// and returns the files to extract. It reads local headers but no file data.
//
// Compressed sizes are taken from the headers only once they are known to
// fit in the archive, and the overall ratio is measured against the size of
// the archive: an entry cannot make itself look less compressed than it is.
func check(r *zip.Reader, size int64, lim Limits) (*plan, error) {
	if n := len(r.File); n > lim.MaxEntries {
		return nil, pier.Errorf(pier.EINVALID, "Invalid archive: it has %d entries; at most %d are allowed.", n, lim.MaxEntries)
	}
	var (
		p     = plan{size: uint64(size)}
		total uint64
		tree  = make(map[string]node, len(r.File))
	)
	for _, f := range r.File {
		name := f.Name
		clean, err := cleanPath(name)
		if err != nil {
			return nil, err
		}
		mode := f.Mode()
		switch {
		case mode&fs.ModeSymlink != 0:
			return nil, refuse(name, "is a symbolic link; links are not allowed")
		case mode.IsDir():
			if clean == "." {
				continue
			}
			if err := claim(tree, clean, name, true); err != nil {
				return nil, err
			}
			continue
		case !mode.IsRegular():
			return nil, refuse(name, "is a %s; only files and directories are allowed", kind(mode))
		case clean == ".":
			return nil, refuse(name, "has an empty path")
		case f.Flags&0x1 != 0:
			return nil, refuse(name, "is encrypted; password-protected archives are not supported")
		case f.Method != zip.Store && f.Method != zip.Deflate:
			return nil, refuse(name, "uses compression method %d; only deflate (8) and store (0) are supported", f.Method)
		case f.Method == zip.Store && f.CompressedSize64 != f.UncompressedSize64:
			return nil, refuse(name, "is stored uncompressed but declares %d bytes from %d", f.UncompressedSize64, f.CompressedSize64)
		}
		if err := claim(tree, clean, name, false); err != nil {
			return nil, err
		}
		u, c := f.UncompressedSize64, f.CompressedSize64
		off, err := f.DataOffset()
		if err != nil {
			if isIO(err) {
				return nil, fmt.Errorf("read archive: %w", err)
			}
			return nil, refuse(name, "has a corrupt local header")
		}
		if off < 0 || uint64(off) > p.size || c > p.size-uint64(off) {
			return nil, refuse(name, "declares %d compressed bytes, more than the archive holds", c)
		}
		if u > uint64(lim.MaxBytes)-total {
			return nil, pier.Errorf(pier.EINVALID, "Invalid archive: the files hold more than %d bytes uncompressed (the limit is reached at entry %q).", lim.MaxBytes, short(name))
		}
		if overRatio(u, c, lim.MaxRatio) {
			return nil, refuse(name, "expands from %d to %d bytes, more than %d times; it looks like a compression bomb", c, u, lim.MaxRatio)
		}
		total += u
		p.entries = append(p.entries, entry{f: f, path: clean})
	}
	if len(p.entries) == 0 {
		return nil, pier.Errorf(pier.EINVALID, "Invalid archive: it contains no files.")
	}
	if overRatio(total, p.size, lim.MaxRatio) {
		return nil, pier.Errorf(pier.EINVALID, "Invalid archive: it expands from %d to %d bytes, more than %d times; it looks like a compression bomb.", p.size, total, lim.MaxRatio)
	}
	return &p, nil
}

// cleanPath returns the clean form of entry name, "." for the root, or the
// reason the name is refused.
func cleanPath(name string) (string, error) {
	switch {
	case strings.IndexByte(name, 0) >= 0:
		return "", refuse(name, "contains a NUL byte")
	case !utf8.ValidString(name):
		return "", refuse(name, "is not valid UTF-8; re-create the zip with a tool that writes UTF-8 names")
	case strings.IndexByte(name, '\\') >= 0:
		return "", refuse(name, `contains a backslash; zip paths must use "/" as the separator`)
	case strings.HasPrefix(name, "/"):
		return "", refuse(name, "is an absolute path")
	}
	clean := path.Clean(name)
	switch {
	case clean == ".." || strings.HasPrefix(clean, "../"):
		return "", refuse(name, "escapes the archive root")
	case hasDrive(clean):
		return "", refuse(name, "starts with a drive letter")
	case len(clean) > maxPathLen:
		return "", refuse(name, "has a path longer than %d bytes", maxPathLen)
	}
	for seg := range strings.SplitSeq(clean, "/") {
		if len(seg) > maxSegmentLen {
			return "", refuse(name, "has a path segment longer than %d bytes", maxSegmentLen)
		}
	}
	return clean, nil
}

// hasDrive reports whether p starts with a Windows drive: "C:", "C:x", "C:/x".
func hasDrive(p string) bool {
	if len(p) < 2 || p[1] != ':' {
		return false
	}
	c := p[0] | 0x20
	return 'a' <= c && c <= 'z'
}

// kind names the type of a non-regular, non-directory entry.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	}
	return "special file"
}

// claim records that entry name puts a file or a directory at clean, and that
// every parent of clean is a directory. A path may be claimed as a directory
// any number of times, as a file only once, and never as both.
func claim(tree map[string]node, clean, name string, dir bool) error {
	if prev, ok := tree[clean]; ok {
		switch {
		case !dir && !prev.dir:
			if prev.name == name {
				return refuse(name, "appears twice")
			}
			if prev.name == clean {
				return refuse(name, "duplicates entry %q", short(prev.name))
			}
			return refuse(name, "duplicates entry %q (both are %q)", short(prev.name), short(clean))
		case dir != prev.dir && dir:
			return refuse(name, "needs %q to be a directory, but entry %q is a file there", short(clean), short(prev.name))
		case dir != prev.dir:
			return refuse(name, "is a file, but entry %q uses %q as a directory", short(prev.name), short(clean))
		}
		return nil // a directory again; its parents are already claimed
	}
	tree[clean] = node{dir: dir, name: name}
	for p := path.Dir(clean); p != "."; p = path.Dir(p) {
		prev, ok := tree[p]
		if ok && prev.dir {
			return nil
		}
		if ok {
			return refuse(name, "needs %q to be a directory, but entry %q is a file there", short(p), short(prev.name))
		}
		tree[p] = node{dir: true, name: name}
	}
	return nil
}
