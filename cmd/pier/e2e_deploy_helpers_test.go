package main

// Helpers of the manual deployment tests (e2e_deploy_*_test.go): sites as
// zips, uploads to signed URLs, waiting for jobs, and requests to the edge.

import (
	"archive/zip"
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// jobTimeout bounds the wait for a job to end: generous, because the race
// detector and parallel tests slow everything down. Tests never assert how
// long anything took.
const jobTimeout = 90 * time.Second

// files is a site: the body of each file by its path in the site.
type files map[string]string

// startDeployServer starts a server with all roles (API, edge and runner)
// on a fresh data dir; flags override the defaults.
func startDeployServer(t *testing.T, flags ...string) *testServer {
	t.Helper()
	return startServerWith(t, t.TempDir(), fixedCredentials, nil, flags...)
}

// newSite creates an app with a branch "main" and returns the app's id.
func newSite(t *testing.T, s *testServer, name string) string {
	t.Helper()
	app := createApp(t, s.client, name)
	createBranch(t, s.client, *app.AppId, "main")
	return *app.AppId
}

// zipOf returns a zip of the site, deflated, in path order.
func zipOf(t *testing.T, site files) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range sortedKeys(site) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, site[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// md5Hex returns the hex md5 of body, as a fileMap declares it.
func md5Hex(body string) string {
	sum := md5.Sum([]byte(body))
	return hex.EncodeToString(sum[:])
}

// put sends body to a signed upload URL with net/http and returns the
// response's status and body.
func put(t *testing.T, url string, body io.Reader) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, url, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("PUT %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// mustPut uploads body to a signed URL and fails the test unless it is
// accepted.
func mustPut(t *testing.T, url string, body []byte) {
	t.Helper()
	if status, msg := put(t, url, bytes.NewReader(body)); status != http.StatusOK {
		t.Fatalf("PUT upload: status %d %s, want 200", status, msg)
	}
}

// startZip deploys zipped as a manual deployment of branch main (create,
// upload, start) and returns the id of the job, which may still be running.
func (s *testServer) startZip(t *testing.T, appID string, zipped []byte) string {
	t.Helper()
	ctx := t.Context()
	created, err := s.client.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: aws.String(appID), BranchName: aws.String("main")})
	if err != nil {
		t.Fatalf("CreateDeployment: %v", err)
	}
	mustPut(t, aws.ToString(created.ZipUploadUrl), zipped)
	if _, err := s.client.StartDeployment(ctx, &amplify.StartDeploymentInput{AppId: aws.String(appID), BranchName: aws.String("main"), JobId: created.JobId}); err != nil {
		t.Fatalf("StartDeployment(%s): %v", aws.ToString(created.JobId), err)
	}
	return aws.ToString(created.JobId)
}

// deploy deploys site as a zip on branch main, waits for the job and fails
// the test unless it succeeded. It returns the job.
func (s *testServer) deploy(t *testing.T, appID string, site files) *types.Job {
	t.Helper()
	job := s.waitJob(t, appID, s.startZip(t, appID, zipOf(t, site)))
	wantSucceeded(t, job)
	return job
}

// waitJob polls GetJob until job jobID of branch main has ended (SUCCEED,
// FAILED or CANCELLED) and returns it.
func (s *testServer) waitJob(t *testing.T, appID, jobID string) *types.Job {
	t.Helper()
	return waitJobWith(t, s.client, appID, jobID)
}

// waitJobWith is waitJob with a client of any server.
func waitJobWith(t *testing.T, c *amplify.Client, appID, jobID string) *types.Job {
	t.Helper()
	return pollJob(t, c, appID, jobID, func(st types.JobStatus) bool {
		return st == types.JobStatusSucceed || st == types.JobStatusFailed || st == types.JobStatusCancelled
	})
}

// pollJob polls GetJob every few milliseconds until done accepts the job's
// status, and returns the job; it fails the test after jobTimeout.
func pollJob(t *testing.T, c *amplify.Client, appID, jobID string, done func(types.JobStatus) bool) *types.Job {
	t.Helper()
	deadline := time.Now().Add(jobTimeout)
	for {
		out, err := c.GetJob(t.Context(), &amplify.GetJobInput{AppId: aws.String(appID), BranchName: aws.String("main"), JobId: aws.String(jobID)})
		if err != nil {
			t.Fatalf("GetJob(%s): %v", jobID, err)
		}
		if done(out.Job.Summary.Status) {
			return out.Job
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is still %s after %v", jobID, out.Job.Summary.Status, jobTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// wantSucceeded fails the test unless job succeeded.
func wantSucceeded(t *testing.T, job *types.Job) {
	t.Helper()
	if job.Summary.Status != types.JobStatusSucceed {
		t.Fatalf("job %s ended %s (%s), want SUCCEED", aws.ToString(job.Summary.JobId), job.Summary.Status, stepReasons(job))
	}
}

// wantFailed fails the test unless job failed with a step whose
// statusReason contains every fragment of reason (case-insensitive).
func wantFailed(t *testing.T, job *types.Job, reason ...string) {
	t.Helper()
	if job.Summary.Status != types.JobStatusFailed {
		t.Fatalf("job %s ended %s, want FAILED (steps: %s)", aws.ToString(job.Summary.JobId), job.Summary.Status, stepReasons(job))
	}
	if job.Summary.EndTime == nil {
		t.Errorf("job %s failed without an endTime", aws.ToString(job.Summary.JobId))
	}
	got := strings.ToLower(stepReasons(job))
	for _, r := range reason {
		if !strings.Contains(got, strings.ToLower(r)) {
			t.Errorf("job %s failed with step reasons %q, want a reason mentioning %q", aws.ToString(job.Summary.JobId), stepReasons(job), r)
		}
	}
}

// stepReasons joins the statusReason of every step of job.
func stepReasons(job *types.Job) string {
	var rs []string
	for _, st := range job.Steps {
		if r := aws.ToString(st.StatusReason); r != "" {
			rs = append(rs, aws.ToString(st.StepName)+": "+r)
		}
	}
	return strings.Join(rs, "; ")
}

// edgeClient sends requests to the edge and returns redirects as they are.
var edgeClient = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// get requests path of branch main of app appID from the edge (with the
// branch's Host header) and reads the response. header may set request
// headers; an Accept-Encoding there turns off the transport's transparent
// gzip decoding, so the body is as sent.
func (s *testServer) get(t *testing.T, appID, path string, header http.Header) rawResponse {
	t.Helper()
	resp, err := edgeGet(t, s.EdgeURL, appID, path, header)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp
}

// edgeGet is get for the edge at edgeURL, returning errors (a helper
// goroutine may not call t.Fatal).
func edgeGet(t *testing.T, edgeURL, appID, path string, header http.Header) (rawResponse, error) {
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, edgeURL+path, nil)
	if err != nil {
		return rawResponse{}, err
	}
	req.Host = "main." + strings.ToLower(appID) + ".localhost"
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := edgeClient.Do(req)
	if err != nil {
		return rawResponse{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return rawResponse{}, err
	}
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// wantServed fails the test unless the edge serves every file of site
// under its path, whole.
func (s *testServer) wantServed(t *testing.T, appID string, site files) {
	t.Helper()
	for _, name := range sortedKeys(site) {
		r := s.get(t, appID, "/"+name, nil)
		if r.Status != http.StatusOK || string(r.Body) != site[name] {
			t.Errorf("GET /%s: %d %q, want 200 %q", name, r.Status, clip(r.Body), clip([]byte(site[name])))
		}
	}
}

// clip shortens a body for messages.
func clip(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}

// contentBlobs lists the content-addressed blobs of the server (the
// sha256/ tree of the blob store: files in the data dir, or objects in the
// bucket), sorted.
func (s *testServer) contentBlobs(t *testing.T) []string {
	t.Helper()
	b := backendOf(t, s.dir)
	if b == nil {
		return listFiles(t, filepath.Join(s.dir, "blobs", "sha256"))
	}
	var names []string
	p := s3.NewListObjectsV2Paginator(b.s3.Client, &s3.ListObjectsV2Input{Bucket: aws.String(b.bucket), Prefix: aws.String("pier/sha256/")})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("list bucket %s: %v", b.bucket, err)
		}
		for _, o := range page.Contents {
			names = append(names, strings.TrimPrefix(aws.ToString(o.Key), "pier/sha256/"))
		}
	}
	slices.Sort(names)
	return names
}

// listFiles returns the regular files below dir, relative and sorted; none
// if dir does not exist.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if os.IsNotExist(err) && p == dir {
			return fs.SkipAll
		}
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("list %s: %v", dir, err)
	}
	slices.Sort(names)
	return names
}

// getBranch returns branch main of app appID.
func (s *testServer) getBranch(t *testing.T, appID string) *types.Branch {
	t.Helper()
	out, err := s.client.GetBranch(t.Context(), &amplify.GetBranchInput{AppId: aws.String(appID), BranchName: aws.String("main")})
	if err != nil {
		t.Fatalf("GetBranch: %v", err)
	}
	return out.Branch
}

// testClock is a clock tests move by hand; its zero value is unusable, use
// newTestClock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

// newTestClock returns a clock that reads the current time until advanced.
func newTestClock() *testClock {
	return &testClock{now: time.Now()}
}

// Now returns the clock's time.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
