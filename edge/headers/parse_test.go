package headers

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pier-hosting/pier"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, doc, appRoot string
		want               []Match // r.Matches("/a/b.js")
	}{
		{"empty", "", "", nil},
		{"blank", " \n\n", "", nil},
		{"comments", "# no headers yet\n", "", nil},
		{"document marker", "---\n", "", nil},
		{"null document", "null\n", "", nil},
		{"null list", "customHeaders:\n", "", nil},
		{"empty list", "customHeaders: []\n", "", nil},
		{"no customHeaders", "version: 1\n", "", nil},
		{"legacy amplify.yml", `version: 1
frontend:
  phases:
    build:
      commands: [npm run build]
customHeaders:
  - pattern: '**/*.js'
    headers:
      - key: X-A
        value: '1'
`, "", []Match{{Index: 0, Line: 7, Pattern: "**/*.js", Headers: []Header{{"X-A", "1"}}}}},
		{"flow style", `{customHeaders: [{pattern: "*.js", headers: [{key: X-A, value: "1"}]}]}`, "",
			[]Match{{Line: 1, Pattern: "*.js", Headers: []Header{{"X-A", "1"}}}}},
		{"numbers and booleans as written", `customHeaders:
  - pattern: '*'
    headers:
      - {key: X-Max, value: 3600}
      - {key: X-On, value: true}
`, "", []Match{{Line: 2, Pattern: "*", Headers: []Header{{"X-Max", "3600"}, {"X-On", "true"}}}}},
		{"folded value trimmed", `customHeaders:
  - pattern: '*'
    headers:
      - key: Content-Security-Policy
        value: >
          default-src 'self';
          img-src *
      - {key: X-Empty, value: ''}
      - {key: X-Spaces, value: '  a  b  '}
`, "", []Match{{Line: 2, Pattern: "*", Headers: []Header{
			{"Content-Security-Policy", "default-src 'self'; img-src *"},
			{"X-Empty", ""},
			{"X-Spaces", "a  b"},
		}}}},
		{"aliases", `common: &common
  - {key: X-A, value: '1'}
customHeaders:
  - pattern: '*.js'
    headers: *common
  - &css
    pattern: '/a/*'
    headers: *common
`, "", []Match{
			{Index: 0, Line: 4, Pattern: "*.js", Headers: []Header{{"X-A", "1"}}},
			{Index: 1, Line: 6, Pattern: "/a/*", Headers: []Header{{"X-A", "1"}}},
		}},
		{"unknown keys ignored", `customHeaders:
  - pattern: '*'
    comment: applies everywhere
    headers:
      - {key: X-A, value: '1', note: x}
`, "", []Match{{Line: 2, Pattern: "*", Headers: []Header{{"X-A", "1"}}}}},
		{"empty headers", "customHeaders: [{pattern: '*', headers: []}]", "", []Match{{Line: 1, Pattern: "*", Headers: []Header{}}}},
		{"monorepo first by default", docMonorepo, "", []Match{{Line: 4, Pattern: "**/*", Headers: []Header{{"x-a", "1"}}}}},
		{"monorepo by appRoot", docMonorepo, "app1", []Match{{Line: 4, Pattern: "**/*", Headers: []Header{{"x-a", "1"}}}}},
		{"monorepo appRoot cleaned", strings.Replace(docMonorepo, "app1", "./app1/", 1), "/app1", []Match{{Line: 4, Pattern: "**/*", Headers: []Header{{"x-a", "1"}}}}},
		{"monorepo nested appRoot", "applications:\n  - appRoot: apps/web\n    customHeaders: [{pattern: '*', headers: [{key: X-A, value: '1'}]}]\n", "apps/web",
			[]Match{{Line: 3, Pattern: "*", Headers: []Header{{"X-A", "1"}}}}},
		{"monorepo other application", docMonorepo, "app2", nil},
		{"monorepo unknown application", docMonorepo, "app3", nil},
		{"monorepo application without headers", "applications:\n  - appRoot: app1\n", "app1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustParse(t, tt.doc, tt.appRoot)
			if diff := cmp.Diff(tt.want, r.Matches("/a/b.js")); diff != "" {
				t.Errorf("Matches mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("monorepo selected application", func(t *testing.T) {
		r := mustParse(t, docMonorepo, "app2")
		if diff := cmp.Diff([]Header{{"x-b", "2"}}, r.Apply("/path/a.json", 200)); diff != "" || r.Len() != 1 {
			t.Errorf("Len %d, Apply mismatch (-want +got):\n%s", r.Len(), diff)
		}
	})
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, doc, appRoot, want string
	}{
		{"missing pattern", `customHeaders:
  - pattern: '*.js'
    headers: [{key: X-A, value: '1'}]
  - headers:
      - {key: X-B, value: '2'}
`, "", "customHeaders line 4: each entry needs a pattern and headers"},
		{"missing headers", `customHeaders:
  - pattern: '*.js'
`, "", "customHeaders line 2: each entry needs a pattern and headers"},
		{"null headers", "customHeaders:\n  - pattern: '*.js'\n    headers:\n", "", "customHeaders line 2: each entry needs a pattern and headers"},
		{"entry not a mapping", "customHeaders:\n  - '*.js'\n", "", "customHeaders line 2: each entry needs a pattern and headers"},
		{"empty entry", "customHeaders:\n  -\n", "", "customHeaders line 2: each entry needs a pattern and headers"},
		{"empty pattern", "customHeaders:\n  - pattern: ''\n    headers: []\n", "", "customHeaders line 2: pattern must be a non-empty string"},
		{"pattern a list", "customHeaders:\n  - pattern: ['*.js']\n    headers: []\n", "", "customHeaders line 2: pattern must be a non-empty string"},
		{"headers a mapping", "customHeaders:\n  - pattern: '*.js'\n    headers:\n      key: X-A\n      value: '1'\n", "",
			"customHeaders line 4: headers must be a list of items with a key and a value"},
		{"customHeaders a string", "customHeaders: '*.js'\n", "", "customHeaders line 1: customHeaders must be a list of entries with a pattern and headers"},
		{"customHeaders a mapping", "customHeaders:\n  pattern: '*.js'\n", "", "customHeaders line 2: customHeaders must be a list of entries with a pattern and headers"},
		{"document a list", "- pattern: '*.js'\n", "", "customHeaders line 1: the document must be a mapping with customHeaders or applications"},
		{"document a string", "headers\n", "", "customHeaders line 1: the document must be a mapping with customHeaders or applications"},
		{"header not a mapping", "customHeaders:\n  - pattern: '*'\n    headers:\n      - X-A: 1\n      - X-B\n", "", "customHeaders line 4: each header needs a key and a value"},
		{"header without value", "customHeaders:\n  - pattern: '*'\n    headers:\n      - {key: X-A, value: '1'}\n      - key: X-B\n", "", "customHeaders line 5: each header needs a key and a value"},
		{"header key a list", "customHeaders:\n  - pattern: '*'\n    headers:\n      - value: '1'\n        key: [X-A]\n", "", "customHeaders line 5: header key must be a string"},
		{"header value a mapping", "customHeaders:\n  - pattern: '*'\n    headers:\n      - key: X-A\n        value: {a: 1}\n", "", "customHeaders line 5: value of header X-A must be a string"},
		{"key with a space", "customHeaders:\n  - pattern: '*'\n    headers:\n      - key: 'X A'\n        value: '1'\n", "", `customHeaders line 4: header key "X A" is not a valid HTTP field name`},
		{"key with a colon", "customHeaders:\n  - pattern: '*'\n    headers:\n      - {key: 'X-A:', value: '1'}\n", "", `customHeaders line 4: header key "X-A:" is not a valid HTTP field name`},
		{"empty key", "customHeaders:\n  - pattern: '*'\n    headers:\n      - {key: '', value: '1'}\n", "", `customHeaders line 4: header key "" is not a valid HTTP field name`},
		{"server field", "customHeaders:\n  - pattern: '*'\n    headers:\n      - {key: content-length, value: '0'}\n", "", "customHeaders line 4: header content-length is managed by the server and cannot be set"},
		{"value with a newline", "customHeaders:\n  - pattern: '*'\n    headers:\n      - key: X-A\n        value: \"a\\nSet-Cookie: b\"\n", "", "customHeaders line 5: value of header X-A contains a line break or another control character"},
		{"value with a carriage return", "customHeaders:\n  - pattern: '*'\n    headers:\n      - {key: X-A, value: \"a\\rb\"}\n", "", "customHeaders line 4: value of header X-A contains a line break or another control character"},
		{"value with NUL", "customHeaders:\n  - pattern: '*'\n    headers:\n      - {key: X-A, value: \"a\\0b\"}\n", "", "customHeaders line 4: value of header X-A contains a line break or another control character"},
		{"multi-line value", "customHeaders:\n  - pattern: '*'\n    headers:\n      - key: X-A\n        value: |\n          a\n          b\n", "", "customHeaders line 5: value of header X-A contains a line break or another control character"},
		{"duplicate pattern", "customHeaders:\n  - pattern: '*'\n    headers: []\n    pattern: '*.js'\n", "", "customHeaders line 4: pattern is also on line 2"},
		{"duplicate customHeaders", "customHeaders: []\ncustomHeaders: []\n", "", "customHeaders line 2: customHeaders is also on line 1"},
		{"unquoted star", "customHeaders:\n  - pattern: *.json\n    headers: []\n", "", "customHeaders line 2: invalid YAML: did not find expected alphabetic or numeric character"},
		{"unclosed list", "customHeaders:\n  - pattern: '*'\n    headers: [\n", "", "customHeaders line 4: invalid YAML: did not find expected node content"},
		{"bad indentation", "customHeaders:\n  - pattern: '*'\n   headers: []\n", "", "customHeaders line 2: invalid YAML: did not find expected '-' indicator"},
		{"tab indentation", "customHeaders:\n\t- pattern: '*'\n", "", "customHeaders line 2: invalid YAML: found character that cannot start any token"},
		{"unknown alias", "customHeaders: *h\n", "", "customHeaders: invalid YAML: unknown anchor 'h' referenced"},
		{"control character", "customHeaders:\n  - pattern: '*'\x01\n", "", "customHeaders line 2: invalid YAML: control characters are not allowed"},
		{"invalid UTF-8", "# \xff\n", "", "customHeaders line 1: invalid YAML: invalid leading UTF-8 octet"},
		{"unclosed flow list", "[a\n", "", "customHeaders line 2: invalid YAML: did not find expected ',' or ']'"},
		{"scanner error on line 1", "a: b: c\n", "", "customHeaders line 1: invalid YAML: mapping values are not allowed in this context"},
		{"parser error on line 2", "a: 1\n- b\n", "", "customHeaders line 2: invalid YAML: did not find expected key"},
		{"parser error on line 1", "{a: 1]\n", "", "customHeaders line 1: invalid YAML: did not find expected ',' or '}'"},
		{"two documents", "customHeaders: []\n---\ncustomHeaders: []\n", "", "customHeaders line 2: a second YAML document; there must be only one"},
		{"both forms", "customHeaders: []\napplications: []\n", "", "customHeaders line 2: applications and a top-level customHeaders cannot be used together"},
		{"applications a mapping", "applications:\n  appRoot: app1\n", "", "customHeaders line 2: applications must be a list of items with an appRoot and customHeaders"},
		{"application without appRoot", "applications:\n  - appRoot: app1\n  - customHeaders: []\n", "app1", "customHeaders line 3: each application needs an appRoot"},
		{"application root", "applications:\n  - appRoot: .\n", "", "customHeaders line 2: each application needs an appRoot"},
		{"application not a mapping", "applications:\n  - app1\n", "", "customHeaders line 2: each application needs an appRoot"},
		{"duplicate appRoot", "applications:\n  - appRoot: app1\n  - appRoot: ./app1\n", "", "customHeaders line 3: appRoot app1 is also the appRoot of line 2"},
		{"error in an application not selected", docMonorepo + "      - pattern: '*'\n", "app1", "customHeaders line 10: each entry needs a pattern and headers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.doc, tt.appRoot)
			var e *pier.Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse = %v, %v; want a *pier.Error", r, err)
			}
			if e.Code != pier.EINVALID || e.Message != tt.want {
				t.Errorf("error %s %q, want %s %q", e.Code, e.Message, pier.EINVALID, tt.want)
			}
			if r != nil {
				t.Errorf("Parse returned rules with an error")
			}
		})
	}
}

func TestParseLimit(t *testing.T) {
	// An entry of 1,001 keys, most of them unknown, used by 101 entries:
	// 101,101 keys once the aliases are expanded. The entry's line is the
	// line of its anchor.
	var doc strings.Builder
	doc.WriteString("e: &e\n  pattern: '*'\n  headers: []\n")
	for i := range 999 {
		fmt.Fprintf(&doc, "  x-%d: unknown\n", i)
	}
	doc.WriteString("customHeaders:\n")
	for range 101 {
		doc.WriteString("  - *e\n")
	}
	_, err := Parse(doc.String(), "")
	if want := "customHeaders line 1: the document is too large: more than 100000 keys once aliases are expanded"; pier.ErrorMessage(err) != want {
		t.Errorf("Parse error %v, want %q", err, want)
	}
}
