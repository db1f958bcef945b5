package model

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pier-hosting/pier"
)

func TestMessages(t *testing.T) {
	rules := strings.Repeat(`{"source":"/a","target":"/b","status":"1"},`, 99) + `{"source":"/a","target":"/b","status":"1"}`
	tests := []struct {
		name    string
		body    string
		want    []string
		notWant []string
	}{
		{
			name:    "sensitive value hidden",
			body:    `{"name":"x","oauthToken":"` + strings.Repeat("secret", 200) + `"}`,
			want:    []string{"Value at 'oauthToken' failed to satisfy constraint: Member must have length less than or equal to 1000"},
			notWant: []string{"secret"},
		},
		{
			name: "long value abbreviated",
			body: `{"name":"x","description":"` + strings.Repeat("é", 1001) + `"}`,
			want: []string{"Value '" + strings.Repeat("é", maxShown) + "...' at 'description'"},
		},
		{
			name: "long map key abbreviated in path",
			body: `{"name":"x","environmentVariables":{"` + strings.Repeat("K", 255) + `":"` + strings.Repeat("v", 5501) + `"}}`,
			want: []string{"at 'environmentVariables[" + strings.Repeat("K", maxShown) + "...]'"},
		},
		{
			name: "many violations counted and clipped",
			body: `{"name":"x","customRules":[` + rules + `]}`,
			want: []string{"100 validation errors detected: Value '1' at 'customRules[0].status'", "..."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Amplify().Operation("CreateApp").Decode(nil, nil, []byte(tt.body))
			msg := pier.ErrorMessage(err)
			if pier.ErrorCode(err) != pier.EINVALID {
				t.Fatalf("Decode() error = %v, want code invalid", err)
			}
			if len(msg) > maxMessage || !utf8.ValidString(msg) {
				t.Errorf("message is %d bytes, valid UTF-8 %v", len(msg), utf8.ValidString(msg))
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message = %q\nwant it to contain %q", msg, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(msg, w) {
					t.Errorf("message = %q\nwant it not to contain %q", msg, w)
				}
			}
		})
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"short", "abc", 5, "abc"},
		{"exact", "abcde", 5, "abcde"},
		{"cut", "abcdef", 5, "ab..."},
		{"cut inside a multibyte character", "aéééé", 5, "a..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clip(tt.in, tt.n); got != tt.want {
				t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}
