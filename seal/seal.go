// Package seal implements pier.Sealer with AES-256-GCM. The key comes from
// the environment (shared by every node of a cluster) or from a file in the
// data directory that the first start generates.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pier-hosting/pier"
)

// sealedPrefix starts every sealed value.
const sealedPrefix = "pier-sealed:"

// KeySize is the length of a key in bytes.
const KeySize = 32

// Box seals and opens values with one key.
type Box struct {
	aead  cipher.AEAD
	keyID string // names the key in sealed values, so a wrong key is reported as such
}

var _ pier.Sealer = (*Box)(nil)

// New returns a Box for a KeySize-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("seal: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(append([]byte("pier seal key id\x00"), key...))
	return &Box{aead: aead, keyID: hex.EncodeToString(sum[:4])}, nil
}

// Seal implements pier.Sealer. Sealed values read
// "pier-sealed:v1:KEYID:BASE64(nonce|ciphertext)".
func (b *Box) Seal(plaintext, context string) (string, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := b.aead.Seal(nonce, nonce, []byte(plaintext), []byte(context))
	return sealedPrefix + "v1:" + b.keyID + ":" + base64.RawStdEncoding.EncodeToString(out), nil
}

// Open implements pier.Sealer.
func (b *Box) Open(sealed, context string) (string, error) {
	if !strings.HasPrefix(sealed, sealedPrefix) {
		return sealed, nil
	}
	rest := strings.TrimPrefix(sealed, sealedPrefix)
	parts := strings.SplitN(rest, ":", 3)
	if len(parts) != 3 || parts[0] != "v1" {
		return "", pier.Errorf(pier.EINVALID, "The stored secret has an unknown format.")
	}
	if parts[1] != b.keyID {
		return "", pier.Errorf(pier.EINVALID, "The stored secret was sealed with another key (key id %s, this node has %s): give every node the same PIER_SEAL_KEY.", parts[1], b.keyID)
	}
	raw, err := base64.RawStdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", pier.Errorf(pier.EINVALID, "The stored secret is corrupt.")
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return "", pier.Errorf(pier.EINVALID, "The stored secret does not open: it is corrupt or belongs to another resource.")
	}
	return string(plain), nil
}

// KeyEnv is the environment variable that holds the key, base64-encoded.
const KeyEnv = "PIER_SEAL_KEY"

// KeyFile is the file in the data directory that holds a generated key.
const KeyFile = "seal.key"

// LoadKey returns the key from env (base64 of KeySize bytes) when it is set,
// else from dir/KeyFile, generating that file (mode 0600) on first use.
func LoadKey(env, dir string) ([]byte, error) {
	if env != "" {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(env))
		if err != nil || len(key) != KeySize {
			return nil, fmt.Errorf("%s must be the base64 encoding of %d random bytes (openssl rand -base64 %d)", KeyEnv, KeySize, KeySize)
		}
		return key, nil
	}
	path := filepath.Join(dir, KeyFile)
	text, err := os.ReadFile(path)
	if err == nil {
		key, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(string(text)))
		if derr != nil || len(key) != KeySize {
			return nil, fmt.Errorf("%s: not a base64 %d-byte key", path, KeySize)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadKey("", dir) // another process created it first
	} else if err != nil {
		return nil, err
	}
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return nil, err
	}
	return key, nil
}
