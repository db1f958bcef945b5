package deploy

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"
)

// maxLogBytes bounds the log of one step; a build that prints more loses
// the rest, with a note saying so.
const maxLogBytes = 16 << 20

// logWriter collects the log of one step, one timestamped line per event.
type logWriter struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	now       func() time.Time
	dirty     bool // written since the last takeDirty
	truncated bool
}

// Printf appends a line.
func (l *logWriter) Printf(format string, args ...any) {
	l.line([]byte(fmt.Sprintf(format, args...)))
}

// Write appends output lines, each stamped with the time it arrived.
func (l *logWriter) Write(p []byte) (int, error) {
	for rest := bytes.TrimSuffix(p, []byte("\n")); ; {
		line, after, found := bytes.Cut(rest, []byte("\n"))
		l.line(line)
		if !found {
			break
		}
		rest = after
	}
	return len(p), nil
}

func (l *logWriter) line(text []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.truncated {
		return
	}
	stamp := l.now().UTC().Format("2006-01-02T15:04:05.000Z")
	if l.buf.Len()+len(stamp)+len(text)+2 > maxLogBytes {
		l.truncated = true
		text = []byte("[log truncated: a step's log is limited to 16 MiB]")
	}
	l.buf.WriteString(stamp)
	l.buf.WriteByte(' ')
	l.buf.Write(text)
	l.buf.WriteByte('\n')
	l.dirty = true
}

// Bytes returns the log so far.
func (l *logWriter) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.buf.Bytes())
}

// takeDirty reports whether the log changed since the last call.
func (l *logWriter) takeDirty() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	d := l.dirty
	l.dirty = false
	return d
}

// liveLog is a step's log that is stored while it grows, so readers (the
// log URL, pier logs --follow) see a running build's output.
type liveLog struct {
	*logWriter
	done     chan struct{}
	finished chan struct{}
}

// liveLogInterval is how often a growing log is stored.
const liveLogInterval = 500 * time.Millisecond

// liveLog starts the log of step, stored every liveLogInterval while it
// changes (less often once it is large).
func (run *jobRun) liveLog(ctx context.Context, step string) *liveLog {
	l := &liveLog{logWriter: &logWriter{now: run.r.cfg.Now}, done: make(chan struct{}), finished: make(chan struct{})}
	go func() {
		defer close(l.finished)
		wait := liveLogInterval
		for {
			select {
			case <-l.done:
				return
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			if !l.takeDirty() {
				continue
			}
			data := l.Bytes()
			if _, err := run.putLogBytes(ctx, step, data); err != nil {
				run.r.cfg.Logger.Warn("store live log", "job", run.job.IDString(), "step", step, "err", err)
			}
			// Each store rewrites the whole log: slow down as it grows.
			wait = liveLogInterval * time.Duration(1+len(data)>>20)
		}
	}()
	return l
}

// stop ends the background stores; the caller stores the final log.
func (l *liveLog) stop() {
	close(l.done)
	<-l.finished
}
