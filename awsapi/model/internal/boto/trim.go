package boto

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// shapeTraits lists, per shape type, the traits Trim keeps.
var shapeTraits = map[string][]string{
	"string":    {"min", "max", "pattern", "enum"},
	"boolean":   nil,
	"integer":   {"min", "max"},
	"long":      {"min", "max"},
	"float":     {"min", "max"},
	"double":    {"min", "max"},
	"timestamp": nil,
	"list":      {"member", "min", "max"},
	"map":       {"key", "value", "min", "max"},
	"structure": {"members", "required"},
}

// memberTraits lists the structure member traits Trim keeps.
var memberTraits = []string{"shape", "location", "locationName"}

// documentary lists the traits that do not affect how an input is decoded or
// validated, which Trim drops.
var documentary = []string{"documentation", "deprecated", "deprecatedMessage", "box", "exception", "error", "fault"}

// scalarTypes lists the types a URI label or query parameter can have.
var scalarTypes = []string{"string", "boolean", "integer", "long", "float", "double", "timestamp"}

// Trim returns the trimmed model of a botocore service-2.json, indented for
// committing. It fails on any type or trait that would change how an input is
// decoded or validated but that package model does not implement, so that no
// constraint of the model is silently ignored.
func Trim(full []byte) ([]byte, error) {
	var in struct {
		Operations map[string]Operation       `json:"operations"`
		Shapes     map[string]json.RawMessage `json:"shapes"`
	}
	if err := json.Unmarshal(full, &in); err != nil {
		return nil, fmt.Errorf("parse model: %w", err)
	}
	t := trimmer{raw: in.Shapes, out: map[string]Shape{}}
	inputs := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(in.Operations)) {
		op := in.Operations[name]
		if op.Input == nil {
			continue
		}
		if err := t.visit(op.Input.Shape); err != nil {
			return nil, fmt.Errorf("operation %s: %w", name, err)
		}
		if t.out[op.Input.Shape].Type != "structure" {
			return nil, fmt.Errorf("operation %s: input %s is not a structure", name, op.Input.Shape)
		}
		inputs[op.Input.Shape] = true
	}
	if err := t.checkLocations(inputs); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(Service{Operations: in.Operations, Shapes: t.out}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// trimmer copies the shapes reachable from operation inputs.
type trimmer struct {
	raw map[string]json.RawMessage
	out map[string]Shape
}

// visit copies the named shape and everything it refers to.
func (t *trimmer) visit(name string) error {
	if _, ok := t.out[name]; ok {
		return nil
	}
	raw, ok := t.raw[name]
	if !ok {
		return fmt.Errorf("shape %s is not defined", name)
	}
	var s Shape
	var traits map[string]json.RawMessage
	if err := json.Unmarshal(raw, &s); err != nil {
		return fmt.Errorf("shape %s: %w", name, err)
	}
	if err := json.Unmarshal(raw, &traits); err != nil {
		return fmt.Errorf("shape %s: %w", name, err)
	}
	kept, ok := shapeTraits[s.Type]
	if !ok {
		return fmt.Errorf("shape %s: unsupported type %q", name, s.Type)
	}
	if err := checkTraits(traits, append([]string{"type", "sensitive"}, kept...)); err != nil {
		return fmt.Errorf("shape %s: %w", name, err)
	}
	var members map[string]map[string]json.RawMessage
	if m, ok := traits["members"]; ok {
		if err := json.Unmarshal(m, &members); err != nil {
			return fmt.Errorf("shape %s: %w", name, err)
		}
	}
	for _, m := range slices.Sorted(maps.Keys(members)) {
		if err := checkTraits(members[m], memberTraits); err != nil {
			return fmt.Errorf("shape %s member %s: %w", name, m, err)
		}
	}
	t.out[name] = s
	var refs []string
	for _, r := range []*Ref{s.Member, s.Key, s.Value} {
		if r != nil {
			refs = append(refs, r.Shape)
		}
	}
	for _, m := range slices.Sorted(maps.Keys(s.Members)) {
		refs = append(refs, s.Members[m].Shape)
	}
	for _, r := range refs {
		if err := t.visit(r); err != nil {
			return err
		}
	}
	return nil
}

// checkTraits fails on a trait that is neither kept nor documentary.
func checkTraits(traits map[string]json.RawMessage, kept []string) error {
	for _, k := range slices.Sorted(maps.Keys(traits)) {
		if !slices.Contains(kept, k) && !slices.Contains(documentary, k) {
			return fmt.Errorf("unsupported trait %q", k)
		}
	}
	return nil
}

// checkLocations fails unless URI and query bindings appear only on members
// of operation inputs and bind scalars (or, in the query, lists of scalars).
func (t *trimmer) checkLocations(inputs map[string]bool) error {
	for _, name := range slices.Sorted(maps.Keys(t.out)) {
		for _, mname := range slices.Sorted(maps.Keys(t.out[name].Members)) {
			m := t.out[name].Members[mname]
			if m.Location == "" {
				continue
			}
			target := t.out[m.Shape]
			ok := inputs[name]
			switch m.Location {
			case "uri":
				ok = ok && slices.Contains(scalarTypes, target.Type)
			case "querystring":
				if target.Type == "list" {
					target = t.out[target.Member.Shape]
				}
				ok = ok && slices.Contains(scalarTypes, target.Type)
			default:
				ok = false
			}
			if !ok {
				return fmt.Errorf("shape %s member %s: unsupported %s binding of a %s", name, mname, m.Location, target.Type)
			}
		}
	}
	return nil
}
