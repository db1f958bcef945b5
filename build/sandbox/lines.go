package sandbox

import (
	"bytes"
	"errors"
	"io"
	"os"
	"time"
)

// maxLine is the longest line copyLines writes; longer lines are split.
const maxLine = 64 << 10

// After the script has exited (and its process group was killed), the output
// pipe reaches end of file once the last writer is gone. A process that
// escaped the kill (Local: one that called setsid) may hold it open forever,
// so reading stops when the pipe stays empty for outputGrace, or at the
// latest outputDrain after the exit.
const (
	outputGrace = 500 * time.Millisecond
	outputDrain = 5 * time.Second
)

// copyLines copies r to w in whole lines (see Command.Output) until r ends,
// or, once exited is closed, until r stays empty for outputGrace. It keeps
// reading after w fails, so the writers never block, and returns w's first
// error.
func copyLines(w io.Writer, r *os.File, exited <-chan struct{}) error {
	var (
		buf    = make([]byte, 0, maxLine+1) // a longest line and its "\n"
		werr   error
		exitAt time.Time
	)
	write := func(p []byte) {
		if werr == nil {
			_, werr = w.Write(p)
		}
	}
	for {
		if exitAt.IsZero() {
			select {
			case <-exited:
				exitAt = time.Now()
			default:
			}
		}
		if !exitAt.IsZero() {
			deadline := time.Now().Add(outputGrace)
			if last := exitAt.Add(outputDrain); deadline.After(last) {
				deadline = last
			}
			if err := r.SetReadDeadline(deadline); err != nil {
				break
			}
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			write(buf[:i+1])
			buf = buf[:copy(buf, buf[i+1:])]
		} else if len(buf) == cap(buf) {
			write(append(buf[:maxLine:maxLine], '\n')) // copies; rare
			buf = buf[:copy(buf, buf[maxLine:])]
		}
		if errors.Is(err, os.ErrDeadlineExceeded) && exitAt.IsZero() {
			continue // the deadline was set for a read still pending at exit
		}
		if err != nil {
			break
		}
	}
	if len(buf) > 0 {
		write(append(buf, '\n'))
	}
	return werr
}
