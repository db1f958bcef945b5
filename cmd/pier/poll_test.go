package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestPollIntervalFlag(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want time.Duration
		err  string
	}{
		{"off by default", nil, 0, ""},
		{"a minute", []string{"--poll-interval", "1m"}, time.Minute, ""},
		{"too often", []string{"--poll-interval", "500ms"}, 0, "at least 10s"},
		{"without a runner", []string{"--poll-interval", "30s", "--roles", "api,edge"}, 0, "runner role"},
		{"not a duration", []string{"--poll-interval", "often"}, 0, "invalid value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMain(io.Discard, func(string) string { return "" })
			err := m.ParseFlags(tc.args)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseFlags = %v, want an error mentioning %q", err, tc.err)
				}
				return
			}
			if err != nil || m.Config.PollInterval != tc.want {
				t.Errorf("ParseFlags = %v, interval %v; want %v", err, m.Config.PollInterval, tc.want)
			}
		})
	}
}
