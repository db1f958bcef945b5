package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
)

// buildPier builds the pier command into a temporary directory and returns
// the binary's path.
func buildPier(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build pier with")
	}
	bin := filepath.Join(t.TempDir(), "pier")
	out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// pierProcess is "pier serve" running as a subprocess.
type pierProcess struct {
	cmd    *exec.Cmd
	exited chan struct{}
	mu     sync.Mutex
	logs   bytes.Buffer // stdout and stderr
}

// Write collects the process's output.
func (p *pierProcess) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.Write(b)
}

// output returns the process's output so far.
func (p *pierProcess) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// startPier runs "pier serve" with args and the test credentials, and
// returns once it says it is running. It is killed when the test ends.
func startPier(t *testing.T, bin string, args ...string) *pierProcess {
	t.Helper()
	return startPierEnv(t, bin, nil, args...)
}

// startPierEnv is startPier with env (NAME=value) added to the environment.
func startPierEnv(t *testing.T, bin string, env []string, args ...string) *pierProcess {
	t.Helper()
	p := &pierProcess{exited: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"serve"}, args...)...)
	p.cmd.Env = append(os.Environ(), envAccessKeyID+"="+testAccessKeyID, envSecretAccessKey+"="+testSecretKey)
	p.cmd.Env = append(p.cmd.Env, env...)
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = p
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start pier: %v", err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			fmt.Fprintln(p, sc.Text())
			if strings.HasPrefix(sc.Text(), "Pier is running") {
				close(ready)
			}
		}
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(p.kill)
	select {
	case <-ready:
		return p
	case <-p.exited:
		t.Fatalf("pier exited before it was ready:\n%s", p.output())
	case <-time.After(30 * time.Second):
		t.Fatalf("pier is not ready after 30s:\n%s", p.output())
	}
	return nil
}

// kill ends the process with SIGKILL and waits for it; it may be called
// more than once.
func (p *pierProcess) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// randomSiteZip streams to w a zip of files of random bytes, stored without
// compression: cheap to make, and work for the runner to hash and store.
func randomSiteZip(w io.Writer, files, size int) error {
	rng := rand.NewChaCha8([32]byte{'p', 'i', 'e', 'r'})
	zw := zip.NewWriter(w)
	for i := range files {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("big/%02d.bin", i), Method: zip.Store})
		if err != nil {
			return err
		}
		if _, err := io.CopyN(f, rng, int64(size)); err != nil {
			return err
		}
	}
	return zw.Close()
}

// TestDeployCrash kills the server (SIGKILL) while a deployment runs and
// restarts it on the same data dir: the previous site is served, and the
// interrupted job has failed instead of staying RUNNING forever.
func TestDeployCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds pier and deploys a large site; skipped in -short mode")
	}
	// Restarting one node on its data dir reaps its jobs only on the
	// embedded database; TestMultiNode kills a runner on PostgreSQL.
	sqliteOnly(t, "a subprocess on its own data dir")
	t.Parallel()
	bin := buildPier(t)
	dir := t.TempDir()
	apiAddr, edgeAddr := freeAddr(t), freeAddr(t)
	args := []string{"--data-dir", dir, "--api-addr", apiAddr, "--edge-addr", edgeAddr, "--log-level", "warn"}
	p := startPier(t, bin, args...)
	// A testServer view of the process, for the SDK client and helpers.
	s := &testServer{Main: &Main{APIURL: "http://" + apiAddr, EdgeURL: "http://" + edgeAddr}, dir: dir}
	s.client = s.clientFor(testAccessKeyID, testSecretKey)
	ctx := t.Context()
	appID := newSite(t, s, "crash")
	v1 := files{"index.html": "<h1>v1 survives</h1>", "app.js": "console.log('v1')"}
	s.deploy(t, appID, v1)
	s.wantServed(t, appID, v1)

	// 128 MiB of random data: the DEPLOY step copies, extracts, hashes and
	// stores all of it, which takes long enough to kill the server inside.
	created, err := s.client.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: aws.String(appID), BranchName: aws.String("main")})
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(randomSiteZip(pw, 8, 16<<20)) }()
	if status, msg := put(t, aws.ToString(created.ZipUploadUrl), pr); status != http.StatusOK {
		t.Fatalf("PUT the large zip: %d %s", status, msg)
	}
	if _, err := s.client.StartDeployment(ctx, &amplify.StartDeploymentInput{AppId: aws.String(appID), BranchName: aws.String("main"), JobId: created.JobId}); err != nil {
		t.Fatal(err)
	}
	jobID := aws.ToString(created.JobId)
	running := pollJob(t, s.client, appID, jobID, func(st types.JobStatus) bool {
		return st != types.JobStatusPending
	})
	if running.Summary.Status != types.JobStatusRunning {
		t.Fatalf("job %s went from PENDING to %s before the test could kill the server; the site must be larger", jobID, running.Summary.Status)
	}
	p.kill()

	p = startPier(t, bin, args...)
	job := s.waitJob(t, appID, jobID)
	if job.Summary.Status != types.JobStatusFailed {
		t.Errorf("the interrupted job is %s after the restart, want FAILED", job.Summary.Status)
	}
	if stepReasons(job) == "" {
		t.Errorf("the interrupted job has no statusReason in its steps: %+v", job.Steps)
	}
	for _, st := range job.Steps {
		if st.Status == types.JobStatusRunning {
			t.Errorf("step %s is still RUNNING", aws.ToString(st.StepName))
		}
	}
	s.wantServed(t, appID, v1)
	wantString(t, "activeJobId", s.getBranch(t, appID).ActiveJobId, "1")

	t.Run("deploys after the restart", func(t *testing.T) {
		v3 := files{"index.html": "<h1>v3 after the crash</h1>"}
		s.deploy(t, appID, v3)
		s.waitServed(t, appID, "/", v3["index.html"])
	})
	t.Run("staging files are cleaned up", func(t *testing.T) {
		if left := listFiles(t, filepath.Join(dir, "tmp")); len(left) > 0 {
			t.Errorf("%d files of the interrupted deployment are left in %s, e.g. %s", len(left), filepath.Join(dir, "tmp"), left[0])
		}
	})
	if t.Failed() {
		t.Logf("server output after the restart:\n%s", p.output())
	}
}
