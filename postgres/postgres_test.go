package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/postgres"
	"github.com/pier-hosting/pier/sqlstore"
	"github.com/pier-hosting/pier/storetest"
)

// TestStore runs the conformance suite, each case on a fresh schema.
func TestStore(t *testing.T) {
	s := requireServer(t)
	database := s.newDatabase(t)
	db := open(t, s.dsn(database))
	storetest.Run(t, func(t *testing.T) pier.Store {
		st, err := postgres.Open(t.Context(), s.newSchema(t, database, db))
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

// TestConcurrentOpen checks that nodes starting together on an empty
// database all open it, and that its migrations are applied once.
func TestConcurrentOpen(t *testing.T) {
	s := requireServer(t)
	dsn := s.dsn(s.newDatabase(t))
	const nodes = 8
	stores := make([]*sqlstore.Store, nodes)
	errs := make([]error, nodes)
	ready := make(chan struct{})
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() {
			<-ready
			stores[i], errs[i] = postgres.Open(t.Context(), dsn)
		})
	}
	close(ready)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
		} else {
			defer stores[i].Close()
		}
	}
	if t.Failed() {
		return
	}
	if diff := cmp.Diff([]string{"1 0001_init.sql", "2 0002_deployments.sql", "3 0003_versions.sql", "4 0004_backends.sql", "5 0005_kv.sql", "6 0006_domain_names.sql"}, migrations(t, dsn)); diff != "" {
		t.Errorf("applied migrations (-want +got):\n%s", diff)
	}
	// The nodes share the data.
	ctx := t.Context()
	if err := stores[0].CreateAccount(ctx, &pier.Account{ID: pier.DefaultAccountID}); err != nil {
		t.Fatal(err)
	}
	if _, err := stores[nodes-1].GetAccount(ctx, pier.DefaultAccountID); err != nil {
		t.Errorf("GetAccount on another node: %v", err)
	}
}

// TestReopen checks that a reopened database keeps its data and that opening
// does not apply a migration twice. Its DSN sets pool_max_conns, which must
// not reach the server as a setting.
func TestReopen(t *testing.T) {
	s := requireServer(t)
	ctx := t.Context()
	database := s.newDatabase(t)
	dsn := s.dsn(database, "pool_max_conns", "2")
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	want := &pier.App{AccountID: pier.DefaultAccountID, ID: "d1234567890abc", Name: "site"}
	if err := st.CreateAccount(ctx, &pier.Account{ID: pier.DefaultAccountID}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateApp(ctx, want); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	applied := migrations(t, s.dsn(database))

	for range 2 {
		st, err = postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.GetApp(ctx, pier.DefaultAccountID, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("app after reopening (-want +got):\n%s", diff)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(applied, migrations(t, s.dsn(database))); diff != "" {
			t.Errorf("migrations after reopening (-want +got):\n%s", diff)
		}
	}
}

// TestFailedMigration checks that a migration that fails leaves neither its
// changes nor a record of itself, and that a later fixed one applies.
func TestFailedMigration(t *testing.T) {
	s := requireServer(t)
	ctx := t.Context()
	dsn := s.dsn(s.newDatabase(t))
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	applied := migrations(t, dsn)
	bad := fstest.MapFS{"9001_extra.sql": {Data: []byte("CREATE TABLE extra (x BIGINT); SELECT no_such_function();")}}
	if err := st.Migrate(ctx, bad); err == nil {
		t.Fatal("Migrate with a failing migration succeeded")
	}
	if diff := cmp.Diff(applied, migrations(t, dsn)); diff != "" {
		t.Errorf("migrations after a failure (-want +got):\n%s", diff)
	}
	good := fstest.MapFS{"9001_extra.sql": {Data: []byte("CREATE TABLE extra (x BIGINT);")}}
	if err := st.Migrate(ctx, good); err != nil {
		t.Fatalf("Migrate after the fix: %v", err) // fails if the bad migration left the table behind
	}
	if got := migrations(t, dsn); len(got) != len(applied)+1 || got[len(got)-1] != "9001 9001_extra.sql" {
		t.Errorf("migrations after the fix = %q, want one more, 9001_extra.sql", got)
	}
}

// TestClaimSkipsLocked checks that ClaimJob passes over a pending job that
// another transaction holds locked instead of waiting for it.
func TestClaimSkipsLocked(t *testing.T) {
	s := requireServer(t)
	ctx := t.Context()
	dsn := s.dsn(s.newDatabase(t))
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const account, app = pier.DefaultAccountID, "d1234567890abc"
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check(st.CreateAccount(ctx, &pier.Account{ID: account}))
	check(st.CreateApp(ctx, &pier.App{AccountID: account, ID: app}))
	check(st.CreateBranch(ctx, &pier.Branch{AccountID: account, AppID: app, Name: "main"}))
	for range 2 {
		check(st.CreateJob(ctx, &pier.Job{AccountID: account, AppID: app, BranchName: "main",
			Type: pier.JobTypeRelease, Status: pier.JobPending}))
	}

	tx, err := open(t, dsn).BeginTx(ctx, nil)
	check(err)
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, "SELECT 1 FROM jobs WHERE job_id = 1 FOR UPDATE")
	check(err)
	claim := func() (*pier.Job, error) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return st.ClaimJob(ctx, []string{pier.JobTypeRelease}, "runner", time.Now().Add(time.Minute))
	}
	j, err := claim()
	check(err)
	if j.ID != 2 {
		t.Errorf("claimed job %d while job 1 is locked, want 2", j.ID)
	}
	check(tx.Rollback())
	j, err = claim()
	check(err)
	if j.ID != 1 {
		t.Errorf("claimed job %d once job 1 is unlocked, want 1", j.ID)
	}
	if _, err := claim(); pier.ErrorCode(err) != pier.ENOTFOUND {
		t.Errorf("claim with no job pending: error %v, want ENOTFOUND", err)
	}
}

// TestOpenErrors checks that Open refuses bad DSNs before connecting and
// that its errors never show the password.
func TestOpenErrors(t *testing.T) {
	for _, tt := range []struct {
		name, dsn, want string
	}{
		{"Unreachable", "postgres://pier:hunter2@127.0.0.1:1/pier?connect_timeout=5", "127.0.0.1"},
		{"BadPort", "postgres://pier:hunter2@127.0.0.1:port/pier", "cannot parse"},
		{"BadParameter", "postgres://pier:hunter2@127.0.0.1:1/pier?connect_timeout=soon", "cannot parse"},
		{"ZeroPool", "postgres://pier:hunter2@127.0.0.1:1/pier?pool_max_conns=0", "pool_max_conns"},
		{"BadPool", "host=127.0.0.1 port=1 password=hunter2 pool_max_conns=many", "pool_max_conns"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, err := postgres.Open(t.Context(), tt.dsn)
			if err == nil {
				st.Close()
				t.Fatal("Open succeeded")
			}
			if msg := err.Error(); !strings.Contains(msg, tt.want) || strings.Contains(msg, "hunter2") {
				t.Errorf("error %q should mention %q and not the password", msg, tt.want)
			}
		})
	}
}

// migrations returns the version and name of each migration the database
// at dsn records, in order.
func migrations(t *testing.T, dsn string) []string {
	t.Helper()
	rows, err := open(t, dsn).QueryContext(t.Context(), `SELECT version || ' ' || name FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
