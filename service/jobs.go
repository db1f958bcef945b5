package service

import (
	"context"
	"strconv"
	"time"

	"github.com/pier-hosting/pier"
)

// StartJobInput is the input of StartJob.
type StartJobInput struct {
	JobType       string
	JobID         string // the job a RETRY re-runs
	JobReason     string
	CommitID      string
	CommitMessage string
	CommitTime    time.Time
}

// StartJob queues a RELEASE, RETRY or WEB_HOOK job of a branch.
func (s *Service) StartJob(ctx context.Context, account, appID, branch string, in StartJobInput) (*pier.Job, error) {
	a, err := s.store.GetApp(ctx, account, appID)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.GetBranch(ctx, account, appID, branch); err != nil {
		return nil, err
	}
	j := &pier.Job{
		AccountID:     account,
		AppID:         appID,
		BranchName:    branch,
		Type:          in.JobType,
		Status:        pier.JobPending,
		Reason:        in.JobReason,
		CommitID:      in.CommitID,
		CommitMessage: in.CommitMessage,
		CommitTime:    in.CommitTime,
	}
	switch in.JobType {
	case pier.JobTypeRelease, pier.JobTypeWebhook:
		if a.Repository == "" {
			return nil, pier.Errorf(pier.EINVALID, "App %s is not connected to a repository: deploy it with CreateDeployment and StartDeployment.", appID)
		}
		j.Build = true
	case pier.JobTypeRetry:
		if in.JobID == "" {
			return nil, pier.Errorf(pier.EINVALID, "Missing required field 'jobId': a RETRY job names the job to retry.")
		}
		prev, err := s.store.GetJob(ctx, account, appID, branch, parseJobID(in.JobID))
		if err != nil {
			return nil, err
		}
		if prev.Status == pier.JobCreated {
			return nil, pier.Errorf(pier.EINVALID, "Job %s was never started and cannot be retried.", prev.IDString())
		}
		j.RetryOf = prev.ID
		if prev.RetryOf != 0 {
			j.RetryOf = prev.RetryOf // the original, which owns the uploads
		}
		if in.CommitID == "" {
			j.CommitID, j.CommitMessage, j.CommitTime = prev.CommitID, prev.CommitMessage, prev.CommitTime
		}
		if prev.Build {
			// A build is retried by building its commit again.
			j.Build = true
			break
		}
		// A manual deployment that produced a deployment is retried by
		// republishing it (instant rollback); any other re-runs its source.
		j.DeploymentID = prev.DeploymentID
		j.SourceURL, j.SourceURLType, j.FileMap = prev.SourceURL, prev.SourceURLType, prev.FileMap
	case pier.JobTypeManual:
		return nil, pier.Errorf(pier.EINVALID, "MANUAL jobs are started with CreateDeployment and StartDeployment.")
	default:
		return nil, pier.Errorf(pier.EINVALID, "Invalid input for 'jobType': must be one of RELEASE, RETRY, WEB_HOOK.")
	}
	if err := s.createJob(ctx, j); err != nil {
		return nil, err
	}
	s.cfg.JobQueued()
	return j, nil
}

// createJob fills in the defaults every job summary needs and stores j.
func (s *Service) createJob(ctx context.Context, j *pier.Job) error {
	now := s.now()
	j.CreateTime, j.StartTime = now, now
	if j.CommitID == "" {
		j.CommitID = "HEAD"
	}
	if j.CommitTime.IsZero() {
		j.CommitTime = now
	}
	return s.store.CreateJob(ctx, j)
}

// GetJob returns a job.
func (s *Service) GetJob(ctx context.Context, account, appID, branch, jobID string) (*pier.Job, error) {
	return s.store.GetJob(ctx, account, appID, branch, parseJobID(jobID))
}

// StopJob cancels a job that has not ended. A job no runner has claimed is
// cancelled at once; a running one goes to CANCELLING until its runner stops.
func (s *Service) StopJob(ctx context.Context, account, appID, branch, jobID string) (*pier.Job, error) {
	j, err := s.store.GetJob(ctx, account, appID, branch, parseJobID(jobID))
	if err != nil {
		return nil, err
	}
	return s.updateJob(ctx, j, func(j *pier.Job) error {
		switch j.Status {
		case pier.JobCreated, pier.JobPending:
			j.Status, j.EndTime = pier.JobCancelled, s.now()
			j.StatusReason = "Stopped by StopJob."
		case pier.JobProvisioning, pier.JobRunning:
			j.Status = pier.JobCancelling
		default:
			return pier.Errorf(pier.EINVALID, "Job %s has already ended with status %s.", j.IDString(), j.Status)
		}
		return nil
	})
}

// updateJob applies change to job j and stores it. When a runner changed
// the job in the meantime, it re-reads the job and applies change again.
func (s *Service) updateJob(ctx context.Context, j *pier.Job, change func(*pier.Job) error) (*pier.Job, error) {
	first := true
	return update(ctx, &s.locks, jobKey(j), func() (*pier.Job, error) {
		if first { // the caller just read it
			first = false
			return j, nil
		}
		return s.store.GetJob(ctx, j.AccountID, j.AppID, j.BranchName, j.ID)
	}, change, func(j *pier.Job) error { return s.store.UpdateJob(ctx, j) })
}

// DeleteJob deletes a job that is not running and returns it as it was.
func (s *Service) DeleteJob(ctx context.Context, account, appID, branch, jobID string) (*pier.Job, error) {
	j, err := s.store.GetJob(ctx, account, appID, branch, parseJobID(jobID))
	if err != nil {
		return nil, err
	}
	if !j.Terminal() && j.Status != pier.JobCreated {
		return nil, pier.Errorf(pier.EINVALID, "Job %s is %s: stop it before deleting it.", j.IDString(), j.Status)
	}
	if err := s.store.DeleteJob(ctx, account, appID, branch, j.ID); err != nil {
		return nil, err
	}
	return j, nil
}

// ListJobs lists a branch's jobs, newest first.
func (s *Service) ListJobs(ctx context.Context, account, appID, branch string, maxResults int, token string) ([]*pier.Job, string, error) {
	if _, err := s.store.GetBranch(ctx, account, appID, branch); err != nil {
		return nil, "", err
	}
	scope := "jobs/" + account + "/" + appID + "/" + branch
	p, err := s.page(scope, maxResults, 50, token)
	if err != nil {
		return nil, "", err
	}
	jobs, next, err := s.store.ListJobs(ctx, account, appID, branch, p)
	return jobs, s.pageToken(scope, next), err
}

// parseJobID parses a decimal job id; anything else becomes 0, which no job
// has, so lookups report ENOTFOUND.
func parseJobID(s string) int64 {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}
