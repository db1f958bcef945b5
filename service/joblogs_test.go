package service

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/blob/fsblob"
	"github.com/pier-hosting/pier/seal"
	"github.com/pier-hosting/pier/sqlite"
)

const (
	logAccount = "111111111111"
	logApp     = "d1logs"
	logBranch  = "feature/logs"
)

// logFixture is a service on SQLite and local blobs with one app and branch.
type logFixture struct {
	svc   *Service
	store pier.Store
	blobs pier.BlobStore
}

func newLogFixture(t *testing.T) *logFixture {
	t.Helper()
	ctx := t.Context()
	store, blobs := openStores(t)
	svc, err := New(ctx, store, blobs, Config{Sealer: testSealer(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateAccount(ctx, &pier.Account{ID: logAccount, CreateTime: time.Now()}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := store.CreateApp(ctx, &pier.App{AccountID: logAccount, ID: logApp, Name: "logs", CreateTime: now, UpdateTime: now}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateBranch(ctx, &pier.Branch{AccountID: logAccount, AppID: logApp, Name: logBranch, CreateTime: now, UpdateTime: now}); err != nil {
		t.Fatal(err)
	}
	return &logFixture{svc: svc, store: store, blobs: blobs}
}

// createJob stores a job with the given status and steps.
func (f *logFixture) createJob(t *testing.T, status string, steps ...pier.Step) *pier.Job {
	t.Helper()
	j := &pier.Job{AccountID: logAccount, AppID: logApp, BranchName: logBranch, Type: pier.JobTypeRelease, Status: status, Steps: steps, CreateTime: time.Now().UTC()}
	if err := f.store.CreateJob(t.Context(), j); err != nil {
		t.Fatal(err)
	}
	return j
}

// putLog stores the whole log of a step so far, as the runner does.
func (f *logFixture) putLog(t *testing.T, j *pier.Job, step, log string) {
	t.Helper()
	key := pier.LogKey(j.AccountID, j.AppID, j.BranchName, j.ID, step)
	if err := f.blobs.Put(context.Background(), key, strings.NewReader(log)); err != nil {
		t.Error(err)
	}
}

// follow runs FollowJobLog and returns what it wrote and how often it
// flushed before writing anything.
func (f *logFixture) follow(ctx context.Context, jobID string, follow bool) (string, int, error) {
	var out bytes.Buffer
	flushes, early := 0, 0
	err := f.svc.FollowJobLog(ctx, logAccount, logApp, logBranch, JobLogInput{JobID: jobID, Follow: follow, PollInterval: time.Millisecond}, &out, func() {
		if flushes++; out.Len() == 0 {
			early++
		}
	})
	return out.String(), early, err
}

// ended is a step that has ended with SUCCEED.
func ended(name string) pier.Step {
	now := time.Now().UTC()
	return pier.Step{Name: name, Status: pier.JobSucceed, StartTime: now, EndTime: now}
}

// running is a step that has started and not ended.
func running(name string) pier.Step {
	return pier.Step{Name: name, Status: pier.JobRunning, StartTime: time.Now().UTC()}
}

func TestFollowJobLogWhileRunning(t *testing.T) {
	f := newLogFixture(t)
	j := f.createJob(t, pier.JobRunning)
	steps := []string{"BUILD", "TEST", "DEPLOY", "VERIFY"}
	var want strings.Builder
	var wg sync.WaitGroup
	wg.Go(func() {
		ctx := context.Background()
		for i, name := range steps {
			want.WriteString("==== " + name + " ====\n")
			j.Steps = append(j.Steps, running(name))
			if err := f.store.UpdateJob(ctx, j); err != nil {
				t.Error(err)
				return
			}
			var log strings.Builder
			for n := range 20 {
				fmt.Fprintf(&log, "%s line %d %s\n", name, n, strings.Repeat("x", i*n))
				f.putLog(t, j, name, log.String())
				time.Sleep(time.Millisecond)
			}
			want.WriteString(log.String())
			j.Steps[i].Status, j.Steps[i].EndTime = pier.JobSucceed, time.Now().UTC()
			if err := f.store.UpdateJob(ctx, j); err != nil {
				t.Error(err)
				return
			}
		}
		j.Status, j.EndTime = pier.JobSucceed, time.Now().UTC()
		if err := f.store.UpdateJob(ctx, j); err != nil {
			t.Error(err)
		}
	})
	got, early, err := f.follow(t.Context(), j.IDString(), true)
	wg.Wait()
	if err != nil {
		t.Fatalf("FollowJobLog: %v", err)
	}
	if got != want.String() {
		t.Errorf("followed log:\n%s\nwant:\n%s", got, want.String())
	}
	if early != 1 {
		t.Errorf("flushed %d times before writing, want once (to commit the response)", early)
	}
}

func TestFollowJobLogOnce(t *testing.T) {
	f := newLogFixture(t)
	old := f.createJob(t, pier.JobFailed, ended("BUILD"))
	f.putLog(t, old, "BUILD", "old build\n")
	j := f.createJob(t, pier.JobRunning, ended("BUILD"), ended("TEST"), running("DEPLOY"))
	f.putLog(t, j, "BUILD", "build 1\nbuild 2\n")
	f.putLog(t, j, "DEPLOY", "deploy so far\n")
	current := "==== BUILD ====\nbuild 1\nbuild 2\n==== TEST ====\n==== DEPLOY ====\ndeploy so far\n"

	tests := []struct {
		name, jobID string
		want        string
	}{
		{name: "running job", jobID: j.IDString(), want: current},
		{name: "latest job", jobID: "", want: current},
		{name: "ended job", jobID: old.IDString(), want: "==== BUILD ====\nold build\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := f.follow(t.Context(), tt.jobID, false)
			if err != nil {
				t.Fatalf("FollowJobLog: %v", err)
			}
			if got != tt.want {
				t.Errorf("log:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestFollowJobLogNotFound(t *testing.T) {
	f := newLogFixture(t)
	f.createJob(t, pier.JobSucceed)
	now := time.Now().UTC()
	if err := f.store.CreateBranch(t.Context(), &pier.Branch{AccountID: logAccount, AppID: logApp, Name: "empty", CreateTime: now, UpdateTime: now}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                    string
		account, app, br, jobID string
	}{
		{name: "unknown job", account: logAccount, app: logApp, br: logBranch, jobID: "99"},
		{name: "malformed job id", account: logAccount, app: logApp, br: logBranch, jobID: "x"},
		{name: "branch without jobs", account: logAccount, app: logApp, br: "empty"},
		{name: "unknown branch", account: logAccount, app: logApp, br: "nope"},
		{name: "another account, latest job", account: "222222222222", app: logApp, br: logBranch},
		{name: "another account, job 1", account: "222222222222", app: logApp, br: logBranch, jobID: "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			flushed := false
			err := f.svc.FollowJobLog(t.Context(), tt.account, tt.app, tt.br, JobLogInput{JobID: tt.jobID, Follow: true}, &out, func() { flushed = true })
			if pier.ErrorCode(err) != pier.ENOTFOUND {
				t.Errorf("FollowJobLog = %v, want ENOTFOUND", err)
			}
			if flushed || out.Len() > 0 {
				t.Errorf("flushed %v and wrote %q before failing; the caller could not report the error", flushed, out.String())
			}
		})
	}
}

func TestFollowJobLogEndsWithContext(t *testing.T) {
	f := newLogFixture(t)
	j := f.createJob(t, pier.JobRunning, running("BUILD"))
	f.putLog(t, j, "BUILD", "working\n")
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	got, _, err := f.follow(ctx, "", true)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("FollowJobLog = %v, want the context's error", err)
	}
	if want := "==== BUILD ====\nworking\n"; got != want {
		t.Errorf("log %q, want %q", got, want)
	}
}

// testSealer returns the real sealer with a fixed test key.
func testSealer(t *testing.T) *seal.Box {
	t.Helper()
	box, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// openStores opens a SQLite store and a blob directory for one test, closed
// when it ends.
func openStores(t *testing.T) (pier.Store, pier.BlobStore) {
	t.Helper()
	dir := t.TempDir()
	store, err := sqlite.Open(t.Context(), filepath.Join(dir, "pier.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	blobs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = blobs.Close() })
	return store, blobs
}
