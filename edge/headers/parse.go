package headers

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/pier-hosting/pier"
)

// maxKeys bounds the mapping keys Parse reads in one document, counted
// after YAML aliases are expanded, so that a short document cannot expand
// into a huge rule set or a long parse. An entry with five headers has 17.
const maxKeys = 100000

// serverFields are the framing and hop-by-hop fields the server manages: a
// custom value would misframe the response or confuse a proxy.
var serverFields = []string{"connection", "content-length", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}

// Parse compiles a custom-headers document (see the package documentation).
// For the monorepo form, appRoot selects the application whose appRoot is
// the same directory ("apps/web" and "./apps/web/" are), and "" the first
// application; a document without that application has no entries. Every
// application is validated, whichever is selected. A document that is
// empty, only comments or null has no entries.
//
// An invalid document returns a *pier.Error with code pier.EINVALID whose
// message names the line, as in "customHeaders line 4: each entry needs a
// pattern and headers".
func Parse(text, appRoot string) (*Rules, error) {
	root, err := decode(text)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return newRules(nil), nil
	}
	var p parser
	entries, err := p.document(root, cleanRoot(appRoot))
	if err != nil {
		return nil, err
	}
	return newRules(entries), nil
}

// invalid returns the pier.EINVALID error for a problem on line.
func invalid(line int, format string, args ...any) error {
	return pier.Errorf(pier.EINVALID, "customHeaders line %d: %s", line, fmt.Sprintf(format, args...))
}

// parser walks a decoded document, counting the keys it reads.
type parser struct {
	keys int
}

// fields returns the fields of the mapping n named names, in that order.
// Other keys are ignored; a name given twice is an error.
func (p *parser) fields(n *yaml.Node, names ...string) ([]field, error) {
	if p.keys += len(n.Content) / 2; p.keys > maxKeys {
		return nil, invalid(n.Line, "the document is too large: more than %d keys once aliases are expanded", maxKeys)
	}
	fs := make([]field, len(names))
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		j := slices.Index(names, k.Value)
		if k.Kind != yaml.ScalarNode || j < 0 {
			continue
		}
		if fs[j].key != nil {
			return nil, invalid(k.Line, "%s is also on line %d", k.Value, fs[j].key.Line)
		}
		fs[j].key = k
		if v := resolve(n.Content[i+1]); !isNull(v) {
			fs[j].val = v
		}
	}
	return fs, nil
}

// document compiles the root mapping; app is a cleaned appRoot.
func (p *parser) document(root *yaml.Node, app string) ([]entry, error) {
	if root.Kind != yaml.MappingNode {
		return nil, invalid(root.Line, "the document must be a mapping with customHeaders or applications")
	}
	fs, err := p.fields(root, "customHeaders", "applications")
	if err != nil {
		return nil, err
	}
	headers, apps := fs[0], fs[1]
	switch {
	case headers.key != nil && apps.key != nil:
		return nil, invalid(apps.key.Line, "applications and a top-level customHeaders cannot be used together")
	case apps.val != nil:
		return p.applications(apps.val, app)
	}
	return p.entries(headers.val)
}

// applications validates every application of the monorepo form and returns
// the entries of the one app selects.
func (p *parser) applications(n *yaml.Node, app string) ([]entry, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, invalid(n.Line, "applications must be a list of items with an appRoot and customHeaders")
	}
	var selected []entry
	lines := make(map[string]int) // the line of each application by its appRoot
	for i, a := range n.Content {
		a = resolve(a)
		root, entries, err := p.application(a)
		if err != nil {
			return nil, err
		}
		if line, ok := lines[root]; ok {
			return nil, invalid(a.Line, "appRoot %s is also the appRoot of line %d", root, line)
		}
		lines[root] = a.Line
		if app == "" && i == 0 || app != "" && root == app {
			selected = entries
		}
	}
	return selected, nil
}

