// Package sigv4 verifies AWS Signature Version 4 on incoming HTTP requests,
// the way AWS services other than S3 check what the AWS SDKs and CLI send.
//
// Both forms are accepted: the Authorization header and the presigned URL
// (X-Amz-Algorithm, X-Amz-Credential, … in the query string). Only
// AWS4-HMAC-SHA256 is supported; SigV4a and streaming (chunked) payloads are
// refused.
package sigv4

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
)

// DefaultMaxSkew is the clock skew AWS tolerates between a request's
// timestamp and the server's clock.
const DefaultMaxSkew = 15 * time.Minute

// Credentials looks up access keys. Implementations must be safe for
// concurrent use.
type Credentials interface {
	// SecretFor returns the secret access key of accessKeyID and the id of the
	// account that owns it. It returns an error with code pier.ENOTFOUND for
	// an unknown key.
	SecretFor(ctx context.Context, accessKeyID string) (secret string, accountID string, err error)
}

// Verifier checks SigV4 signatures. It must not be modified once in use; it is
// then safe for concurrent use.
type Verifier struct {
	// Credentials resolves the access key named in each request. Required.
	Credentials Credentials

	// Services lists the service names accepted in the credential scope, such
	// as "amplify" and "amplifybackend". A request scoped to any other service
	// is rejected, so an empty list rejects every request.
	Services []string

	// MaxSkew is how far a request's timestamp may be from the server's clock,
	// in either direction. Zero means DefaultMaxSkew.
	MaxSkew time.Duration

	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
}

// Identity is who signed a request, as established by Verify.
type Identity struct {
	AccessKeyID string
	AccountID   string // the account that owns the access key
	Region      string // from the credential scope; any region is accepted
	Service     string // from the credential scope; one of Verifier.Services
}

// Verify checks the signature of r and returns the identity of its signer.
//
// body is the complete request body, already read by the caller, who is also
// responsible for limiting its size; Verify never reads r.Body. The payload
// hash is the SHA-256 of body unless the X-Amz-Content-Sha256 header gives
// one, which must then equal the body's hash or be UNSIGNED-PAYLOAD. A
// presigned request without that header may be signed with UNSIGNED-PAYLOAD
// (as S3 presigned URLs are) or with the body's hash (as STS ones are).
// Content-Length, when signed, is checked as a header value only; a body that
// differs from the signed one fails on its hash.
// A session token (X-Amz-Security-Token) is covered by the signature like
// any other header or parameter but is not otherwise checked.
//
// Every authentication failure is a *pier.Error with code
// pier.EUNAUTHORIZED whose message is safe to send to the client. An error
// from Credentials other than pier.ENOTFOUND is returned wrapped, as an
// internal error.
func (v *Verifier) Verify(r *http.Request, body []byte) (Identity, error) {
	query, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return Identity{}, err
	}
	a, err := parseAuth(r, query)
	if err != nil {
		return Identity{}, err
	}
	if err := v.checkScope(a); err != nil {
		return Identity{}, err
	}
	if err := v.checkTime(a); err != nil {
		return Identity{}, err
	}
	payloads, err := payloadHashes(r.Header, body, a.presigned)
	if err != nil {
		return Identity{}, err
	}

	secret, accountID, err := v.Credentials.SecretFor(r.Context(), a.accessKeyID)
	if pier.ErrorCode(err) == pier.ENOTFOUND {
		return Identity{}, unauthorized(msgInvalidToken)
	} else if err != nil {
		return Identity{}, fmt.Errorf("sigv4: look up access key: %w", err)
	}

	key := signingKey(secret, a.date, a.region, a.service)
	request := canonicalRequest(r, query, a)
	match := 0
	for _, payload := range payloads {
		sig := signature(key, stringToSign(a, request+payload))
		match |= subtle.ConstantTimeCompare([]byte(sig), []byte(a.signature))
	}
	if match != 1 {
		return Identity{}, unauthorized(msgSignatureMismatch)
	}
	return Identity{AccessKeyID: a.accessKeyID, AccountID: accountID, Region: a.region, Service: a.service}, nil
}

// checkScope rejects a credential scope for another service or day.
func (v *Verifier) checkScope(a *auth) error {
	if !slices.Contains(v.Services, a.service) {
		return unauthorized("Credential should be scoped to a valid service: %s.", strings.Join(v.Services, ", "))
	}
	if day := a.amzDate[:len(dateFormat)]; a.date != day {
		return unauthorized("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", a.date, day, a.amzDate)
	}
	return nil
}

// checkTime rejects a request signed too long ago or too far in the future.
// A presigned URL with X-Amz-Expires is valid for that long instead of
// MaxSkew.
func (v *Verifier) checkTime(a *auth) error {
	now, skew := time.Now(), v.MaxSkew
	if v.Now != nil {
		now = v.Now()
	}
	if skew == 0 {
		skew = DefaultMaxSkew
	}
	now = now.UTC()
	if a.time.After(now.Add(skew)) {
		return unauthorized("Signature not yet current: %s is still later than %s (%s + %s).",
			a.amzDate, now.Add(skew).Format(timeFormat), now.Format(timeFormat), skew)
	}
	if a.expires > 0 {
		if now.After(a.time.Add(a.expires)) {
			return unauthorized("Request has expired: signed at %s for %d seconds, it is now %s.",
				a.amzDate, int(a.expires.Seconds()), now.Format(timeFormat))
		}
		return nil
	}
	if a.time.Before(now.Add(-skew)) {
		return unauthorized("Signature expired: %s is now earlier than %s (%s - %s).",
			a.amzDate, now.Add(-skew).Format(timeFormat), now.Format(timeFormat), skew)
	}
	return nil
}
