package main

// The end-to-end suite: every test starts a real "pier serve" in-process on a
// free port (Main, as the command line runs it) and drives it with the AWS
// SDK for Go v2, or with signed raw HTTP requests where the wire itself is
// under test. The harness lives in this file; each e2e_*_test.go file covers
// one group of operations.
//
// PIER_TEST_BACKEND=postgres+s3 runs every server of the suite on its own
// PostgreSQL database and S3 bucket (one PostgreSQL and one versitygw for
// the test binary, started on first use) instead of the embedded SQLite
// database and local blobs. TestSuiteOnPostgresAndS3 runs the suite so.

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
	"github.com/aws/smithy-go"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/internal/peertest"
)

// The administrator's key of test servers started with fixed credentials.
const (
	testAccessKeyID = "AKIAPIERE2ETEST00001"
	testSecretKey   = "pier-e2e-secret-0123456789abcdefghij"
	testAccount     = "000000000000" // pier.DefaultAccountID
	testRegion      = "us-east-1"
)

// testServer is a running "pier serve" and an SDK client signed with its
// administrator's key.
type testServer struct {
	*Main
	dir    string
	client *amplify.Client
	stdout *bytes.Buffer
	closed bool
}

// fixedCredentials is the environment of a server whose administrator key
// comes from PIER_ACCESS_KEY_ID and PIER_SECRET_ACCESS_KEY.
var fixedCredentials = map[string]string{envAccessKeyID: testAccessKeyID, envSecretAccessKey: testSecretKey}

// startServer starts a server with the fixed test credentials on a fresh
// data dir.
func startServer(t *testing.T) *testServer {
	t.Helper()
	return startServerAt(t, t.TempDir(), fixedCredentials)
}

// startServerAt starts a server on dir with env as its environment (nil: no
// variables, so the administrator key is generated or read from dir). It
// runs the API and edge roles but no runner, so jobs stay in the state the
// API leaves them in. The server is closed when the test ends unless the
// test closed it already.
func startServerAt(t *testing.T, dir string, env map[string]string) *testServer {
	t.Helper()
	return startServerWith(t, dir, env, nil, "--roles", "api,edge")
}

