package certs_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"slices"
	"testing"
	"time"

	"github.com/pier-hosting/pier/certs"
)

func TestStorage(t *testing.T) {
	ctx := t.Context()
	store := openStore(t)
	s := certs.NewStorage(store, testSealer, "cm/", time.Minute)
	values := map[string]string{
		"certificates/ca/example.com/example.com.crt":  "CERT",
		"certificates/ca/example.com/example.com.key":  "-----BEGIN PRIVATE KEY-----",
		"certificates/ca/example.com/example.com.json": "{}",
		"certificates/ca/www.example.com/www.crt":      "CERT2",
		"acme/ca/users/ops/ops.json":                   "{}",
	}
	for k, v := range values {
		check(t, s.Store(ctx, k, []byte(v)))
	}
	for k, v := range values {
		got, err := s.Load(ctx, k)
		check(t, err)
		if string(got) != v {
			t.Errorf("Load(%q) = %q, want %q", k, got, v)
		}
	}
	raw, err := store.GetValue(ctx, "cm/certificates/ca/example.com/example.com.key")
	check(t, err)
	if bytes.Contains(raw, []byte("PRIVATE KEY")) {
		t.Error("a private key is stored in the clear")
	}
	if _, err := s.Load(ctx, "nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing key: %v, want fs.ErrNotExist", err)
	}

	for _, c := range []struct {
		path      string
		recursive bool
		want      []string
	}{
		{"certificates/ca", false, []string{"certificates/ca/example.com", "certificates/ca/www.example.com"}},
		{"certificates/ca/example.com", false, []string{"certificates/ca/example.com/example.com.crt", "certificates/ca/example.com/example.com.json", "certificates/ca/example.com/example.com.key"}},
		{"certificates", true, []string{"certificates/ca/example.com/example.com.crt", "certificates/ca/example.com/example.com.json", "certificates/ca/example.com/example.com.key", "certificates/ca/www.example.com/www.crt"}},
		{"", false, []string{"acme", "certificates"}},
	} {
		got, err := s.List(ctx, c.path, c.recursive)
		check(t, err)
		if !slices.Equal(got, c.want) {
			t.Errorf("List(%q, %v) = %q, want %q", c.path, c.recursive, got, c.want)
		}
	}
	if _, err := s.List(ctx, "missing", true); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("List of a missing directory: %v, want fs.ErrNotExist", err)
	}

	info, err := s.Stat(ctx, "certificates/ca/example.com/example.com.crt")
	check(t, err)
	if !info.IsTerminal || info.Size != 4 {
		t.Errorf("Stat of a file = %+v", info)
	}
	info, err = s.Stat(ctx, "certificates/ca")
	check(t, err)
	if info.IsTerminal {
		t.Errorf("Stat of a directory = %+v", info)
	}
	if !s.Exists(ctx, "certificates") || s.Exists(ctx, "certificates/c") {
		t.Error("Exists is wrong about a directory or a key prefix")
	}

	check(t, s.Delete(ctx, "certificates/ca/example.com"))
	check(t, s.Delete(ctx, "certificates/ca/example.com")) // deleting what is gone is no error
	if s.Exists(ctx, "certificates/ca/example.com/example.com.crt") {
		t.Error("Delete of a directory left its keys")
	}
	if !s.Exists(ctx, "certificates/ca/www.example.com/www.crt") {
		t.Error("Delete of a directory deleted a sibling")
	}
}

// TestStorageLock checks that two nodes' storages exclude each other and
// that a lock whose node stopped renewing it expires.
func TestStorageLock(t *testing.T) {
	ctx := t.Context()
	store := openStore(t)
	a := certs.NewStorage(store, testSealer, "cm/", time.Minute)
	b := certs.NewStorage(store, testSealer, "cm/", time.Minute)
	check(t, a.Lock(ctx, "issue_cert_example.com"))

	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	err := b.Lock(short, "issue_cert_example.com")
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("node B took a lock node A holds: %v", err)
	}
	check(t, b.Lock(ctx, "issue_cert_other.com")) // other names are independent

	acquired := make(chan error, 1)
	go func() { acquired <- b.Lock(ctx, "issue_cert_example.com") }()
	check(t, a.Unlock(ctx, "issue_cert_example.com"))
	check(t, <-acquired)
	check(t, b.Unlock(ctx, "issue_cert_example.com"))
	check(t, b.Unlock(ctx, "issue_cert_other.com"))
	if err := b.Unlock(ctx, "issue_cert_other.com"); err == nil {
		t.Error("Unlock of a lock not held succeeded")
	}

	// A node that crashed holding a lock stops renewing it; its lease ends.
	ok, err := store.TryLock(ctx, "cm/locks/crashed", "dead-node", time.Millisecond)
	check(t, err)
	if !ok {
		t.Fatal("TryLock failed")
	}
	check(t, a.Lock(ctx, "crashed"))
	check(t, a.Unlock(ctx, "crashed"))
}

// TestStorageLockRenewed checks that a held lock outlives its lease: the
// holder renews it.
func TestStorageLockRenewed(t *testing.T) {
	ctx := t.Context()
	store := openStore(t)
	const ttl = 1500 * time.Millisecond
	a := certs.NewStorage(store, testSealer, "cm/", ttl)
	b := certs.NewStorage(store, testSealer, "cm/", ttl)
	check(t, a.Lock(ctx, "long"))
	time.Sleep(2*ttl + ttl/3) // renewed every ttl/3
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	err := b.Lock(short, "long")
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("node B took a lock node A held past its first lease: %v", err)
	}
	check(t, a.Unlock(ctx, "long"))
}
