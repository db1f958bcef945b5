package sandbox

import (
	"bytes"
	"io"
	"strings"
)

// maskMinLen is the length below which a secret is not masked: masking
// "a" or "yes" would garble the log without protecting anything.
const maskMinLen = 4

// mask replaces each secret.
const mask = "********"

// Masker is an io.Writer that replaces every occurrence of a secret in each
// line with "********" before passing the line on. It expects whole lines,
// as Command.Output receives them, so an occurrence never spans two writes.
// Every byte inside an occurrence is masked, so overlapping or adjacent
// occurrences (of one secret or several) become one mask and no part of a
// longer secret survives a shorter one's match. A Masker
// is as safe for concurrent use as the writer it wraps.
type Masker struct {
	w       io.Writer
	secrets [][]byte
}

// NewMasker returns a Masker writing to w. A secret spanning several lines
// (a private key, say) is masked line by line; lines and secrets shorter
// than 4 bytes are ignored.
func NewMasker(w io.Writer, secrets []string) *Masker {
	m := &Masker{w: w}
	for _, s := range secrets {
		for line := range strings.Lines(s) {
			line = strings.TrimRight(line, "\r\n")
			if len(line) >= maskMinLen {
				m.secrets = append(m.secrets, []byte(line))
			}
		}
	}
	return m
}

// Write masks the secrets in p and writes the result. It returns len(p) when
// the underlying write succeeds.
func (m *Masker) Write(p []byte) (int, error) {
	if len(m.secrets) == 0 {
		return m.w.Write(p)
	}
	var out []byte
	for line := range bytes.Lines(p) {
		out = m.appendMasked(out, line)
	}
	if _, err := m.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// appendMasked appends line to dst with every byte covered by an occurrence
// of a secret masked, each run of covered bytes replaced by one mask.
func (m *Masker) appendMasked(dst, line []byte) []byte {
	var covered []bool
	for _, s := range m.secrets {
		for i := 0; ; {
			j := bytes.Index(line[i:], s)
			if j < 0 {
				break
			}
			if covered == nil {
				covered = make([]bool, len(line))
			}
			for k := i + j; k < i+j+len(s); k++ {
				covered[k] = true
			}
			i += j + 1
		}
	}
	if covered == nil {
		return append(dst, line...)
	}
	for i := 0; i < len(line); i++ {
		if !covered[i] {
			dst = append(dst, line[i])
			continue
		}
		dst = append(dst, mask...)
		for i+1 < len(line) && covered[i+1] {
			i++
		}
	}
	return dst
}
