package storetest

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

var valueTests = []test{
	{"RoundTrip", func(t *testing.T, f *fixture) {
		for _, c := range []struct {
			name  string
			key   string
			value []byte
		}{
			{"text", "certificates/acme/example.com/example.com.crt", []byte("-----BEGIN CERTIFICATE-----\n")},
			{"binary", "bin", []byte{0, 1, 0xfe, 0xff, '\n', 0}},
			{"empty", "empty", []byte{}},
			{"unicode key", "zertifikate/bücher.example/ü", []byte("x")},
		} {
			t.Run(c.name, func(t *testing.T) {
				f.check(f.s.PutValue(f.ctx, c.key, c.value))
				got, err := f.s.GetValue(f.ctx, c.key)
				f.check(err)
				if !bytes.Equal(got, c.value) || got == nil {
					t.Errorf("GetValue(%q) = %q, want %q", c.key, got, c.value)
				}
				info, err := f.s.StatValue(f.ctx, c.key)
				f.check(err)
				if info.Key != c.key || info.Size != int64(len(c.value)) {
					t.Errorf("StatValue(%q) = %+v, want key %q and size %d", c.key, info, c.key, len(c.value))
				}
				if d := time.Since(info.Modified); d < -time.Hour || d > time.Hour {
					t.Errorf("StatValue(%q).Modified = %v, not about now", c.key, info.Modified)
				}
			})
		}
	}},
	{"Overwrite", func(t *testing.T, f *fixture) {
		f.check(f.s.PutValue(f.ctx, "k", []byte("first value")))
		f.check(f.s.PutValue(f.ctx, "k", []byte("second")))
		got, err := f.s.GetValue(f.ctx, "k")
		f.check(err)
		if string(got) != "second" {
			t.Errorf("GetValue = %q, want %q", got, "second")
		}
		info, err := f.s.StatValue(f.ctx, "k")
		f.check(err)
		if info.Size != int64(len("second")) {
			t.Errorf("Size = %d, want %d", info.Size, len("second"))
		}
	}},
	{"Missing", func(t *testing.T, f *fixture) {
		_, err := f.s.GetValue(f.ctx, "nope")
		wantCode(t, err, pier.ENOTFOUND)
		_, err = f.s.StatValue(f.ctx, "nope")
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.DeleteValue(f.ctx, "nope"), pier.ENOTFOUND)
	}},
	{"Delete", func(t *testing.T, f *fixture) {
		f.check(f.s.PutValue(f.ctx, "a/b", []byte("1")))
		f.check(f.s.PutValue(f.ctx, "a/bc", []byte("2")))
		f.check(f.s.DeleteValue(f.ctx, "a/b"))
		_, err := f.s.GetValue(f.ctx, "a/b")
		wantCode(t, err, pier.ENOTFOUND)
		if _, err := f.s.GetValue(f.ctx, "a/bc"); err != nil {
			t.Errorf("deleting a/b deleted a/bc too: %v", err)
		}
		wantCode(t, f.s.DeleteValue(f.ctx, "a/b"), pier.ENOTFOUND)
	}},
	{"List", func(t *testing.T, f *fixture) {
		for _, k := range []string{"b/2", "a/x/1", "a/x", "a/y/1", "b/1", "a%/1", "a_/1", "ab", "é/1"} {
			f.check(f.s.PutValue(f.ctx, k, []byte(k)))
		}
		for _, c := range []struct {
			prefix string
			want   []string
		}{
			{"", []string{"a%/1", "a/x", "a/x/1", "a/y/1", "a_/1", "ab", "b/1", "b/2", "é/1"}},
			{"a/", []string{"a/x", "a/x/1", "a/y/1"}},
			{"a/x", []string{"a/x", "a/x/1"}},
			{"a/x/", []string{"a/x/1"}},
			{"a%", []string{"a%/1"}}, // LIKE wildcards are plain characters
			{"a_", []string{"a_/1"}},
			{"é", []string{"é/1"}},
			{"c", []string{}},
		} {
			got, err := f.s.ListValues(f.ctx, c.prefix)
			f.check(err)
			wantEqual(t, fmt.Sprintf("ListValues(%q)", c.prefix), got, c.want)
		}
	}},
	{"LockExclusive", func(t *testing.T, f *fixture) {
		for i, c := range []struct {
			op    string // lock or unlock
			name  string
			owner string
			ok    bool   // lock: whether it is taken
			code  string // unlock: the error code
		}{
			{"lock", "issue/example.com", "node-a", true, ""},
			{"lock", "issue/example.com", "node-b", false, ""},
			{"lock", "issue/other.com", "node-b", true, ""},
			{"lock", "issue/example.com", "node-a", true, ""}, // the holder renews its lease
			{"unlock", "issue/example.com", "node-b", false, pier.ENOTFOUND},
			{"lock", "issue/example.com", "node-b", false, ""},
			{"unlock", "issue/example.com", "node-a", false, ""},
			{"unlock", "issue/example.com", "node-a", false, pier.ENOTFOUND},
			{"lock", "issue/example.com", "node-b", true, ""},
			{"lock", "issue/example.com", "node-a", false, ""},
		} {
			switch c.op {
			case "lock":
				ok, err := f.s.TryLock(f.ctx, c.name, c.owner, time.Hour)
				f.check(err)
				if ok != c.ok {
					t.Fatalf("step %d: TryLock(%q, %q) = %v, want %v", i, c.name, c.owner, ok, c.ok)
				}
			case "unlock":
				wantCode(t, f.s.Unlock(f.ctx, c.name, c.owner), c.code)
			}
		}
	}},
	{"LockExpires", func(t *testing.T, f *fixture) {
		ok, err := f.s.TryLock(f.ctx, "l", "crashed", time.Millisecond)
		f.check(err)
		if !ok {
			t.Fatal("TryLock of a free lock failed")
		}
		time.Sleep(20 * time.Millisecond) // let the lease end
		ok, err = f.s.TryLock(f.ctx, "l", "survivor", time.Hour)
		f.check(err)
		if !ok {
			t.Fatal("TryLock did not take over a lock whose lease ended")
		}
		wantCode(t, f.s.Unlock(f.ctx, "l", "crashed"), pier.ENOTFOUND)
		ok, err = f.s.TryLock(f.ctx, "l", "crashed", time.Hour)
		f.check(err)
		if ok {
			t.Fatal("the crashed owner took back a lock another owner holds")
		}
	}},
	{"LockConcurrent", func(t *testing.T, f *fixture) {
		const n = 16
		var won atomic.Int32
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				ok, err := f.s.TryLock(f.ctx, "contended", fmt.Sprintf("owner-%d", i), time.Hour)
				if err != nil {
					t.Errorf("TryLock: %v", err)
				}
				if ok {
					won.Add(1)
				}
			})
		}
		wg.Wait()
		if got := won.Load(); got != 1 {
			t.Errorf("%d of %d concurrent owners took the lock, want 1", got, n)
		}
	}},
}
