package service

import (
	"context"

	"github.com/pier-hosting/pier"
)

// ListArtifacts lists the artifacts of a job.
func (s *Service) ListArtifacts(ctx context.Context, account, appID, branch, jobID string, maxResults int, token string) ([]*pier.Artifact, string, error) {
	j, err := s.store.GetJob(ctx, account, appID, branch, parseJobID(jobID))
	if err != nil {
		return nil, "", err
	}
	scope := "artifacts/" + account + "/" + appID + "/" + branch + "/" + j.IDString()
	p, err := s.page(scope, maxResults, 50, token)
	if err != nil {
		return nil, "", err
	}
	as, next, err := s.store.ListArtifacts(ctx, account, appID, branch, j.ID, p)
	return as, s.pageToken(scope, next), err
}

// GetArtifactURL returns a signed URL from which an artifact can be downloaded.
func (s *Service) GetArtifactURL(ctx context.Context, account, id string) (string, error) {
	a, err := s.store.GetArtifact(ctx, account, id)
	if err != nil {
		return "", err
	}
	return s.BlobURL(a.BlobKey), nil
}
