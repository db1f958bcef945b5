package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/pier-hosting/pier"
)

func jobNotFound(id int64) *pier.Error {
	return pier.Errorf(pier.ENOTFOUND, "Job %d not found", id)
}

// CreateJob implements pier.JobStore. Incrementing the branch's last_job_id
// in place serializes concurrent callers on the branch's row, so ids are
// consecutive and never reused, even after DeleteJob.
func (s *Store) CreateJob(ctx context.Context, j *pier.Job) error {
	var id int64
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.rebind(`UPDATE branches SET last_job_id = last_job_id + 1
			WHERE account_id = ? AND app_id = ? AND name = ? RETURNING last_job_id`),
			j.AccountID, j.AppID, j.BranchName).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return branchNotFound(j.AppID, j.BranchName)
		} else if err != nil {
			return fmt.Errorf("create job: next id: %w", err)
		}
		c := *j
		c.ID = id
		doc, err := encode(&c)
		if err != nil {
			return fmt.Errorf("create job: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO jobs (account_id, app_id, branch_name, job_id, doc)
			VALUES (?, ?, ?, ?, ?)`), j.AccountID, j.AppID, j.BranchName, id, doc); err != nil {
			return fmt.Errorf("create job: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	j.ID = id
	return nil
}

// GetJob implements pier.JobStore.
func (s *Store) GetJob(ctx context.Context, accountID, appID, branch string, id int64) (*pier.Job, error) {
	return get(ctx, s, "get job", jobNotFound(id), scanDoc[pier.Job],
		`SELECT job_id, doc FROM jobs WHERE account_id = ? AND app_id = ? AND branch_name = ? AND job_id = ?`,
		accountID, appID, branch, id)
}

// UpdateJob implements pier.JobStore.
func (s *Store) UpdateJob(ctx context.Context, j *pier.Job) error {
	doc, err := encode(j)
	if err != nil {
		return fmt.Errorf("update job: %w", err)
	}
	res, err := s.exec(ctx, `UPDATE jobs SET doc = ? WHERE account_id = ? AND app_id = ? AND branch_name = ? AND job_id = ?`,
		doc, j.AccountID, j.AppID, j.BranchName, j.ID)
	if err != nil {
		return fmt.Errorf("update job: %w", err)
	}
	return mustAffect(res, jobNotFound(j.ID))
}

// DeleteJob implements pier.JobStore.
func (s *Store) DeleteJob(ctx context.Context, accountID, appID, branch string, id int64) error {
	res, err := s.exec(ctx, `DELETE FROM jobs WHERE account_id = ? AND app_id = ? AND branch_name = ? AND job_id = ?`,
		accountID, appID, branch, id)
	if err != nil {
		return fmt.Errorf("delete job: %w", err)
	}
	return mustAffect(res, jobNotFound(id))
}

// ListJobs implements pier.JobStore; ENOTFOUND if the branch does not exist.
// The cursor is a job id.
func (s *Store) ListJobs(ctx context.Context, accountID, appID, branch string, p pier.Page) ([]*pier.Job, string, error) {
	jobs, next, err := list(ctx, s, "list jobs", listing{
		columns: "job_id, doc",
		table:   "jobs",
		where:   "account_id = ? AND app_id = ? AND branch_name = ?",
		args:    []any{accountID, appID, branch},
		key:     "job_id",
		desc:    true,
	}, p, scanDoc[pier.Job])
	if err == nil && len(jobs) == 0 {
		err = s.checkBranch(ctx, accountID, appID, branch)
	}
	if err != nil {
		return nil, "", err
	}
	return jobs, next, nil
}

// checkJob returns ENOTFOUND unless the job exists.
func (s *Store) checkJob(ctx context.Context, accountID, appID, branch string, id int64) error {
	ok, err := s.exists(ctx, `SELECT 1 FROM jobs WHERE account_id = ? AND app_id = ? AND branch_name = ? AND job_id = ?`,
		accountID, appID, branch, id)
	if err != nil {
		return fmt.Errorf("check job: %w", err)
	} else if !ok {
		return jobNotFound(id)
	}
	return nil
}
