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
	"sync"
	"sync/atomic"

	"github.com/pier-hosting/pier"
)

// maxInMemoryFile is the largest file read whole (to hash and compress it in
// one pass); larger files are streamed and never precompressed.
const maxInMemoryFile = 32 << 20

// manifestWorkers is how many files are hashed, compressed and stored at once.
const manifestWorkers = 4

// syncer is implemented by blob stores that defer durability to one call
// (the local store syncs the filesystem once instead of once per file).
type syncer interface {
	Sync(ctx context.Context) error
}

// manifestStats summarizes what building a manifest did.
type manifestStats struct {
	files, compressed int
	bytes, stored     int64
}

// buildManifest stores the staged files as content-addressed blobs, with
// gzip and brotli variants of text files, and returns the deployment's files
// keyed by request path ("/" + path).
func buildManifest(ctx context.Context, blobs pier.BlobStore, staged []stagedFile) (map[string]pier.File, manifestStats, error) {
	var (
		mu    sync.Mutex
		out   = make(map[string]pier.File, len(staged))
		stats manifestStats
		next  atomic.Int64
		wg    sync.WaitGroup
		errs  = make(chan error, manifestWorkers)
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
				f, st, err := storeFile(ctx, blobs, staged[i])
				if err != nil {
					errs <- fmt.Errorf("%s: %w", staged[i].Path, err)
					cancel()
					return
				}
				mu.Lock()
				out["/"+staged[i].Path] = f
				stats.files++
				stats.bytes += f.Size
				stats.stored += st.stored
				stats.compressed += st.compressed
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
	if s, ok := blobs.(syncer); ok {
		if err := s.Sync(ctx); err != nil {
			return nil, stats, fmt.Errorf("sync blobs: %w", err)
		}
	}
	return out, stats, nil
}

// storeFile hashes one staged file, stores it and its compressed variants,
// and returns its manifest entry.
func storeFile(ctx context.Context, blobs pier.BlobStore, sf stagedFile) (pier.File, manifestStats, error) {
	var st manifestStats
	f := pier.File{Size: sf.Size, ContentType: contentType(sf.Path, sf.Data, sf.Disk)}
	data := sf.Data
	if data == nil {
		if sf.Size > maxInMemoryFile {
			return storeLarge(ctx, blobs, sf.Disk, f)
		}
		var err error
		if data, err = os.ReadFile(sf.Disk); err != nil {
			return pier.File{}, st, err
		}
	}
	f.SHA256, f.MD5 = hashes(data)
	if err := blobs.Put(ctx, pier.ContentKey(f.SHA256), bytes.NewReader(data)); err != nil {
		return pier.File{}, st, err
	}
	st.stored += int64(len(data))
	if len(data) >= minCompressBytes && compressible(f.ContentType) {
		gz, br := compressed(data)
		for _, v := range []struct {
			data []byte
			dst  **pier.Encoding
		}{{gz, &f.Gzip}, {br, &f.Brotli}} {
			if v.data == nil {
				continue
			}
			sum, _ := hashes(v.data)
			if err := blobs.Put(ctx, pier.ContentKey(sum), bytes.NewReader(v.data)); err != nil {
				return pier.File{}, st, err
			}
			*v.dst = &pier.Encoding{SHA256: sum, Size: int64(len(v.data))}
			st.stored += int64(len(v.data))
		}
		if f.Gzip != nil || f.Brotli != nil {
			st.compressed++
		}
	}
	return f, st, nil
}

// storeLarge hashes a large file in one streaming pass and stores it in a
// second.
func storeLarge(ctx context.Context, blobs pier.BlobStore, diskPath string, f pier.File) (pier.File, manifestStats, error) {
	src, err := os.Open(diskPath)
	if err != nil {
		return pier.File{}, manifestStats{}, err
	}
	defer src.Close()
	sh, mh := sha256.New(), md5.New()
	if _, err := io.Copy(io.MultiWriter(sh, mh), src); err != nil {
		return pier.File{}, manifestStats{}, err
	}
	f.SHA256, f.MD5 = hex.EncodeToString(sh.Sum(nil)), hex.EncodeToString(mh.Sum(nil))
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return pier.File{}, manifestStats{}, err
	}
	if err := blobs.Put(ctx, pier.ContentKey(f.SHA256), src); err != nil {
		return pier.File{}, manifestStats{}, err
	}
	return f, manifestStats{stored: f.Size}, nil
}

// hashes returns the hex sha256 and md5 of data.
func hashes(data []byte) (sha, md string) {
	s := sha256.Sum256(data)
	m := md5.Sum(data)
	return hex.EncodeToString(s[:]), hex.EncodeToString(m[:])
}
