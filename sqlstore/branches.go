package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/pier-hosting/pier"
)

func branchNotFound(appID, name string) *pier.Error {
	return pier.Errorf(pier.ENOTFOUND, "Branch %s not found for app %s", name, appID)
}

func branchChanged(appID, name string) *pier.Error {
	return pier.Errorf(pier.ECONFLICT, "Branch %s of app %s was changed concurrently", name, appID)
}

// branchDoc returns the document stored for b. The pointers live in columns
// of their own, which only CreateJob (last_job_id) and PublishDeployment
// (active_job_id, deployment_id) write, so the document leaves them out and
// CreateBranch and UpdateBranch cannot clobber them. Version has a column of
// its own too, the one copy that counts.
func branchDoc(b *pier.Branch) (string, error) {
	c := *b
	c.LastJobID = 0
	c.ActiveJobID = ""
	c.DeploymentID = ""
	c.Version = 0
	return encode(&c)
}

// branchColumns are the columns scanBranch scans.
const branchColumns = "seq, doc, last_job_id, active_job_id, deployment_id, version"

// scanBranch scans a row of branchColumns.
func scanBranch(sc scanner) (*pier.Branch, int64, error) {
	var seq, lastJobID, version int64
	var doc []byte
	var activeJobID string
	var deploymentID sql.NullString
	if err := sc.Scan(&seq, &doc, &lastJobID, &activeJobID, &deploymentID, &version); err != nil {
		return nil, 0, err
	}
	b := new(pier.Branch)
	if err := json.Unmarshal(doc, b); err != nil {
		return nil, 0, fmt.Errorf("decode: %w", err)
	}
	b.LastJobID = lastJobID
	b.ActiveJobID = activeJobID
	b.DeploymentID = deploymentID.String
	b.Version = version
	return b, seq, nil
}

// CreateBranch implements pier.BranchStore. A new branch has issued no job
// ids and serves no deployment, whatever b.LastJobID, b.ActiveJobID and
// b.DeploymentID say.
func (s *Store) CreateBranch(ctx context.Context, b *pier.Branch) error {
	doc, err := branchDoc(b)
	if err != nil {
		return fmt.Errorf("create branch: %w", err)
	}
	if _, err := s.exec(ctx, `INSERT INTO branches (account_id, app_id, name, doc, version) VALUES (?, ?, ?, ?, 1)`,
		b.AccountID, b.AppID, b.Name, doc); err != nil {
		return s.writeError(err, "create branch",
			pier.Errorf(pier.ECONFLICT, "Branch %s already exists for app %s", b.Name, b.AppID),
			appNotFound(b.AppID))
	}
	b.Version = 1
	return nil
}

// GetBranch implements pier.BranchStore.
func (s *Store) GetBranch(ctx context.Context, accountID, appID, name string) (*pier.Branch, error) {
	return get(ctx, s, "get branch", branchNotFound(appID, name), scanBranch,
		`SELECT `+branchColumns+` FROM branches WHERE account_id = ? AND app_id = ? AND name = ?`,
		accountID, appID, name)
}

// UpdateBranch implements pier.BranchStore; the ECONFLICT message is
// "Branch B of app X was changed concurrently". It writes only the document
// and the version, leaving the pointer columns as they are.
func (s *Store) UpdateBranch(ctx context.Context, b *pier.Branch) error {
	doc, err := branchDoc(b)
	if err != nil {
		return fmt.Errorf("update branch: %w", err)
	}
	res, err := s.exec(ctx, `UPDATE branches SET doc = ?, version = version + 1
		WHERE account_id = ? AND app_id = ? AND name = ? AND version = ?`,
		doc, b.AccountID, b.AppID, b.Name, b.Version)
	if err != nil {
		return fmt.Errorf("update branch: %w", err)
	}
	if err := s.mustMatch(ctx, res, branchNotFound(b.AppID, b.Name), branchChanged(b.AppID, b.Name),
		`SELECT 1 FROM branches WHERE account_id = ? AND app_id = ? AND name = ?`, b.AccountID, b.AppID, b.Name); err != nil {
		return err
	}
	b.Version++
	return nil
}

// DeleteBranch implements pier.BranchStore.
func (s *Store) DeleteBranch(ctx context.Context, accountID, appID, name string) error {
	res, err := s.exec(ctx, `DELETE FROM branches WHERE account_id = ? AND app_id = ? AND name = ?`,
		accountID, appID, name)
	if err != nil {
		return fmt.Errorf("delete branch: %w", err)
	}
	return mustAffect(res, branchNotFound(appID, name))
}

// ListBranches implements pier.BranchStore; ENOTFOUND if the app does not
// exist.
func (s *Store) ListBranches(ctx context.Context, accountID, appID string, p pier.Page) ([]*pier.Branch, string, error) {
	branches, next, err := list(ctx, s, "list branches", listing{
		columns: branchColumns,
		table:   "branches",
		where:   "account_id = ? AND app_id = ?",
		args:    []any{accountID, appID},
		key:     "seq",
	}, p, scanBranch)
	if err == nil && len(branches) == 0 {
		err = s.checkApp(ctx, accountID, appID)
	}
	if err != nil {
		return nil, "", err
	}
	return branches, next, nil
}

// checkBranch returns ENOTFOUND unless the branch exists.
func (s *Store) checkBranch(ctx context.Context, accountID, appID, name string) error {
	ok, err := s.exists(ctx, `SELECT 1 FROM branches WHERE account_id = ? AND app_id = ? AND name = ?`,
		accountID, appID, name)
	if err != nil {
		return fmt.Errorf("check branch: %w", err)
	} else if !ok {
		return branchNotFound(appID, name)
	}
	return nil
}
