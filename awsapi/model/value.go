package model

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// set stores a decoded member in out, or records it missing if it is
// required.
func (d *decoder) set(out map[string]any, m *member, v any, p *fieldPath) {
	if v != nil {
		out[m.wire] = v
	} else if m.required {
		d.missing(p)
	}
}

// value converts and validates a JSON value (never nil) of shape s.
func (d *decoder) value(s *shape, v any, p *fieldPath) any {
	switch s.kind {
	case kindString:
		if str, ok := v.(string); ok {
			d.checkString(s, str, p, "Member")
			return str
		}
	case kindBoolean:
		if _, ok := v.(bool); ok {
			return v
		}
	case kindInteger, kindLong, kindFloat:
		if n, ok := v.(json.Number); ok {
			return d.number(s, string(n), p)
		}
	case kindTimestamp:
		switch t := v.(type) {
		case json.Number:
			return d.epoch(s, t, p)
		case string:
			return d.dateTime(s, t, p)
		}
	case kindList:
		if list, ok := v.([]any); ok {
			return d.list(s, list, p)
		}
	case kindMap:
		if m, ok := v.(map[string]any); ok {
			return d.mapValue(s, m, p)
		}
	case kindStructure:
		if obj, ok := v.(map[string]any); ok {
			return d.structure(s, obj, p)
		}
	}
	d.violate(p, "", "Member must be "+typeNames[s.kind])
	return nil
}

// typeNames describes each kind in messages.
var typeNames = [...]string{
	kindString: "a string", kindBoolean: "a boolean", kindInteger: "an integer", kindLong: "an integer",
	kindFloat: "a number", kindTimestamp: "a timestamp (epoch seconds or an ISO-8601 date-time)",
	kindList: "a list", kindMap: "a map", kindStructure: "an object",
}

// text converts and validates a URI label or query parameter of scalar shape s.
func (d *decoder) text(s *shape, v string, p *fieldPath) any {
	switch s.kind {
	case kindString:
		d.checkString(s, v, p, "Member")
		return v
	case kindBoolean:
		if v == "true" || v == "false" {
			return v == "true"
		}
		d.violate(p, display(s, v), "Member must be "+typeNames[s.kind])
		return nil
	case kindTimestamp: // restJson1 binds timestamps in URIs and queries as ISO-8601
		return d.dateTime(s, v, p)
	default:
		return d.number(s, v, p)
	}
}

// query converts and validates the values of a query parameter: all of them
// for a list, the first for a scalar.
func (d *decoder) query(s *shape, vs []string, p *fieldPath) any {
	if s.kind != kindList {
		return d.text(s, vs[0], p)
	}
	if !d.checkCount(s, len(vs), p) {
		return nil
	}
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = d.text(s.member, v, &fieldPath{parent: p, index: i})
	}
	return out
}

// structure converts and validates a JSON object of structure shape s,
// dropping unknown keys.
func (d *decoder) structure(s *shape, obj map[string]any, p *fieldPath) map[string]any {
	out := make(map[string]any, len(s.members))
	for _, m := range s.members {
		mp := &fieldPath{parent: p, name: m.wire}
		var v any
		if raw := obj[m.wire]; raw != nil {
			v = d.value(m.shape, raw, mp)
		}
		d.set(out, m, v, mp)
	}
	return out
}

// list converts and validates a JSON array of list shape s.
func (d *decoder) list(s *shape, list []any, p *fieldPath) []any {
	if !d.checkCount(s, len(list), p) {
		return nil
	}
	out := make([]any, len(list))
	for i, v := range list {
		ep := &fieldPath{parent: p, index: i}
		if v == nil {
			d.violate(ep, "null ", "Member must not be null")
			continue
		}
		out[i] = d.value(s.member, v, ep)
	}
	return out
}

