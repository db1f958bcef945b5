package blobtest

import (
	"strings"
	"testing"

	"github.com/pier-hosting/pier"
)

// invalidKeys break pier.ValidBlobKey.
var invalidKeys = []string{
	"",
	"/abs",
	"a/../b",
	"..",
	".",
	"a//b",
	"a/",
	"./a",
	"a/.",
	"a\\b",
	"a\x00b",
	strings.Repeat("k", 1025),
}

// invalidPrefixes are prefixes that no valid key starts with. Some invalid
// keys, such as "..", are valid prefixes: the key "..a" starts with "..".
var invalidPrefixes = []string{
	"/",
	"/abs",
	"a/../b",
	"../",
	"./a",
	"a//b",
	"a\\b",
	"a\x00b",
	strings.Repeat("k", 1025),
}

// validKeys are unusual keys that every store keeps.
var validKeys = []string{
	"a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/file",
	"unicode/日本語/файл ü.txt",
	"spaces and symbols/a b+c%20d=e&f@g,h;i'j(k)~",
	"dots/.../..b/a..b/.hidden",
	"sha256/ab/cdef0123456789abcdef0123456789abcdef0123456789abcdef01234567",
	strings.Repeat(strings.Repeat("s", 199)+"/", 5) + strings.Repeat("s", 24),
}

var keyTests = []test{
	{"Invalid", func(t *testing.T, f *fixture) {
		for _, key := range invalidKeys {
			wantCode(t, f.s.Put(f.ctx, key, strings.NewReader("x")), pier.EINVALID)
			rc, _, err := f.s.Open(f.ctx, key)
			if err == nil {
				rc.Close()
			}
			wantCode(t, err, pier.EINVALID)
			_, err = f.s.Stat(f.ctx, key)
			wantCode(t, err, pier.EINVALID)
			wantCode(t, f.s.Delete(f.ctx, key), pier.EINVALID)
		}
		if got := f.list(""); len(got) != 0 {
			t.Fatalf("List after rejected Puts = %v, want nothing", got)
		}
	}},
	{"InvalidPrefix", func(t *testing.T, f *fixture) {
		f.put("a/b", []byte("b"))
		for _, prefix := range invalidPrefixes {
			err := f.s.List(f.ctx, prefix, func(key string, _ pier.BlobInfo) error {
				t.Errorf("List(%q) returned %q", prefix, key)
				return nil
			})
			wantCode(t, err, pier.EINVALID)
		}
	}},
	{"Valid", func(t *testing.T, f *fixture) {
		for i, key := range validKeys {
			if !pier.ValidBlobKey(key) {
				t.Fatalf("test key %d is not valid", i)
			}
			f.put(key, []byte(key))
		}
		got := f.list("")
		for _, key := range validKeys {
			f.wantContent(key, []byte(key))
			if got[key] != int64(len(key)) {
				t.Errorf("List: %q has size %d, want %d", key, got[key], len(key))
			}
		}
		if len(got) != len(validKeys) {
			t.Fatalf("List returned %d keys, want %d: %v", len(got), len(validKeys), got)
		}
		for _, key := range validKeys {
			f.check(f.s.Delete(f.ctx, key))
			f.wantMissing(key)
		}
	}},
}
