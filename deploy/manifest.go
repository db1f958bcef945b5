package deploy

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/pier-hosting/pier"
)

const (
	// maxInMemoryFile is the largest file read whole (to hash and compress
	// it in one pass); larger files are streamed and never precompressed.
	maxInMemoryFile = 32 << 20
	// maxPackedBody is the largest body stored in a pack; larger ones get a
	// blob of their own, which the edge can hand to sendfile.
	maxPackedBody = 256 << 10
	// maxPackBytes is the size at which a pack is closed and a new one begun.
	maxPackBytes = 64 << 20
	// manifestWorkers is how many files are hashed and compressed at once.
	manifestWorkers = 4
)

// manifestStats summarizes what building a manifest did.
type manifestStats struct {
	files, compressed, reused, packs, large int
	bytes, stored                           int64
}

// prepared is a staged file, hashed and compressed, before its bodies are
// placed.
type prepared struct {
	path string
	file pier.File
	data []byte // identity content of a small file (nil for large ones)
	gz   []byte
	br   []byte
}

// buildManifest stores the staged files and returns the deployment's files
// keyed by request path ("/" + path). A body the app already serves (known,
// by sha256) is reused; small bodies go into pack blobs; large files get
// blobs of their own. Text files get gzip and brotli variants.
func buildManifest(ctx context.Context, blobs pier.BlobStore, staged []stagedFile, known map[string]pier.Body) (map[string]pier.File, manifestStats, error) {
	preps, stats, err := prepareAll(ctx, blobs, staged, known)
	if err != nil {
		return nil, stats, err
	}
	p := &packer{ctx: ctx, blobs: blobs, known: known, stats: &stats, placed: map[string]*pier.Body{}}
	// Bodies placed in a pack learn its key when the pack is flushed, so
	// they are held by pointer until then.
	type placement struct{ body, gz, br *pier.Body }
	places := make([]placement, len(preps))
	for i, pr := range preps {
		if pr.data != nil {
			places[i].body = p.place(pr.file.Body, pr.data)
		}
		if pr.gz != nil {
			places[i].gz = p.place(pier.Body{SHA256: sha256Hex(pr.gz), Size: int64(len(pr.gz))}, pr.gz)
		}
		if pr.br != nil {
			places[i].br = p.place(pier.Body{SHA256: sha256Hex(pr.br), Size: int64(len(pr.br))}, pr.br)
		}
	}
	if err := p.flush(); err != nil {
		return nil, stats, err
	}
	out := make(map[string]pier.File, len(preps))
	for i, pr := range preps {
		f := pr.file
		if at := places[i].body; at != nil {
			f.Body = *at
		}
		f.Gzip, f.Brotli = copyBody(places[i].gz), copyBody(places[i].br)
		out["/"+pr.path] = f
	}
	if err := pier.SyncBlobs(ctx, blobs); err != nil {
		return nil, stats, fmt.Errorf("sync blobs: %w", err)
	}
	return out, stats, nil
}

