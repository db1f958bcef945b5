package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The root keys of the versitygw the tests start.
const (
	s3AccessKey = "PIERS3TESTROOT"
	s3SecretKey = "pier-s3-test-secret-0123456789"
)

// requirePeer skips the test because a peer it needs is missing, or fails
// it when PIER_TEST_REQUIRE_PEERS=1 (CI installs every peer).
func requirePeer(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("PIER_TEST_REQUIRE_PEERS") == "1" {
		t.Fatalf(format+" (PIER_TEST_REQUIRE_PEERS=1)", args...)
	}
	t.Skipf(format+"; set PIER_TEST_REQUIRE_PEERS=1 to fail instead", args...)
}

// findVersitygw returns the path of the versitygw binary: on PATH, else
// where "go install" puts it ($(go env GOBIN) or $(go env GOPATH)/bin); ""
// if none has it.
func findVersitygw(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output()
	if err != nil {
		return ""
	}
	gobin, gopath, _ := strings.Cut(string(out), "\n") // one line each, GOBIN often empty
	dirs := []string{strings.TrimSpace(gobin)}
	for _, dir := range filepath.SplitList(strings.TrimSpace(gopath)) {
		dirs = append(dirs, filepath.Join(dir, "bin"))
	}
	for _, dir := range dirs {
		p := filepath.Join(dir, "versitygw")
		if fi, err := os.Stat(p); dir != "" && err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// freeAddr returns a loopback address with a port that was free a moment
// ago, for servers that cannot report the port they bound.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startVersitygw runs versitygw on a free loopback port with a fresh posix
// root and returns its endpoint URL and an S3 client signed with its root
// keys. It is stopped when the test ends.
func startVersitygw(t *testing.T) (string, *s3.Client) {
	t.Helper()
	bin := findVersitygw(t)
	if bin == "" {
		requirePeer(t, "versitygw is neither on PATH nor in $(go env GOBIN) or $(go env GOPATH)/bin; install it with: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0")
	}
	addr := freeAddr(t)
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--port", addr, "posix", t.TempDir())
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s3AccessKey, "ROOT_SECRET_KEY="+s3SecretKey)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start versitygw: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	endpoint := "http://" + addr
	client := s3.New(s3.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s3AccessKey, s3SecretKey, ""),
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		_, err := client.ListBuckets(ctx, &s3.ListBucketsInput{})
		cancel()
		if err == nil {
			return endpoint, client
		}
		select {
		case werr := <-exited:
			t.Fatalf("versitygw exited: %v\n%s", werr, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw on %s is not ready: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDeployFromS3 deploys a bucket prefix and a zip object from an
// S3-compatible store (versitygw), and fails a deployment of a missing key.
func TestDeployFromS3(t *testing.T) {
	t.Parallel()
	endpoint, store := startVersitygw(t)
	ctx := t.Context()
	const bucket = "pier-sources"
	if _, err := store.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	prefixSite := files{"index.html": "<h1>from a bucket prefix</h1>", "css/site.css": bigCSS, "blog/index.html": "<h1>blog</h1>"}
	zipSite := files{"index.html": "<h1>from a zip object</h1>", "js/app.js": "console.log('zip')"}
	objects := map[string][]byte{
		"unrelated.html": []byte("not part of the site"),
		"site.zip":       zipOf(t, zipSite),
	}
	for name, body := range prefixSite {
		objects["site/"+name] = []byte(body)
	}
	for key, body := range objects {
		if _, err := store.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatalf("PutObject %s: %v", key, err)
		}
	}

	env := map[string]string{
		envAccessKeyID: testAccessKeyID, envSecretAccessKey: testSecretKey,
		"PIER_S3_ACCESS_KEY_ID": s3AccessKey, "PIER_S3_SECRET_ACCESS_KEY": s3SecretKey,
	}
	s := startServerWith(t, t.TempDir(), env, nil, "--s3-endpoint", endpoint)
	appID := newSite(t, s, "s3")
	start := func(t *testing.T, source string, typ types.SourceUrlType) *types.Job {
		t.Helper()
		out, err := s.client.StartDeployment(t.Context(), &amplify.StartDeploymentInput{
			AppId: aws.String(appID), BranchName: aws.String("main"), SourceUrl: aws.String(source), SourceUrlType: typ,
		})
		if err != nil {
			t.Fatalf("StartDeployment(%s): %v", source, err)
		}
		return s.waitJob(t, appID, aws.ToString(out.JobSummary.JobId))
	}

	// Subtests run in order: each checks what the edge serves after it.
	t.Run("BUCKET_PREFIX", func(t *testing.T) {
		wantSucceeded(t, start(t, "s3://"+bucket+"/site/", types.SourceUrlTypeBucketPrefix))
		s.waitServed(t, appID, "/", prefixSite["index.html"])
		s.wantServed(t, appID, prefixSite)
		if r := s.get(t, appID, "/unrelated.html", nil); r.Status != 404 {
			t.Errorf("GET /unrelated.html, an object outside the prefix: %d, want 404", r.Status)
		}
	})
	t.Run("ZIP", func(t *testing.T) {
		wantSucceeded(t, start(t, "s3://"+bucket+"/site.zip", types.SourceUrlTypeZip))
		s.waitServed(t, appID, "/", zipSite["index.html"])
		s.wantServed(t, appID, zipSite)
	})
	t.Run("missing key", func(t *testing.T) {
		wantFailed(t, start(t, "s3://"+bucket+"/missing.zip", types.SourceUrlTypeZip), "s3://"+bucket+"/missing.zip")
		s.wantServed(t, appID, zipSite)
	})
	t.Run("empty prefix", func(t *testing.T) {
		wantFailed(t, start(t, "s3://"+bucket+"/nothing-here/", types.SourceUrlTypeBucketPrefix), "no objects")
		s.wantServed(t, appID, zipSite)
	})
	t.Run("missing bucket", func(t *testing.T) {
		wantFailed(t, start(t, "s3://no-such-bucket/site.zip", types.SourceUrlTypeZip), "no-such-bucket")
		s.wantServed(t, appID, zipSite)
	})
	t.Run("missing bucket prefix", func(t *testing.T) {
		wantFailed(t, start(t, "s3://no-such-bucket/site/", types.SourceUrlTypeBucketPrefix), "no-such-bucket")
		s.wantServed(t, appID, zipSite)
	})
}
