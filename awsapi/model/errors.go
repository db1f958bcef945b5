package model

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/pier-hosting/pier"
)

const (
	maxViolations = 10  // violations kept for the message (no more fit); the rest are counted
	maxShown      = 32  // characters of a value or map key shown in a message
	maxMessage    = 255 // bytes of a message (ErrorMessage allows 255 characters)
)

// decoder collects the violations found while decoding one input, in the
// order of the model's members, list indexes and sorted map keys.
type decoder struct {
	count      int
	violations []string // described in AWS's words
}

// violate records that the value at p (shown as given by display, or "")
// breaks constraint.
func (d *decoder) violate(p *fieldPath, shown, constraint string) {
	d.add("Value " + shown + "at '" + p.String() + "' failed to satisfy constraint: " + constraint)
}

// missing records that the required member at p is absent or null.
func (d *decoder) missing(p *fieldPath) {
	d.add("Missing required field '" + p.String() + "'")
}

// add records a violation.
func (d *decoder) add(text string) {
	d.count++
	if len(d.violations) < maxViolations {
		d.violations = append(d.violations, text)
	}
}

// err returns the collected violations as one error, or nil.
func (d *decoder) err() error {
	if d.count == 0 {
		return nil
	}
	var b strings.Builder
	if d.count == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		fmt.Fprintf(&b, "%d validation errors detected: ", d.count)
	}
	for i, v := range d.violations {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v)
	}
	return &pier.Error{Code: pier.EINVALID, Message: clip(b.String(), maxMessage)}
}

// display returns a value quoted for a message followed by a space, or "" if
// the shape is sensitive.
func display(s *shape, v string) string {
	if s.sensitive {
		return ""
	}
	return "'" + abbreviate(v) + "' "
}

// abbreviate cuts v to maxShown characters.
func abbreviate(v string) string {
	i, n := 0, 0
	for i < len(v) && n < maxShown {
		_, size := utf8.DecodeRuneInString(v[i:])
		i += size
		n++
	}
	if i == len(v) {
		return v
	}
	return v[:i] + "..."
}

// clip cuts s to at most n bytes on a character boundary, ending it with "...".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n - len("...")
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}

// fieldPath locates a value in the input; it is rendered only for messages,
// e.g. "customRules[0].status" or "environmentVariables[NODE_ENV]".
type fieldPath struct {
	parent *fieldPath
	name   string // a member's wire name or a map key
	index  int    // a list index, when name is empty and key is false
	key    bool   // name is a map key
	hidden bool   // the map key is sensitive and not shown
}

// String renders the path.
func (p *fieldPath) String() string {
	var b strings.Builder
	p.write(&b)
	return b.String()
}

func (p *fieldPath) write(b *strings.Builder) {
	if p.parent != nil {
		p.parent.write(b)
	}
	switch {
	case p.key && p.hidden:
		b.WriteString("[*]")
	case p.key:
		b.WriteString("[" + abbreviate(p.name) + "]")
	case p.name == "":
		fmt.Fprintf(b, "[%d]", p.index)
	default:
		if p.parent != nil {
			b.WriteByte('.')
		}
		b.WriteString(p.name)
	}
}
