package awsapi

import (
	"context"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/service"
)

func startJob(ctx context.Context, s *Server, r *request) (any, error) {
	j, err := s.svc.StartJob(ctx, r.account, r.str("appId"), r.str("branchName"), service.StartJobInput{
		JobType: r.str("jobType"), JobID: r.str("jobId"), JobReason: r.str("jobReason"),
		CommitID: r.str("commitId"), CommitMessage: r.str("commitMessage"), CommitTime: r.time("commitTime"),
	})
	return s.jobSummaryResult(j, err)
}

func getJob(ctx context.Context, s *Server, r *request) (any, error) {
	j, err := s.svc.GetJob(ctx, r.account, r.str("appId"), r.str("branchName"), r.str("jobId"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"job": s.job(j)}, nil
}

func stopJob(ctx context.Context, s *Server, r *request) (any, error) {
	j, err := s.svc.StopJob(ctx, r.account, r.str("appId"), r.str("branchName"), r.str("jobId"))
	return s.jobSummaryResult(j, err)
}

func deleteJob(ctx context.Context, s *Server, r *request) (any, error) {
	j, err := s.svc.DeleteJob(ctx, r.account, r.str("appId"), r.str("branchName"), r.str("jobId"))
	return s.jobSummaryResult(j, err)
}

func listJobs(ctx context.Context, s *Server, r *request) (any, error) {
	jobs, next, err := s.svc.ListJobs(ctx, r.account, r.str("appId"), r.str("branchName"), r.int("maxResults"), r.str("nextToken"))
	if err != nil {
		return nil, err
	}
	out := make([]jobSummaryOut, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, s.jobSummary(j))
	}
	return listResult("jobSummaries", out, next), nil
}

func createDeployment(ctx context.Context, s *Server, r *request) (any, error) {
	var in struct {
		FileMap map[string]string `json:"fileMap"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	d, err := s.svc.CreateDeployment(ctx, r.account, r.str("appId"), r.str("branchName"), in.FileMap)
	if err != nil {
		return nil, err
	}
	return map[string]any{"jobId": d.Job.IDString(), "fileUploadUrls": d.FileUploadURLs, "zipUploadUrl": d.ZipUploadURL}, nil
}

func startDeployment(ctx context.Context, s *Server, r *request) (any, error) {
	j, err := s.svc.StartDeployment(ctx, r.account, r.str("appId"), r.str("branchName"), service.StartDeploymentInput{
		JobID: r.str("jobId"), SourceURL: r.str("sourceUrl"), SourceURLType: r.str("sourceUrlType"),
	})
	return s.jobSummaryResult(j, err)
}

func listArtifacts(ctx context.Context, s *Server, r *request) (any, error) {
	as, next, err := s.svc.ListArtifacts(ctx, r.account, r.str("appId"), r.str("branchName"), r.str("jobId"), r.int("maxResults"), r.str("nextToken"))
	if err != nil {
		return nil, err
	}
	out := make([]artifactOut, 0, len(as))
	for _, a := range as {
		out = append(out, artifactOut{ArtifactFileName: a.FileName, ArtifactID: a.ID})
	}
	return listResult("artifacts", out, next), nil
}

func getArtifactURL(ctx context.Context, s *Server, r *request) (any, error) {
	id := r.str("artifactId")
	u, err := s.svc.GetArtifactURL(ctx, r.account, id)
	if err != nil {
		return nil, err
	}
	return map[string]any{"artifactId": id, "artifactUrl": u}, nil
}

// jobSummaryResult wraps an operation's job as {"jobSummary": …}.
func (s *Server) jobSummaryResult(j *pier.Job, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return map[string]any{"jobSummary": s.jobSummary(j)}, nil
}
