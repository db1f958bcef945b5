package rules

import (
	"sync"
	"time"

	"github.com/dlclark/regexp2"
)

// regexTimeout bounds one regular-expression match, so that a pattern with
// catastrophic backtracking costs a request tens of milliseconds, not
// minutes. The bound is wall-clock time, so it must leave room for a busy
// machine: at 5 ms, ordinary SPA matches timed out (and so failed to
// rewrite) under load.
const regexTimeout = 50 * time.Millisecond

// regexp2 checks deadlines against a clock that ticks every 100 ms by
// default, which would let a 50 ms timeout run for up to 200 ms. Ticking at
// a fifth of the timeout keeps the bound near it; the ticker only runs while
// matches with deadlines do. The setting is process-wide.
func init() {
	regexp2.SetTimeoutCheckPeriod(regexTimeout / 5)
}

// compileRegex compiles the pattern of a "</regex/>" source.
func compileRegex(pattern string) (*regexp2.Regexp, error) {
	re, err := regexp2.Compile(pattern, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = regexTimeout
	return re, nil
}

// maxPooledRunes bounds the rune buffers kept for reuse.
const maxPooledRunes = 4096

// runeBuffers holds the buffers paths are decoded into for regexp2, which
// matches runes; reusing them saves an allocation per match.
var runeBuffers = sync.Pool{New: func() any { return new([]rune) }}

// matchRegex reports whether re occurs in p; a match that times out does
// not.
func matchRegex(re *regexp2.Regexp, p string) bool {
	buf := runeBuffers.Get().(*[]rune)
	runes := (*buf)[:0]
	for _, r := range p {
		runes = append(runes, r)
	}
	ok, err := re.MatchRunes(runes)
	if cap(runes) <= maxPooledRunes {
		*buf = runes
		runeBuffers.Put(buf)
	}
	return ok && err == nil
}
