package headers

import (
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/pier-hosting/pier"
)

// decode returns the root node of the single YAML document in text, or nil
// when there is none or it is null.
func decode(text string) (*yaml.Node, error) {
	dec := yaml.NewDecoder(strings.NewReader(text))
	var doc, next yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, syntaxError(text, err)
	}
	if err := dec.Decode(&next); err == nil {
		return nil, invalid(next.Line, "a second YAML document; there must be only one")
	} else if !errors.Is(err, io.EOF) {
		return nil, syntaxError(text, err)
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, nil
	}
	return doc.Content[0], nil
}

// parserProblems are the messages of the YAML parser, as opposed to its
// scanner, for which yaml.v3 numbers lines from 0.
var parserProblems = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected <stream-start>",
	"did not find expected key",
	"did not find expected node content",
	"found duplicate %TAG directive",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

// syntaxError turns an error of the YAML decoder of text, such as "yaml:
// line 3: did not find expected key", into a pier.EINVALID error naming the
// line, counted from 1. yaml.v3 leaves the line out for line 1 and for
// bytes YAML does not allow, which syntaxError finds; it cannot say where
// an unknown alias is.
func syntaxError(text string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, problem, ok := strings.Cut(rest, ": "); ok {
			if l, err := strconv.Atoi(n); err == nil {
				line, msg = l, problem
			}
		}
	}
	switch i := strings.IndexFunc(text, notYAML); {
	case line > 0 && slices.Contains(parserProblems, msg):
		line++
	case line > 0:
	case strings.HasPrefix(msg, "unknown anchor"):
		return pier.Errorf(pier.EINVALID, "customHeaders: invalid YAML: %s", msg)
	case i >= 0:
		line = 1 + strings.Count(text[:i], "\n")
	default:
		line = 1
	}
	return invalid(line, "invalid YAML: %s", msg)
}

// notYAML reports whether r may not appear in a YAML stream: a control
// character other than tab and line breaks, or a byte that is not UTF-8.
func notYAML(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || 0x7f <= r && r <= 0x9f && r != 0x85 || r == utf8.RuneError
}

// field is a key of a YAML mapping and its value, with aliases resolved;
// both are nil for an absent key, and val is nil for a null value.
type field struct {
	key, val *yaml.Node
}

// resolve returns the node an alias refers to, and any other node as it is.
func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// isNull reports whether n is a null scalar ("", "~" or "null").
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// scalar returns the text of n if it is a scalar; numbers and booleans count
// as written ("max-age=0" and 3600 alike). n may be nil.
func scalar(n *yaml.Node) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode {
		return "", false
	}
	return n.Value, true
}
