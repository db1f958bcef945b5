package peertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3 is a running versitygw, an S3-compatible store, with a client signed
// with its root keys.
type S3 struct {
	Endpoint        string // "http://127.0.0.1:PORT"
	Region          string
	AccessKeyID     string
	SecretAccessKey string
	Client          *s3.Client
}

// The root keys of the versitygw the tests start.
const (
	s3AccessKeyID     = "PIERS3TESTROOT"
	s3SecretAccessKey = "pier-s3-test-secret-0123456789"
	s3Region          = "us-east-1"
)

// bucketSeq numbers the buckets NewBucket creates.
var bucketSeq atomic.Int64

// errNoVersitygw reports that versitygw is not installed.
var errNoVersitygw = errors.New("versitygw is neither on PATH nor in $(go env GOBIN) or $(go env GOPATH)/bin; install it with: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0")

// StartVersitygw runs versitygw on a free loopback port with a fresh posix
// root, and returns once it answers. It is stopped when the test ends. If
// versitygw is not installed, the test is skipped (see Require).
func StartVersitygw(t testing.TB) *S3 {
	t.Helper()
	s, stop, err := startVersitygw(t.TempDir())
	if errors.Is(err, errNoVersitygw) {
		Require(t, "%v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return s
}

// StartVersitygwIAM is StartVersitygw with versitygw's internal IAM
// (--iam-dir): the root keys may then create and delete users through the
// admin API that versitygw serves on its S3 port.
func StartVersitygwIAM(t testing.TB) *S3 {
	t.Helper()
	dir := t.TempDir()
	iam := filepath.Join(dir, "iam")
	if err := os.Mkdir(iam, 0o700); err != nil {
		t.Fatal(err)
	}
	s, stop, err := startVersitygw(filepath.Join(dir, "data"), "--iam-dir", iam)
	if errors.Is(err, errNoVersitygw) {
		Require(t, "%v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return s
}

// startVersitygw runs versitygw on a free loopback port with root as its
// posix root, and returns once it answers, with the function that stops it.
// flags are global options of versitygw, given before the posix command.
func startVersitygw(root string, flags ...string) (*S3, func(), error) {
	bin := findGoBinary("versitygw")
	if bin == "" {
		return nil, nil, errNoVersitygw
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	logs := &syncBuffer{}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, nil, err
	}
	args := append([]string{"--port", addr}, flags...)
	cmd := exec.Command(bin, append(args, "posix", root)...)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s3AccessKeyID, "ROOT_SECRET_KEY="+s3SecretAccessKey)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("start versitygw: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}

	s := &S3{
		Endpoint:        "http://" + addr,
		Region:          s3Region,
		AccessKeyID:     s3AccessKeyID,
		SecretAccessKey: s3SecretAccessKey,
	}
	s.Client = s3.New(s3.Options{
		Region:       s.Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKeyID, s.SecretAccessKey, ""),
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := s.Client.ListBuckets(ctx, &s3.ListBucketsInput{})
		cancel()
		if err == nil {
			return s, stop, nil
		}
		select {
		case werr := <-exited:
			return nil, nil, fmt.Errorf("versitygw exited: %v\n%s", werr, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			stop()
			return nil, nil, fmt.Errorf("versitygw on %s is not ready: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// NewBucket creates an empty bucket with a name no other call returns.
func (s *S3) NewBucket(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("pier-test-%d", bucketSeq.Add(1))
	if _, err := s.Client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	return name
}

// syncBuffer is a bytes.Buffer that the server's output and a failing test
// may use at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
