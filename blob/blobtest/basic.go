package blobtest

import (
	"io"
	"testing"
	"time"
)

var basicTests = []test{
	{"RoundTrip", func(t *testing.T, f *fixture) {
		start := time.Now()
		want := []byte("<h1>hello</h1>\n")
		f.put("site/index.html", want)
		got, info := f.read("site/index.html")
		if string(got) != string(want) {
			t.Fatalf("content %s, want %s", abbrev(got), abbrev(want))
		}
		wantRecent(t, "Open", info.ModTime, start)
	}},
	{"Empty", func(t *testing.T, f *fixture) {
		f.put("empty", nil)
		f.wantContent("empty", []byte{})
	}},
	{"Large", func(t *testing.T, f *fixture) {
		want := pattern(1, 5<<20+3)
		f.put("large", want)
		f.wantContent("large", want)
	}},
	{"Seek", func(t *testing.T, f *fixture) {
		f.put("seek", []byte("0123456789"))
		rc, _, err := f.s.Open(f.ctx, "seek")
		f.check(err)
		defer rc.Close()
		end, err := rc.Seek(0, io.SeekEnd)
		f.check(err)
		if end != 10 {
			t.Fatalf("Seek to end = %d, want 10", end)
		}
		_, err = rc.Seek(4, io.SeekStart)
		f.check(err)
		b, err := io.ReadAll(rc)
		f.check(err)
		if string(b) != "456789" {
			t.Fatalf("read %q after Seek(4), want %q", b, "456789")
		}
	}},
	{"Missing", func(t *testing.T, f *fixture) {
		f.wantMissing("missing")
		f.wantMissing("missing/deeper/key")
	}},
	{"Stat", func(t *testing.T, f *fixture) {
		start := time.Now()
		f.put("stat/blob", []byte("twelve bytes"))
		info, err := f.s.Stat(f.ctx, "stat/blob")
		f.check(err)
		if info.Size != 12 {
			t.Fatalf("Stat Size %d, want 12", info.Size)
		}
		wantRecent(t, "Stat", info.ModTime, start)
		_, opened := f.read("stat/blob")
		if !opened.ModTime.Equal(info.ModTime) {
			t.Fatalf("Open ModTime %v, Stat ModTime %v", opened.ModTime, info.ModTime)
		}
	}},
	{"PutReplaces", func(t *testing.T, f *fixture) {
		f.put("replace", []byte("the first, longer content"))
		f.put("replace", []byte("second"))
		f.wantContent("replace", []byte("second"))
		if got := f.list(""); len(got) != 1 || got["replace"] != 6 {
			t.Fatalf("List after replacing = %v, want one blob of 6 bytes", got)
		}
	}},
	{"Delete", func(t *testing.T, f *fixture) {
		f.put("del/a", []byte("a"))
		f.put("del/b", []byte("b"))
		f.check(f.s.Delete(f.ctx, "del/a"))
		f.wantMissing("del/a")
		f.wantContent("del/b", []byte("b"))
		f.check(f.s.Delete(f.ctx, "del/a"))
		f.check(f.s.Delete(f.ctx, "never/was/here"))
	}},
	{"DeleteThenPut", func(t *testing.T, f *fixture) {
		f.put("again/blob", []byte("one"))
		f.check(f.s.Delete(f.ctx, "again/blob"))
		f.put("again/blob", []byte("two"))
		f.wantContent("again/blob", []byte("two"))
	}},
	{"ParentIsNotABlob", func(t *testing.T, f *fixture) {
		// A key's leading segments name no blob, whatever the store
		// keeps for them.
		f.put("parent/child", []byte("child"))
		f.wantMissing("parent")
		f.check(f.s.Delete(f.ctx, "parent"))
		f.wantContent("parent/child", []byte("child"))
		if got := f.list("parent"); len(got) != 1 {
			t.Fatalf("List(%q) = %v, want only parent/child", "parent", got)
		}
	}},
}
