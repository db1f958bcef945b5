package archive

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"

	"github.com/pier-hosting/pier"
)

// decoder decompresses entries. It keeps one inflater and one buffer for a
// whole archive instead of allocating them per entry.
type decoder struct {
	br  *bufio.Reader
	fl  io.ReadCloser
	crc hash.Hash32
}

func newDecoder() *decoder {
	return &decoder{br: bufio.NewReader(nil), crc: crc32.NewIEEE()}
}

// open returns a reader of e's decompressed bytes that enforces its declared
// size and CRC-32 and the limits on the bytes it actually produces; t keeps
// the running totals across entries.
func (d *decoder) open(ctx context.Context, e entry, lim Limits, t *totals) (io.Reader, error) {
	raw, err := e.f.OpenRaw()
	if err != nil {
		if isIO(err) {
			return nil, fmt.Errorf("read entry %q: %w", e.f.Name, err)
		}
		return nil, refuse(e.f.Name, "has a corrupt local header")
	}
	d.br.Reset(raw)
	var src io.Reader = d.br
	if e.f.Method == zip.Deflate {
		if d.fl == nil {
			d.fl = flate.NewReader(d.br)
		} else if err := d.fl.(flate.Resetter).Reset(d.br, nil); err != nil {
			return nil, err
		}
		src = d.fl
	}
	d.crc.Reset()
	return &limitReader{ctx: ctx, src: src, e: e, lim: lim, t: t, crc: d.crc}, nil
}

// totals counts the bytes produced by all entries so far; size is the size
// of the archive they come from.
type totals struct {
	produced uint64
	size     uint64
}

// limitReader is the single place where the bytes of an entry are checked:
// no entry yields more than it declared, and the limits on total size and
// ratio hold for what is really written, not just for what headers say.
// Ratios are measured against compressed sizes that check has proven to fit
// in the archive, and they only grow as bytes come out, so a limit is
// enforced the moment it is passed, not after the whole entry.
type limitReader struct {
	ctx context.Context
	src io.Reader
	e   entry
	lim Limits
	t   *totals
	crc hash.Hash32
	n   uint64 // bytes produced by this entry
}

func (r *limitReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	f := r.e.f
	// Ask for at most one byte more than declared: enough to catch a lie,
	// never enough to write much of a bomb.
	if left := f.UncompressedSize64 - r.n + 1; uint64(len(p)) > left {
		p = p[:left]
	}
	n, err := r.src.Read(p)
	r.n += uint64(n)
	r.t.produced += uint64(n)
	r.crc.Write(p[:n])
	switch {
	case r.n > f.UncompressedSize64:
		return 0, refuse(f.Name, "expands beyond its declared size of %d bytes", f.UncompressedSize64)
	case r.t.produced > uint64(r.lim.MaxBytes):
		return 0, pier.Errorf(pier.EINVALID, "Invalid archive: the files hold more than %d bytes uncompressed (the limit is reached at entry %q).", r.lim.MaxBytes, short(f.Name))
	case overRatio(r.n, f.CompressedSize64, r.lim.MaxRatio), overRatio(r.t.produced, r.t.size, r.lim.MaxRatio):
		return 0, refuse(f.Name, "expands more than %d times; it looks like a compression bomb", r.lim.MaxRatio)
	}
	switch {
	case err == io.EOF:
		return n, r.atEOF()
	case err == nil:
		return n, nil
	case errors.Is(err, io.ErrUnexpectedEOF):
		return 0, refuse(f.Name, "is truncated")
	case isIO(err):
		return 0, fmt.Errorf("read entry %q: %w", f.Name, err)
	default: // flate.CorruptInputError and the like
		return 0, refuse(f.Name, "has corrupt compressed data")
	}
}

// atEOF checks a finished entry against its header: size and, when the
// header has one, CRC-32 (like archive/zip, a zero CRC is taken as unset).
func (r *limitReader) atEOF() error {
	f := r.e.f
	if r.n != f.UncompressedSize64 {
		return refuse(f.Name, "is truncated: it holds %d of its declared %d bytes", r.n, f.UncompressedSize64)
	}
	if f.CRC32 != 0 && r.crc.Sum32() != f.CRC32 {
		return refuse(f.Name, "is corrupt: its CRC-32 checksum does not match")
	}
	return io.EOF
}

// archiveFile reads the archive for archive/zip and marks the errors that
// are failures to read the file, as opposed to bad data in it.
type archiveFile struct{ f *os.File }

func (a archiveFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, zip.ErrFormat // an offset from a corrupt header
	}
	n, err := a.f.ReadAt(p, off)
	if err != nil && err != io.EOF {
		err = ioError{err}
	}
	return n, err
}

// ioError is a failure to read the archive file.
type ioError struct{ err error }

func (e ioError) Error() string { return e.err.Error() }
func (e ioError) Unwrap() error { return e.err }

// isIO reports whether err is a failure to read the archive file itself.
func isIO(err error) bool {
	return errors.As(err, new(ioError))
}
