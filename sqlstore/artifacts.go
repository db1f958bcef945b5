package sqlstore

import (
	"context"
	"fmt"

	"github.com/pier-hosting/pier"
)

// CreateArtifact implements pier.ArtifactStore; ECONFLICT if the account
// already has an artifact of that id.
func (s *Store) CreateArtifact(ctx context.Context, a *pier.Artifact) error {
	doc, err := encode(a)
	if err != nil {
		return fmt.Errorf("create artifact: %w", err)
	}
	if _, err := s.exec(ctx, `INSERT INTO artifacts (account_id, artifact_id, app_id, branch_name, job_id, doc)
		VALUES (?, ?, ?, ?, ?, ?)`, a.AccountID, a.ID, a.AppID, a.BranchName, a.JobID, doc); err != nil {
		return s.writeError(err, "create artifact",
			pier.Errorf(pier.ECONFLICT, "Artifact %s already exists", a.ID),
			jobNotFound(a.JobID))
	}
	return nil
}

// GetArtifact implements pier.ArtifactStore.
func (s *Store) GetArtifact(ctx context.Context, accountID, id string) (*pier.Artifact, error) {
	return get(ctx, s, "get artifact", pier.Errorf(pier.ENOTFOUND, "Artifact %s not found", id), scanDoc[pier.Artifact],
		`SELECT seq, doc FROM artifacts WHERE account_id = ? AND artifact_id = ?`, accountID, id)
}

// ListArtifacts implements pier.ArtifactStore; ENOTFOUND if the job does not
// exist.
func (s *Store) ListArtifacts(ctx context.Context, accountID, appID, branch string, jobID int64, p pier.Page) ([]*pier.Artifact, string, error) {
	artifacts, next, err := list(ctx, s, "list artifacts", listing{
		columns: "seq, doc",
		table:   "artifacts",
		where:   "account_id = ? AND app_id = ? AND branch_name = ? AND job_id = ?",
		args:    []any{accountID, appID, branch, jobID},
		key:     "seq",
	}, p, scanDoc[pier.Artifact])
	if err == nil && len(artifacts) == 0 {
		err = s.checkJob(ctx, accountID, appID, branch, jobID)
	}
	if err != nil {
		return nil, "", err
	}
	return artifacts, next, nil
}
