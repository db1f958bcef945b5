package edge

import (
	"sync"
	"sync/atomic"

	"github.com/pier-hosting/pier/edge/rules"
)

// maxMemo bounds the results one memoTable remembers; beyond it, results
// are computed afresh (so random paths cannot grow memory without bound).
const maxMemo = 8192

// memoTable remembers results of a pure function by key. Its owner (a site,
// a compiled header document) is replaced when the function's inputs
// change, so entries never go stale. Safe for concurrent use.
type memoTable[V any] struct {
	m sync.Map // key → V
	n atomic.Int64
}

// load returns the result remembered for key.
func (t *memoTable[V]) load(key string) (V, bool) {
	v, ok := t.m.Load(key)
	if !ok {
		var zero V
		return zero, false
	}
	return v.(V), true
}

// keep remembers v for key while there is room.
func (t *memoTable[V]) keep(key string, v V) {
	if t.n.Add(1) <= maxMemo {
		t.m.Store(key, v)
	}
}

// memo remembers the rule decisions of a site whose rules use regular
// expressions: most traffic repeats a few paths, and a backtracking match
// costs microseconds.
type memo struct {
	serve, notFound memoTable[rules.Decision]
}

// evaluate returns st.rules.Evaluate(req), remembered when the rules have
// regexes.
func (st *site) evaluate(req rules.Request) rules.Decision {
	return decide(&st.memo.serve, st.rules, req, (*rules.Ruleset).Evaluate)
}

// notFound returns st.rules.NotFound(req), remembered likewise.
func (st *site) notFound(req rules.Request) rules.Decision {
	return decide(&st.memo.notFound, st.rules, req, (*rules.Ruleset).NotFound)
}

// decide returns eval(rs, req) from t or computes and keeps it.
func decide(t *memoTable[rules.Decision], rs *rules.Ruleset, req rules.Request, eval func(*rules.Ruleset, rules.Request) rules.Decision) rules.Decision {
	if !rs.HasRegex() {
		return eval(rs, req)
	}
	key := req.Path + "\x00" + req.RawQuery + "\x00" + req.Host + "\x00" + req.Country
	if d, ok := t.load(key); ok {
		return d
	}
	d := eval(rs, req)
	t.keep(key, d)
	return d
}
