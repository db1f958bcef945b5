package sqlite_test

import (
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/sqlite"
	"github.com/pier-hosting/pier/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) pier.Store {
		s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "pier.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestReopen checks that a reopened database keeps its data and that opening
// does not apply a migration twice.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "dir with spaces?", "pier.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	want := &pier.App{AccountID: pier.DefaultAccountID, ID: "d1234567890abc", Name: "site"}
	if err := s.CreateAccount(ctx, &pier.Account{ID: pier.DefaultAccountID}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateApp(ctx, want); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	applied := migrations(t, path)

	for range 2 {
		s, err = sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.GetApp(ctx, pier.DefaultAccountID, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("app after reopening (-want +got):\n%s", diff)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(applied, migrations(t, path)); diff != "" {
			t.Errorf("migrations after reopening (-want +got):\n%s", diff)
		}
	}
	if len(applied) == 0 || !strings.HasPrefix(applied[0], "1 0001_init.sql ") {
		t.Errorf("applied migrations = %q, want 0001_init.sql first", applied)
	}
}

// TestFailedMigration checks that a migration that fails leaves neither its
// changes nor a record of itself, and that a later fixed one applies.
func TestFailedMigration(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "pier.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	applied := migrations(t, path)
	// A version far after the embedded migrations, so that it is not taken.
	bad := fstest.MapFS{"9001_extra.sql": {Data: []byte("CREATE TABLE extra (x INTEGER); SELECT no_such_function();")}}
	if err := s.Migrate(ctx, bad); err == nil {
		t.Fatal("Migrate with a failing migration succeeded")
	}
	if diff := cmp.Diff(applied, migrations(t, path)); diff != "" {
		t.Errorf("migrations after a failure (-want +got):\n%s", diff)
	}
	good := fstest.MapFS{"9001_extra.sql": {Data: []byte("CREATE TABLE extra (x INTEGER);")}}
	if err := s.Migrate(ctx, good); err != nil {
		t.Fatalf("Migrate after the fix: %v", err) // fails if the bad migration left the table behind
	}
	if got := migrations(t, path); len(got) != len(applied)+1 || !strings.HasPrefix(got[len(got)-1], "9001 9001_extra.sql ") {
		t.Errorf("migrations after the fix = %q, want one more, 9001_extra.sql", got)
	}
}

// TestJournalMode checks that the database is in WAL mode, which lets
// readers run beside the writer.
func TestJournalMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pier.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var mode string
	if err := open(t, path).QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
}

// open opens the database at path with a connection of its own, closed when
// the test ends.
func open(t *testing.T, path string) *sql.DB {
	t.Helper()
	uri := url.URL{Scheme: "file", Path: path}
	db, err := sql.Open("sqlite", uri.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// migrations returns the rows of the schema_migrations table of the database
// at path.
func migrations(t *testing.T, path string) []string {
	t.Helper()
	rows, err := open(t, path).QueryContext(t.Context(), `SELECT version || ' ' || name || ' ' || applied_at FROM schema_migrations ORDER BY version`)
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
