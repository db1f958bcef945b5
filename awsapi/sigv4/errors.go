package sigv4

import "github.com/pier-hosting/pier"

// Messages of AWS that clients and people searching the web recognize.
const (
	msgInvalidToken      = "The security token included in the request is invalid."
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."
)

// unauthorized returns a *pier.Error with code pier.EUNAUTHORIZED. Its
// message never includes a secret or the signature Verify computed.
func unauthorized(format string, args ...any) error {
	return pier.Errorf(pier.EUNAUTHORIZED, format, args...)
}
