package edge

import (
	"sync"
	"sync/atomic"

	"github.com/pier-hosting/pier/edge/rules"
)

// maxMemo bounds the decisions a site remembers; beyond it, requests are
// evaluated afresh (so random paths cannot grow memory without bound).
const maxMemo = 8192

// memo remembers the rule decisions of a site whose rules use regular
// expressions: most traffic repeats a few paths, and a backtracking match
// costs microseconds. Decisions are pure functions of the request, and a
// site (with its memo) is replaced when its rules change.
type memo struct {
	serve, notFound sync.Map // memo key → rules.Decision
	n               atomic.Int64
}

// evaluate returns rs.Evaluate(req), remembered when rs has regexes.
func (st *site) evaluate(req rules.Request) rules.Decision {
	return st.memo.get(&st.memo.serve, st.rules, req, (*rules.Ruleset).Evaluate)
}

// notFound returns rs.NotFound(req), remembered when rs has regexes.
func (st *site) notFound(req rules.Request) rules.Decision {
	return st.memo.get(&st.memo.notFound, st.rules, req, (*rules.Ruleset).NotFound)
}

// get returns eval(rs, req) from m or computes and (room permitting) keeps it.
func (mm *memo) get(m *sync.Map, rs *rules.Ruleset, req rules.Request, eval func(*rules.Ruleset, rules.Request) rules.Decision) rules.Decision {
	if !rs.HasRegex() {
		return eval(rs, req)
	}
	key := req.Path + "\x00" + req.RawQuery + "\x00" + req.Host + "\x00" + req.Country
	if d, ok := m.Load(key); ok {
		return d.(rules.Decision)
	}
	d := eval(rs, req)
	if mm.n.Add(1) <= maxMemo {
		m.Store(key, d)
	}
	return d
}
