package edge

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCache(t *testing.T) {
	ctx := context.Background()
	value := func(v string) func(context.Context) (string, error) {
		return func(context.Context) (string, error) { return v, nil }
	}

	t.Run("hits do not load", func(t *testing.T) {
		c := newCache[string](10, 0)
		c.get(ctx, "k", 1, value("a"))
		if got, err := c.get(ctx, "k", 1, value("b")); got != "a" || err != nil {
			t.Fatalf("get = %q, %v; want the cached %q", got, err, "a")
		}
	})
	t.Run("errors are not cached", func(t *testing.T) {
		c := newCache[string](10, 0)
		boom := errors.New("boom")
		if _, err := c.get(ctx, "k", 1, func(context.Context) (string, error) { return "", boom }); err != boom {
			t.Fatalf("err = %v, want %v", err, boom)
		}
		if got, err := c.get(ctx, "k", 1, value("a")); got != "a" || err != nil {
			t.Fatalf("get after error = %q, %v; want a reload", got, err)
		}
	})
	t.Run("a panicking load is not cached", func(t *testing.T) {
		c := newCache[string](10, 0)
		func() {
			defer func() { recover() }()
			c.get(ctx, "k", 1, func(context.Context) (string, error) { panic("bug") })
		}()
		if got, err := c.get(ctx, "k", 1, value("a")); got != "a" || err != nil {
			t.Fatalf("get after panic = %q, %v; want a reload", got, err)
		}
	})
	t.Run("entries expire after ttl", func(t *testing.T) {
		c := newCache[string](10, time.Minute)
		clock := &fakeClock{now: time.Unix(1e9, 0)}
		c.now = clock.Now
		c.get(ctx, "k", 1, value("a"))
		clock.advance(time.Minute - 1)
		if got, _ := c.get(ctx, "k", 1, value("b")); got != "a" {
			t.Fatalf("before ttl: %q", got)
		}
		clock.advance(1)
		if got, _ := c.get(ctx, "k", 1, value("b")); got != "b" {
			t.Fatalf("at ttl: %q, want a reload", got)
		}
	})
	t.Run("remove during a load keeps the result out", func(t *testing.T) {
		c := newCache[string](10, 0)
		c.get(ctx, "k", 1, func(context.Context) (string, error) {
			c.remove("k")
			return "stale", nil
		})
		if got, _ := c.get(ctx, "k", 1, value("fresh")); got != "fresh" {
			t.Fatalf("get = %q, want %q", got, "fresh")
		}
	})
	t.Run("loads outlive the request that started them", func(t *testing.T) {
		c := newCache[string](10, 0)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		got, err := c.get(cancelled, "k", 1, func(ctx context.Context) (string, error) { return "a", ctx.Err() })
		if got != "a" || err != nil {
			t.Fatalf("get = %q, %v; want the load to run uncancelled", got, err)
		}
	})
	t.Run("waiters give up with their context", func(t *testing.T) {
		c := newCache[string](10, 0)
		release := make(chan struct{})
		started := make(chan struct{})
		go c.get(ctx, "k", 1, func(context.Context) (string, error) {
			close(started)
			<-release
			return "a", nil
		})
		<-started
		waiter, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := c.get(waiter, "k", 1, value("b")); err != context.Canceled {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		close(release)
	})
}

func TestLRU(t *testing.T) {
	var l lru[int]
	l.init(10)
	l.add("a", 1, 4)
	l.add("b", 2, 4)
	l.get("a") // b is now least recently used
	l.add("c", 3, 4)
	if keys := lruKeys(&l); keys != "c a" {
		t.Errorf("after eviction: %q, want %q", keys, "c a")
	}
	l.add("a", 5, 2) // replacing updates the cost
	if l.used != 6 {
		t.Errorf("used = %d, want 6", l.used)
	}
	l.add("huge", 6, 100) // kept alone rather than evicting itself
	if keys := lruKeys(&l); keys != "huge" || l.used != 100 {
		t.Errorf("after an oversized add: %q (used %d), want %q", keys, l.used, "huge")
	}
	l.remove("huge")
	l.remove("missing")
	if l.used != 0 || l.order.Len() != 0 || len(l.items) != 0 {
		t.Errorf("after removing everything: used %d, %d items", l.used, l.order.Len())
	}
}

// lruKeys lists the keys of l, most recently used first.
func lruKeys(l *lru[int]) string {
	var keys []string
	for el := l.order.Front(); el != nil; el = el.Next() {
		keys = append(keys, el.Value.(*lruItem[int]).key)
	}
	return strings.Join(keys, " ")
}
