package pier

import (
	"crypto/rand"
	"encoding/hex"
)

const base36 = "0123456789abcdefghijklmnopqrstuvwxyz"

// NewAppID returns a random app id: "d" followed by 13 base-36 characters,
// the shape of AWS app ids (d1m7bkiki6tdw1).
func NewAppID() string {
	return "d" + randomString(13, base36)
}

// NewAccessKeyID returns a random access key id in the AWS shape (AKIA…).
func NewAccessKeyID() string {
	return "AKIA" + randomString(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
}

// NewSecret returns n random bytes, hex-encoded.
func NewSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// NewUUID returns a random (version 4) UUID string.
func NewUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// randomString returns n characters drawn uniformly from alphabet.
func randomString(n int, alphabet string) string {
	out := make([]byte, n)
	buf := make([]byte, 1)
	limit := 256 - 256%len(alphabet) // reject to avoid modulo bias
	for i := 0; i < n; {
		_, _ = rand.Read(buf)
		if int(buf[0]) >= limit {
			continue
		}
		out[i] = alphabet[int(buf[0])%len(alphabet)]
		i++
	}
	return string(out)
}
