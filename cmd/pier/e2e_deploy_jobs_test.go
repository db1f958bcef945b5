package main

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
)

// TestDeployExpiry moves the server's clock past the 8 hours a created
// deployment may wait: its upload URL is refused and StartDeployment fails
// the job. One created just inside the window still deploys.
func TestDeployExpiry(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	s := startServerWith(t, t.TempDir(), fixedCredentials, func(m *Main) { m.Now = clock.Now })
	ctx := t.Context()
	appID := newSite(t, s, "expiry")
	branch := aws.String("main")
	site := files{"index.html": "<h1>in time</h1>"}
	zipped := zipOf(t, site)

	late, err := s.client.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: aws.String(appID), BranchName: branch})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	inTime, err := s.client.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: aws.String(appID), BranchName: branch})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(7*time.Hour + time.Minute) // late: 8h01m old; inTime: 7h01m

	t.Run("upload after expiry", func(t *testing.T) {
		if status, msg := put(t, aws.ToString(late.ZipUploadUrl), nil); status != http.StatusForbidden {
			t.Errorf("PUT to an expired upload URL: %d %s, want 403", status, msg)
		}
	})
	t.Run("start after expiry", func(t *testing.T) {
		_, err := s.client.StartDeployment(ctx, &amplify.StartDeploymentInput{AppId: aws.String(appID), BranchName: branch, JobId: late.JobId})
		wantError[*types.BadRequestException](t, err)
		got, err := s.client.GetJob(ctx, &amplify.GetJobInput{AppId: aws.String(appID), BranchName: branch, JobId: late.JobId})
		if err != nil {
			t.Fatal(err)
		}
		if got.Job.Summary.Status != types.JobStatusFailed {
			t.Errorf("GetJob status = %q, want FAILED", got.Job.Summary.Status)
		}
		if got.Job.Summary.EndTime == nil {
			t.Error("the expired job has no endTime")
		}
	})
	t.Run("within 8 hours", func(t *testing.T) {
		mustPut(t, aws.ToString(inTime.ZipUploadUrl), zipped)
		if _, err := s.client.StartDeployment(ctx, &amplify.StartDeploymentInput{AppId: aws.String(appID), BranchName: branch, JobId: inTime.JobId}); err != nil {
			t.Fatal(err)
		}
		wantSucceeded(t, s.waitJob(t, appID, aws.ToString(inTime.JobId)))
		s.wantServed(t, appID, site)
	})
}

// TestDeployStopPending stops a deployment no runner has claimed (the
// server runs without the runner role) and deletes it.
func TestDeployStopPending(t *testing.T) {
	t.Parallel()
	s := startDeployServer(t, "--roles", "api,edge")
	ctx := t.Context()
	appID := newSite(t, s, "stop")
	branch := aws.String("main")

	created, err := s.client.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: aws.String(appID), BranchName: branch})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, aws.ToString(created.ZipUploadUrl), zipOf(t, files{"index.html": "never served"}))
	started, err := s.client.StartDeployment(ctx, &amplify.StartDeploymentInput{AppId: aws.String(appID), BranchName: branch, JobId: created.JobId})
	if err != nil {
		t.Fatal(err)
	}
	if started.JobSummary.Status != types.JobStatusPending {
		t.Fatalf("status after StartDeployment = %q, want PENDING", started.JobSummary.Status)
	}
	stopped, err := s.client.StopJob(ctx, &amplify.StopJobInput{AppId: aws.String(appID), BranchName: branch, JobId: created.JobId})
	if err != nil {
		t.Fatal(err)
	}
	if stopped.JobSummary.Status != types.JobStatusCancelled {
		t.Errorf("StopJob status = %q, want CANCELLED", stopped.JobSummary.Status)
	}
	got, err := s.client.GetJob(ctx, &amplify.GetJobInput{AppId: aws.String(appID), BranchName: branch, JobId: created.JobId})
	if err != nil {
		t.Fatal(err)
	}
	if got.Job.Summary.Status != types.JobStatusCancelled {
		t.Errorf("GetJob status = %q, want CANCELLED", got.Job.Summary.Status)
	}
	if r := s.get(t, appID, "/", nil); r.Status != http.StatusNotFound {
		t.Errorf("GET / of a branch that never deployed: %d, want 404", r.Status)
	}
	wantString(t, "activeJobId", s.getBranch(t, appID).ActiveJobId, "")

	deleted, err := s.client.DeleteJob(ctx, &amplify.DeleteJobInput{AppId: aws.String(appID), BranchName: branch, JobId: created.JobId})
	if err != nil {
		t.Fatal(err)
	}
	if deleted.JobSummary.Status != types.JobStatusCancelled {
		t.Errorf("DeleteJob returned status %q, want the job as it was, CANCELLED", deleted.JobSummary.Status)
	}
	_, err = s.client.GetJob(ctx, &amplify.GetJobInput{AppId: aws.String(appID), BranchName: branch, JobId: created.JobId})
	wantError[*types.NotFoundException](t, err)
}

