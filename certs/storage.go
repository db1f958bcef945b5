package certs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/certmagic"
	"github.com/pier-hosting/pier"
)

// Storage is a certmagic.Storage over Pier's shared pier.ValueStore, so
// that every node reads the certificates, ACME accounts and HTTP-01 answers
// any node stored, and takes turns obtaining certificates through the
// store's leased locks. Private keys (the values of keys ending in ".key")
// are sealed at rest. It is safe for concurrent use.
type Storage struct {
	values pier.ValueStore
	sealer pier.Sealer
	prefix string
	// ttl is the lease of a lock; a held lock is renewed every ttl/3 so
	// that only a crashed node's lock expires.
	ttl time.Duration
	// poll is the longest wait between two attempts to take a held lock.
	poll time.Duration
	// node names this Storage in lock owners.
	node string

	mu    sync.Mutex
	held  map[string]*heldLock
	seqNo uint64
}

// heldLock is a lock this Storage holds and keeps renewing.
type heldLock struct {
	owner string
	stop  chan struct{}
	done  chan struct{}
}

var _ certmagic.Storage = (*Storage)(nil)

// NewStorage returns a Storage that keeps its values under prefix (a
// slash-terminated key prefix such as "certmagic/") in values, sealing
// private keys with sealer, and leases its locks for ttl.
func NewStorage(values pier.ValueStore, sealer pier.Sealer, prefix string, ttl time.Duration) *Storage {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return &Storage{values: values, sealer: sealer, prefix: prefix, ttl: ttl, poll: time.Second,
		node: hex.EncodeToString(b), held: map[string]*heldLock{}}
}

func (s *Storage) key(k string) string { return s.prefix + strings.Trim(k, "/") }

// sealed reports whether the value of key is a private key.
func sealed(key string) bool { return strings.HasSuffix(key, ".key") }

// notExist translates the store's ENOTFOUND into what certmagic expects.
func notExist(key string, err error) error {
	if pier.ErrorCode(err) == pier.ENOTFOUND {
		return fmt.Errorf("%s: %w", key, fs.ErrNotExist)
	}
	return err
}

// Store implements certmagic.Storage.
func (s *Storage) Store(ctx context.Context, key string, value []byte) error {
	if sealed(key) {
		v, err := s.sealer.Seal(string(value), s.key(key))
		if err != nil {
			return fmt.Errorf("seal %s: %w", key, err)
		}
		value = []byte(v)
	}
	return s.values.PutValue(ctx, s.key(key), value)
}

// Load implements certmagic.Storage.
func (s *Storage) Load(ctx context.Context, key string) ([]byte, error) {
	v, err := s.values.GetValue(ctx, s.key(key))
	if err != nil {
		return nil, notExist(key, err)
	}
	if sealed(key) {
		plain, err := s.sealer.Open(string(v), s.key(key))
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", key, err)
		}
		v = []byte(plain)
	}
	return v, nil
}

// Delete implements certmagic.Storage: it deletes key and every key below
// it.
func (s *Storage) Delete(ctx context.Context, key string) error {
	if err := s.values.DeleteValue(ctx, s.key(key)); err != nil && pier.ErrorCode(err) != pier.ENOTFOUND {
		return err
	}
	below, err := s.values.ListValues(ctx, s.key(key)+"/")
	if err != nil {
		return err
	}
	for _, k := range below {
		if err := s.values.DeleteValue(ctx, k); err != nil && pier.ErrorCode(err) != pier.ENOTFOUND {
			return err
		}
	}
	return nil
}

// Exists implements certmagic.Storage.
func (s *Storage) Exists(ctx context.Context, key string) bool {
	_, err := s.Stat(ctx, key)
	return err == nil
}

// List implements certmagic.Storage.
func (s *Storage) List(ctx context.Context, path string, recursive bool) ([]string, error) {
	dir := strings.Trim(path, "/")
	prefix := s.prefix
	if dir != "" {
		prefix += dir + "/"
	}
	keys, err := s.values.ListValues(ctx, prefix)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s: %w", path, fs.ErrNotExist)
	}
	var out []string
	seen := map[string]bool{}
	for _, k := range keys {
		rel := strings.TrimPrefix(k, prefix)
		if !recursive {
			rel, _, _ = strings.Cut(rel, "/")
		}
		name := rel
		if dir != "" {
			name = dir + "/" + rel
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out, nil
}

// Stat implements certmagic.Storage. A key that only prefixes others is a
// directory.
func (s *Storage) Stat(ctx context.Context, key string) (certmagic.KeyInfo, error) {
	info, err := s.values.StatValue(ctx, s.key(key))
	if err == nil {
		return certmagic.KeyInfo{Key: key, Modified: info.Modified, Size: info.Size, IsTerminal: true}, nil
	} else if pier.ErrorCode(err) != pier.ENOTFOUND {
		return certmagic.KeyInfo{}, err
	}
	below, err := s.values.ListValues(ctx, s.key(key)+"/")
	if err != nil {
		return certmagic.KeyInfo{}, err
	}
	if len(below) == 0 {
		return certmagic.KeyInfo{}, fmt.Errorf("%s: %w", key, fs.ErrNotExist)
	}
	return certmagic.KeyInfo{Key: key, IsTerminal: false}, nil
}

// Lock implements certmagic.Locker: it waits until it takes the lock (the
// holder released it, or crashed and its lease ended) or ctx ends, then
// keeps renewing the lease until Unlock.
func (s *Storage) Lock(ctx context.Context, name string) error {
	s.mu.Lock()
	s.seqNo++
	owner := fmt.Sprintf("%s/%d", s.node, s.seqNo) // one owner per Lock: goroutines of one node exclude each other too
	s.mu.Unlock()
	wait := 20 * time.Millisecond
	for {
		ok, err := s.values.TryLock(ctx, s.key("locks/"+name), owner, s.ttl)
		if err != nil {
			return fmt.Errorf("lock %s: %w", name, err)
		}
		if ok {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, s.poll)
	}
	h := &heldLock{owner: owner, stop: make(chan struct{}), done: make(chan struct{})}
	s.mu.Lock()
	s.held[name] = h
	s.mu.Unlock()
	go s.renew(name, h)
	return nil
}

// renew extends the lease of h every third of its ttl until Unlock stops it.
func (s *Storage) renew(name string, h *heldLock) {
	defer close(h.done)
	tick := time.NewTicker(s.ttl / 3)
	defer tick.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-tick.C:
			ctx, cancel := context.WithTimeout(context.Background(), s.ttl/3)
			_, _ = s.values.TryLock(ctx, s.key("locks/"+name), h.owner, s.ttl)
			cancel()
		}
	}
}

// Unlock implements certmagic.Locker.
func (s *Storage) Unlock(ctx context.Context, name string) error {
	s.mu.Lock()
	h := s.held[name]
	delete(s.held, name)
	s.mu.Unlock()
	if h == nil {
		return fmt.Errorf("unlock %s: not locked by this node", name)
	}
	close(h.stop)
	<-h.done
	if err := s.values.Unlock(ctx, s.key("locks/"+name), h.owner); err != nil {
		return fmt.Errorf("unlock %s: %w", name, err)
	}
	return nil
}
