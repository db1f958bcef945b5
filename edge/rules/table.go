package rules

// maxStackCaptures is how many captured values evaluation holds without
// allocating.
const maxStackCaptures = 8

// table is the rules of one evaluation phase, in list order. Unconditional
// literal-path rules are found by a map lookup, so a long list of plain
// redirects costs no more than a short one; the other rules are tried in
// order up to the literal candidate.
type table struct {
	rules  []*rule
	exact  map[string]int // literal path → position of its first unconditional rule
	others []int          // positions of the rules not in exact, ascending
}

// add appends r to t.
func (t *table) add(r *rule) {
	pos := len(t.rules)
	t.rules = append(t.rules, r)
	if r.src.kind != literalSource || len(r.src.query) > 0 || r.country != "" {
		t.others = append(t.others, pos)
		return
	}
	if t.exact == nil {
		t.exact = make(map[string]int)
	}
	if _, shadowed := t.exact[r.src.path]; !shadowed {
		t.exact[r.src.path] = pos
	}
}

// eval returns the decision of the first rule of t matching req.
func (t *table) eval(req *Request) Decision {
	first := len(t.rules)
	if pos, ok := t.exact[req.Path]; ok {
		first = pos
	}
	var stack [maxStackCaptures]string
	for _, pos := range t.others {
		if pos > first {
			break
		}
		r := t.rules[pos]
		var caps []string
		if n := len(r.src.names); n > len(stack) {
			caps = make([]string, n)
		} else {
			caps = stack[:n]
		}
		if r.matches(req, caps) {
			return r.decide(req, caps)
		}
	}
	if first < len(t.rules) {
		return t.rules[first].decide(req, nil)
	}
	return Decision{}
}