// prepareAll hashes and compresses every staged file in parallel, storing
// large files (which are never packed) right away. The result is in path
// order, so packs are laid out the same way every time.
func prepareAll(ctx context.Context, blobs pier.BlobStore, staged []stagedFile, known map[string]pier.Body) ([]prepared, manifestStats, error) {
	var (
		mu    sync.Mutex
		stats manifestStats
		next  atomic.Int64
		wg    sync.WaitGroup
		errs  = make(chan error, manifestWorkers)
		preps = make([]prepared, len(staged))
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range manifestWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(staged) || ctx.Err() != nil {
					return
				}
				pr, stored, err := prepare(ctx, blobs, staged[i], known)
				if err != nil {
					errs <- fmt.Errorf("%s: %w", staged[i].Path, err)
					cancel()
					return
				}
				preps[i] = pr
				mu.Lock()
				stats.files++
				stats.bytes += pr.file.Size
				stats.stored += stored
				if stored > 0 {
					stats.large++
				}
				if pr.gz != nil || pr.br != nil {
					stats.compressed++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, stats, err
	}
	if err := ctx.Err(); err != nil {
		return nil, stats, err
	}
	sort.Slice(preps, func(a, b int) bool { return preps[a].path < preps[b].path })
	return preps, stats, nil
}

// prepare hashes one staged file and compresses it if it is text. A large
// file is stored at once (unless known) and returned without data.
func prepare(ctx context.Context, blobs pier.BlobStore, sf stagedFile, known map[string]pier.Body) (prepared, int64, error) {
	pr := prepared{path: sf.Path, file: pier.File{Body: pier.Body{Size: sf.Size}, ContentType: contentType(sf.Path, sf.Data, sf.Disk)}}
	data := sf.Data
	if data == nil && sf.Size <= maxInMemoryFile {
		var err error
		if data, err = os.ReadFile(sf.Disk); err != nil {
			return pr, 0, err
		}
	}
	if data == nil {
		return storeLarge(ctx, blobs, sf.Disk, pr, known)
	}
	pr.file.SHA256, pr.file.MD5 = sha256Hex(data), md5Hex(data)
	if len(data) >= minCompressBytes && compressible(pr.file.ContentType) {
		pr.gz, pr.br = compressed(data)
	}
	if len(data) <= maxPackedBody {
		pr.data = data
		return pr, 0, nil
	}
	if b, ok := known[pr.file.SHA256]; ok {
		pr.file.Body = b
		return pr, 0, nil
	}
	if err := blobs.Put(ctx, pier.ContentKey(pr.file.SHA256), bytes.NewReader(data)); err != nil {
		return pr, 0, err
	}
	return pr, int64(len(data)), nil
}

// storeLarge hashes a file too large for memory in one streaming pass and
// stores it (unless known) in a second.
func storeLarge(ctx context.Context, blobs pier.BlobStore, diskPath string, pr prepared, known map[string]pier.Body) (prepared, int64, error) {
	src, err := os.Open(diskPath)
	if err != nil {
		return pr, 0, err
	}
	defer src.Close()
	sh, mh := sha256.New(), md5.New()
	if _, err := io.Copy(io.MultiWriter(sh, mh), src); err != nil {
		return pr, 0, err
	}
	pr.file.SHA256, pr.file.MD5 = hex.EncodeToString(sh.Sum(nil)), hex.EncodeToString(mh.Sum(nil))
	if b, ok := known[pr.file.SHA256]; ok {
		pr.file.Body = b
		return pr, 0, nil
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return pr, 0, err
	}
	if err := blobs.Put(ctx, pier.ContentKey(pr.file.SHA256), src); err != nil {
		return pr, 0, err
	}
	return pr, pr.file.Size, nil
}

// packer lays small bodies out in pack blobs.
type packer struct {
	ctx     context.Context
	blobs   pier.BlobStore
	known   map[string]pier.Body
	stats   *manifestStats
	buf     bytes.Buffer
	pending []*pier.Body          // bodies placed in buf, waiting for its key
	placed  map[string]*pier.Body // bodies of this deployment by sha256
	err     error
}

// place returns where the body b (with content data) is stored: a body the
// app already serves, one placed earlier in this deployment, a new place in
// the current pack, or (when too large for a pack) a blob of its own. The
// first failure to store is kept in p.err and returned by flush.
func (p *packer) place(b pier.Body, data []byte) *pier.Body {
	if k, ok := p.known[b.SHA256]; ok {
		p.stats.reused++
		return &k
	}
	if at, ok := p.placed[b.SHA256]; ok {
		return at
	}
	if len(data) > maxPackedBody { // a large compressed variant
		at := &pier.Body{SHA256: b.SHA256, Size: b.Size}
		if p.err == nil {
			p.err = p.blobs.Put(p.ctx, at.Key(), bytes.NewReader(data))
		}
		p.stats.large++
		p.stats.stored += b.Size
		p.placed[b.SHA256] = at
		return at
	}
	if p.buf.Len()+len(data) > maxPackBytes {
		p.err = p.flush()
	}
	at := &pier.Body{SHA256: b.SHA256, Size: b.Size, Offset: int64(p.buf.Len())}
	p.buf.Write(data)
	p.pending = append(p.pending, at)
	p.placed[b.SHA256] = at
	return at
}

// flush stores the current pack under its content key and tells the bodies
// in it where they are.
func (p *packer) flush() error {
	if p.err != nil || p.buf.Len() == 0 {
		return p.err
	}
	key := pier.ContentKey(sha256Hex(p.buf.Bytes()))
	if err := p.blobs.Put(p.ctx, key, bytes.NewReader(p.buf.Bytes())); err != nil {
		return err
	}
	for _, b := range p.pending {
		b.Pack = key
	}
	p.stats.packs++
	p.stats.stored += int64(p.buf.Len())
	p.buf = bytes.Buffer{}
	p.pending = nil
	return nil
}

// copyBody returns a copy of *b, nil for nil.
func copyBody(b *pier.Body) *pier.Body {
	if b == nil {
		return nil
	}
	c := *b
	return &c
}

// sha256Hex returns the hex sha256 of data.
func sha256Hex(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// md5Hex returns the hex md5 of data.
func md5Hex(data []byte) string {
	m := md5.Sum(data)
	return hex.EncodeToString(m[:])
}
