package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/pier-hosting/pier"
)

// versioned is one stored resource whose updates are version-checked, as
// the checks of optimistic concurrency see it.
type versioned[T any] struct {
	// get reads the resource.
	get func() (*T, error)
	// update stores it with the store's version-checked Update method.
	update func(*T) error
	// version points to the Version of a copy.
	version func(*T) *int64
	// change makes the writer-th change, one that a read shows.
	change func(v *T, writer int)
}

func appVersions(f *fixture, accountID, appID string) versioned[pier.App] {
	return versioned[pier.App]{
		get:     func() (*pier.App, error) { return f.s.GetApp(f.ctx, accountID, appID) },
		update:  func(a *pier.App) error { return f.s.UpdateApp(f.ctx, a) },
		version: func(a *pier.App) *int64 { return &a.Version },
		change: func(a *pier.App, writer int) {
			a.Description = fmt.Sprintf("writer %d", writer)
			a.Tags = map[string]string{"writer": fmt.Sprint(writer)}
		},
	}
}

func branchVersions(f *fixture, accountID, appID, name string) versioned[pier.Branch] {
	return versioned[pier.Branch]{
		get:     func() (*pier.Branch, error) { return f.s.GetBranch(f.ctx, accountID, appID, name) },
		update:  func(b *pier.Branch) error { return f.s.UpdateBranch(f.ctx, b) },
		version: func(b *pier.Branch) *int64 { return &b.Version },
		change: func(b *pier.Branch, writer int) {
			b.Description = fmt.Sprintf("writer %d", writer)
			b.Tags = map[string]string{"writer": fmt.Sprint(writer)}
		},
	}
}

func domainVersions(f *fixture, accountID, appID, domain string) versioned[pier.DomainAssociation] {
	return versioned[pier.DomainAssociation]{
		get: func() (*pier.DomainAssociation, error) {
			return f.s.GetDomainAssociation(f.ctx, accountID, appID, domain)
		},
		update:  func(d *pier.DomainAssociation) error { return f.s.UpdateDomainAssociation(f.ctx, d) },
		version: func(d *pier.DomainAssociation) *int64 { return &d.Version },
		change: func(d *pier.DomainAssociation, writer int) {
			d.StatusReason = fmt.Sprintf("writer %d", writer)
			d.SubDomains = d.SubDomains[:1:1]
		},
	}
}

func webhookVersions(f *fixture, accountID, id string) versioned[pier.Webhook] {
	return versioned[pier.Webhook]{
		get:     func() (*pier.Webhook, error) { return f.s.GetWebhook(f.ctx, accountID, id) },
		update:  func(w *pier.Webhook) error { return f.s.UpdateWebhook(f.ctx, w) },
		version: func(w *pier.Webhook) *int64 { return &w.Version },
		change: func(w *pier.Webhook, writer int) {
			w.Description = fmt.Sprintf("writer %d", writer)
		},
	}
}

// checkVersionConflict checks that an update of a stale copy is ECONFLICT
// with the message changed and stores nothing, and that re-reading and
// retrying succeeds. The resource must be at version 1.
func checkVersionConflict[T any](t *testing.T, v versioned[T], changed string) {
	t.Helper()
	first, err := v.get()
	if err != nil {
		t.Fatal(err)
	}
	second, err := v.get()
	if err != nil {
		t.Fatal(err)
	}
	if got := *v.version(first); got != 1 {
		t.Fatalf("Version of a new resource = %d, want 1", got)
	}

	v.change(first, 1)
	if err := v.update(first); err != nil {
		t.Fatalf("first update: %v", err)
	}
	v.change(second, 2)
	err = v.update(second)
	wantCode(t, err, pier.ECONFLICT)
	if msg := pier.ErrorMessage(err); msg != changed {
		t.Errorf("message = %q, want %q", msg, changed)
	}
	if got := *v.version(second); got != 1 {
		t.Errorf("Version after a refused update = %d, want 1", got)
	}
	got, err := v.get()
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "resource after the refused update", got, first)

	// Re-reading, re-applying the change and retrying succeeds.
	v.change(got, 2)
	if err := v.update(got); err != nil {
		t.Fatalf("retried update: %v", err)
	}
	again, err := v.get()
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "resource after the retry", again, got)
	if n := *v.version(again); n != 3 {
		t.Errorf("Version after two updates = %d, want 3", n)
	}
}

// checkConcurrentUpdates checks that of two writers updating the same
// version at the same time exactly one wins, and the other gets ECONFLICT;
// then that of many, exactly one wins too.
func checkConcurrentUpdates[T any](t *testing.T, v versioned[T]) {
	t.Helper()
	for round, writers := range []int{2, 10} {
		base, err := v.get()
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var won []int
		// Each writer gets its own copy, as if it had read the resource;
		// all read before any writes.
		copies := make([]*T, writers)
		for i := range copies {
			if copies[i], err = v.get(); err != nil {
				t.Fatal(err)
			}
		}
		for i, c := range copies {
			wg.Go(func() {
				v.change(c, i)
				err := v.update(c)
				switch pier.ErrorCode(err) {
				case "":
					mu.Lock()
					won = append(won, i)
					mu.Unlock()
				case pier.ECONFLICT:
				default:
					t.Errorf("update: %v", err)
				}
			})
		}
		wg.Wait()
		if len(won) != 1 {
			t.Fatalf("round %d: %d of %d updates of one version succeeded, want 1", round, len(won), writers)
		}
		got, err := v.get()
		if err != nil {
			t.Fatal(err)
		}
		if n, want := *v.version(got), *v.version(base)+1; n != want {
			t.Errorf("round %d: Version = %d, want %d", round, n, want)
		}
		winner := *base
		v.change(&winner, won[0])
		*v.version(&winner) = *v.version(got)
		wantEqual(t, fmt.Sprintf("round %d: resource after the winner's update", round), got, &winner)
	}
}
