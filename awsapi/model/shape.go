package model

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/dlclark/regexp2"

	"github.com/pier-hosting/pier/awsapi/model/internal/boto"
)

// patternTimeout bounds one pattern match; a match that times out fails.
const patternTimeout = 50 * time.Millisecond

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
	pattern   *regexp2.Regexp
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
	c := compiler{svc: &svc, shapes: map[string]*shape{}, patterns: map[string]*regexp2.Regexp{}}
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
	patterns map[string]*regexp2.Regexp
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
func (c *compiler) pattern(p string) (*regexp2.Regexp, error) {
	if re, ok := c.patterns[p]; ok {
		return re, nil
	}
	re, err := regexp2.Compile("^(?:"+p+")$", regexp2.ECMAScript)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", p, err)
	}
	re.MatchTimeout = patternTimeout
	c.patterns[p] = re
	return re, nil
}
