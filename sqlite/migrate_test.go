package sqlite

import (
	"database/sql"
	"encoding/json"
	"io/fs"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/sqlstore"
)

// TestUpgradeFrom0001 checks that 0002_deployments.sql gives the rows of a
// database written before it the column values the store now reads: branch
// pointers, and job status, type, lease and version.
func TestUpgradeFrom0001(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "pier.db")
	dsn, err := dataSourceName(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	old := sqlstore.New(db, dialect)
	first, err := fs.ReadFile(migrations, "migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Migrate(ctx, fstest.MapFS{"0001_init.sql": {Data: first}}); err != nil {
		t.Fatal(err)
	}

	const account, app = "111111111111", "d1234567890abc"
	lease := time.Date(2025, 6, 7, 8, 9, 10, 123456789, time.FixedZone("UTC+2", 2*60*60))
	marshal := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	job := func(id int64, status string, leaseUntil *time.Time) string {
		// Documents written before the change have no lease or version.
		doc := map[string]any{"AccountID": account, "AppID": app, "BranchName": "main", "ID": id,
			"Type": pier.JobTypeRelease, "Status": status}
		if leaseUntil != nil {
			doc["LeaseUntil"] = *leaseUntil
		}
		return marshal(doc)
	}
	zero := time.Time{}
	for _, stmt := range []struct {
		query string
		args  []any
	}{
		{`INSERT INTO accounts (account_id, doc) VALUES (?, ?)`, []any{account, marshal(pier.Account{ID: account})}},
		{`INSERT INTO apps (account_id, app_id, doc) VALUES (?, ?, ?)`, []any{account, app, marshal(pier.App{AccountID: account, ID: app})}},
		{`INSERT INTO branches (account_id, app_id, name, last_job_id, doc) VALUES (?, ?, ?, 4, ?)`,
			[]any{account, app, "main", marshal(pier.Branch{AccountID: account, AppID: app, Name: "main", ActiveJobID: "2"})}},
		{`INSERT INTO jobs (account_id, app_id, branch_name, job_id, doc) VALUES (?, ?, ?, 1, ?)`, []any{account, app, "main", job(1, pier.JobSucceed, nil)}},
		{`INSERT INTO jobs (account_id, app_id, branch_name, job_id, doc) VALUES (?, ?, ?, 2, ?)`, []any{account, app, "main", job(2, pier.JobRunning, &zero)}},
		{`INSERT INTO jobs (account_id, app_id, branch_name, job_id, doc) VALUES (?, ?, ?, 3, ?)`, []any{account, app, "main", job(3, pier.JobCancelling, &lease)}},
		{`INSERT INTO jobs (account_id, app_id, branch_name, job_id, doc) VALUES (?, ?, ?, 4, ?)`, []any{account, app, "main", job(4, pier.JobPending, nil)}},
	} {
		if _, err := db.ExecContext(ctx, stmt.query, stmt.args...); err != nil {
			t.Fatalf("%s: %v", stmt.query, err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, err := s.GetBranch(ctx, account, app, "main")
	if err != nil {
		t.Fatal(err)
	}
	if b.ActiveJobID != "2" || b.DeploymentID != "" || b.LastJobID != 4 {
		t.Errorf("branch pointers = active job %q, deployment %q, last job %d; want 2, none, 4", b.ActiveJobID, b.DeploymentID, b.LastJobID)
	}
	b.Description = "updated"
	if err := s.UpdateBranch(ctx, b); err != nil {
		t.Fatal(err)
	}
	if b, err = s.GetBranch(ctx, account, app, "main"); err != nil {
		t.Fatal(err)
	} else if b.ActiveJobID != "2" {
		t.Errorf("ActiveJobID after UpdateBranch = %q, want 2", b.ActiveJobID)
	}

	ids := func(jobs []*pier.Job) []int64 {
		var out []int64
		for _, j := range jobs {
			out = append(out, j.ID)
		}
		return out
	}
	for _, c := range []struct {
		now  time.Time
		want []int64
	}{
		{lease.Add(-time.Millisecond), []int64{2}},
		{lease.Add(time.Millisecond), []int64{2, 3}},
	} {
		expired, err := s.ExpiredJobs(ctx, c.now)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c.want, ids(expired)); diff != "" {
			t.Errorf("ExpiredJobs(%v) (-want +got):\n%s", c.now, diff)
		}
	}
	claimed, err := s.ClaimJob(ctx, []string{pier.JobTypeRelease}, "runner", lease)
	if err != nil {
		t.Fatal(err)
	}
	if claimed.ID != 4 || claimed.Version != 2 {
		t.Errorf("claimed job %d at version %d, want 4 at 2", claimed.ID, claimed.Version)
	}
	j, err := s.GetJob(ctx, account, app, "main", 1)
	if err != nil {
		t.Fatal(err)
	}
	if j.Version != 1 {
		t.Errorf("Version of an old job = %d, want 1", j.Version)
	}
	if err := s.UpdateJob(ctx, j); err != nil {
		t.Errorf("UpdateJob of an old job: %v", err)
	}
}