// startServerWith starts a server on dir with env as its environment, the
// API and the edge on free ports. flags come after the defaults, so they
// override them (all roles run unless flags say otherwise); setup, when not
// nil, adjusts the Main before it runs (its clock, say).
func startServerWith(t *testing.T, dir string, env map[string]string, setup func(*Main), flags ...string) *testServer {
	t.Helper()
	s := &testServer{dir: dir, stdout: &bytes.Buffer{}}
	args := []string{"--data-dir", dir, "--api-addr", "127.0.0.1:0", "--edge-addr", "127.0.0.1:0", "--log-level", "warn"}
	if b := backendOf(t, dir); b != nil {
		args = append(args, "--database", b.database, "--blob", b.blobURL())
		env = b.withKeys(env)
	}
	s.Main = NewMain(s.stdout, func(k string) string { return env[k] })
	if err := s.ParseFlags(append(args, flags...)); err != nil {
		t.Fatalf("ParseFlags: %v", err)
	}
	if setup != nil {
		setup(s.Main)
	}
	if err := s.Run(t.Context()); err != nil {
		_ = s.Main.Close()
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(func() { s.close(t) })
	s.client = s.clientFor(s.AdminKey.ID, s.AdminKey.Secret)
	return s
}

// testBackend is PIER_TEST_BACKEND: "" or "postgres+s3".
var testBackend = os.Getenv("PIER_TEST_BACKEND")

// backend is the database and bucket of the servers on one data dir.
type backend struct {
	database string // postgres://…
	s3       *peertest.S3
	bucket   string
}

// backends holds the backend of each data dir, so that a server restarted
// on the same dir finds its data again.
var backends sync.Map // data dir → *backend

// backendOf returns the backend of the servers on dir, creating a fresh
// database and bucket the first time; nil on the default, embedded backend.
func backendOf(t *testing.T, dir string) *backend {
	t.Helper()
	switch testBackend {
	case "":
		return nil
	case "postgres+s3":
	default:
		t.Fatalf("PIER_TEST_BACKEND=%q: want postgres+s3, or nothing for SQLite and local blobs", testBackend)
	}
	if b, ok := backends.Load(dir); ok {
		return b.(*backend)
	}
	pg := peertest.SharedPostgres(t)
	s3 := peertest.SharedVersitygw(t)
	b := &backend{database: pg.DSN(pg.NewDatabase(t)), s3: s3, bucket: s3.NewBucket(t)}
	backends.Store(dir, b)
	return b
}

// blobURL is the --blob flag of the backend.
func (b *backend) blobURL() string {
	return "s3://" + b.bucket + "/pier?endpoint=" + url.QueryEscape(b.s3.Endpoint)
}

// withKeys returns env plus the S3 keys of the bucket, unless env has keys
// already (those of the same versitygw, for s3:// deployment sources).
func (b *backend) withKeys(env map[string]string) map[string]string {
	out := map[string]string{"PIER_S3_ACCESS_KEY_ID": b.s3.AccessKeyID, "PIER_S3_SECRET_ACCESS_KEY": b.s3.SecretAccessKey}
	for k, v := range env {
		out[k] = v
	}
	return out
}

// sqliteOnly skips a test that inspects the embedded backend's files when
// the suite runs on another backend, saying why.
func sqliteOnly(t *testing.T, why string) {
	t.Helper()
	if testBackend != "" {
		t.Skipf("SQLite only (PIER_TEST_BACKEND=%s): %s", testBackend, why)
	}
}

// openStore opens a second connection to the server's database, closed
// when the test ends.
func (s *testServer) openStore(t *testing.T) pier.Store {
	t.Helper()
	store, err := openStore(t.Context(), s.Config.Database)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}

// close stops the server once.
func (s *testServer) close(t *testing.T) {
	t.Helper()
	if s.closed {
		return
	}
	s.closed = true
	if err := s.Main.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// clientFor returns an SDK client of the server signed with the given key.
func (s *testServer) clientFor(id, secret string) *amplify.Client {
	cfg := aws.Config{
		Region:      testRegion,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, ""),
	}
	return amplify.NewFromConfig(cfg, func(o *amplify.Options) {
		o.BaseEndpoint = aws.String(s.APIURL)
		o.APIOptions = append(o.APIOptions, recordSuccess)
	})
}

// newAccount creates an access key for account with "pier keys create"
// while the server runs, and returns a client signed with it.
func (s *testServer) newAccount(t *testing.T, account string) *amplify.Client {
	t.Helper()
	id, secret := s.createKey(t, account)
	return s.clientFor(id, secret)
}

// createKey runs "pier keys create" on the server's data dir and parses the
// key it prints. "pier keys create" knows only the embedded database; on
// PostgreSQL the key is created as it does, through a second connection.
func (s *testServer) createKey(t *testing.T, account string) (id, secret string) {
	t.Helper()
	if testBackend != "" {
		store := s.openStore(t)
		k, err := createKey(t.Context(), store, account, pier.NewAccessKeyID(), pier.NewSecret(20))
		if err != nil {
			t.Fatalf("create key: %v", err)
		}
		return k.ID, k.Secret
	}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"keys", "create", "--data-dir", s.dir, "--account", account}, &out, os.Getenv); err != nil {
		t.Fatalf("pier keys create: %v", err)
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		switch k {
		case "AWS_ACCESS_KEY_ID":
			id = v
		case "AWS_SECRET_ACCESS_KEY":
			secret = v
		}
	}
	if id == "" || secret == "" {
		t.Fatalf("pier keys create printed no key:\n%s", out.String())
	}
	return id, secret
}

// appARN is the exact ARN of an app of the test account.
func appARN(appID string) string {
	return "arn:aws:amplify:" + testRegion + ":" + testAccount + ":apps/" + appID
}

// branchARN is the exact ARN of a branch of the test account.
func branchARN(appID, branch string) string {
	return appARN(appID) + "/branches/" + branch
}

