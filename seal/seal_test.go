package seal

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pier-hosting/pier"
)

func newBox(t *testing.T, b byte) *Box {
	t.Helper()
	box, err := New(bytes.Repeat([]byte{b}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return box
}

func TestSealOpen(t *testing.T) {
	box := newBox(t, 1)
	sealed, err := box.Seal("ghp_secret-token", "d1234")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "secret") || !strings.HasPrefix(sealed, sealedPrefix) {
		t.Fatalf("sealed = %q", sealed)
	}
	again, _ := box.Seal("ghp_secret-token", "d1234")
	if again == sealed {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
	got, err := box.Open(sealed, "d1234")
	if err != nil || got != "ghp_secret-token" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	tests := []struct {
		name, value, context string
		box                  *Box
		want                 string // substring of the error
	}{
		{"other context", sealed, "d9999", box, "another resource"},
		{"other key", sealed, "d1234", newBox(t, 2), "another key"},
		{"corrupt", sealed[:len(sealed)-4] + "AAAA", "d1234", box, "corrupt"},
		{"bad base64", sealedPrefix + "v1:" + box.keyID + ":***", "d1234", box, "corrupt"},
		{"unknown version", sealedPrefix + "v9:x:y", "d1234", box, "unknown format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.box.Open(tt.value, tt.context)
			if pier.ErrorCode(err) != pier.EINVALID || !strings.Contains(pier.ErrorMessage(err), tt.want) {
				t.Fatalf("Open: %v, want EINVALID with %q", err, tt.want)
			}
		})
	}
	if got, err := box.Open("plain-legacy", "d1234"); err != nil || got != "plain-legacy" {
		t.Errorf("unsealed value: %q, %v", got, err)
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	k2, err := LoadKey("", dir)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second load differs: %v", err)
	}
	env := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, KeySize))
	k3, err := LoadKey(env, dir)
	if err != nil || !bytes.Equal(k3, bytes.Repeat([]byte{7}, KeySize)) {
		t.Fatalf("env key: %v", err)
	}
	if _, err := LoadKey("c2hvcnQ=", dir); err == nil {
		t.Error("a short env key was accepted")
	}
}
