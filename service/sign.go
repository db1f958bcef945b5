package service

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/pier-hosting/pier"
)

// signer authenticates short strings with HMAC-SHA256.
type signer struct{ key []byte }

// sum returns the base64url HMAC of the parts, separated so that ("ab","c")
// and ("a","bc") differ.
func (g *signer) sum(parts ...string) string {
	m := hmac.New(sha256.New, g.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// valid reports in constant time whether sig is the signature of parts.
func (g *signer) valid(sig string, parts ...string) bool {
	return hmac.Equal([]byte(sig), []byte(g.sum(parts...)))
}

// pageToken wraps a store cursor into an opaque, tamper-evident nextToken.
// The scope (operation, account and parent resource) is signed with it, so a
// token is only accepted by the list it came from.
func (s *Service) pageToken(scope, cursor string) string {
	if cursor == "" {
		return ""
	}
	c := base64.RawURLEncoding.EncodeToString([]byte(cursor))
	return c + "." + s.tokens.sum(scope, cursor)[:22]
}

// page turns a client's maxResults and nextToken into a store page. A token
// that was not issued for this scope is EINVALID.
func (s *Service) page(scope string, maxResults, defaultLimit int, token string) (pier.Page, error) {
	p := pier.Page{Limit: maxResults}
	if p.Limit <= 0 {
		p.Limit = defaultLimit
	}
	if token == "" {
		return p, nil
	}
	bad := pier.Errorf(pier.EINVALID, "Invalid nextToken.")
	enc, sig, ok := strings.Cut(token, ".")
	if !ok {
		return p, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || len(sig) != 22 {
		return p, bad
	}
	if !hmac.Equal([]byte(sig), []byte(s.tokens.sum(scope, string(raw))[:22])) {
		return p, bad
	}
	p.After = string(raw)
	return p, nil
}
