package model

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"

	"github.com/pier-hosting/pier"
)

// Decode builds the operation's input from the pieces of an HTTP request and
// validates it against the model. The result is keyed by wire name: the
// member's locationName if the model gives one, else its member name. For
// amplify the two are always equal (camelCase: "appId", "customRules"); for
// amplifybackend that gives the lowerCamel JSON keys and URI labels ("appId",
// "backendEnvironmentName", "resourceConfig"), not the PascalCase member names
// of the SDKs, and the few members without a locationName keep theirs
// ("Facebook", "MFAMode"). Nested structures are keyed the same way.
//
// The pieces are:
//   - path: the unescaped URI labels by label name ({"branchName": "feature/x"});
//   - query: the query parameters, numbers and booleans as text; a list
//     repeats its key (?tagKeys=a&tagKeys=b), a scalar given twice takes the
//     first value;
//   - body: the raw body, a JSON object; empty or whitespace-only means {}.
//
// Unknown labels, parameters and JSON keys (nested ones too) are dropped. In
// the result a string is a string, a boolean a bool, a number (integer, long,
// float, double) a json.Number, a timestamp a json.Number of epoch seconds
// (the body may give it as a JSON number or an ISO-8601 string), a list an
// []any and a map or structure a map[string]any. Absent and null optional
// members are left out.
//
// Decode returns a *pier.Error with code pier.EINVALID if the body is not a
// JSON object or the input breaks a constraint of the model. The message
// names the offending fields in AWS's style (paths such as
// "customRules[0].status" or "tags[team]"), shows at most 32 characters of a
// value and none of a sensitive one, and is clipped to 255 bytes:
//
//	1 validation error detected: Value 'D1' at 'appId' failed to satisfy
//	constraint: Member must satisfy regular expression pattern: d[a-z0-9]+
//
// Decode is safe for concurrent use.
func (op *Operation) Decode(path map[string]string, query url.Values, body []byte) (map[string]any, error) {
	obj, err := parseBody(body)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	if op.input == nil {
		return out, nil
	}
	var d decoder
	for _, m := range op.input.members {
		p := &fieldPath{name: m.wire}
		var v any
		switch m.location {
		case "uri":
			if s, ok := path[m.wire]; ok {
				v = d.text(m.shape, s, p)
			}
		case "querystring":
			if vs := query[m.wire]; len(vs) > 0 {
				v = d.query(m.shape, vs, p)
			}
		default:
			if raw := obj[m.wire]; raw != nil {
				v = d.value(m.shape, raw, p)
			}
		}
		d.set(out, m, v, p)
	}
	if err := d.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// parseBody parses a request body that must be a JSON object, keeping numbers
// as json.Number. An empty body is an empty object (nil).
func parseBody(body []byte) (map[string]any, error) {
	body = bytes.Trim(body, " \t\r\n")
	if len(body) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, malformed()
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, malformed()
	}
	return obj, nil
}

// malformed returns the error for a body that is not a JSON object.
func malformed() error {
	return pier.Errorf(pier.EINVALID, "Malformed JSON: the request body must be a JSON object.")
}
