package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
)

func jobNotFound(id int64) *pier.Error {
	return pier.Errorf(pier.ENOTFOUND, "Job %d not found", id)
}

func jobChanged(id int64) *pier.Error {
	return pier.Errorf(pier.ECONFLICT, "Job %d was changed concurrently", id)
}

// errNoPendingJob is ClaimJob's answer when there is nothing to claim.
var errNoPendingJob = pier.Errorf(pier.ENOTFOUND, "No pending job")

// jobColumns are the columns scanJob scans. The version column is the one
// copy of Version that counts: rows written before it existed lack Version
// in their document.
const jobColumns = "job_id, doc, version"

// scanJob scans a row of jobColumns; the key is the job id.
func scanJob(sc scanner) (*pier.Job, int64, error) {
	var id, version int64
	var doc []byte
	if err := sc.Scan(&id, &doc, &version); err != nil {
		return nil, 0, err
	}
	j := new(pier.Job)
	if err := json.Unmarshal(doc, j); err != nil {
		return nil, 0, fmt.Errorf("decode: %w", err)
	}
	j.Version = version
	return j, id, nil
}

// jobDoc returns the document stored for j at version.
func jobDoc(j *pier.Job, version int64) (string, error) {
	c := *j
	c.Version = version
	return encode(&c)
}

// leaseUntil returns the lease_until column of t: Unix nanoseconds, or NULL
// for the zero time (which UnixNano cannot represent).
func leaseUntil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// CreateJob implements pier.JobStore. Incrementing the branch's last_job_id
// in place serializes concurrent callers on the branch's row, so ids are
// consecutive and never reused, even after DeleteJob.
func (s *Store) CreateJob(ctx context.Context, j *pier.Job) error {
	var id int64
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		c := txConn{s, tx}
		err := c.queryRow(ctx, `UPDATE branches SET last_job_id = last_job_id + 1
			WHERE account_id = ? AND app_id = ? AND name = ? RETURNING last_job_id`,
			j.AccountID, j.AppID, j.BranchName).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return branchNotFound(j.AppID, j.BranchName)
		} else if err != nil {
			return fmt.Errorf("create job: next id: %w", err)
		}
		n := *j
		n.ID = id
		doc, err := jobDoc(&n, 1)
		if err != nil {
			return fmt.Errorf("create job: %w", err)
		}
		if _, err := c.exec(ctx, `INSERT INTO jobs (account_id, app_id, branch_name, job_id, doc, status, job_type, lease_until, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)`, j.AccountID, j.AppID, j.BranchName, id, doc,
			j.Status, j.Type, leaseUntil(j.LeaseUntil)); err != nil {
			return fmt.Errorf("create job: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	j.ID = id
	j.Version = 1
	return nil
}

// GetJob implements pier.JobStore.
func (s *Store) GetJob(ctx context.Context, accountID, appID, branch string, id int64) (*pier.Job, error) {
	return get(ctx, s, "get job", jobNotFound(id), scanJob,
		`SELECT `+jobColumns+` FROM jobs WHERE account_id = ? AND app_id = ? AND branch_name = ? AND job_id = ?`,
		accountID, appID, branch, id)
}

// UpdateJob implements pier.JobStore; the ECONFLICT message is "Job N was
// changed concurrently".
func (s *Store) UpdateJob(ctx context.Context, j *pier.Job) error {
	if err := s.writeJob(ctx, s, "update job", j); err != nil {
		return err
	}
	j.Version++
	return nil
}

// writeJob stores j at version j.Version+1 through c if the stored version
// is j.Version; otherwise it returns ECONFLICT, or ENOTFOUND if the job does
// not exist. Other errors are wrapped with op. It leaves j.Version to the
// caller, which increments it once the write is committed. Every write of a
// job goes through here or CreateJob, so the version changes with every
// change and the columns copied from the document stay in step with it.
func (s *Store) writeJob(ctx context.Context, c conn, op string, j *pier.Job) error {
	doc, err := jobDoc(j, j.Version+1)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	res, err := c.exec(ctx, `UPDATE jobs SET doc = ?, status = ?, job_type = ?, lease_until = ?, version = version + 1
		WHERE account_id = ? AND app_id = ? AND branch_name = ? AND job_id = ? AND version = ?`,
		doc, j.Status, j.Type, leaseUntil(j.LeaseUntil), j.AccountID, j.AppID, j.BranchName, j.ID, j.Version)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("%s: rows affected: %w", op, err)
	} else if n > 0 {
		return nil
	}
	var one int
	err = c.queryRow(ctx, `SELECT 1 FROM jobs WHERE account_id = ? AND app_id = ? AND branch_name = ? AND job_id = ?`,
		j.AccountID, j.AppID, j.BranchName, j.ID).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return jobNotFound(j.ID)
	case err != nil:
		return fmt.Errorf("%s: %w", op, err)
	}
	return jobChanged(j.ID)
}