// mapValue converts and validates a JSON object of map shape s.
func (d *decoder) mapValue(s *shape, m map[string]any, p *fieldPath) map[string]any {
	if !d.checkCount(s, len(m), p) {
		return nil
	}
	out := make(map[string]any, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) { // sorted for a stable message
		v := m[k]
		d.checkString(s.key, k, p, "Map keys")
		ep := &fieldPath{parent: p, name: k, key: true, hidden: s.key.sensitive}
		if v == nil {
			d.violate(ep, "null ", "Member must not be null")
			continue
		}
		out[k] = d.value(s.value, v, ep)
	}
	return out
}

// checkCount validates the number of entries of a list or map and reports
// whether it is acceptable.
func (d *decoder) checkCount(s *shape, n int, p *fieldPath) bool {
	if s.min != nil && int64(n) < *s.min {
		d.violate(p, "", fmt.Sprintf("Member must have length greater than or equal to %d", *s.min))
		return false
	}
	if s.max != nil && int64(n) > *s.max {
		d.violate(p, "", fmt.Sprintf("Member must have length less than or equal to %d", *s.max))
		return false
	}
	return true
}

// checkString validates a string's length in characters, enum and pattern,
// reporting at most one violation. subject names the string in the message.
func (d *decoder) checkString(s *shape, v string, p *fieldPath, subject string) {
	n := int64(utf8.RuneCountInString(v))
	switch {
	case s.min != nil && n < *s.min:
		d.violate(p, display(s, v), fmt.Sprintf("%s must have length greater than or equal to %d", subject, *s.min))
	case s.max != nil && n > *s.max:
		d.violate(p, display(s, v), fmt.Sprintf("%s must have length less than or equal to %d", subject, *s.max))
	case s.enum != nil && !slices.Contains(s.enum, v):
		d.violate(p, display(s, v), fmt.Sprintf("%s must satisfy enum value set: [%s]", subject, strings.Join(s.enum, ", ")))
	case s.pattern != nil && !s.pattern.match(v):
		d.violate(p, display(s, v), subject+" must satisfy regular expression pattern: "+s.source)
	}
}

// number converts and validates the text of a number of shape s.
func (d *decoder) number(s *shape, v string, p *fieldPath) any {
	var out json.Number
	var below, above bool
	if s.kind == kindFloat {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			d.violate(p, display(s, v), "Member must be "+typeNames[s.kind])
			return nil
		}
		out = json.Number(strconv.FormatFloat(f, 'g', -1, 64))
		below = s.min != nil && f < float64(*s.min)
		above = s.max != nil && f > float64(*s.max)
	} else {
		bits := 64
		if s.kind == kindInteger {
			bits = 32
		}
		i, err := strconv.ParseInt(v, 10, bits)
		if err != nil {
			d.violate(p, display(s, v), "Member must be "+typeNames[s.kind])
			return nil
		}
		out = json.Number(strconv.FormatInt(i, 10))
		below = s.min != nil && i < *s.min
		above = s.max != nil && i > *s.max
	}
	if below {
		d.violate(p, display(s, v), fmt.Sprintf("Member must have value greater than or equal to %d", *s.min))
	} else if above {
		d.violate(p, display(s, v), fmt.Sprintf("Member must have value less than or equal to %d", *s.max))
	}
	return out
}

// epoch validates a timestamp given in epoch seconds, a JSON integer or
// fraction.
func (d *decoder) epoch(s *shape, v json.Number, p *fieldPath) any {
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		d.violate(p, display(s, string(v)), "Member must be "+typeNames[kindTimestamp])
		return nil
	}
	return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
}

// dateTime converts a timestamp given as an ISO-8601 date-time to epoch
// seconds.
func (d *decoder) dateTime(s *shape, v string, p *fieldPath) any {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		d.violate(p, display(s, v), "Member must be "+typeNames[kindTimestamp])
		return nil
	}
	sec, ns := t.Unix(), t.Nanosecond()
	if ns == 0 {
		return json.Number(strconv.FormatInt(sec, 10))
	}
	sign := ""
	if sec < 0 { // -1.25 is Unix() -2 plus 750ms
		sign, sec, ns = "-", -(sec + 1), 1e9-ns
	}
	frac := strings.TrimRight(fmt.Sprintf("%09d", ns), "0")
	return json.Number(fmt.Sprintf("%s%d.%s", sign, sec, frac))
}