// TestDeployRetryRollback deploys v1 and v2, then rolls back with a RETRY of
// job 1: a new job republishes v1's deployment without storing anything.
func TestDeployRetryRollback(t *testing.T) {
	t.Parallel()
	s := startDeployServer(t)
	ctx := t.Context()
	appID := newSite(t, s, "rollback")
	v1 := files{"index.html": "<h1>v1</h1>", "only-in-v1.html": "v1 page"}
	v2 := files{"index.html": "<h1>v2</h1>", "only-in-v2.html": "v2 page"}

	wantString(t, "jobId", s.deploy(t, appID, v1).Summary.JobId, "1")
	s.wantServed(t, appID, v1)
	wantString(t, "jobId", s.deploy(t, appID, v2).Summary.JobId, "2")
	s.waitServed(t, appID, "/", v2["index.html"])
	s.wantServed(t, appID, v2)
	blobs := s.contentBlobs(t)

	out, err := s.client.StartJob(ctx, &amplify.StartJobInput{AppId: aws.String(appID), BranchName: aws.String("main"), JobType: types.JobTypeRetry, JobId: aws.String("1")})
	if err != nil {
		t.Fatal(err)
	}
	wantString(t, "jobId", out.JobSummary.JobId, "3")
	job := s.waitJob(t, appID, "3")
	wantSucceeded(t, job)
	if job.Summary.JobType != types.JobTypeRetry {
		t.Errorf("jobType = %q, want RETRY", job.Summary.JobType)
	}
	s.waitServed(t, appID, "/", v1["index.html"])
	s.wantServed(t, appID, v1)
	if r := s.get(t, appID, "/only-in-v2.html", nil); r.Status != http.StatusNotFound {
		t.Errorf("GET /only-in-v2.html after the rollback: %d, want 404", r.Status)
	}
	b := s.getBranch(t, appID)
	wantString(t, "activeJobId", b.ActiveJobId, "3")
	wantString(t, "totalNumberOfJobs", b.TotalNumberOfJobs, "3")
	if after := s.contentBlobs(t); !slices.Equal(after, blobs) {
		t.Errorf("the rollback changed the stored blobs: %d before, %d after", len(blobs), len(after))
	}
}

// waitServed polls path until the edge serves want there, for the moment
// between a job's SUCCEED and the edge forgetting the previous deployment;
// it fails the test after jobTimeout.
func (s *testServer) waitServed(t *testing.T, appID, path, want string) {
	t.Helper()
	deadline := time.Now().Add(jobTimeout)
	for {
		r := s.get(t, appID, path, nil)
		if r.Status == http.StatusOK && string(r.Body) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: still %d %q after %v, want %q", path, r.Status, clip(r.Body), jobTimeout, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
