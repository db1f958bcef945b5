package awsapi

import (
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/service"
)

// WebhookPath receives the calls of incoming webhooks, in Amplify's form:
// POST /prod/webhooks?id=ID&token=TOKEN&operation=startbuild, with any body
// and no SigV4 (the token in the URL is the credential).
const WebhookPath = "/prod/webhooks"

// MaxWebhookBodyBytes bounds the body of a webhook call, which is read and
// ignored (Amplify refuses Git provider payloads over 256 KB as well).
const MaxWebhookBodyBytes = 256 << 10

// Each webhook may be called WebhookBurst times at once, then once per
// WebhookInterval (10 calls a minute). The buckets live in the memory of
// each API node, so behind a load balancer of n nodes a webhook gets up to
// n times that; only calls with the right token count.
const (
	WebhookBurst    = 5
	WebhookInterval = 6 * time.Second
)

// webhookError is a refused webhook call: a status and an API Gateway-style
// JSON message.
type webhookError struct {
	status     int
	msg        string
	retryAfter time.Duration // 429 only
}

func (e *webhookError) Error() string { return strconv.Itoa(e.status) + " " + e.msg }

// sendMessageResponse is the answer to an accepted call: the shape of
// Amplify's, whose webhooks put a message on a queue.
type sendMessageResponse struct {
	SendMessageResponse struct {
		ResponseMetadata struct {
			RequestId string
		}
	}
}

// serveWebhook answers one call of a webhook URL and logs it.
func (s *Server) serveWebhook(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := pier.NewUUID()
	w.Header().Set("x-amzn-RequestId", reqID)
	// The URL's query holds the token: only the id goes to the log.
	attrs := []any{"request_id", reqID, "method", r.Method, "webhook_id", r.URL.Query().Get("id")}
	job, err := s.triggerWebhook(w, r)
	if err == nil {
		var out sendMessageResponse
		out.SendMessageResponse.ResponseMetadata.RequestId = reqID
		_ = writeJSON(w, http.StatusOK, out)
		s.log.Info("webhook started a job", append(attrs, "app_id", job.AppID, "branch", job.BranchName,
			"job_id", job.IDString(), "duration", time.Since(start))...)
		return
	}
	s.refuseHook(w, err, "webhook call", attrs, start)
}

// refuseHook answers an unsigned call (a webhook URL, a Git event) that
// failed with err, as API Gateway would, and logs it as what.
func (s *Server) refuseHook(w http.ResponseWriter, err error, what string, attrs []any, start time.Time) {
	var we *webhookError
	if !errors.As(err, &we) {
		we = webhookServiceError(err)
	}
	if we.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(we.retryAfter.Seconds()))))
	}
	if we.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	_ = writeJSON(w, we.status, errorBody{Message: we.msg})
	attrs = append(attrs, "status", we.status, "duration", time.Since(start))
	if we.status >= http.StatusInternalServerError {
		s.log.Error(what+" failed", append(attrs, "err", err)...)
	} else {
		s.log.Debug(what+" refused", append(attrs, "reason", we.msg)...)
	}
}

// triggerWebhook checks a call and starts the webhook's job.
func (s *Server) triggerWebhook(w http.ResponseWriter, r *http.Request) (*pier.Job, error) {
	if r.Method != http.MethodPost {
		return nil, &webhookError{status: http.StatusMethodNotAllowed, msg: "Method Not Allowed"}
	}
	if _, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, MaxWebhookBodyBytes)); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &webhookError{status: http.StatusRequestEntityTooLarge, msg: "Request body too large: a webhook call takes at most 256 KiB."}
		}
		return nil, &webhookError{status: http.StatusBadRequest, msg: "Could not read the request body."}
	}
	q := r.URL.Query()
	if op := q.Get("operation"); op != service.WebhookOperation {
		return nil, &webhookError{status: http.StatusBadRequest, msg: "Invalid operation " + strconv.Quote(op) + ": want startbuild."}
	}
	hook, err := s.svc.AuthorizeWebhook(r.Context(), q.Get("id"), q.Get("token"))
	if err != nil {
		return nil, err
	}
	if ok, wait := s.webhookLimits.allow(hook.ID); !ok {
		return nil, &webhookError{status: http.StatusTooManyRequests, msg: "Too Many Requests", retryAfter: wait}
	}
	return s.svc.TriggerWebhook(r.Context(), hook)
}

// webhookServiceError turns an error of the service into a webhook answer.
func webhookServiceError(err error) *webhookError {
	code := pier.ErrorCode(err)
	if code == pier.EUNAUTHORIZED {
		// API Gateway's answer, whatever was wrong with id and token.
		return &webhookError{status: http.StatusForbidden, msg: "Forbidden"}
	}
	return &webhookError{status: errorTable[code].Status, msg: pier.ErrorMessage(err)}
}

// rateLimiter keeps a token bucket per key: a key may be used burst times
// at once, then once per interval. It is safe for concurrent use.
type rateLimiter struct {
	burst    float64
	interval time.Duration // one token comes back per interval
	now      func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

// bucket holds a key's tokens as of a time.
type bucket struct {
	tokens float64
	at     time.Time
}

func newRateLimiter(burst int, interval time.Duration, now func() time.Time) *rateLimiter {
	return &rateLimiter{burst: float64(burst), interval: interval, now: now, buckets: map[string]*bucket{}}
}

// allow takes a token of key's bucket. When the bucket is empty it returns
// false and how long until the next token.
func (l *rateLimiter) allow(key string) (ok bool, wait time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = l.tokens(b, now)
	if now.After(b.at) { // a clock stepping back must not refill twice
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) * float64(l.interval))
}

// tokens returns what b holds at now.
func (l *rateLimiter) tokens(b *bucket, now time.Time) float64 {
	elapsed := max(now.Sub(b.at), 0)
	return min(l.burst, b.tokens+float64(elapsed)/float64(l.interval))
}

// sweep forgets the buckets that have refilled, which are as good as new,
// at most once per refill time: memory stays bounded by the keys used
// within about two refill times.
func (l *rateLimiter) sweep(now time.Time) {
	refill := time.Duration(l.burst * float64(l.interval))
	if now.Sub(l.swept) < refill {
		return
	}
	l.swept = now
	for key, b := range l.buckets {
		if l.tokens(b, now) >= l.burst {
			delete(l.buckets, key)
		}
	}
}
