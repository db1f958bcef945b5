package storetest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

var secretTests = []test{
	{"FirstWins", func(t *testing.T, f *fixture) {
		for _, c := range []struct {
			name      string
			candidate string
			want      string
		}{
			{"signing-key", "first", "first"},
			{"signing-key", "second", "first"},
			{"upload-key", "other", "other"},
			{"signing-key", "third", "first"},
		} {
			got, err := f.s.Secret(f.ctx, c.name, []byte(c.candidate))
			f.check(err)
			if string(got) != c.want {
				t.Errorf("Secret(%q, %q) = %q, want %q", c.name, c.candidate, got, c.want)
			}
		}
	}},
	{"Binary", func(t *testing.T, f *fixture) {
		want := []byte{0, 1, 0xfe, 0xff, '\n', 0}
		got, err := f.s.Secret(f.ctx, "key", want)
		f.check(err)
		if !bytes.Equal(got, want) {
			t.Errorf("Secret = %x, want %x", got, want)
		}
	}},
	{"Concurrent", func(t *testing.T, f *fixture) {
		const n = 20
		got := make([][]byte, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				v, err := f.s.Secret(f.ctx, "key", fmt.Appendf(nil, "candidate-%d", i))
				if err != nil {
					t.Errorf("Secret: %v", err)
				}
				got[i] = v
			})
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		later, err := f.s.Secret(f.ctx, "key", []byte("late"))
		f.check(err)
		for i, v := range got {
			if !bytes.Equal(v, later) {
				t.Errorf("caller %d got %q, a later caller %q", i, v, later)
			}
		}
		if !bytes.HasPrefix(later, []byte("candidate-")) {
			t.Errorf("stored secret %q is none of the candidates", later)
		}
	}},
}
