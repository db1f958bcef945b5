package deploy_test

import (
	"archive/zip"
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/blob/fsblob"
	"github.com/pier-hosting/pier/deploy"
	"github.com/pier-hosting/pier/sqlite"
)

// jobEvents records the OnJob calls of a runner as "job id:status".
type jobEvents struct {
	mu   sync.Mutex
	seen []string
}

func (e *jobEvents) onJob(_ context.Context, j *pier.Job) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seen = append(e.seen, j.IDString()+":"+j.Status)
}

func (e *jobEvents) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.seen)
}

func TestOnJob(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "pier.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	blobs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	const account, app, branch = "123456789012", "d1", "main"
	must(t, store.CreateAccount(ctx, &pier.Account{ID: account, CreateTime: time.Now()}))
	must(t, store.CreateApp(ctx, &pier.App{AccountID: account, ID: app, Name: "site", Platform: pier.PlatformWeb, CreateTime: time.Now(), UpdateTime: time.Now()}))
	must(t, store.CreateBranch(ctx, &pier.Branch{AccountID: account, AppID: app, Name: branch, DisplayName: branch, CreateTime: time.Now(), UpdateTime: time.Now()}))

	// Job 1 was left RUNNING by a runner that died; jobs 2 and 3 are
	// queued manual deployments of a good and a broken zip.
	newJob := func(status string, upload []byte) {
		t.Helper()
		j := &pier.Job{AccountID: account, AppID: app, BranchName: branch, Type: pier.JobTypeManual, Status: status, CreateTime: time.Now()}
		if status == pier.JobRunning {
			j.LeaseOwner, j.LeaseUntil = "dead", time.Now().Add(time.Hour)
		}
		must(t, store.CreateJob(ctx, j))
		if upload != nil {
			must(t, blobs.Put(ctx, pier.UploadKey(account, app, branch, j.ID, "zip"), bytes.NewReader(upload)))
		}
	}
	newJob(pier.JobRunning, nil)
	newJob(pier.JobPending, zipOf(t, "index.html", "<h1>hi</h1>"))
	newJob(pier.JobPending, []byte("not a zip"))

	var events jobEvents
	runner := deploy.New(deploy.Config{Store: store, Blobs: blobs, TempDir: dir, Exclusive: true, Poll: 10 * time.Millisecond, OnJob: events.onJob})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- runner.Run(runCtx) }()
	want := []string{"1:FAILED", "2:RUNNING", "2:SUCCEED", "3:RUNNING", "3:FAILED"}
	for deadline := time.Now().Add(30 * time.Second); len(events.list()) < len(want) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	<-done
	if got := events.list(); !slices.Equal(got, want) {
		t.Errorf("OnJob calls = %v, want %v", got, want)
	}
	j, err := store.GetJob(ctx, account, app, branch, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(j.StatusReason, "zip") {
		t.Errorf("job 3 reason = %q, want it to say the zip is bad", j.StatusReason)
	}
}

// zipOf returns a zip holding one file.
func zipOf(t *testing.T, name, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	must(t, err)
	_, err = w.Write([]byte(body))
	must(t, err)
	must(t, zw.Close())
	return buf.Bytes()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
