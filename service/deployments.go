package service

import (
	"context"
	"strings"

	"github.com/pier-hosting/pier"
)

// Deployment is the result of CreateDeployment: a job waiting for uploads and
// the URLs that accept them.
type Deployment struct {
	Job            *pier.Job
	ZipUploadURL   string
	FileUploadURLs map[string]string
}

// StartDeploymentInput is the input of StartDeployment.
type StartDeploymentInput struct {
	JobID         string
	SourceURL     string
	SourceURLType string
}

// CreateDeployment creates a MANUAL job in status CREATED for a branch of an
// app without a repository, with signed URLs to upload a zip or (given a
// fileMap of path → md5) each file.
func (s *Service) CreateDeployment(ctx context.Context, account, appID, branch string, fileMap map[string]string) (*Deployment, error) {
	if err := s.manualApp(ctx, account, appID, branch); err != nil {
		return nil, err
	}
	cleaned := map[string]string{}
	for path, sum := range fileMap {
		c := pier.FileMapPath(path)
		if !pier.ValidBlobKey(c) {
			return nil, pier.Errorf(pier.EINVALID, "Invalid input for 'fileMap': %q is not a valid file path.", truncate(path, 64))
		}
		if other, dup := cleaned[c]; dup {
			return nil, pier.Errorf(pier.EINVALID, "Invalid input for 'fileMap': %q and %q name the same file.", truncate(other, 64), truncate(path, 64))
		}
		cleaned[c] = path
		if !isHexMD5(sum) {
			return nil, pier.Errorf(pier.EINVALID, "Invalid input for 'fileMap[%s]': must be the hex md5 of the file.", truncate(path, 64))
		}
	}
	j := &pier.Job{AccountID: account, AppID: appID, BranchName: branch, Type: pier.JobTypeManual, Status: pier.JobCreated, FileMap: fileMap}
	if err := s.createJob(ctx, j); err != nil {
		return nil, err
	}
	base := []string{"_pier", "uploads", account, appID, branch, j.IDString()}
	d := &Deployment{Job: j, FileUploadURLs: map[string]string{}}
	d.ZipUploadURL = s.signedURL("PUT", UploadURLLifetime, append(base, "zip")...)
	for path := range fileMap {
		d.FileUploadURLs[path] = s.signedURL("PUT", UploadURLLifetime, append(base, "files", path)...)
	}
	return d, nil
}

// StartDeployment queues a manual deployment: the uploads of a created job
// (jobId) or a new job that fetches sourceUrl.
func (s *Service) StartDeployment(ctx context.Context, account, appID, branch string, in StartDeploymentInput) (*pier.Job, error) {
	if err := s.manualApp(ctx, account, appID, branch); err != nil {
		return nil, err
	}
	if in.JobID == "" {
		return s.startFromSource(ctx, account, appID, branch, in)
	}
	j, err := s.store.GetJob(ctx, account, appID, branch, parseJobID(in.JobID))
	if err != nil {
		return nil, err
	}
	if j.Type != pier.JobTypeManual || j.Status != pier.JobCreated {
		return nil, pier.Errorf(pier.EINVALID, "Job %s is a %s job in status %s; only a deployment created by CreateDeployment can be started.", j.IDString(), j.Type, j.Status)
	}
	expired := false
	j, err = s.updateJob(ctx, j, func(j *pier.Job) error {
		if j.Status != pier.JobCreated {
			return pier.Errorf(pier.EINVALID, "Job %s was already started.", j.IDString())
		}
		now := s.now()
		if expired = now.Sub(j.CreateTime) > UploadURLLifetime; expired {
			j.Status, j.StatusReason, j.EndTime = pier.JobFailed, "The deployment was not started within 8 hours of CreateDeployment.", now
		} else {
			j.Status, j.StartTime = pier.JobPending, now
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if expired {
		return nil, pier.Errorf(pier.EINVALID, "Job %s expired: StartDeployment must be called within 8 hours of CreateDeployment.", j.IDString())
	}
	s.cfg.JobQueued()
	return j, nil
}

// startFromSource creates a PENDING manual job that deploys sourceUrl.
func (s *Service) startFromSource(ctx context.Context, account, appID, branch string, in StartDeploymentInput) (*pier.Job, error) {
	if in.SourceURL == "" {
		return nil, pier.Errorf(pier.EINVALID, "StartDeployment needs either 'jobId' (from CreateDeployment) or 'sourceUrl'.")
	}
	if in.SourceURLType == "" {
		in.SourceURLType = pier.SourceURLTypeZip
	}
	if in.SourceURLType == pier.SourceURLTypeBucketPrefix && !strings.HasPrefix(in.SourceURL, "s3://") {
		return nil, pier.Errorf(pier.EINVALID, "Invalid input for 'sourceUrl': a BUCKET_PREFIX source must be an s3://bucket/prefix URL.")
	}
	j := &pier.Job{
		AccountID: account, AppID: appID, BranchName: branch,
		Type: pier.JobTypeManual, Status: pier.JobPending,
		SourceURL: in.SourceURL, SourceURLType: in.SourceURLType,
	}
	if err := s.createJob(ctx, j); err != nil {
		return nil, err
	}
	s.cfg.JobQueued()
	return j, nil
}

// manualApp checks that the branch exists and its app deploys without Git.
func (s *Service) manualApp(ctx context.Context, account, appID, branch string) error {
	a, err := s.store.GetApp(ctx, account, appID)
	if err != nil {
		return err
	}
	if a.Repository != "" {
		return pier.Errorf(pier.EINVALID, "App %s is connected to a repository; manual deployments are only for apps without one.", appID)
	}
	_, err = s.store.GetBranch(ctx, account, appID, branch)
	return err
}

// isHexMD5 reports whether s is 32 hexadecimal digits.
func isHexMD5(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
