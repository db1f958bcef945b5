// Package postgres opens Pier's store on a PostgreSQL database, which
// several nodes share when one machine is not enough.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pier-hosting/pier/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// SQLSTATE codes of the constraint violations the store translates.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// migrationLockKey is the key of the advisory lock that migrations take:
// "piermigr" in ASCII. Advisory locks are per database, so Pier's key only
// needs to differ from those other programs on the same database use.
const migrationLockKey = 0x70696572_6d696772

// dialect is PostgreSQL's sqlstore.Dialect.
var dialect = sqlstore.Dialect{
	Placeholder:           func(n int) string { return "$" + strconv.Itoa(n) },
	IsUniqueViolation:     func(err error) bool { return hasCode(err, uniqueViolation) },
	IsForeignKeyViolation: func(err error) bool { return hasCode(err, foreignKeyViolation) },
	// The lock is released when the migration's transaction ends, so a
	// node that dies while migrating cannot leave the database locked.
	MigrationLock: "SELECT pg_advisory_xact_lock(" + strconv.FormatInt(migrationLockKey, 10) + ")",
	SkipLocked:    "FOR UPDATE SKIP LOCKED",
}

// hasCode reports whether err is a PostgreSQL error with the SQLSTATE code.
func hasCode(err error, code string) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == code
}

// Pool defaults: each node keeps at most DefaultMaxConns connections, so
// that a few nodes stay within PostgreSQL's default max_connections (100).
const (
	DefaultMaxConns = 20
	maxIdleTime     = 5 * time.Minute
)

// Open connects to the PostgreSQL database that dsn names and brings its
// schema up to date; processes opening one database together migrate it
// once. dsn is a libpq connection string, a postgres:// URL or key=value
// pairs, with the parameters and PG* environment variables pgx reads, and
// one of Pier's own: pool_max_conns, the most connections the store opens
// (DefaultMaxConns if absent). The schema is the first of the search_path,
// public unless the database or the DSN says otherwise. Close the returned
// store to close its connections.
func Open(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err) // pgx redacts the password
	}
	name := fmt.Sprintf("postgres database %q on %s", cfg.Database, cfg.Host)
	maxConns, err := takeMaxConns(cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns) // the statements sqlstore prepares live on connections
	db.SetConnMaxIdleTime(maxIdleTime)
	s := sqlstore.New(db, dialect)
	sub, err := fs.Sub(migrations, "migrations")
	if err == nil {
		err = s.Migrate(ctx, sub)
	}
	if err != nil {
		_ = s.Close() // the migration error is the one to report
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return s, nil
}

// takeMaxConns removes the pool_max_conns parameter from cfg, which would
// otherwise send it to the server as a setting, and returns its value.
func takeMaxConns(cfg *pgx.ConnConfig) (int, error) {
	v, ok := cfg.RuntimeParams["pool_max_conns"]
	if !ok {
		return DefaultMaxConns, nil
	}
	delete(cfg.RuntimeParams, "pool_max_conns")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("pool_max_conns %q is not a positive integer", v)
	}
	return n, nil
}
