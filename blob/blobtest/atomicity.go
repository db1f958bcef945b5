package blobtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pier-hosting/pier"
)

var atomicityTests = []test{
	{"PutNewWhileReading", func(t *testing.T, f *fixture) {
		putWhileReading(t, f, "atomic/new", nil)
	}},
	{"PutReplaceWhileReading", func(t *testing.T, f *fixture) {
		old := pattern(1, 3<<20)
		f.put("atomic/old", old)
		putWhileReading(t, f, "atomic/old", old)
	}},
	{"ReaderFails", func(t *testing.T, f *fixture) {
		errRead := errors.New("connection reset")
		failing := func() io.Reader {
			return io.MultiReader(bytes.NewReader(pattern(2, 1<<20)), errReader{errRead})
		}
		if err := f.s.Put(f.ctx, "failed/new", failing()); !errors.Is(err, errRead) {
			t.Fatalf("Put with a failing reader returned %v, want its error", err)
		}
		f.wantMissing("failed/new")
		if got := f.list(""); len(got) != 0 {
			t.Fatalf("List after a failed Put = %v, want nothing", got)
		}
		old := []byte("old")
		f.put("failed/old", old)
		if err := f.s.Put(f.ctx, "failed/old", failing()); !errors.Is(err, errRead) {
			t.Fatalf("Put with a failing reader returned %v, want its error", err)
		}
		f.wantContent("failed/old", old)
	}},
	{"Canceled", func(t *testing.T, f *fixture) {
		ctx, cancel := context.WithCancel(f.ctx)
		defer cancel()
		r := &cancelingReader{cancel: cancel, after: 1 << 20, limit: 64 << 20}
		if err := f.s.Put(ctx, "canceled/during", r); !errors.Is(err, context.Canceled) {
			t.Fatalf("Put canceled midway returned %v, want context.Canceled", err)
		}
		if err := f.s.Put(ctx, "canceled/before", bytes.NewReader([]byte("x"))); !errors.Is(err, context.Canceled) {
			t.Fatalf("Put with a canceled context returned %v, want context.Canceled", err)
		}
		f.wantMissing("canceled/during")
		f.wantMissing("canceled/before")
		if got := f.list(""); len(got) != 0 {
			t.Fatalf("List after canceled Puts = %v, want nothing", got)
		}
	}},
	{"ConcurrentPutsOfOneKey", func(t *testing.T, f *fixture) {
		const n = 10
		contents := make([][]byte, n)
		for i := range contents {
			contents[i] = pattern(byte(i), 256<<10+i)
		}
		var wg sync.WaitGroup
		for _, c := range contents {
			wg.Go(func() {
				if err := f.s.Put(f.ctx, "race/key", bytes.NewReader(c)); err != nil {
					t.Errorf("concurrent Put: %v", err)
				}
			})
		}
		wg.Wait()
		got, _ := f.read("race/key")
		if !matchesAny(got, contents...) {
			t.Fatalf("after concurrent Puts the blob is %s, not one of the values put", abbrev(got))
		}
		if keys := f.list(""); len(keys) != 1 {
			t.Fatalf("List after concurrent Puts = %v, want one blob", keys)
		}
	}},
	{"ConcurrentPutsOfSiblings", func(t *testing.T, f *fixture) {
		// Puts that create the same parents at once all succeed.
		const n = 20
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				key := fmt.Sprintf("new/parent/dirs/%d", i)
				if err := f.s.Put(f.ctx, key, bytes.NewReader([]byte(key))); err != nil {
					t.Errorf("concurrent Put: %v", err)
				}
			})
		}
		wg.Wait()
		if keys := f.list("new/"); len(keys) != n {
			t.Fatalf("List after %d concurrent Puts has %d blobs: %v", n, len(keys), keys)
		}
	}},
}

// putWhileReading puts a large blob under key through a pipe and, while the
// Put is halfway, reads the blob over and over. Every read must see the
// old content (or no blob if old is nil) or the whole new content.
func putWhileReading(t *testing.T, f *fixture, key string, old []byte) {
	t.Helper()
	content := pattern(3, 4<<20)
	pr, pw := io.Pipe()
	putErr := make(chan error, 1)
	go func() {
		err := f.s.Put(f.ctx, key, pr)
		pr.CloseWithError(errors.New("Put returned"))
		putErr <- err
	}()

	// Readers stop at their first failure, or when stop is set.
	observed := make(chan struct{})
	var stop atomic.Bool
	var wg sync.WaitGroup
	readErrs := make([]error, 4)
	for i := range readErrs {
		wg.Go(func() {
			for !stop.Load() && readErrs[i] == nil {
				readErrs[i] = observe(f, key, old, content)
				select {
				case observed <- struct{}{}:
				default:
				}
			}
		})
	}

	readersDone := make(chan struct{})
	go func() {
		wg.Wait()
		close(readersDone)
	}()

	half := len(content) / 2
	_, err := pw.Write(content[:half])
	if err == nil {
		for range 8 {
			select {
			case <-observed:
			case <-readersDone:
			}
		}
		_, err = pw.Write(content[half:])
	}
	pw.CloseWithError(err)
	if err := <-putErr; err != nil {
		t.Errorf("Put: %v", err)
	}
	stop.Store(true)
	<-readersDone
	if err := errors.Join(readErrs...); err != nil {
		t.Fatal(err)
	}
	f.wantContent(key, content)
}

// observe reads the blob under key once and returns an error unless it is
// missing while old is nil, or holds old or content in full.
func observe(f *fixture, key string, old, content []byte) error {
	info, err := f.s.Stat(f.ctx, key)
	if err == nil && info.Size != int64(len(content)) && (old == nil || info.Size != int64(len(old))) {
		return fmt.Errorf("Stat during Put: Size %d, want %d or the old size", info.Size, len(content))
	}
	rc, info, err := f.s.Open(f.ctx, key)
	if old == nil && pier.ErrorCode(err) == pier.ENOTFOUND {
		return nil
	} else if err != nil {
		return fmt.Errorf("Open during Put: %w", err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return fmt.Errorf("read during Put: %w", err)
	} else if info.Size != int64(len(b)) {
		return fmt.Errorf("Open during Put: Size %d, read %d bytes", info.Size, len(b))
	} else if !matchesAny(b, old, content) {
		return fmt.Errorf("read a partial blob during Put: %s", abbrev(b))
	}
	return nil
}

// matchesAny reports whether b equals one of the non-nil candidates.
func matchesAny(b []byte, candidates ...[]byte) bool {
	for _, c := range candidates {
		if c != nil && bytes.Equal(b, c) {
			return true
		}
	}
	return false
}

// errReader fails every read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// cancelingReader returns endless data and calls cancel once it has
// returned after bytes. It fails after limit bytes, so that a Put that
// ignores its context ends.
type cancelingReader struct {
	cancel       context.CancelFunc
	n            int
	after, limit int
}

func (r *cancelingReader) Read(p []byte) (int, error) {
	if r.n >= r.limit {
		return 0, errors.New("Put kept reading after its context was canceled")
	}
	for i := range p {
		p[i] = byte(r.n + i)
	}
	r.n += len(p)
	if r.n >= r.after {
		r.cancel()
	}
	return len(p), nil
}
