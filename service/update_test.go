package service

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

// record is a stored resource of the update tests: a value and its version.
type record struct {
	Value   []string
	Version int64
}

// fakeStore holds one record whose puts are version-checked, and makes the
// first conflicts puts fail as if another node had written in between.
type fakeStore struct {
	mu        sync.Mutex
	stored    record
	conflicts int
	gets      int
	puts      int
}

func (f *fakeStore) get() (*record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	r := f.stored
	r.Value = append([]string(nil), r.Value...)
	return &r, nil
}

func (f *fakeStore) put(r *record) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.puts++
	if f.conflicts > 0 {
		f.conflicts--
		f.stored.Value = append(f.stored.Value, "other node")
		f.stored.Version++
	}
	if r.Version != f.stored.Version {
		return pier.Errorf(pier.ECONFLICT, "Record was changed concurrently")
	}
	r.Version++
	f.stored = *r
	return nil
}

func TestUpdate(t *testing.T) {
	errBad := pier.Errorf(pier.EINVALID, "bad")
	for _, tt := range []struct {
		name      string
		conflicts int
		change    func(*record) error
		wantErr   string // error code, "" for none
		wantGets  int
		wantPuts  int
		wantValue []string
	}{
		{name: "NoConflict", wantGets: 1, wantPuts: 1, wantValue: []string{"mine"}},
		{
			name: "ConflictsReapplyOnFreshReads", conflicts: 3, wantGets: 4, wantPuts: 4,
			wantValue: []string{"other node", "other node", "other node", "mine"},
		},
		{
			name: "GivesUp", conflicts: updateAttempts, wantErr: pier.ECONFLICT,
			wantGets: updateAttempts, wantPuts: updateAttempts,
			wantValue: make([]string, updateAttempts),
		},
		{
			name: "ChangeFails", change: func(*record) error { return errBad },
			wantErr: pier.EINVALID, wantGets: 1,
		},
		{
			name: "Unchanged", change: func(*record) error { return errUnchanged },
			wantGets: 1,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeStore{conflicts: tt.conflicts}
			change := tt.change
			if change == nil {
				change = func(r *record) error {
					r.Value = append(r.Value, "mine")
					return nil
				}
			}
			var locks keyLocks
			got, err := update(t.Context(), &locks, "key", f.get, change, f.put)
			if code := pier.ErrorCode(err); code != tt.wantErr {
				t.Fatalf("update: error %v, want code %q", err, tt.wantErr)
			}
			if f.gets != tt.wantGets || f.puts != tt.wantPuts {
				t.Errorf("%d gets and %d puts, want %d and %d", f.gets, f.puts, tt.wantGets, tt.wantPuts)
			}
			if err == nil && tt.wantPuts > 0 && got.Version != f.stored.Version {
				t.Errorf("returned version %d, stored %d", got.Version, f.stored.Version)
			}
			if len(f.stored.Value) != len(tt.wantValue) {
				t.Fatalf("stored %q, want %q", f.stored.Value, tt.wantValue)
			}
			for i, v := range tt.wantValue {
				if v != "" && f.stored.Value[i] != v {
					t.Errorf("stored %q, want %q", f.stored.Value, tt.wantValue)
				}
			}
			if len(locks.locks) != 0 {
				t.Errorf("%d locks left behind", len(locks.locks))
			}
		})
	}
}

// TestUpdateTakesTurns checks that concurrent updates of one key on one node
// never conflict, and lose nothing.
func TestUpdateTakesTurns(t *testing.T) {
	f := &fakeStore{}
	var locks keyLocks
	const n = 100
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := update(t.Context(), &locks, "key", f.get, func(r *record) error {
				r.Value = append(r.Value, "x")
				return nil
			}, f.put)
			if err != nil {
				t.Errorf("update: %v", err)
			}
		})
	}
	wg.Wait()
	if len(f.stored.Value) != n || f.puts != n {
		t.Errorf("%d values stored in %d puts, want %d in %d", len(f.stored.Value), f.puts, n, n)
	}
	if len(locks.locks) != 0 {
		t.Errorf("%d locks left behind", len(locks.locks))
	}
}

// TestLockCancelled checks that waiting for a held lock ends with the
// context, leaving the lock to its holder.
func TestLockCancelled(t *testing.T) {
	var locks keyLocks
	unlock, err := locks.lock(t.Context(), "key")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	if _, err := locks.lock(ctx, "key"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("lock of a held key: error %v, want deadline exceeded", err)
	}
	other, err := locks.lock(t.Context(), "other key")
	if err != nil {
		t.Fatalf("lock of another key: %v", err)
	}
	other()
	unlock()
	again, err := locks.lock(t.Context(), "key")
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	again()
	if len(locks.locks) != 0 {
		t.Errorf("%d locks left behind", len(locks.locks))
	}
}