// createApp creates an app named name and returns it.
func createApp(t *testing.T, c *amplify.Client, name string) *types.App {
	t.Helper()
	out, err := c.CreateApp(t.Context(), &amplify.CreateAppInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateApp(%q): %v", name, err)
	}
	return out.App
}

// createBranch creates a branch of an app and returns it.
func createBranch(t *testing.T, c *amplify.Client, appID, name string) *types.Branch {
	t.Helper()
	out, err := c.CreateBranch(t.Context(), &amplify.CreateBranchInput{AppId: aws.String(appID), BranchName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateBranch(%s, %q): %v", appID, name, err)
	}
	return out.Branch
}

// startSourceJob starts a manual deployment of a source URL on a branch and
// returns the job summary, a job in status PENDING.
func startSourceJob(t *testing.T, c *amplify.Client, appID, branch string) *types.JobSummary {
	t.Helper()
	out, err := c.StartDeployment(t.Context(), &amplify.StartDeploymentInput{
		AppId: aws.String(appID), BranchName: aws.String(branch), SourceUrl: aws.String("https://example.com/site.zip"),
	})
	if err != nil {
		t.Fatalf("StartDeployment(%s, %q): %v", appID, branch, err)
	}
	return out.JobSummary
}

// wantError fails the test unless err is (or wraps) an error of type E, and
// returns it.
func wantError[E error](t *testing.T, err error) E {
	t.Helper()
	var target E
	if err == nil {
		t.Fatalf("got no error, want %T", target)
	}
	if !errors.As(err, &target) {
		t.Fatalf("got error %v (%T), want %T", err, err, target)
	}
	return target
}

// wantCode fails the test unless err is an API error with code and HTTP
// status. Use it where the SDK's operation does not model the error (the Go
// SDK maps codes to types per operation; a NotFoundException from
// ListBranches stays a generic API error).
func wantCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got error %v (%T), want API error %s", err, err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code = %q, want %q (error %v)", ae.ErrorCode(), code, err)
	}
	wantStatus(t, err, status)
}

// wantStatus fails the test unless err carries an HTTP response with status.
func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %v carries no HTTP response", err)
	}
	if got := re.HTTPStatusCode(); got != status {
		t.Fatalf("HTTP status = %d, want %d (error %v)", got, status, err)
	}
}

// wantString fails the test unless *got == want.
func wantString(t *testing.T, field string, got *string, want string) {
	t.Helper()
	if got == nil {
		t.Errorf("%s is absent, want %q", field, want)
	} else if *got != want {
		t.Errorf("%s = %q, want %q", field, *got, want)
	}
}

// wantBool fails the test unless *got == want.
func wantBool(t *testing.T, field string, got *bool, want bool) {
	t.Helper()
	if got == nil {
		t.Errorf("%s is absent, want %v", field, want)
	} else if *got != want {
		t.Errorf("%s = %v, want %v", field, *got, want)
	}
}

// wantRecent fails the test unless ts is within a minute of now.
func wantRecent(t *testing.T, field string, ts *time.Time) {
	t.Helper()
	if ts == nil {
		t.Errorf("%s is absent", field)
		return
	}
	if d := time.Since(*ts); d < -time.Minute || d > time.Minute {
		t.Errorf("%s = %v, not within a minute of now", field, *ts)
	}
}

// wantURLUnder fails the test unless u is an absolute URL under base.
func wantURLUnder(t *testing.T, field, u, base string) *url.URL {
	t.Helper()
	parsed, err := url.Parse(u)
	if err != nil || !parsed.IsAbs() {
		t.Fatalf("%s = %q, not an absolute URL", field, u)
	}
	if !strings.HasPrefix(u, base+"/") {
		t.Errorf("%s = %q, not under %s", field, u, base)
	}
	return parsed
}

