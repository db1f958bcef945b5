package storetest

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pier-hosting/pier"
)

// lister lists one page of some resource.
type lister[T any] func(p pier.Page) ([]*T, string, error)

// walk lists every item with pages of limit items. Each page but the last
// must be non-empty and hold at most limit items; the last page's cursor must
// be "".
func walk[T any](t *testing.T, limit int, list lister[T]) []*T {
	t.Helper()
	var all []*T
	after := ""
	for range 1000 {
		items, next, err := list(pier.Page{After: after, Limit: limit})
		if err != nil {
			t.Fatalf("limit %d, after %q: %v", limit, after, err)
		}
		if len(items) > limit {
			t.Fatalf("limit %d, after %q: got %d items", limit, after, len(items))
		}
		all = append(all, items...)
		if next == "" {
			return all
		}
		if len(items) == 0 {
			t.Fatalf("limit %d, after %q: empty page with cursor %q", limit, after, next)
		}
		after = next
	}
	t.Fatalf("limit %d: no last page after 1000 pages", limit)
	return nil
}

// checkPages walks list with several page sizes (1, 2 and one page for all)
// and fails the test unless each walk yields the keys want, in order, without
// skips or duplicates.
func checkPages[T any](t *testing.T, want []string, key func(*T) string, list lister[T]) {
	t.Helper()
	for _, limit := range []int{1, 2, len(want) + 1} {
		got := keys(walk(t, limit, list), key)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("limit %d: keys mismatch (-want +got):\n%s", limit, diff)
		}
	}
}

// keys returns the keys of items.
func keys[T any](items []*T, key func(*T) string) []string {
	var out []string
	for _, v := range items {
		out = append(out, key(v))
	}
	return out
}

// Keys of the resources, as checkPages and keys take them.
func appKey(a *pier.App) string                  { return a.ID }
func branchKey(b *pier.Branch) string            { return b.Name }
func jobKey(j *pier.Job) string                  { return j.IDString() }
func domainKey(d *pier.DomainAssociation) string { return d.DomainName }
func webhookKey(w *pier.Webhook) string          { return w.ID }
func envKey(e *pier.BackendEnvironment) string   { return e.Name }
func artifactKey(a *pier.Artifact) string        { return a.ID }

// jobIDs returns job ids as jobKey shows them.
func jobIDs(ids ...int64) []string {
	var out []string
	for _, id := range ids {
		out = append(out, strconv.FormatInt(id, 10))
	}
	return out
}
