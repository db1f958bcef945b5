package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pier-hosting/pier"
)

// Headers of a delivery.
const (
	HeaderEvent     = "X-Pier-Event"
	HeaderDelivery  = "X-Pier-Delivery"
	HeaderSignature = "X-Pier-Signature-256"
)

// Sign returns the X-Pier-Signature-256 value of body: "sha256=" and the hex
// HMAC-SHA256 of body keyed with secret, as GitHub signs its webhooks.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature is the X-Pier-Signature-256 value of
// body, comparing in constant time.
func Verify(secret, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(signature))
}

// deliverAll delivers ev to every URL at once, so one slow receiver does
// not delay the others.
func (n *Notifier) deliverAll(ev Event) {
	body, err := json.Marshal(ev)
	if err != nil {
		n.cfg.Logger.Error("encode notification", "err", err) // cannot happen: Event has plain fields
		return
	}
	var wg sync.WaitGroup
	for _, url := range n.cfg.URLs {
		wg.Go(func() { n.deliver(url, ev, body) })
	}
	wg.Wait()
}

// deliver posts body to url, retrying with backoff, and records and logs
// the outcome.
func (n *Notifier) deliver(url string, ev Event, body []byte) {
	d := Delivery{ID: pier.NewUUID(), URL: url, Event: ev}
	var err error
	for {
		d.Attempts++
		var retry bool
		d.Status, retry, err = n.attempt(url, d.ID, ev.Type, body)
		if err == nil || !retry || d.Attempts > n.cfg.Retries || n.ctx.Err() != nil {
			break
		}
		if n.cfg.Sleep(n.ctx, n.backoff(d.Attempts)) != nil {
			break
		}
	}
	d.Time = n.cfg.Now().UTC()
	log := n.cfg.Logger.With("event", ev.Type, "app", ev.AppID, "branch", ev.BranchName, "job", ev.JobID,
		"url", url, "delivery", d.ID, "attempts", d.Attempts)
	if err != nil {
		d.Error = err.Error()
		log.Warn("notification not delivered", "err", err)
	} else {
		log.Info("notification delivered", "status", d.Status)
	}
	n.record(d)
}

// attempt posts body to url once. It returns the answer's status, whether
// a failure is worth retrying, and the failure.
func (n *Notifier) attempt(url, id, typ string, body []byte) (int, bool, error) {
	ctx, cancel := context.WithTimeout(n.ctx, n.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, false, fmt.Errorf("notification request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Pier-Notify")
	req.Header.Set(HeaderEvent, typ)
	req.Header.Set(HeaderDelivery, id)
	req.Header.Set(HeaderSignature, Sign(n.cfg.Secret, body))
	resp, err := n.cfg.Client.Do(req)
	if err != nil {
		return 0, true, err
	}
	defer resp.Body.Close()
	// Reading a little of the answer lets the connection be reused; its
	// start explains a refusal in the log.
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, false, nil
	}
	err = fmt.Errorf("receiver answered %s", resp.Status)
	if msg := strings.TrimSpace(string(head)); msg != "" {
		err = fmt.Errorf("receiver answered %s: %q", resp.Status, msg)
	}
	retry := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
	return resp.StatusCode, retry, err
}

// backoff returns the wait after the attempt-th failed attempt: Backoff
// doubled per earlier retry, at most MaxBackoff, less up to half at random.
func (n *Notifier) backoff(attempt int) time.Duration {
	d := n.cfg.Backoff
	for i := 1; i < attempt && d < n.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, n.cfg.MaxBackoff)
	return d - rand.N(d/2+1)
}
