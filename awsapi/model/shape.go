package model

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"time"

	"github.com/dlclark/regexp2"

	"github.com/pier-hosting/pier/awsapi/model/internal/boto"
)

// patternTimeout bounds one backtracking match. Only patterns Go's RE2
// engine cannot compile (the model's look-ahead ones) backtrack, and their
// inputs are length-checked first, so the bound is generous: a wall-clock
// timeout that a busy machine can reach would reject valid requests.
const patternTimeout = 2 * time.Second

// kind is a shape's type.
type kind uint8

const (
	kindString kind = iota
	kindBoolean
	kindInteger // 32-bit
	kindLong
	kindFloat // float and double
	kindTimestamp
	kindList
	kindMap
	kindStructure
)

// kinds maps botocore's type names to kinds.
var kinds = map[string]kind{
	"string": kindString, "boolean": kindBoolean, "integer": kindInteger, "long": kindLong,
	"float": kindFloat, "double": kindFloat, "timestamp": kindTimestamp,
	"list": kindList, "map": kindMap, "structure": kindStructure,
}

// shape is a compiled botocore shape.
type shape struct {
	kind      kind
	min, max  *int64 // length of a string, list or map; value of a number
	pattern   *pattern
	source    string // pattern as written in the model
	enum      []string
	sensitive bool
	member    *shape // of a list
	key       *shape // of a map
	value     *shape // of a map
	members   []*member
}

// member is a compiled structure member.
type member struct {
	wire     string // locationName if the model gives one, else the member name
	location string // "uri", "querystring" or "" for the body
	required bool
	shape    *shape
}

// mustLoad compiles an embedded model; the tests guarantee that it succeeds.
func mustLoad(name string, data []byte) *Model {
	m, err := load(data)
	if err != nil {
		panic(fmt.Sprintf("model: embedded %s model: %v", name, err))
	}
	return m
}

// load compiles a trimmed botocore model.
func load(data []byte) (*Model, error) {
	var svc boto.Service
	if err := json.Unmarshal(data, &svc); err != nil {
		return nil, err
	}
	c := compiler{svc: &svc, shapes: map[string]*shape{}, patterns: map[string]*pattern{}}
	m := &Model{byName: map[string]*Operation{}}
	for _, name := range slices.Sorted(maps.Keys(svc.Operations)) {
		def := svc.Operations[name]
		op := &Operation{Name: def.Name, Method: def.HTTP.Method, RequestURI: def.HTTP.RequestURI}
		if def.Input != nil {
			in, err := c.shape(def.Input.Shape)
			if err != nil {
				return nil, fmt.Errorf("operation %s: %w", name, err)
			}
			op.input = in
		}
		m.ops = append(m.ops, op)
		m.byName[op.Name] = op
	}
	return m, nil
}

// compiler resolves shape references, sharing one *shape per name and one
// compiled regexp per pattern.
type compiler struct {
	svc      *boto.Service
	shapes   map[string]*shape
	patterns map[string]*pattern
}

// pattern is a compiled model pattern: RE2 (linear time, no timeout) when
// Go's regexp accepts it — with the same meaning as ECMA-262 for these
// patterns: \d is ASCII, $ matches only at the end, . excludes newlines —
// and a backtracking ECMAScript engine for the look-ahead ones.
type pattern struct {
	re2 *regexp.Regexp
	re  *regexp2.Regexp
}

// match reports whether v fully matches; a backtracking match that times
// out does not.
func (p *pattern) match(v string) bool {
	if p.re2 != nil {
		return p.re2.MatchString(v)
	}
	ok, err := p.re.MatchString(v)
	return ok && err == nil
}

// shape compiles the named shape and the shapes it refers to.
func (c *compiler) shape(name string) (*shape, error) {
	if s, ok := c.shapes[name]; ok {
		return s, nil
	}
	def, ok := c.svc.Shapes[name]
	if !ok {
		return nil, fmt.Errorf("shape %s is not defined", name)
	}
	k, ok := kinds[def.Type]
	if !ok {
		return nil, fmt.Errorf("shape %s: unsupported type %q", name, def.Type)
	}
	s := &shape{kind: k, min: def.Min, max: def.Max, enum: def.Enum, sensitive: def.Sensitive, source: def.Pattern}
	c.shapes[name] = s // before resolving references, which may lead back here
	if def.Pattern != "" {
		re, err := c.pattern(def.Pattern)
		if err != nil {
			return nil, fmt.Errorf("shape %s: %w", name, err)
		}
		s.pattern = re
	}
	var err error
	if s.member, err = c.ref(def.Member); err != nil {
		return nil, err
	}
	if s.key, err = c.ref(def.Key); err != nil {
		return nil, err
	}
	if s.value, err = c.ref(def.Value); err != nil {
		return nil, err
	}
	if s.kind == kindMap && (s.key == nil || s.key.kind != kindString || s.value == nil) {
		return nil, fmt.Errorf("shape %s: a map needs a string key and a value", name)
	}
	if s.kind == kindList && s.member == nil {
		return nil, fmt.Errorf("shape %s: a list needs a member", name)
	}
	for _, mname := range slices.Sorted(maps.Keys(def.Members)) {
		mdef := def.Members[mname]
		ms, err := c.shape(mdef.Shape)
		if err != nil {
			return nil, err
		}
		wire := mdef.LocationName
		if wire == "" {
			wire = mname
		}
		s.members = append(s.members, &member{wire: wire, location: mdef.Location, required: slices.Contains(def.Required, mname), shape: ms})
	}
	for _, r := range def.Required {
		if _, ok := def.Members[r]; !ok {
			return nil, fmt.Errorf("shape %s: required member %s is not defined", name, r)
		}
	}
	return s, nil
}

// ref compiles an optional shape reference.
func (c *compiler) ref(r *boto.Ref) (*shape, error) {
	if r == nil {
		return nil, nil
	}
	return c.shape(r.Shape)
}

// pattern compiles a model pattern for a full match. Smithy patterns are
// ECMA-262 regular expressions that match anywhere in the value; AWS applies
// them to the whole value, so every pattern is wrapped in ^(?:…)$ (harmless
// for patterns that are already anchored). ECMAScript mode keeps ECMA-262's
// meaning where .NET's differs: \d is ASCII and $ matches only at the end,
// not before a final newline.
func (c *compiler) pattern(p string) (*pattern, error) {
	if pat, ok := c.patterns[p]; ok {
		return pat, nil
	}
	anchored := "^(?:" + p + ")$"
	pat := &pattern{}
	if re, err := regexp.Compile(anchored); err == nil {
		pat.re2 = re
	} else {
		re, err := regexp2.Compile(anchored, regexp2.ECMAScript)
		if err != nil {
			return nil, fmt.Errorf("pattern %q: %w", p, err)
		}
		re.MatchTimeout = patternTimeout
		pat.re = re
	}
	c.patterns[p] = pat
	return pat, nil
}
