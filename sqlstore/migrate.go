package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"
)

// migration is one schema change: a file named like 0001_init.sql.
type migration struct {
	version int64
	name    string
}

// Migrate brings the schema up to date by applying, in version order, the
// migrations in fsys that the schema_migrations table does not list yet.
// Migrations are .sql files at the root of fsys named VERSION_description.sql
// with a decimal VERSION; each runs in its own transaction together with the
// row that records it, so a failed migration leaves no trace and reopening a
// database applies nothing twice. Every transaction begins with the
// dialect's MigrationLock, so that processes starting together on one
// database migrate it once.
func (s *Store) Migrate(ctx context.Context, fsys fs.FS) error {
	migrations, err := readMigrations(fsys)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := s.migrationTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version BIGINT PRIMARY KEY,
			name TEXT NOT NULL,
			applied_at TEXT NOT NULL
		)`)
		return err
	}); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	for _, m := range migrations {
		if err := s.migrationTx(ctx, func(tx *sql.Tx) error { return s.apply(ctx, tx, fsys, m) }); err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
	}
	return nil
}

// migrationTx runs fn in a transaction that begins with the dialect's
// MigrationLock. Creating schema_migrations needs the lock too: PostgreSQL
// can fail one of two concurrent CREATE TABLE IF NOT EXISTS of one table.
func (s *Store) migrationTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if s.d.MigrationLock != "" {
			if _, err := tx.ExecContext(ctx, s.d.MigrationLock); err != nil {
				return fmt.Errorf("lock: %w", err)
			}
		}
		return fn(tx)
	})
}

// apply runs m in tx unless it has been applied. Checking inside the
// transaction, after the lock, lets two processes opening one database
// migrate it once.
func (s *Store) apply(ctx context.Context, tx *sql.Tx, fsys fs.FS, m migration) error {
	var n int
	if err := tx.QueryRowContext(ctx, s.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`),
		m.version).Scan(&n); err != nil {
		return err
	} else if n > 0 {
		return nil
	}
	script, err := fs.ReadFile(fsys, m.name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(script)); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
		m.version, m.name, time.Now().UTC().Format(time.RFC3339Nano))
	return err
}

// readMigrations lists the migrations of fsys in version order.
func readMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	var migrations []migration
	for _, name := range names {
		prefix, _, ok := strings.Cut(name, "_")
		version, err := strconv.ParseInt(prefix, 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be VERSION_description.sql", name)
		}
		migrations = append(migrations, migration{version: version, name: name})
	}
	slices.SortFunc(migrations, func(a, b migration) int { return cmp.Compare(a.version, b.version) })
	for i := 1; i < len(migrations); i++ {
		if migrations[i].version == migrations[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s have the same version", migrations[i-1].name, migrations[i].name)
		}
	}
	return migrations, nil
}