// ClaimJob implements pier.JobStore. The claim is a version-checked write of
// the oldest candidate in one transaction. With the dialect's SkipLocked the
// candidate is locked as it is read and concurrent claimers pass over it, so
// under READ COMMITTED they take different jobs without waiting on one
// another; a pending job that another transaction holds locked (being
// claimed or changed) is passed over too, so a claimer may find none while
// such a job exists. Whatever the dialect, a claimer that loses a race gets
// ECONFLICT from writeJob and tries the next candidate: a job is never
// handed out twice.
func (s *Store) ClaimJob(ctx context.Context, types []string, owner string, until time.Time) (*pier.Job, error) {
	if len(types) == 0 {
		return nil, errNoPendingJob
	}
	query := `SELECT ` + jobColumns + ` FROM jobs WHERE status = ? AND job_type IN (?` +
		strings.Repeat(", ?", len(types)-1) + `) ORDER BY seq LIMIT 1`
	if s.d.SkipLocked != "" {
		query += " " + s.d.SkipLocked
	}
	args := []any{pier.JobPending}
	for _, t := range types {
		args = append(args, t)
	}
	for {
		var j *pier.Job
		err := s.withTx(ctx, func(tx *sql.Tx) error {
			c := txConn{s, tx}
			var err error
			j, _, err = scanJob(c.queryRow(ctx, query, args...))
			if errors.Is(err, sql.ErrNoRows) {
				return errNoPendingJob
			} else if err != nil {
				return fmt.Errorf("claim job: %w", err)
			}
			j.Status = pier.JobRunning
			j.LeaseOwner = owner
			j.LeaseUntil = until
			return s.writeJob(ctx, c, "claim job", j)
		})
		switch {
		case err == nil:
			j.Version++
			return j, nil
		case errors.Is(err, errNoPendingJob):
			return nil, err
		case pier.ErrorCode(err) == pier.ECONFLICT || pier.ErrorCode(err) == pier.ENOTFOUND:
			// Another claimer took the job, or it was deleted: try the next.
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("claim job: %w", err)
			}
		default:
			return nil, err
		}
	}
}

// ExpiredJobs implements pier.JobStore, oldest first. A RUNNING or
// CANCELLING job without a lease (LeaseUntil zero, as before leases existed)
// counts as expired: the zero time is before now.
func (s *Store) ExpiredJobs(ctx context.Context, now time.Time) ([]*pier.Job, error) {
	jobs, _, err := queryAll(ctx, s, `SELECT `+jobColumns+` FROM jobs
		WHERE status IN (?, ?) AND (lease_until IS NULL OR lease_until < ?) ORDER BY seq`,
		[]any{pier.JobRunning, pier.JobCancelling, now.UnixNano()}, scanJob)
	if err != nil {
		return nil, fmt.Errorf("expired jobs: %w", err)
	}
	return jobs, nil
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
		columns: jobColumns,
		table:   "jobs",
		where:   "account_id = ? AND app_id = ? AND branch_name = ?",
		args:    []any{accountID, appID, branch},
		key:     "job_id",
		desc:    true,
	}, p, scanJob)
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
