package sandbox

import (
	"bytes"
	"errors"
	"testing"
)

func TestMasker(t *testing.T) {
	for _, tt := range []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{"none", nil, "token abcd\n", "token abcd\n"},
		{"one", []string{"s3cr3t"}, "token=s3cr3t\n", "token=********\n"},
		{"everyOccurrence", []string{"s3cr3t"}, "s3cr3t and s3cr3t\n", "******** and ********\n"},
		{"everyLine", []string{"s3cr3t"}, "a s3cr3t\nb\nc s3cr3t\n", "a ********\nb\nc ********\n"},
		{"tooShort", []string{"abc", ""}, "abc\n", "abc\n"},
		{"fourBytes", []string{"abcd"}, "xabcdx\n", "x********x\n"},
		{"longestFirst", []string{"abcd", "abcdefgh"}, "abcdefgh\n", "********\n"},
		{"overlapping", []string{"abcdef", "defghi"}, "xabcdefghix\n", "x********x\n"},
		{"selfOverlapping", []string{"aaaa"}, "aaaaaa\n", "********\n"},
		{"adjacent", []string{"abcd", "efgh"}, "abcdefgh\n", "********\n"},
		{"contained", []string{"bcde", "abcdef"}, "abcdef bcde\n", "******** ********\n"},
		{"multiLineSecret", []string{"-----BEGIN KEY-----\nMIIEabcdef\n-----END KEY-----\n"},
			"-----BEGIN KEY-----\nMIIEabcdef\nother\n", "********\n********\nother\n"},
		{"crlfSecret", []string{"line1234\r\nline5678"}, "line1234 line5678\n", "******** ********\n"},
		{"unterminated", []string{"s3cr3t"}, "s3cr3t", "********"},
		{"bytes", []string{"pässwörd"}, "pässwörd!\n", "********!\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			n, err := NewMasker(&out, tt.secrets).Write([]byte(tt.in))
			if err != nil || n != len(tt.in) {
				t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(tt.in))
			}
			if out.String() != tt.want {
				t.Errorf("wrote %q, want %q", out.String(), tt.want)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestMaskerWriteError(t *testing.T) {
	n, err := NewMasker(failingWriter{}, []string{"s3cr3t"}).Write([]byte("s3cr3t\n"))
	if err == nil || n != 0 {
		t.Fatalf("Write = %d, %v; want 0 and the writer's error", n, err)
	}
}
