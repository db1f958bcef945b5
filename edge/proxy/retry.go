package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"
)

// errAttemptTimeout is the cause of an attempt that got no response headers,
// or no body bytes, within the attempt timeout.
var errAttemptTimeout = errors.New("upstream did not respond in time")

// retrier is a RoundTripper that bounds each attempt and the whole exchange
// in time and retries failed idempotent requests.
type retrier struct {
	next     http.RoundTripper
	attempts int
	attempt  time.Duration // per attempt, and between body reads
	total    time.Duration // for all attempts until response headers
}

// RoundTrip makes up to t.attempts attempts until response headers arrive.
// The body of the response it returns fails once a read waits longer than
// the attempt timeout.
func (t *retrier) RoundTrip(req *http.Request) (*http.Response, error) {
	deadline := time.Now().Add(t.total)
	for n := 1; ; n++ {
		res, err := t.try(req, min(t.attempt, time.Until(deadline)))
		if err == nil {
			return res, nil
		}
		if n >= t.attempts || !retryable(req, err) || time.Until(deadline) <= 0 {
			return nil, fmt.Errorf("attempt %d of %d: %w", n, t.attempts, err)
		}
	}
}

// try makes one attempt that must get response headers within wait.
func (t *retrier) try(req *http.Request, wait time.Duration) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	timer := time.AfterFunc(wait, func() { cancel(errAttemptTimeout) })
	res, err := t.next.RoundTrip(req.WithContext(ctx))
	if !timer.Stop() {
		// The timer fired, perhaps as the headers arrived: whatever
		// RoundTrip returned is cut off.
		cancel(errAttemptTimeout)
		if err == nil {
			res.Body.Close()
		}
		return nil, errAttemptTimeout
	}
	if err != nil {
		cancel(nil)
		return nil, err
	}
	res.Body = &idleBody{ReadCloser: res.Body, timer: timer, idle: t.attempt, cancel: cancel}
	return res, nil
}

// retryable reports whether a failed attempt of req may be repeated: req is
// a GET, HEAD or OPTIONS without a body, it was not refused or canceled, and
// it failed to connect or timed out before any response arrived.
func retryable(req *http.Request, err error) bool {
	switch {
	case req.Context().Err() != nil, errors.Is(err, errRefused):
		return false
	case req.Method != http.MethodGet && req.Method != http.MethodHead && req.Method != http.MethodOptions:
		return false
	case req.Body != nil && req.Body != http.NoBody:
		return false
	}
	var opErr *net.OpError
	return errors.Is(err, errAttemptTimeout) || errors.As(err, &opErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

// idleBody is a response body whose reads may each wait at most idle: the
// timer cancels the attempt's context when one waits longer.
type idleBody struct {
	io.ReadCloser
	timer  *time.Timer
	idle   time.Duration
	cancel context.CancelCauseFunc
}

func (b *idleBody) Read(p []byte) (int, error) {
	b.timer.Reset(b.idle)
	n, err := b.ReadCloser.Read(p)
	if !b.timer.Stop() {
		// Canceling may have let the upstream end the body cleanly, but
		// the body is cut off all the same.
		return n, errAttemptTimeout
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.timer.Stop()
	err := b.ReadCloser.Close()
	b.cancel(nil)
	return err
}