// waitPast returns once the clock has moved a millisecond past ts (the
// servers' timestamp resolution), so that a timestamp taken next is later
// than ts. It spins on the clock rather than sleeping for a guessed time.
func waitPast(ts time.Time) {
	for !time.Now().After(ts.Add(time.Millisecond)) {
		runtime.Gosched()
	}
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// wantSameItems fails the test unless got holds exactly the names of want,
// each once, in any order.
func wantSameItems(t *testing.T, what string, got, want []string) {
	t.Helper()
	seen := map[string]int{}
	for _, g := range got {
		seen[g]++
		if seen[g] == 2 {
			t.Errorf("%s: %q returned twice", what, g)
		}
	}
	for _, w := range want {
		if seen[w] == 0 {
			t.Errorf("%s: %q never returned", what, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: got %d items %q, want %d %q", what, len(got), got, len(want), want)
	}
}

// pageAll walks a list operation to exhaustion one item per page: page is
// called with the previous nextToken (nil first) and returns the page's item
// names and its nextToken. It fails the test if a page holds more than one
// item, a token repeats, or a page before the last is empty.
func pageAll(t *testing.T, page func(token *string) ([]string, *string, error)) []string {
	t.Helper()
	var all []string
	var token *string
	tokens := map[string]bool{}
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("pagination did not end after 1000 pages")
		}
		items, next, err := page(token)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		if len(items) > 1 {
			t.Fatalf("page %d holds %d items with maxResults 1", i, len(items))
		}
		all = append(all, items...)
		if next == nil {
			return all
		}
		if *next == "" {
			t.Fatalf("page %d: nextToken is present but empty; it must be absent on the last page", i)
		}
		if len(items) == 0 {
			t.Fatalf("page %d is empty but has a nextToken", i)
		}
		if tokens[*next] {
			t.Fatalf("page %d repeats nextToken %q", i, *next)
		}
		tokens[*next] = true
		token = next
	}
}

// rawResponse is a response read by doRaw.
type rawResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// json decodes the body as a JSON object.
func (r rawResponse) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.Body, err)
	}
	return m
}

// signing says how doRaw signs a request.
type signing struct {
	unsigned bool
	id       string    // access key id; the administrator's when ""
	secret   string    // its secret
	at       time.Time // signing time; now when zero
	body     []byte    // the payload signed, when it differs from the one sent
	service  string    // the service in the credential scope; amplify when ""
}

// doRaw sends method path (escaped, with query) with body to the server,
// signed with SigV4 as the SDK signs unless sign says otherwise.
func (s *testServer) doRaw(t *testing.T, method, path string, body []byte, sign signing) rawResponse {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, s.APIURL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if !sign.unsigned {
		if sign.id == "" {
			sign.id, sign.secret = s.AdminKey.ID, s.AdminKey.Secret
		}
		if sign.at.IsZero() {
			sign.at = time.Now()
		}
		if sign.service == "" {
			sign.service = "amplify"
		}
		signed := body
		if sign.body != nil {
			signed = sign.body
		}
		sum := sha256.Sum256(signed)
		creds := aws.Credentials{AccessKeyID: sign.id, SecretAccessKey: sign.secret}
		if err := v4.NewSigner().SignHTTP(t.Context(), creds, req, hex.EncodeToString(sum[:]), sign.service, testRegion, sign.at); err != nil {
			t.Fatalf("sign: %v", err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// jsonDiff compares two values by their JSON encoding and describes the
// lines that differ; "" means equal.
func jsonDiff(want, got any) string {
	w, err := json.MarshalIndent(want, "", "  ")
	if err != nil {
		return err.Error()
	}
	g, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		return err.Error()
	}
	if bytes.Equal(w, g) {
		return ""
	}
	wl, gl := strings.Split(string(w), "\n"), strings.Split(string(g), "\n")
	var b strings.Builder
	for i := range max(len(wl), len(gl)) {
		var a, c string
		if i < len(wl) {
			a = wl[i]
		}
		if i < len(gl) {
			c = gl[i]
		}
		if a != c {
			fmt.Fprintf(&b, "  line %d: want %s\n           got  %s\n", i+1, strings.TrimSpace(a), strings.TrimSpace(c))
		}
	}
	return b.String()
}
