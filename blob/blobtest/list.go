package blobtest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pier-hosting/pier"
)

// listed are the blobs of the List tests, by key, with their sizes.
var listed = map[string]int64{
	"sha256/ab/cdef":   1,
	"sha256/ab/0123":   2,
	"sha256/cd/ef01":   3,
	"sha256x":          4,
	"uploads/x":        5,
	"uploads/y/z":      6,
	"uploads/yz":       7,
	"logs/1/build.log": 8,
}

// only returns the entries of listed with the given keys.
func only(keys ...string) map[string]int64 {
	m := map[string]int64{}
	for _, k := range keys {
		m[k] = listed[k]
	}
	return m
}

var listTests = []test{
	{"Prefix", func(t *testing.T, f *fixture) {
		for key, size := range listed {
			f.put(key, pattern(0, int(size)))
		}
		for _, tt := range []struct {
			prefix string
			want   map[string]int64
		}{
			{"", listed},
			{"sha256/", only("sha256/ab/cdef", "sha256/ab/0123", "sha256/cd/ef01")},
			{"sha256", only("sha256/ab/cdef", "sha256/ab/0123", "sha256/cd/ef01", "sha256x")},
			{"sha256/ab/", only("sha256/ab/cdef", "sha256/ab/0123")},
			{"sha256/ab/c", only("sha256/ab/cdef")},
			{"uploads/", only("uploads/x", "uploads/y/z", "uploads/yz")},
			{"uploads/y", only("uploads/y/z", "uploads/yz")},
			{"uploads/y/", only("uploads/y/z")},
			{"uploads/x", only("uploads/x")},
			{"logs/1/build.log", only("logs/1/build.log")},
			{"u", only("uploads/x", "uploads/y/z", "uploads/yz")},
			{"nothing/", only()},
			{"uploads/x/", only()},
			{"sha256/ab/cdef/deeper/", only()},
		} {
			if diff := cmp.Diff(tt.want, f.list(tt.prefix)); diff != "" {
				t.Errorf("List(%q) mismatch (-want +got):\n%s", tt.prefix, diff)
			}
		}
	}},
	{"Empty", func(t *testing.T, f *fixture) {
		if got := f.list(""); len(got) != 0 {
			t.Fatalf("List of a new store = %v, want nothing", got)
		}
	}},
	{"Info", func(t *testing.T, f *fixture) {
		start := time.Now()
		f.put("info", []byte("seven b"))
		var got pier.BlobInfo
		f.check(f.s.List(f.ctx, "info", func(_ string, info pier.BlobInfo) error {
			got = info
			return nil
		}))
		wantRecent(t, "List", got.ModTime, start)
		want, err := f.s.Stat(f.ctx, "info")
		f.check(err)
		// Object stores may list times more precisely than they stat them.
		if got.Size != want.Size || got.ModTime.Sub(want.ModTime).Abs() >= time.Second {
			t.Fatalf("List info %+v, Stat info %+v", got, want)
		}
	}},
	{"AfterDelete", func(t *testing.T, f *fixture) {
		f.put("d/a", []byte("a"))
		f.put("d/b", []byte("b"))
		f.check(f.s.Delete(f.ctx, "d/a"))
		if diff := cmp.Diff(map[string]int64{"d/b": 1}, f.list("d/")); diff != "" {
			t.Fatalf("List after Delete mismatch (-want +got):\n%s", diff)
		}
	}},
	{"StopsOnError", func(t *testing.T, f *fixture) {
		for key, size := range listed {
			f.put(key, pattern(0, int(size)))
		}
		errStop := errors.New("stop")
		calls := 0
		err := f.s.List(f.ctx, "", func(string, pier.BlobInfo) error {
			calls++
			return errStop
		})
		if !errors.Is(err, errStop) {
			t.Fatalf("List returned %v, want the error of fn", err)
		}
		if calls != 1 {
			t.Fatalf("fn called %d times after returning an error, want 1", calls)
		}
	}},
}
