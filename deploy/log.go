package deploy

import (
	"bytes"
	"fmt"
	"sync"
	"time"
)

// logWriter collects the log of one step, one timestamped line per event.
type logWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
	now func() time.Time
}

// Printf appends a line.
func (l *logWriter) Printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(&l.buf, "%s ", l.now().UTC().Format("2006-01-02T15:04:05.000Z"))
	fmt.Fprintf(&l.buf, format, args...)
	l.buf.WriteByte('\n')
}

// Bytes returns the log so far.
func (l *logWriter) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.buf.Bytes())
}
