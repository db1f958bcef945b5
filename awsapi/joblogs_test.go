package awsapi

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/awsapi/sigv4"
	"github.com/pier-hosting/pier/blob/fsblob"
	"github.com/pier-hosting/pier/seal"
	"github.com/pier-hosting/pier/service"
	"github.com/pier-hosting/pier/sqlite"
)

// logsAPI is an API server on SQLite and local blobs with two accounts; the
// first owns app "d1" with branch "feature/x".
type logsAPI struct {
	url   string
	store pier.Store
	blobs pier.BlobStore
	keys  map[string]aws.Credentials // by account
}

const (
	logsOwner    = "111111111111"
	logsStranger = "222222222222"
	logsApp      = "d1"
	logsBranch   = "feature/x"
)

func newLogsAPI(t *testing.T) *logsAPI {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "pier.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	blobs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = blobs.Close() })
	svc, err := service.New(ctx, store, blobs, service.Config{Sealer: testSealer(t)})
	if err != nil {
		t.Fatal(err)
	}
	a := &logsAPI{store: store, blobs: blobs, keys: map[string]aws.Credentials{}}
	now := time.Now().UTC()
	for i, account := range []string{logsOwner, logsStranger} {
		k := &pier.AccessKey{ID: "AKIALOGSTEST0000000" + string(rune('1'+i)), Secret: "secret-" + account, AccountID: account, CreateTime: now}
		if err := store.CreateAccount(ctx, &pier.Account{ID: account, CreateTime: now}); err != nil {
			t.Fatal(err)
		}
		if err := store.CreateAccessKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		a.keys[account] = aws.Credentials{AccessKeyID: k.ID, SecretAccessKey: k.Secret}
	}
	if err := store.CreateApp(ctx, &pier.App{AccountID: logsOwner, ID: logsApp, Name: "logs", CreateTime: now, UpdateTime: now}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateBranch(ctx, &pier.Branch{AccountID: logsOwner, AppID: logsApp, Name: logsBranch, CreateTime: now, UpdateTime: now}); err != nil {
		t.Fatal(err)
	}
	verifier := &sigv4.Verifier{Credentials: StoreCredentials{Store: store}, Services: []string{"amplify"}}
	srv := httptest.NewServer(NewServer(svc, verifier, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	a.url = srv.URL
	return a
}

// createJob stores a job of the branch with the given status and steps,
// each step's log given by name.
func (a *logsAPI) createJob(t *testing.T, status string, logs map[string]string, steps ...pier.Step) *pier.Job {
	t.Helper()
	j := &pier.Job{AccountID: logsOwner, AppID: logsApp, BranchName: logsBranch, Type: pier.JobTypeRelease, Status: status, Steps: steps, CreateTime: time.Now().UTC()}
	if err := a.store.CreateJob(t.Context(), j); err != nil {
		t.Fatal(err)
	}
	for name, log := range logs {
		a.putLog(t, j, name, log)
	}
	return j
}

func (a *logsAPI) putLog(t *testing.T, j *pier.Job, step, log string) {
	t.Helper()
	if err := a.blobs.Put(t.Context(), pier.LogKey(j.AccountID, j.AppID, j.BranchName, j.ID, step), strings.NewReader(log)); err != nil {
		t.Fatal(err)
	}
}

// get sends a GET of path signed by account ("" for unsigned) and returns
// the response, whose body the caller closes.
func (a *logsAPI) get(t *testing.T, ctx context.Context, method, account, path string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, a.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if account != "" {
		sum := sha256.Sum256(nil)
		if err := v4.NewSigner().SignHTTP(ctx, a.keys[account], req, hex.EncodeToString(sum[:]), "amplify", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func logsQuery(kv ...string) string {
	q := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return LogsPath + "?" + q.Encode()
}

func TestServeLogs(t *testing.T) {
	a := newLogsAPI(t)
	now := time.Now().UTC()
	a.createJob(t, pier.JobSucceed, map[string]string{"DEPLOY": "deployed\n", "VERIFY": "verified\n"},
		pier.Step{Name: "DEPLOY", Status: pier.JobSucceed, StartTime: now, EndTime: now},
		pier.Step{Name: "VERIFY", Status: pier.JobSucceed, StartTime: now, EndTime: now})
	const log = "==== DEPLOY ====\ndeployed\n==== VERIFY ====\nverified\n"

	tests := []struct {
		name, method, account, path string
		status                      int
		errType, body               string
	}{
		{name: "job", account: logsOwner, path: logsQuery("appId", logsApp, "branchName", logsBranch, "jobId", "1"), status: 200, body: log},
		{name: "latest job, followed", account: logsOwner, path: logsQuery("appId", logsApp, "branchName", logsBranch, "follow", "true"), status: 200, body: log},
		{name: "missing appId", account: logsOwner, path: logsQuery("branchName", logsBranch), status: 400, errType: "BadRequestException"},
		{name: "missing branchName", account: logsOwner, path: logsQuery("appId", logsApp), status: 400, errType: "BadRequestException"},
		{name: "bad follow", account: logsOwner, path: logsQuery("appId", logsApp, "branchName", logsBranch, "follow", "sometimes"), status: 400, errType: "BadRequestException"},
		{name: "unknown job", account: logsOwner, path: logsQuery("appId", logsApp, "branchName", logsBranch, "jobId", "2"), status: 404, errType: "NotFoundException"},
		{name: "unknown branch", account: logsOwner, path: logsQuery("appId", logsApp, "branchName", "feature"), status: 404, errType: "NotFoundException"},
		{name: "another account", account: logsStranger, path: logsQuery("appId", logsApp, "branchName", logsBranch, "jobId", "1"), status: 404, errType: "NotFoundException"},
		{name: "POST", method: http.MethodPost, account: logsOwner, path: logsQuery("appId", logsApp, "branchName", logsBranch), status: 405, errType: "UnknownOperationException"},
		{name: "unsigned", path: logsQuery("appId", logsApp, "branchName", logsBranch), status: 401, errType: "UnauthorizedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			resp := a.get(t, t.Context(), method, tt.account, tt.path)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d %s, want %d", resp.StatusCode, body, tt.status)
			}
			if tt.errType != "" {
				var e struct{ Message string }
				if got := resp.Header.Get("x-amzn-ErrorType"); got != tt.errType || json.Unmarshal(body, &e) != nil || e.Message == "" {
					t.Errorf("error %s %s, want %s with a message", got, body, tt.errType)
				}
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if string(body) != tt.body {
				t.Errorf("body:\n%s\nwant:\n%s", body, tt.body)
			}
		})
	}
}

// TestServeLogsStreams reads a followed log while the job runs: what exists
// arrives before the job ends, and the response ends with the job.
func TestServeLogsStreams(t *testing.T) {
	a := newLogsAPI(t)
	j := a.createJob(t, pier.JobRunning, map[string]string{"BUILD": "compiling\n"},
		pier.Step{Name: "BUILD", Status: pier.JobRunning, StartTime: time.Now().UTC()})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	resp := a.get(t, ctx, http.MethodGet, logsOwner, logsQuery("appId", logsApp, "branchName", logsBranch, "jobId", j.IDString(), "follow", "true"))
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	br := bufio.NewReader(resp.Body)
	for _, want := range []string{"==== BUILD ====\n", "compiling\n"} {
		if line, err := br.ReadString('\n'); line != want {
			t.Fatalf("read %q, %v before the job ended; want %q", line, err, want)
		}
	}
	a.putLog(t, j, "BUILD", "compiling\ndone\n")
	j.Status, j.EndTime = pier.JobSucceed, time.Now().UTC()
	j.Steps[0].Status, j.Steps[0].EndTime = pier.JobSucceed, j.EndTime
	if err := a.store.UpdateJob(t.Context(), j); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "done\n" {
		t.Errorf("rest of the stream %q, %v; want %q and its end", rest, err, "done\n")
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
