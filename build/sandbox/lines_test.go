package sandbox

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestCopyLines feeds copyLines through a pipe, one write per chunk.
func TestCopyLines(t *testing.T) {
	long := strings.Repeat("x", maxLine)
	for _, tt := range []struct {
		name   string
		chunks []string
		writes []string // what Output receives, Write by Write
	}{
		{"empty", nil, nil},
		{"oneLine", []string{"a\n"}, []string{"a\n"}},
		{"linesTogether", []string{"a\nb\n"}, []string{"a\nb\n"}},
		{"partial", []string{"a", "b\nc", "\n"}, []string{"ab\n", "c\n"}},
		{"unterminated", []string{"a\nb"}, []string{"a\n", "b\n"}},
		{"exactlyMax", []string{long + "\n"}, []string{long + "\n"}},
		{"split", []string{long + "yz\n"}, []string{long + "\n", "yz\n"}},
		{"splitTwice", []string{long + long + "z"}, []string{long + "\n", long + "\n", "z\n"}},
		{"emptyLines", []string{"\n\n"}, []string{"\n\n"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			go func() {
				for _, c := range tt.chunks {
					w.WriteString(c)
					time.Sleep(10 * time.Millisecond) // one read per chunk
				}
				w.Close()
			}()
			var got recordWrites
			if err := copyLines(&got, r, make(chan struct{})); err != nil {
				t.Fatal(err)
			}
			if summary(got) != summary(tt.writes) {
				t.Errorf("writes %s, want %s", summary(got), summary(tt.writes))
			}
		})
	}
}

// TestCopyLinesPipeHeldOpen checks that copying ends after the script's exit
// although a process (here: the test) still holds the pipe open.
func TestCopyLinesPipeHeldOpen(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	w.WriteString("before\nunfinished")
	exited := make(chan struct{})
	done := make(chan error, 1)
	var got recordWrites
	go func() { done <- copyLines(&got, r, exited) }()
	time.Sleep(50 * time.Millisecond)
	close(exited)
	r.SetReadDeadline(time.Now().Add(outputGrace)) // as run does
	select {
	case <-done:
	case <-time.After(outputGrace + 2*time.Second):
		t.Fatal("copyLines did not return")
	}
	if want := []string{"before\n", "unfinished\n"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("writes %q, want %q", got, want)
	}
}

// TestCopyLinesWriteError checks that the pipe is drained after Output
// fails, and the error returned.
func TestCopyLinesWriteError(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		for range 100 {
			w.WriteString(strings.Repeat("y", 4096) + "\n")
		}
		w.Close()
	}()
	if err := copyLines(failingWriter{}, r, make(chan struct{})); err == nil {
		t.Fatal("copyLines returned nil")
	}
}

// summary describes writes briefly: long ones by their length.
func summary(writes []string) string {
	var s []string
	for _, w := range writes {
		if len(w) > 20 {
			w = fmt.Sprintf("<%d bytes ending %q>", len(w), w[len(w)-3:])
		}
		s = append(s, fmt.Sprintf("%q", w))
	}
	return "[" + strings.Join(s, " ") + "]"
}

// recordWrites records each Write.
type recordWrites []string

func (r *recordWrites) Write(p []byte) (int, error) {
	*r = append(*r, string(p))
	return len(p), nil
}
