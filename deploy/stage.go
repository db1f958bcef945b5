package deploy

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pier-hosting/pier"
)

// stageMemoryBytes is how much of a site is held in memory while it is
// staged; the rest goes to disk. Creating files costs far more than their
// bytes on many disks, so sites up to this size are staged without any.
const stageMemoryBytes = 256 << 20

// stagedFile is one file of a site between its source and the blob store.
type stagedFile struct {
	Path string // relative, slash-separated
	Size int64
	Data []byte // the content, when held in memory
	Disk string // the file holding the content, otherwise
}

// stager collects a site's files: in memory while they fit the budget, on
// disk under dir beyond it. Nothing reaches the blob store until the whole
// source has been staged (and, for archives, checked).
type stager struct {
	dir    string
	budget int64
	files  []stagedFile
	seen   map[string]bool
}

func newStager(dir string) *stager {
	return &stager{dir: dir, budget: stageMemoryBytes, seen: map[string]bool{}}
}

// add stages the content of r as the file at path.
func (s *stager) add(path string, r io.Reader) (stagedFile, error) {
	if s.seen[path] {
		return stagedFile{}, pier.Errorf(pier.EINVALID, "The source has two files at %q.", path)
	}
	s.seen[path] = true
	limit := min(s.budget, maxInMemoryFile)
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, limit+1))
	if err != nil {
		return stagedFile{}, err
	}
	f := stagedFile{Path: path, Size: n}
	if n <= limit {
		f.Data = buf.Bytes()
		s.budget -= n
		s.files = append(s.files, f)
		return f, nil
	}
	f.Disk = filepath.Join(s.dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(f.Disk), 0o755); err != nil {
		return stagedFile{}, err
	}
	out, err := os.OpenFile(f.Disk, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return stagedFile{}, fmt.Errorf("stage %s: %w", path, err)
	}
	rest, err := io.Copy(out, io.MultiReader(&buf, r))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	f.Size = rest
	s.files = append(s.files, f)
	return f, err
}
