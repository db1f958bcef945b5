package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pier-hosting/pier"
)

// Ruleset is a compiled list of custom rules. It is immutable and safe for
// concurrent use; a nil *Ruleset has no rules.
type Ruleset struct {
	serve    table // 200, 301 and 302 rules, for Evaluate
	notFound table // 404 and 404-200 rules, for NotFound
	ignored  []Ignored
	regex    bool // some rule has a regular-expression source
}

// Ignored is a rule that Compile left out because it can never match.
type Ignored struct {
	Index  int // index of the rule in the list given to Compile
	Rule   pier.CustomRule
	Reason string // why, as a sentence fragment for users
}

// Compile compiles rules, in order. It never fails: a rule that Amplify
// would ignore is left out and reported by Ignored.
func Compile(rules []pier.CustomRule) *Ruleset {
	rs := &Ruleset{}
	for i, cr := range rules {
		r, reason := compileRule(i, cr)
		if reason == "" && r.src.kind == regexSource {
			rs.regex = true
		}
		switch {
		case reason != "":
			rs.ignored = append(rs.ignored, Ignored{Index: i, Rule: cr, Reason: reason})
		case r.kind == NotFoundPage || r.kind == NotFoundRewrite:
			rs.notFound.add(r)
		default:
			rs.serve.add(r)
		}
	}
	return rs
}

// HasRegex reports whether a rule has a regular-expression source: its
// evaluation costs microseconds rather than nanoseconds, so callers may want
// to remember decisions.
func (rs *Ruleset) HasRegex() bool {
	return rs != nil && rs.regex
}

// Ignored returns the rules Compile left out, in list order.
func (rs *Ruleset) Ignored() []Ignored {
	if rs == nil {
		return nil
	}
	return slices.Clone(rs.ignored)
}

// Evaluate returns the decision of the first 200, 301 or 302 rule matching
// req, or the zero Decision. It runs before file resolution; 404 and 404-200
// rules are left to NotFound.
func (rs *Ruleset) Evaluate(req Request) Decision {
	if rs == nil {
		return Decision{}
	}
	return rs.serve.eval(&req)
}

// NotFound returns the decision of the first 404 or 404-200 rule matching
// req, or the zero Decision. It is consulted only when neither Evaluate nor
// file resolution found anything to serve.
func (rs *Ruleset) NotFound(req Request) Decision {
	if rs == nil {
		return Decision{}
	}
	return rs.notFound.eval(&req)
}

// rule is a compiled custom rule.
type rule struct {
	index   int
	kind    Kind
	status  int
	country string // upper-case country code of the condition, "" for none
	src     source
	target  template
}

// compileRule compiles the rule cr at index i, or returns why Amplify
// ignores it.
func compileRule(i int, cr pier.CustomRule) (*rule, string) {
	target := strings.TrimSpace(cr.Target)
	kind, status, reason := parseStatus(strings.TrimSpace(cr.Status), target)
	if reason != "" {
		return nil, reason
	}
	src, reason := parseSource(strings.TrimSpace(cr.Source))
	if reason != "" {
		return nil, reason
	}
	country, ok := parseCondition(strings.TrimSpace(cr.Condition))
	if !ok {
		return nil, `a condition must be a country code in angle brackets, like "<US>"`
	}
	return &rule{
		index:   i,
		kind:    kind,
		status:  status,
		country: country,
		src:     src,
		target:  parseTarget(target, src.names, src.kind == domainSource),
	}, ""
}

// parseStatus classifies a rule by its status and target.
func parseStatus(status, target string) (Kind, int, string) {
	if target == "" {
		return 0, 0, "empty target"
	}
	switch status {
	case "", "301":
		return Redirect, 301, ""
	case "302":
		return Redirect, 302, ""
	case "200":
		if isAbsoluteURL(target) {
			return Proxy, 200, ""
		}
		if target[0] == '/' {
			return Rewrite, 200, ""
		}
		return 0, 0, `a 200 target must be a path starting with "/" or an http(s) URL`
	case "404", "404-200":
		if target[0] != '/' {
			return 0, 0, `a 404 target must be a path starting with "/"`
		}
		if status == "404" {
			return NotFoundPage, 404, ""
		}
		return NotFoundRewrite, 200, ""
	}
	return 0, 0, fmt.Sprintf("unknown status %q", status)
}

// parseCondition returns the country code of a "<CC>" condition, "" for no
// condition, or false for anything else.
func parseCondition(c string) (string, bool) {
	if c == "" {
		return "", true
	}
	if len(c) != 4 || c[0] != '<' || c[3] != '>' || !isLetter(c[1]) || !isLetter(c[2]) {
		return "", false
	}
	return strings.ToUpper(c[1:3]), true
}

func isLetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// matches reports whether req satisfies r's condition and source, filling
// caps with the captured values.
func (r *rule) matches(req *Request, caps []string) bool {
	if r.country != "" && !strings.EqualFold(req.Country, r.country) {
		return false
	}
	return r.src.match(req, caps)
}

// decide is r's decision for a request it matched with captures caps.
func (r *rule) decide(req *Request, caps []string) Decision {
	return Decision{
		Matched: true,
		Index:   r.index,
		Kind:    r.kind,
		Status:  r.status,
		Target:  r.expand(req, caps),
	}
}
