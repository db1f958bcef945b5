package spec

import (
	"fmt"
	"strings"

	"github.com/pier-hosting/pier"
	"gopkg.in/yaml.v3"
)

// decoder reads yaml.v3 nodes and reports errors as
// "<source>: <field path> <problem> (line N)".
type decoder struct {
	source string
}

func (d decoder) errorf(n *yaml.Node, field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if field != "" {
		msg = field + " " + msg
	}
	if n != nil && n.Line > 0 {
		msg = fmt.Sprintf("%s (line %d)", msg, n.Line)
	}
	return pier.Errorf(pier.EINVALID, "%s: %s", d.source, msg)
}

// deref follows aliases; it returns nil for a missing or null node.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	return n
}

// mapping returns n as a mapping node, nil when n is null.
func (d decoder) mapping(n *yaml.Node, field string) (*yaml.Node, error) {
	n = deref(n)
	if n != nil && n.Kind != yaml.MappingNode {
		return nil, d.errorf(n, field, "must be a mapping")
	}
	return n, nil
}

// get returns the value of one of keys in the mapping m (nil when m is nil
// or has none of them), following "<<" merge keys.
func get(m *yaml.Node, keys ...string) *yaml.Node {
	if m == nil {
		return nil
	}
	var merged []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i].Value, m.Content[i+1]
		for _, want := range keys {
			if k == want {
				return v
			}
		}
		if k == "<<" {
			merged = append(merged, v)
		}
	}
	for _, v := range merged {
		v = deref(v)
		if v == nil {
			continue
		}
		if v.Kind == yaml.SequenceNode {
			for _, item := range v.Content {
				if found := get(deref(item), keys...); found != nil {
					return found
				}
			}
		} else if found := get(v, keys...); found != nil {
			return found
		}
	}
	return nil
}

// scalar returns the text of a scalar as written; ok is false for null.
func (d decoder) scalar(n *yaml.Node, field string) (s string, ok bool, err error) {
	n = deref(n)
	if n == nil {
		return "", false, nil
	}
	if n.Kind != yaml.ScalarNode {
		return "", false, d.errorf(n, field, "must be a string")
	}
	if strings.ContainsRune(n.Value, 0) {
		return "", false, d.errorf(n, field, "must not contain a NUL character")
	}
	return n.Value, true, nil
}

// list returns the scalars of a sequence; null is an empty list.
func (d decoder) list(n *yaml.Node, field string) ([]string, error) {
	n = deref(n)
	if n == nil {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, d.errorf(n, field, "must be a list of strings")
	}
	out := make([]string, 0, len(n.Content))
	for i, item := range n.Content {
		itemField := fmt.Sprintf("%s[%d]", field, i)
		if it := deref(item); it != nil && it.Kind == yaml.MappingNode {
			return nil, d.errorf(it, itemField, "must be a string, not a mapping (quote commands that contain \": \")")
		}
		s, ok, err := d.scalar(item, itemField)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, d.errorf(item, itemField, "must be a string, not null")
		}
		out = append(out, s)
	}
	return out, nil
}

// boolean accepts YAML 1.1 and 1.2 spellings of true and false.
func (d decoder) boolean(n *yaml.Node, field string) (bool, error) {
	s, ok, err := d.scalar(n, field)
	if err != nil || !ok {
		return false, err
	}
	switch strings.ToLower(s) {
	case "true", "yes", "y", "on":
		return true, nil
	case "false", "no", "n", "off":
		return false, nil
	}
	return false, d.errorf(n, field, "must be yes/true or no/false, not %q", s)
}
