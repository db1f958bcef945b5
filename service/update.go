package service

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/pier-hosting/pier"
)

// Bounds of update's retries. Under contention the waits grow, doubling
// from updateBackoff up to updateMaxBackoff, and are jittered so that the
// writers that lost a round spread out instead of colliding again.
const (
	updateAttempts   = 10
	updateBackoff    = 2 * time.Millisecond
	updateMaxBackoff = 200 * time.Millisecond
)

// errUnchanged is what a change passed to update returns when there is
// nothing to store: update then returns the resource as read, without a
// write.
var errUnchanged = errors.New("unchanged")

// update is a read-modify-write of one stored resource under the store's
// optimistic concurrency: it reads the resource with get, applies change to
// it and stores it with put, a version-checked Update. When put reports
// ECONFLICT (another writer stored the resource since the read), update
// waits a moment and starts over from a fresh read, so that change is
// applied to what the other writer stored and neither change is lost. It
// gives up with the ECONFLICT after updateAttempts tries. Errors of get and
// change end it at once, and change may run more than once, so it must apply
// its change afresh to whatever it is given.
//
// The writers of one resource on this node take turns, holding the lock of
// key in locks, so that only writers on other nodes can conflict: without
// it, a burst of calls at one resource (200 TagResource calls, say) would
// mostly lose their rounds and run out of attempts.
func update[T any](ctx context.Context, locks *keyLocks, key string, get func() (*T, error), change func(*T) error, put func(*T) error) (*T, error) {
	unlock, err := locks.lock(ctx, key)
	if err != nil {
		return nil, err
	}
	defer unlock()
	for attempt := 1; ; attempt++ {
		v, err := get()
		if err != nil {
			return nil, err
		}
		if err := change(v); errors.Is(err, errUnchanged) {
			return v, nil
		} else if err != nil {
			return nil, err
		}
		err = put(v)
		if err == nil {
			return v, nil
		}
		if pier.ErrorCode(err) != pier.ECONFLICT || attempt == updateAttempts {
			return nil, err
		}
		if err := pier.Sleep(ctx, backoff(attempt)); err != nil {
			return nil, err
		}
	}
}

// keyLocks is a set of locks named by keys, which exist while they are held
// or awaited. The zero value is ready to use.
type keyLocks struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

// keyLock is the lock of one key: a token in a channel of capacity one, so
// that waiting for it can end with the context.
type keyLock struct {
	token chan struct{}
	refs  int // holders and waiters
}

// lock waits until it holds the lock of key, or until ctx is done, returning
// ctx's error then. The caller must call unlock once it is done.
func (l *keyLocks) lock(ctx context.Context, key string) (unlock func(), err error) {
	l.mu.Lock()
	if l.locks == nil {
		l.locks = map[string]*keyLock{}
	}
	k := l.locks[key]
	if k == nil {
		k = &keyLock{token: make(chan struct{}, 1)}
		l.locks[key] = k
	}
	k.refs++
	l.mu.Unlock()
	release := func() {
		l.mu.Lock()
		if k.refs--; k.refs == 0 {
			delete(l.locks, key)
		}
		l.mu.Unlock()
	}
	select {
	case k.token <- struct{}{}:
		return func() { <-k.token; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

// backoff returns how long update waits after its attempt-th try failed: a
// random duration below updateBackoff·2^(attempt-1), at most
// updateMaxBackoff.
func backoff(attempt int) time.Duration {
	d := updateMaxBackoff
	if attempt <= 16 {
		d = min(updateBackoff<<(attempt-1), updateMaxBackoff)
	}
	return rand.N(d) + 1
}

// The keys of update's locks, one per resource. Account and app ids and
// domain names contain no "/"; a branch name, the last part, may.

func appKey(account, appID string) string { return "app/" + account + "/" + appID }

func branchKey(account, appID, name string) string {
	return "branch/" + account + "/" + appID + "/" + name
}

func jobKey(j *pier.Job) string {
	return "job/" + j.AccountID + "/" + j.AppID + "/" + j.BranchName + "/" + j.IDString()
}

func domainKey(account, appID, domain string) string {
	return "domain/" + account + "/" + appID + "/" + domain
}

func webhookKey(account, id string) string { return "webhook/" + account + "/" + id }
