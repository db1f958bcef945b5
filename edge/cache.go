package edge

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"time"
)

// loadTimeout bounds one load of a cache entry. Loads run detached from the
// request that started them, because other requests may be waiting on them.
const loadTimeout = 10 * time.Second

// errLoadPanicked is what waiters see when a load panicked.
var errLoadPanicked = errors.New("edge: cache load panicked")

// cache is a concurrency-safe LRU of values loaded on a miss. Concurrent
// misses for one key share a single load; the load's error goes to everyone
// waiting on it and is never cached. With a ttl, a value is reused until it
// is ttl old; without one, until it is evicted or removed.
type cache[V any] struct {
	ttl time.Duration
	now func() time.Time

	mu  sync.Mutex
	lru lru[*entry[V]]
}

// entry is one cached value, or a load in progress until ready is closed.
type entry[V any] struct {
	ready   chan struct{}
	val     V
	err     error
	expires time.Time
}

// newCache returns a cache that holds entries of total cost up to max.
func newCache[V any](max int64, ttl time.Duration) *cache[V] {
	c := &cache[V]{ttl: ttl, now: time.Now}
	c.lru.init(max)
	return c
}

// get returns the value of key, calling load on a miss. cost is the weight
// the entry counts against the cache's maximum.
func (c *cache[V]) get(ctx context.Context, key string, cost int64, load func(context.Context) (V, error)) (V, error) {
	c.mu.Lock()
	e, ok := c.lru.get(key)
	if ok {
		select {
		case <-e.ready:
			// A ready entry in the cache always holds a value: failed loads
			// leave the cache before they become ready.
			if c.ttl == 0 || c.now().Before(e.expires) {
				c.mu.Unlock()
				return e.val, nil
			}
		default:
			c.mu.Unlock()
			return wait(ctx, e)
		}
	}
	e = &entry[V]{ready: make(chan struct{})}
	c.lru.add(key, e, cost)
	c.mu.Unlock()
	c.fill(ctx, key, e, load)
	return e.val, e.err
}

// fill runs load for e and publishes the result to e's waiters.
func (c *cache[V]) fill(ctx context.Context, key string, e *entry[V], load func(context.Context) (V, error)) {
	e.err = errLoadPanicked // replaced unless load panics
	defer func() {
		if e.err != nil {
			c.mu.Lock()
			if cur, ok := c.lru.peek(key); ok && cur == e {
				c.lru.remove(key)
			}
			c.mu.Unlock()
		}
		close(e.ready)
	}()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
	defer cancel()
	e.val, e.err = load(ctx)
	e.expires = c.now().Add(c.ttl)
}

// wait waits for another request's load of e.
func wait[V any](ctx context.Context, e *entry[V]) (V, error) {
	select {
	case <-e.ready:
		return e.val, e.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// remove drops key, so the next get loads it afresh. A load in progress
// still answers the requests already waiting on it but is not cached.
func (c *cache[V]) remove(key string) {
	c.mu.Lock()
	c.lru.remove(key)
	c.mu.Unlock()
}

// lru is a least-recently-used map of weighted items. It is not safe for
// concurrent use.
type lru[V any] struct {
	max, used int64
	order     list.List // of *lruItem[V], most recently used first
	items     map[string]*list.Element
}

type lruItem[V any] struct {
	key  string
	val  V
	cost int64
}

func (l *lru[V]) init(max int64) {
	l.max = max
	l.items = make(map[string]*list.Element)
}

// get returns the value of key and marks it most recently used.
func (l *lru[V]) get(key string) (V, bool) {
	el, ok := l.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	l.order.MoveToFront(el)
	return el.Value.(*lruItem[V]).val, true
}

// peek returns the value of key without marking it used.
func (l *lru[V]) peek(key string) (V, bool) {
	el, ok := l.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	return el.Value.(*lruItem[V]).val, true
}

// add stores val under key, replacing any value there, then evicts the least
// recently used items until the total cost is within max. The item just
// added is never evicted by its own add.
func (l *lru[V]) add(key string, val V, cost int64) {
	l.remove(key)
	l.items[key] = l.order.PushFront(&lruItem[V]{key: key, val: val, cost: cost})
	l.used += cost
	for l.used > l.max && l.order.Len() > 1 {
		l.remove(l.order.Back().Value.(*lruItem[V]).key)
	}
}

// remove deletes key if present.
func (l *lru[V]) remove(key string) {
	el, ok := l.items[key]
	if !ok {
		return
	}
	l.order.Remove(el)
	delete(l.items, key)
	l.used -= el.Value.(*lruItem[V]).cost
}
