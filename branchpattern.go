package pier

import "strings"

// MatchBranchPatterns reports whether branch matches one of patterns, the
// globs of autoBranchCreationPatterns (and autoSubDomainCreationPatterns):
// "*" matches within one path segment, "**" across "/", "?" one character
// other than "/"; a pattern that is exactly "*" (or "**") matches every
// branch, as Amplify documents; a pattern ending in "/" matches everything
// below it. An entry holding several comma-separated patterns (the console
// accepts "GWY-**,feature/**") is split, and spaces around them trimmed.
// Negation ("!x") is not supported and matches nothing, as on Amplify.
func MatchBranchPatterns(patterns []string, branch string) bool {
	for _, entry := range patterns {
		for _, p := range strings.Split(entry, ",") {
			if p = strings.TrimSpace(p); p != "" && matchBranchPattern(p, branch) {
				return true
			}
		}
	}
	return false
}

func matchBranchPattern(pattern, branch string) bool {
	switch {
	case pattern == "*" || pattern == "**":
		return true
	case strings.HasPrefix(pattern, "!"):
		return false
	case strings.HasSuffix(pattern, "/"):
		pattern += "**"
	}
	return globMatch(pattern, branch)
}

// globMatch matches name against pattern with dynamic programming over
// (pattern token, name position) pairs, so its cost is bounded by their
// product whatever the stars.
func globMatch(pattern, name string) bool {
	type token struct {
		kind byte // 'l' literal, '?' one character, '*' within a segment, 'A' anything
		c    byte
	}
	var toks []token
	for i := 0; i < len(pattern); i++ {
		switch {
		case strings.HasPrefix(pattern[i:], "**"):
			for i+1 < len(pattern) && pattern[i+1] == '*' {
				i++
			}
			toks = append(toks, token{kind: 'A'})
		case pattern[i] == '*':
			toks = append(toks, token{kind: '*'})
		case pattern[i] == '?':
			toks = append(toks, token{kind: '?'})
		default:
			toks = append(toks, token{kind: 'l', c: pattern[i]})
		}
	}
	// next[j]: tokens[i+1:] match name[j:]; cur[j]: tokens[i:] match name[j:].
	next := make([]bool, len(name)+1)
	next[len(name)] = true
	cur := make([]bool, len(name)+1)
	for i := len(toks) - 1; i >= 0; i-- {
		t := toks[i]
		cur[len(name)] = (t.kind == '*' || t.kind == 'A') && next[len(name)]
		for j := len(name) - 1; j >= 0; j-- {
			switch t.kind {
			case 'A':
				cur[j] = next[j] || cur[j+1]
			case '*':
				cur[j] = next[j] || (name[j] != '/' && cur[j+1])
			case '?':
				cur[j] = name[j] != '/' && next[j+1]
			default:
				cur[j] = name[j] == t.c && next[j+1]
			}
		}
		next, cur = cur, next
	}
	return next[0]
}
