package notify

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/pier-hosting/pier"
)

// Config configures a Notifier.
type Config struct {
	// URLs receive every event.
	URLs []string
	// Secret keys the X-Pier-Signature-256 header of each request.
	Secret []byte
	// Client sends the requests (when nil, a client that does not follow
	// redirects: a 3xx answer is a failed delivery).
	Client *http.Client
	// Timeout bounds each attempt (10 s when zero).
	Timeout time.Duration
	// Retries is how often a failed delivery is tried again (5 when zero,
	// none when negative). Network errors, 429 and 5xx answers are retried;
	// other answers are final.
	Retries int
	// Backoff is the wait before the first retry (1 s when zero); it doubles
	// with each retry up to MaxBackoff (1 min when zero), less up to half of
	// it at random so receivers that recover are not hit all at once.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Queue is how many events wait for delivery (100 when zero); when it
	// is full, Notify drops the oldest.
	Queue int
	// Keep is how many delivery records Deliveries returns (100 when zero).
	Keep int
	// Sleep waits d unless ctx ends first (a timer when nil); tests make
	// it instant.
	Sleep  func(ctx context.Context, d time.Duration) error
	Logger *slog.Logger
	Now    func() time.Time
}

// Delivery records how an event reached one URL.
type Delivery struct {
	// ID is the X-Pier-Delivery header, the same on every attempt, so a
	// receiver can ignore a repeated delivery.
	ID       string
	URL      string
	Event    Event
	Attempts int
	// Status is the HTTP status of the last answer (0 when none came).
	Status int
	// Error says why the delivery failed; "" when it succeeded.
	Error string
	// Time is when the last attempt ended.
	Time time.Time
}

// Notifier delivers events in the background. Its methods are safe for
// concurrent use.
type Notifier struct {
	cfg    Config
	ctx    context.Context // cancelled when Close gives up waiting
	cancel context.CancelFunc
	wake   chan struct{}
	done   chan struct{}

	mu         sync.Mutex
	queue      []Event
	closed     bool
	deliveries []Delivery
}

// New returns a Notifier with cfg's defaults filled in and starts its
// delivery worker; Close stops it.
func New(cfg Config) *Notifier {
	if cfg.Client == nil {
		cfg.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	defaults := []struct {
		d   *time.Duration
		def time.Duration
	}{{&cfg.Timeout, 10 * time.Second}, {&cfg.Backoff, time.Second}, {&cfg.MaxBackoff, time.Minute}}
	for _, v := range defaults {
		if *v.d <= 0 {
			*v.d = v.def
		}
	}
	if cfg.Retries == 0 {
		cfg.Retries = 5
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 100
	}
	if cfg.Keep <= 0 {
		cfg.Keep = 100
	}
	if cfg.Sleep == nil {
		cfg.Sleep = pier.Sleep
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &Notifier{cfg: cfg, ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go n.work()
	return n
}

// Notify queues ev for delivery to every URL and returns at once. When the
// queue is full, the oldest queued event is dropped (and logged); after
// Close, ev is dropped.
func (n *Notifier) Notify(ev Event) {
	if ev.Message == "" {
		ev.Message = ev.message()
	}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	if len(n.queue) >= n.cfg.Queue {
		old := n.queue[0]
		n.queue = n.queue[1:]
		n.cfg.Logger.Warn("notification queue full: oldest event dropped", "event", old.Type,
			"app", old.AppID, "branch", old.BranchName, "job", old.JobID)
	}
	n.queue = append(n.queue, ev)
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// Deliveries returns the records of the latest deliveries, oldest first.
func (n *Notifier) Deliveries() []Delivery {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Delivery(nil), n.deliveries...)
}

// Close stops accepting events and waits until the queued ones are
// delivered or ctx ends; then it abandons the rest, cancelling the attempts
// under way, and returns an error saying so.
func (n *Notifier) Close(ctx context.Context) error {
	n.mu.Lock()
	n.closed = true
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
	select {
	case <-n.done:
		n.cancel()
		return nil
	case <-ctx.Done():
	}
	n.cancel()
	<-n.done
	n.mu.Lock()
	left := len(n.queue)
	n.mu.Unlock()
	return fmt.Errorf("close notifier: gave up delivering (%d events left in the queue): %w", left, ctx.Err())
}

// work delivers queued events until the Notifier is closed and drained, or
// Close gives up.
func (n *Notifier) work() {
	defer close(n.done)
	for n.ctx.Err() == nil {
		n.mu.Lock()
		if len(n.queue) == 0 {
			closed := n.closed
			n.mu.Unlock()
			if closed {
				return
			}
			select {
			case <-n.wake:
			case <-n.ctx.Done():
			}
			continue
		}
		ev := n.queue[0]
		n.queue = n.queue[1:]
		n.mu.Unlock()
		n.deliverAll(ev)
	}
}

// record keeps d among the latest deliveries.
func (n *Notifier) record(d Delivery) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.deliveries = append(n.deliveries, d)
	if extra := len(n.deliveries) - n.cfg.Keep; extra > 0 {
		n.deliveries = append(n.deliveries[:0:0], n.deliveries[extra:]...)
	}
}
