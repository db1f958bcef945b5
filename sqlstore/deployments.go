package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/pier-hosting/pier"
)

func deploymentNotFound(id string) *pier.Error {
	return pier.Errorf(pier.ENOTFOUND, "Deployment %s not found", id)
}

// CreateDeployment implements pier.DeploymentStore. Deployment ids are
// unique across accounts: the edge finds a deployment by its id alone.
func (s *Store) CreateDeployment(ctx context.Context, d *pier.Deployment) error {
	doc, err := encode(d)
	if err != nil {
		return fmt.Errorf("create deployment: %w", err)
	}
	if _, err := s.exec(ctx, `INSERT INTO deployments (deployment_id, account_id, app_id, branch_name, doc) VALUES (?, ?, ?, ?, ?)`,
		d.ID, d.AccountID, d.AppID, d.BranchName, doc); err != nil {
		return s.writeError(err, "create deployment",
			pier.Errorf(pier.ECONFLICT, "Deployment %s already exists", d.ID),
			branchNotFound(d.AppID, d.BranchName))
	}
	return nil
}

// GetDeployment implements pier.DeploymentStore.
func (s *Store) GetDeployment(ctx context.Context, id string) (*pier.Deployment, error) {
	return get(ctx, s, "get deployment", deploymentNotFound(id), scanDoc[pier.Deployment],
		`SELECT seq, doc FROM deployments WHERE deployment_id = ?`, id)
}

// PublishDeployment implements pier.DeploymentStore. It returns ENOTFOUND if
// the deployment or the job does not exist, EINVALID if the deployment
// belongs to another branch than the job, and ECONFLICT ("Job N was changed
// concurrently") if j.Version is stale.
func (s *Store) PublishDeployment(ctx context.Context, j *pier.Job, id string) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		c := txConn{s, tx}
		var accountID, appID, branch string
		err := c.queryRow(ctx, `SELECT account_id, app_id, branch_name FROM deployments WHERE deployment_id = ?`,
			id).Scan(&accountID, &appID, &branch)
		if errors.Is(err, sql.ErrNoRows) {
			return deploymentNotFound(id)
		} else if err != nil {
			return fmt.Errorf("publish deployment: %w", err)
		}
		if accountID != j.AccountID || appID != j.AppID || branch != j.BranchName {
			return pier.Errorf(pier.EINVALID, "Deployment %s does not belong to branch %s of app %s", id, j.BranchName, j.AppID)
		}
		if err := s.writeJob(ctx, c, "publish deployment", j); err != nil {
			return err
		}
		// The job exists, so its branch does (the foreign key of jobs).
		if _, err := c.exec(ctx, `UPDATE branches SET deployment_id = ?, active_job_id = ?
			WHERE account_id = ? AND app_id = ? AND name = ?`,
			id, j.IDString(), j.AccountID, j.AppID, j.BranchName); err != nil {
			return fmt.Errorf("publish deployment: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	j.Version++
	return nil
}

// listBatch is how many deployment ids ListDeploymentIDs reads at a time.
const listBatch = 500

// ListDeploymentIDs implements pier.DeploymentStore, in creation order. It
// reads the ids in batches and calls fn with no query open, so fn may write
// to the store (a collector deletes what it finds); ids created during the
// walk may or may not be seen. It stops at the first error fn returns.
func (s *Store) ListDeploymentIDs(ctx context.Context, fn func(id string) error) error {
	after := int64(0)
	for {
		ids, seqs, err := queryAll(ctx, s, `SELECT seq, deployment_id FROM deployments WHERE seq > ? ORDER BY seq LIMIT ?`,
			[]any{after, listBatch}, scanID)
		if err != nil {
			return fmt.Errorf("list deployment ids: %w", err)
		}
		for _, id := range ids {
			if err := fn(*id); err != nil {
				return err
			}
		}
		if len(ids) < listBatch {
			return nil
		}
		after = seqs[len(seqs)-1]
	}
}

// scanID scans a row of (seq, id).
func scanID(sc scanner) (*string, int64, error) {
	var seq int64
	var id string
	if err := sc.Scan(&seq, &id); err != nil {
		return nil, 0, err
	}
	return &id, seq, nil
}

// DeleteDeployment implements pier.DeploymentStore. The foreign key from
// branches.deployment_id refuses to delete a deployment a branch serves, so
// checking and deleting are one statement.
func (s *Store) DeleteDeployment(ctx context.Context, id string) error {
	res, err := s.exec(ctx, `DELETE FROM deployments WHERE deployment_id = ?`, id)
	if err != nil {
		if s.d.IsForeignKeyViolation(err) {
			return pier.Errorf(pier.ECONFLICT, "Deployment %s is live on a branch", id)
		}
		return fmt.Errorf("delete deployment: %w", err)
	}
	return mustAffect(res, deploymentNotFound(id))
}
