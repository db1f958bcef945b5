package edge

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/pier-hosting/pier"
)

// challenge is the WWW-Authenticate header of a 401. Amplify's realm text is
// not documented; this one names nothing about the site.
const challenge = `Basic realm="Restricted", charset="UTF-8"`

// credentials are the basic-auth credentials that guard a branch, compiled
// once per site resolution. Only a digest of the password is kept.
type credentials struct {
	sum [sha256.Size]byte // sha256 of the decoded "user:password"
	// usable is false when the stored value is not valid base64: the branch
	// stays locked rather than open.
	usable bool
}

// guard returns the credentials that protect branch b of app a, or nil when
// it is open. The app's "global password" applies to every branch, which
// cannot opt out (hosting-semantics §7.1); otherwise the branch's own applies.
func guard(a *pier.App, b *pier.Branch) *credentials {
	switch {
	case a.EnableBasicAuth:
		return compileCredentials(a.BasicAuthCredentials)
	case b.EnableBasicAuth:
		return compileCredentials(b.BasicAuthCredentials)
	}
	return nil
}

// compileCredentials compiles stored credentials: base64 of "user:password".
func compileCredentials(stored string) *credentials {
	plain, err := base64.StdEncoding.DecodeString(strings.TrimSpace(stored))
	return &credentials{sum: sha256.Sum256(plain), usable: err == nil}
}

// allow reports whether an Authorization header value carries c. The
// comparison takes the same time whichever byte differs: both sides are
// hashed and the digests compared in constant time.
func (c *credentials) allow(authorization string) bool {
	const scheme = "Basic "
	if len(authorization) < len(scheme) || !strings.EqualFold(authorization[:len(scheme)], scheme) {
		return false
	}
	given, err := base64.StdEncoding.DecodeString(strings.TrimSpace(authorization[len(scheme):]))
	if err != nil {
		return false
	}
	sum := sha256.Sum256(given)
	return subtle.ConstantTimeCompare(sum[:], c.sum[:]) == 1 && c.usable
}

// authorized reports whether r may see a branch guarded by c (nil: open).
func authorized(c *credentials, r *http.Request) bool {
	return c == nil || c.allow(r.Header.Get("Authorization"))
}
