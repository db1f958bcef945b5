package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

const unsignedPayload = "UNSIGNED-PAYLOAD"

// payloadHashes returns the payload hashes the request may have been signed
// with: the one X-Amz-Content-Sha256 claims, checked against body, or else
// the body's hash and, for a presigned URL, UNSIGNED-PAYLOAD.
func payloadHashes(h http.Header, body []byte, presigned bool) ([]string, error) {
	claimed := h.Get("X-Amz-Content-Sha256")
	switch {
	case claimed == unsignedPayload:
		return []string{claimed}, nil
	case strings.HasPrefix(claimed, "STREAMING-"):
		return nil, unauthorized("Streaming payloads (X-Amz-Content-Sha256: STREAMING-…) are not supported; sign the whole body.")
	case claimed != "":
		if !strings.EqualFold(claimed, hashHex(body)) {
			return nil, unauthorized("The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
		return []string{claimed}, nil
	case presigned:
		return []string{unsignedPayload, hashHex(body)}, nil
	}
	return []string{hashHex(body)}, nil
}

// stringToSign returns the SigV4 string to sign of a canonical request.
func stringToSign(a *auth, canonicalRequest string) string {
	return algorithm + "\n" +
		a.amzDate + "\n" +
		a.date + "/" + a.region + "/" + a.service + "/" + terminator + "\n" +
		hashHex([]byte(canonicalRequest))
}

// signingKey derives the key that signs requests of one day, region and
// service.
func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, terminator)
}

// signature returns the hex-encoded signature of a string to sign.
func signature(key []byte, stringToSign string) string {
	return hex.EncodeToString(hmacSHA256(key, stringToSign))
}

// hmacSHA256 returns the HMAC-SHA256 of data under key.
func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// hashHex returns the hex-encoded SHA-256 of b.
func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
