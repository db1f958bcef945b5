// Package sqlite opens Pier's store on an SQLite database file, the embedded
// default of a single node.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/pier-hosting/pier/sqlstore"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// dialect is SQLite's sqlstore.Dialect.
var dialect = sqlstore.Dialect{
	Placeholder: func(int) string { return "?" },
	IsUniqueViolation: func(err error) bool {
		return hasCode(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
	IsForeignKeyViolation: func(err error) bool {
		return hasCode(err, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY)
	},
}

// hasCode reports whether err is an SQLite error with one of the (extended)
// result codes.
func hasCode(err error, codes ...int) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, c := range codes {
		if e.Code() == c {
			return true
		}
	}
	return false
}

// Open opens the SQLite database at path, creating the file if needed, and
// brings its schema up to date. The directory must exist. Close the returned
// store to close the database.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	dsn, err := dataSourceName(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := sqlstore.New(db, dialect)
	sub, err := fs.Sub(migrations, "migrations")
	if err == nil {
		err = s.Migrate(ctx, sub)
	}
	if err != nil {
		_ = s.Close() // the migration error is the one to report
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return s, nil
}

// dataSourceName returns the driver's URI for the file at path. The pragmas
// are parameters so that every pooled connection gets them: WAL lets readers
// run beside the writer, busy_timeout makes writers queue instead of failing,
// and _txlock=immediate takes the write lock when a transaction begins, so
// that two transactions never deadlock upgrading read locks.
func dataSourceName(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	abs = filepath.ToSlash(abs)
	if !strings.HasPrefix(abs, "/") {
		abs = "/" + abs // a Windows drive letter
	}
	q := url.Values{
		"_pragma": {
			"busy_timeout(10000)",
			"foreign_keys(1)",
			"journal_mode(WAL)",
			"synchronous(NORMAL)",
		},
		"_txlock": {"immediate"},
	}
	u := url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}
	return u.String(), nil
}
