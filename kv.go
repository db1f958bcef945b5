package pier

import (
	"context"
	"time"
)

// ValueStore keeps small values that every node shares — ACME accounts,
// issued certificates, HTTP-01 challenge answers, imported certificates —
// under slash-separated keys, and leases named locks so that one node at a
// time does a piece of cluster-wide work. Every method is safe for
// concurrent use.
type ValueStore interface {
	// GetValue returns the value stored under key; ENOTFOUND if there is
	// none.
	GetValue(ctx context.Context, key string) ([]byte, error)
	// PutValue stores value under key, replacing any value there.
	PutValue(ctx context.Context, key string, value []byte) error
	// DeleteValue deletes the value stored under key; ENOTFOUND if there is
	// none.
	DeleteValue(ctx context.Context, key string) error
	// ListValues returns, sorted bytewise, the keys that begin with prefix
	// ("" lists every key).
	ListValues(ctx context.Context, prefix string) ([]string, error)
	// StatValue describes the value stored under key; ENOTFOUND if there is
	// none.
	StatValue(ctx context.Context, key string) (ValueInfo, error)

	// TryLock takes the lock name for owner until ttl from now and reports
	// whether it did: it does if the lock is free, if its lease has ended
	// (its owner crashed), or if owner already holds it (which extends the
	// lease). It never waits.
	TryLock(ctx context.Context, name, owner string, ttl time.Duration) (bool, error)
	// Unlock releases the lock name if owner holds it; ENOTFOUND if owner
	// does not (it never took it, or its lease ended and another owner took
	// the lock).
	Unlock(ctx context.Context, name, owner string) error
}

// ValueInfo describes a stored value.
type ValueInfo struct {
	Key string
	// Size is the length of the value in bytes.
	Size int64
	// Modified is when the value was last stored.
	Modified time.Time
}
