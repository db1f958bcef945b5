package main

import (
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"

	"github.com/pier-hosting/pier/notify"
)

const testNotifySecret = "e2e-notify-secret"

// hookReceiver is a webhook receiver that keeps the events whose signature
// verifies with its key, and counts the others.
type hookReceiver struct {
	url    string
	mu     sync.Mutex
	key    []byte
	events []notify.Event
	forged int
}

func newHookReceiver(t *testing.T, key string) *hookReceiver {
	t.Helper()
	rc := &hookReceiver{key: []byte(key)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev notify.Event
		err := json.Unmarshal(body, &ev)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if r.URL.Path != "/hook" || err != nil || ev.Type != r.Header.Get(notify.HeaderEvent) ||
			!notify.Verify(rc.key, body, r.Header.Get(notify.HeaderSignature)) {
			rc.forged++
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		rc.events = append(rc.events, ev)
	}))
	t.Cleanup(srv.Close)
	rc.url = srv.URL + "/hook"
	return rc
}

// wait returns the events of appID once there are n, failing the test
// after jobTimeout.
func (rc *hookReceiver) wait(t *testing.T, appID string, n int) []notify.Event {
	t.Helper()
	for deadline := time.Now().Add(jobTimeout); ; time.Sleep(20 * time.Millisecond) {
		got := rc.of(appID)
		rc.mu.Lock()
		forged := rc.forged
		rc.mu.Unlock()
		if forged > 0 {
			t.Fatalf("receiver refused %d requests: bad path, body or signature", forged)
		}
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) != n {
				t.Fatalf("app %s: got %d events %+v, want %d", appID, len(got), got, n)
			}
			return got
		}
	}
}

// of returns the events of appID received so far.
func (rc *hookReceiver) of(appID string) []notify.Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []notify.Event
	for _, ev := range rc.events {
		if ev.AppID == appID {
			out = append(out, ev)
		}
	}
	return out
}

// notifiedSite creates an app whose branch main has enableNotification.
func notifiedSite(t *testing.T, s *testServer, name string) string {
	t.Helper()
	app := createApp(t, s.client, name)
	if _, err := s.client.CreateBranch(t.Context(), &amplify.CreateBranchInput{
		AppId: app.AppId, BranchName: aws.String("main"), EnableNotification: aws.Bool(true),
	}); err != nil {
		t.Fatalf("CreateBranch: %v", err)
	}
	return *app.AppId
}

// wantEvent fails the test unless ev reports job jobID of appID's branch
// main as typ and status.
func wantEvent(t *testing.T, s *testServer, ev notify.Event, appID, jobID, typ, status string) {
	t.Helper()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.EdgeURL, "http://"))
	site := "http://main." + appID + ".localhost:" + port + "/"
	if ev.Type != typ || ev.Status != status || ev.AppID != appID || ev.BranchName != "main" || ev.JobID != jobID ||
		ev.JobType != "MANUAL" || ev.AccountID != s.AdminKey.AccountID || ev.URL != site || ev.Time.IsZero() ||
		!strings.Contains(ev.Message, "Your build status is "+status) {
		t.Errorf("event = %+v, want %s (%s) of job %s at %s", ev, typ, status, jobID, site)
	}
}

func TestNotifications(t *testing.T) {
	rc := newHookReceiver(t, testNotifySecret)
	env := maps.Clone(fixedCredentials)
	env[notifySecretEnv] = testNotifySecret
	s := startServerWith(t, t.TempDir(), env, nil, "--notify-url", rc.url)

	quiet := newSite(t, s, "quiet") // no enableNotification
	s.deploy(t, quiet, files{"index.html": "quiet"})
	appID := notifiedSite(t, s, "loud")

	job := s.deploy(t, appID, files{"index.html": "<h1>hello</h1>"})
	id := aws.ToString(job.Summary.JobId)
	evs := rc.wait(t, appID, 2)
	wantEvent(t, s, evs[0], appID, id, notify.JobStarted, "RUNNING")
	wantEvent(t, s, evs[1], appID, id, notify.JobSucceeded, "SUCCEED")

	job = s.waitJob(t, appID, s.startZip(t, appID, []byte("this is not a zip")))
	wantFailed(t, job)
	id = aws.ToString(job.Summary.JobId)
	evs = rc.wait(t, appID, 4)
	wantEvent(t, s, evs[2], appID, id, notify.JobStarted, "RUNNING")
	wantEvent(t, s, evs[3], appID, id, notify.JobFailed, "FAILED")
	if reason := job.Steps[len(job.Steps)-1].StatusReason; evs[3].StatusReason == "" || aws.ToString(reason) != evs[3].StatusReason {
		t.Errorf("job.failed reason = %q, want the job's %q", evs[3].StatusReason, aws.ToString(reason))
	}

	// One worker delivers in order: the quiet app's events would be here.
	if got := rc.of(quiet); len(got) != 0 {
		t.Errorf("branch without enableNotification sent %+v", got)
	}
}

func TestNotificationKeyFromStore(t *testing.T) {
	// Without PIER_NOTIFY_SECRET the server signs with a key it keeps in
	// its store; a receiver that knows it verifies the events.
	rc := newHookReceiver(t, "")
	s := startServerWith(t, t.TempDir(), fixedCredentials, nil, "--notify-url", rc.url)
	key, err := s.store.Secret(t.Context(), "notify-key", []byte("unused"))
	if err != nil || string(key) == "unused" {
		t.Fatalf("Secret = %q, %v; want the key the server made", key, err)
	}
	rc.mu.Lock()
	rc.key = key
	rc.mu.Unlock()
	appID := notifiedSite(t, s, "keyed")
	s.deploy(t, appID, files{"index.html": "hi"})
	rc.wait(t, appID, 2)
}
