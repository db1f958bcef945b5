package main

// End-to-end tests of job logs: "pier logs" and GET /pier/logs against a
// server that deploys a zip, whose job writes DEPLOY and VERIFY logs.

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
)

func TestLogs(t *testing.T) {
	s := startDeployServer(t)
	traceEnv(t, s.AdminKey.ID, s.AdminKey.Secret)
	appID := newSite(t, s, "logs")

	// Followed from the start: the job is pending or running when
	// "pier logs --follow" begins, and it returns once the job has ended.
	jobID := s.startZip(t, appID, zipOf(t, files{"index.html": "<h1>one</h1>"}))
	followed, err := pierLogs(t, s, appID, "main", jobID, "--follow")
	if err != nil {
		t.Fatalf("pier logs --follow: %v", err)
	}
	job := s.waitJob(t, appID, jobID)
	wantSucceeded(t, job)
	want := stepLogs(t, job)
	for _, step := range []string{"==== DEPLOY ====\n", "==== VERIFY ====\n"} {
		if !strings.Contains(want, step) {
			t.Fatalf("the deployment's logs have no %q:\n%s", step, want)
		}
	}
	if followed != want {
		t.Errorf("pier logs --follow printed:\n%s\nwant the steps' logs:\n%s", followed, want)
	}

	second := s.deploy(t, appID, files{"index.html": "<h1>two</h1>"})
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "job", args: []string{appID, "main", jobID}, want: want},
		{name: "latest job, -f", args: []string{"-f", appID, "main"}, want: stepLogs(t, second)},
		{name: "flags first", args: []string{"--follow", "--region", testRegion, appID, "main", jobID}, want: want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pierLogs(t, s, tt.args...)
			if err != nil {
				t.Fatalf("pier logs %s: %v", strings.Join(tt.args, " "), err)
			}
			if got != tt.want {
				t.Errorf("pier logs %s printed:\n%s\nwant:\n%s", strings.Join(tt.args, " "), got, tt.want)
			}
		})
	}

	t.Run("--profile", func(t *testing.T) {
		creds := filepath.Join(t.TempDir(), "credentials")
		body := "[pier]\naws_access_key_id = " + s.AdminKey.ID + "\naws_secret_access_key = " + s.AdminKey.Secret + "\n"
		if err := os.WriteFile(creds, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
		t.Setenv("AWS_ACCESS_KEY_ID", "AKIANOTAKEY000000000") // an explicit profile wins over the environment
		got, err := pierLogs(t, s, appID, "main", jobID, "--profile", "pier")
		if err != nil || got != want {
			t.Errorf("pier logs --profile pier: %v, printed:\n%s\nwant:\n%s", err, got, want)
		}
	})

	failures := []struct {
		name string
		args []string
		want string
	}{
		{name: "unknown job", args: []string{appID, "main", "99"}, want: "NotFoundException: "},
		{name: "unknown app", args: []string{"d0000000000000", "main"}, want: "NotFoundException: "},
		{name: "missing branch", args: []string{appID}, want: "usage: pier logs APP BRANCH [JOB]"},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := pierLogs(t, s, tt.args...); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("pier logs %s: error %v, want one starting %q", strings.Join(tt.args, " "), err, tt.want)
			}
		})
	}
}

func TestLogsWire(t *testing.T) {
	s := startServer(t)
	appID := newSite(t, s, "logs-wire")
	stranger, secret := s.createKey(t, "222222222222")
	path := "/pier/logs?" + url.Values{"appId": {appID}, "branchName": {"main"}}.Encode()

	tests := []struct {
		name    string
		sign    signing
		status  int
		errType string
	}{
		{name: "branch without jobs", status: http.StatusNotFound, errType: "NotFoundException"},
		{name: "another account's app", sign: signing{id: stranger, secret: secret}, status: http.StatusNotFound, errType: "NotFoundException"},
		{name: "unsigned", sign: signing{unsigned: true}, status: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.doRaw(t, http.MethodGet, path, nil, tt.sign)
			if r.Status != tt.status {
				t.Fatalf("GET %s: status %d %s, want %d", path, r.Status, r.Body, tt.status)
			}
			if tt.errType != "" && r.Header.Get("x-amzn-ErrorType") != tt.errType {
				t.Errorf("error type %q, want %s", r.Header.Get("x-amzn-ErrorType"), tt.errType)
			}
			if msg, _ := r.json(t)["message"].(string); msg == "" {
				t.Errorf("error %s has no message", r.Body)
			}
		})
	}
}

// pierLogs runs "pier logs --endpoint API args…" in-process, with the
// credentials traceEnv set, and returns what it printed.
func pierLogs(t *testing.T, s *testServer, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(t.Context(), append([]string{"logs", "--endpoint", s.APIURL}, args...), &out, os.Getenv)
	return out.String(), err
}

// stepLogs returns what "pier logs" prints for a job that has ended: each
// step's name and its log, downloaded from the step's logUrl.
func stepLogs(t *testing.T, job *types.Job) string {
	t.Helper()
	var b strings.Builder
	for _, st := range job.Steps {
		b.WriteString("==== " + aws.ToString(st.StepName) + " ====\n")
		resp, err := http.Get(aws.ToString(st.LogUrl))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET logUrl of %s: status %d, %v", aws.ToString(st.StepName), resp.StatusCode, err)
		}
		b.Write(body)
	}
	return b.String()
}
