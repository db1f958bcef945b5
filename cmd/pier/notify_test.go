package main

import (
	"io"
	"slices"
	"testing"
)

func TestNotifyURLFlag(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
		fail bool
	}{
		{"none", nil, nil, false},
		{"repeated", []string{"--notify-url", "https://a.example/hook", "--notify-url", "http://127.0.0.1:9000/x"}, []string{"https://a.example/hook", "http://127.0.0.1:9000/x"}, false},
		{"comma-separated", []string{"--notify-url", "https://a.example/1, https://b.example/2"}, []string{"https://a.example/1", "https://b.example/2"}, false},
		{"not http", []string{"--notify-url", "ftp://a.example/hook"}, nil, true},
		{"no host", []string{"--notify-url", "https:///hook"}, nil, true},
		{"not a URL", []string{"--notify-url", "hook"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMain(io.Discard, func(string) string { return "" })
			err := m.ParseFlags(tt.args)
			if (err != nil) != tt.fail {
				t.Fatalf("ParseFlags(%q) = %v, want failure: %t", tt.args, err, tt.fail)
			}
			if got := m.Config.NotifyURLs; !tt.fail && !slices.Equal(got, tt.want) {
				t.Errorf("NotifyURLs = %q, want %q", got, tt.want)
			}
		})
	}
}
