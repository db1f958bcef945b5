package postgres_test

import (
	"database/sql"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver of the tests' own connections

	"github.com/pier-hosting/pier/internal/peertest"
)

// TestMain stops the PostgreSQL the tests started (peertest.SharedPostgres).
func TestMain(m *testing.M) {
	code := m.Run()
	peertest.StopShared()
	os.Exit(code)
}

// server is the throwaway PostgreSQL cluster the package's tests share.
type server struct{ *peertest.Postgres }

// requireServer returns the server, starting it on first use; the test is
// skipped if PostgreSQL is not installed unless PIER_TEST_REQUIRE_PEERS=1,
// and fails if the server did not start.
func requireServer(t *testing.T) server {
	t.Helper()
	return server{peertest.SharedPostgres(t)}
}

// dsn returns the URL of database on the server, with the extra parameters
// given as name, value pairs.
func (s server) dsn(database string, params ...string) string {
	return s.DSN(database, params...)
}

// newDatabase creates an empty database and returns its name.
func (s server) newDatabase(t *testing.T) string {
	t.Helper()
	return s.NewDatabase(t)
}

// newSchema creates an empty schema in database, to which db is connected,
// and returns a DSN whose search_path puts Pier's tables there. Creating a
// schema takes a millisecond, a database a tenth of a second.
func (s server) newSchema(t *testing.T, database string, db *sql.DB) string {
	t.Helper()
	name := s.NewName("s")
	if _, err := db.ExecContext(t.Context(), "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	return s.dsn(database, "search_path", name)
}

// open opens a connection to the database that dsn names, closed when the
// test ends.
func open(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
