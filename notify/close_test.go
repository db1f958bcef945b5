package notify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestNotifyNeverBlocks(t *testing.T) {
	arrived, release := make(chan struct{}, 100), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	n, _ := newNotifier(t, Config{URLs: []string{srv.URL}, Queue: 2, Timeout: time.Hour})
	n.Notify(sampleEvent())
	<-arrived // the worker is stuck on the first event

	start := time.Now()
	for i := range 50 {
		ev := sampleEvent()
		ev.JobID = string(rune('a' + i%26))
		n.Notify(ev)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("50 Notify calls took %s with a hanging receiver", d)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := n.Close(ctx)
	if err == nil || !strings.Contains(err.Error(), "2 events left") {
		t.Errorf("Close = %v, want it to give up with the 2 queued events left", err)
	}
	ds := n.Deliveries()
	if len(ds) != 1 || ds[0].Error == "" {
		t.Errorf("records = %+v, want the abandoned attempt recorded as failed", ds)
	}
}

func TestClose(t *testing.T) {
	rc := newReceiver(t)
	n, _ := newNotifier(t, Config{URLs: []string{rc.srv.URL}, Keep: 2})
	for _, typ := range []string{JobStarted, JobSucceeded, JobStarted} {
		ev := sampleEvent()
		ev.Type = typ
		n.Notify(ev)
	}
	ds := drain(t, n)
	if len(rc.requests()) != 3 {
		t.Errorf("receiver got %d events, want the 3 queued before Close", len(rc.requests()))
	}
	if len(ds) != 2 || ds[0].Event.Type != JobSucceeded || ds[1].Event.Type != JobStarted {
		t.Errorf("records = %+v, want the last 2 in order", ds)
	}
	n.Notify(sampleEvent())
	if err := n.Close(t.Context()); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if len(rc.requests()) != 3 {
		t.Error("an event notified after Close was delivered")
	}
}

func TestEventText(t *testing.T) {
	tests := []struct {
		status, wantType, wantMessage string
	}{
		{"RUNNING", JobStarted, "Build notification from Pier for app: http://main.d1a2b3c4d5e6f7.localhost:8751/. Your build status is RUNNING. Job 7 of branch main of app d1a2b3c4d5e6f7."},
		{"SUCCEED", JobSucceeded, "Build notification from Pier for app: http://main.d1a2b3c4d5e6f7.localhost:8751/. Your build status is SUCCEED. Job 7 of branch main of app d1a2b3c4d5e6f7."},
		{"FAILED", JobFailed, "Build notification from Pier for app: http://main.d1a2b3c4d5e6f7.localhost:8751/. Your build status is FAILED. Job 7 of branch main of app d1a2b3c4d5e6f7. Reason: Command npm run build exited with status 1."},
		{"CANCELLED", JobCancelled, ""},
		{"PENDING", "", ""},
		{"CANCELLING", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			if got := TypeOf(tt.status); got != tt.wantType {
				t.Errorf("TypeOf = %q, want %q", got, tt.wantType)
			}
			if tt.wantMessage == "" {
				return
			}
			ev := sampleEvent()
			ev.Status = tt.status
			if tt.status != "FAILED" {
				ev.StatusReason = ""
			}
			if got := ev.message(); got != tt.wantMessage {
				t.Errorf("message =\n%s\nwant\n%s", got, tt.wantMessage)
			}
		})
	}
}