// application compiles one item of applications and returns its cleaned
// appRoot.
func (p *parser) application(n *yaml.Node) (string, []entry, error) {
	if n.Kind != yaml.MappingNode {
		return "", nil, invalid(n.Line, "each application needs an appRoot")
	}
	fs, err := p.fields(n, "appRoot", "customHeaders")
	if err != nil {
		return "", nil, err
	}
	root, ok := scalar(fs[0].val)
	if !ok || cleanRoot(root) == "" {
		return "", nil, invalid(n.Line, "each application needs an appRoot")
	}
	entries, err := p.entries(fs[1].val)
	return cleanRoot(root), entries, err
}

// entries compiles a customHeaders list, which may be nil.
func (p *parser) entries(n *yaml.Node) ([]entry, error) {
	if n == nil {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, invalid(n.Line, "customHeaders must be a list of entries with a pattern and headers")
	}
	entries := make([]entry, 0, len(n.Content))
	for _, item := range n.Content {
		e, err := p.entry(resolve(item))
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// entry compiles one item of a customHeaders list.
func (p *parser) entry(n *yaml.Node) (entry, error) {
	if n.Kind != yaml.MappingNode {
		return entry{}, invalid(n.Line, "each entry needs a pattern and headers")
	}
	fs, err := p.fields(n, "pattern", "headers")
	if err != nil {
		return entry{}, err
	}
	pat, list := fs[0].val, fs[1].val
	if pat == nil || list == nil {
		return entry{}, invalid(n.Line, "each entry needs a pattern and headers")
	}
	pattern, ok := scalar(pat)
	if !ok || pattern == "" {
		return entry{}, invalid(pat.Line, "pattern must be a non-empty string")
	}
	if list.Kind != yaml.SequenceNode {
		return entry{}, invalid(list.Line, "headers must be a list of items with a key and a value")
	}
	headers := make([]Header, 0, len(list.Content))
	for _, item := range list.Content {
		h, err := p.header(resolve(item))
		if err != nil {
			return entry{}, err
		}
		headers = append(headers, h)
	}
	return entry{line: n.Line, pattern: pattern, glob: compileGlob(pattern), headers: headers}, nil
}

// header compiles one item of a headers list.
func (p *parser) header(n *yaml.Node) (Header, error) {
	if n.Kind != yaml.MappingNode {
		return Header{}, invalid(n.Line, "each header needs a key and a value")
	}
	fs, err := p.fields(n, "key", "value")
	if err != nil {
		return Header{}, err
	}
	k, v := fs[0].val, fs[1].val
	if k == nil || v == nil {
		return Header{}, invalid(n.Line, "each header needs a key and a value")
	}
	key, ok := scalar(k)
	switch {
	case !ok:
		return Header{}, invalid(k.Line, "header key must be a string")
	case !validKey(key):
		return Header{}, invalid(k.Line, "header key %q is not a valid HTTP field name", key)
	case slices.Contains(serverFields, strings.ToLower(key)):
		return Header{}, invalid(k.Line, "header %s is managed by the server and cannot be set", key)
	}
	value, ok := scalar(v)
	if !ok {
		return Header{}, invalid(v.Line, "value of header %s must be a string", key)
	}
	value = strings.Trim(value, " \t\r\n")
	if strings.ContainsFunc(value, isControl) {
		return Header{}, invalid(v.Line, "value of header %s contains a line break or another control character", key)
	}
	return Header{Key: key, Value: value}, nil
}

// cleanRoot returns an appRoot as a slash-separated directory relative to
// the repository root, "" for the root itself.
func cleanRoot(root string) string {
	return strings.Trim(path.Clean("/"+root), "/")
}

// validKey reports whether key is an HTTP field name: a non-empty token
// (RFC 9110 §5.1).
func validKey(key string) bool {
	if key == "" {
		return false
	}
	for i := range len(key) {
		c := key[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// isControl reports whether r may not appear in a field value: a control
// character other than horizontal tab (RFC 9110 §5.5).
func isControl(r rune) bool {
	return r < 0x20 && r != '\t' || r == 0x7f
}
