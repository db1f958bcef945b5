// Package sqlstore implements pier.Store on a SQL database through
// database/sql. It holds the queries; the packages named after each database
// (sqlite, postgres) open the connection, describe their Dialect and embed
// the migrations, written in their SQL, that Store.Migrate applies.
//
// The schema those migrations must create has one table per resource with
// its key columns as real columns (foreign keys ON DELETE CASCADE, UNIQUE
// constraints), an increasing integer seq that orders lists and serves as
// their cursor, and a doc column holding the rest of the record as JSON so
// that adding a field to a domain type needs no migration. A few fields have
// columns of their own besides: those queries filter on (a job's status,
// type and lease end, copied from doc on every write), and those that only
// some operations may change or that a write compares (a branch's job and
// deployment pointers, the version of a job, app, branch, domain association
// or webhook), whose column is what reads return.
// The SQLite migrations are the reference: every database has the same
// tables and columns.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/pier-hosting/pier"
)

// Dialect describes what differs between the databases Store runs on.
type Dialect struct {
	// Placeholder returns the marker of the n-th (1-based) bind parameter of
	// a statement: "?" for SQLite, "$n" for PostgreSQL.
	Placeholder func(n int) string
	// IsUniqueViolation reports whether err reports a UNIQUE or PRIMARY KEY
	// constraint violation.
	IsUniqueViolation func(err error) bool
	// IsForeignKeyViolation reports whether err reports a FOREIGN KEY
	// constraint violation.
	IsForeignKeyViolation func(err error) bool
	// MigrationLock is a statement Migrate runs first in each of its
	// transactions, so that processes migrating one database at the same
	// time take turns: on PostgreSQL, a transaction-scoped advisory lock.
	// Empty runs nothing, for a database whose write transactions already
	// exclude one another, as SQLite's immediate transactions do.
	MigrationLock string
	// SkipLocked is the clause ClaimJob appends to the SELECT of its
	// candidate to lock that row until the claim commits and to pass over
	// the rows other transactions hold locked, so that concurrent claimers
	// take different jobs instead of all racing for the oldest: on
	// PostgreSQL, "FOR UPDATE SKIP LOCKED". Empty adds nothing, for a
	// database whose write transactions exclude one another (SQLite).
	SkipLocked string
}

// Store implements pier.Store on a SQL database. It is safe for concurrent
// use.
type Store struct {
	db *sql.DB
	d  Dialect
	// stmts caches prepared statements by query text: parsing SQL costs
	// more than running these small queries.
	stmts sync.Map // string → *sql.Stmt
}

var _ pier.Store = (*Store)(nil)

// New returns a Store on db; Migrate brings its schema up to date. The Store
// owns db: Close closes it.
func New(db *sql.DB, d Dialect) *Store {
	return &Store{db: db, d: d}
}

// Close closes the prepared statements and the database.
func (s *Store) Close() error {
	s.stmts.Range(func(_, v any) bool {
		_ = v.(*sql.Stmt).Close()
		return true
	})
	return s.db.Close()
}

// prepared returns the cached prepared statement of query (in "?" form).
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, s.rebind(query))
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(query, st); loaded {
		_ = st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// rebind rewrites the "?" markers of query into the dialect's placeholders.
// Queries in this package never contain "?" in literals.
func (s *Store) rebind(query string) string {
	var b strings.Builder
	n := 0
	for {
		i := strings.IndexByte(query, '?')
		if i < 0 {
			break
		}
		n++
		b.WriteString(query[:i])
		b.WriteString(s.d.Placeholder(n))
		query = query[i+1:]
	}
	b.WriteString(query)
	return b.String()
}

func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.prepared(ctx, query)
	if err != nil {
		// Running it unprepared reports the same error through Row.Scan.
		return s.db.QueryRowContext(ctx, s.rebind(query), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// conn runs statements: the Store itself, through its cached prepared
// statements, or a transaction (txConn). Helpers that take a conn serve
// both single statements and transactions.
type conn interface {
	exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	queryRow(ctx context.Context, query string, args ...any) *sql.Row
}

// txConn runs the statements of a transaction, rebinding their "?" markers.
type txConn struct {
	s  *Store
	tx *sql.Tx
}

func (c txConn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.tx.ExecContext(ctx, c.s.rebind(query), args...)
}

func (c txConn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return c.tx.QueryRowContext(ctx, c.s.rebind(query), args...)
}

// withTx runs fn in a transaction, committing if fn returns nil.
func (s *Store) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the error of fn is the one to report
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// writeError translates the error of a write: a unique violation becomes
// conflict and a foreign key violation becomes missing (the parent that does
// not exist). Any other error is wrapped with op.
func (s *Store) writeError(err error, op string, conflict, missing *pier.Error) error {
	switch {
	case conflict != nil && s.d.IsUniqueViolation(err):
		return conflict
	case missing != nil && s.d.IsForeignKeyViolation(err):
		return missing
	}
	return fmt.Errorf("%s: %w", op, err)
}

// mustAffect returns missing if a write changed no row.
func mustAffect(res sql.Result, missing *pier.Error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("rows affected: %w", err)
	} else if n == 0 {
		return missing
	}
	return nil
}

// mustMatch returns nil if the version-checked write res changed a row.
// Otherwise the row is missing, or another writer changed it since the
// caller read it: missing if exists (a query of the row's key) finds no row,
// changed if it does.
func (s *Store) mustMatch(ctx context.Context, res sql.Result, missing, changed *pier.Error, exists string, args ...any) error {
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("rows affected: %w", err)
	} else if n > 0 {
		return nil
	}
	ok, err := s.exists(ctx, exists, args...)
	switch {
	case err != nil:
		return fmt.Errorf("check version: %w", err)
	case !ok:
		return missing
	}
	return changed
}

// exists reports whether query returns a row.
func (s *Store) exists(ctx context.Context, query string, args ...any) (bool, error) {
	var one int
	err := s.queryRow(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return true, nil
}

// encode returns the JSON document stored for v.
func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode: %w", err)
	}
	return string(b), nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// scanDoc scans a row of (key, doc) into a new T, returning the key as well.
func scanDoc[T any](sc scanner) (*T, int64, error) {
	var key int64
	var doc []byte
	if err := sc.Scan(&key, &doc); err != nil {
		return nil, 0, err
	}
	v := new(T)
	if err := json.Unmarshal(doc, v); err != nil {
		return nil, 0, fmt.Errorf("decode: %w", err)
	}
	return v, key, nil
}

// scanVersioned returns a scanner of rows of (key, doc, version) into a new
// T, whose Version setVersion sets from the version column: the one copy of
// it that counts.
func scanVersioned[T any](setVersion func(*T, int64)) func(scanner) (*T, int64, error) {
	return func(sc scanner) (*T, int64, error) {
		var key, version int64
		var doc []byte
		if err := sc.Scan(&key, &doc, &version); err != nil {
			return nil, 0, err
		}
		v := new(T)
		if err := json.Unmarshal(doc, v); err != nil {
			return nil, 0, fmt.Errorf("decode: %w", err)
		}
		setVersion(v, version)
		return v, key, nil
	}
}

// get returns the one row of query scanned with scan, or missing if there is
// none. Other errors are wrapped with op.
func get[T any](ctx context.Context, s *Store, op string, missing *pier.Error, scan func(scanner) (*T, int64, error), query string, args ...any) (*T, error) {
	v, _, err := scan(s.queryRow(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, missing
	} else if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return v, nil
}

// listing is a list query: the rows of table matching where, selected as
// columns (the first of which is key), ordered by key.
type listing struct {
	columns string
	table   string
	where   string
	args    []any
	key     string
	// desc orders by key descending (newest first).
	desc bool
}

// list returns the page p of l, scanning each row with scan, and the cursor
// of the next page ("" after the last): the key of the page's last item.
// Errors other than a bad page are wrapped with op.
func list[T any](ctx context.Context, s *Store, op string, l listing, p pier.Page, scan func(scanner) (*T, int64, error)) ([]*T, string, error) {
	if p.Limit < 1 {
		return nil, "", pier.Errorf(pier.EINVALID, "Page limit must be at least 1")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s FROM %s WHERE %s", l.columns, l.table, l.where)
	args := l.args[:len(l.args):len(l.args)] // appends must not write into l.args
	if p.After != "" {
		after, err := strconv.ParseInt(p.After, 10, 64)
		if err != nil || after < 0 {
			return nil, "", pier.Errorf(pier.EINVALID, "Invalid pagination token")
		}
		rel := ">"
		if l.desc {
			rel = "<"
		}
		fmt.Fprintf(&b, " AND %s %s ?", l.key, rel)
		args = append(args, after)
	}
	fmt.Fprintf(&b, " ORDER BY %s", l.key)
	if l.desc {
		b.WriteString(" DESC")
	}
	b.WriteString(" LIMIT ?")
	args = append(args, p.Limit+1) // the extra row tells whether a next page exists

	items, keys, err := queryAll(ctx, s, b.String(), args, scan)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", op, err)
	}
	if len(items) <= p.Limit {
		return items, "", nil
	}
	return items[:p.Limit], strconv.FormatInt(keys[p.Limit-1], 10), nil
}

// queryAll returns every row of query scanned with scan, and their keys.
func queryAll[T any](ctx context.Context, s *Store, query string, args []any, scan func(scanner) (*T, int64, error)) ([]*T, []int64, error) {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return nil, nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var items []*T
	var keys []int64
	for rows.Next() {
		v, key, err := scan(rows)
		if err != nil {
			return nil, nil, err
		}
		items = append(items, v)
		keys = append(keys, key)
	}
	return items, keys, rows.Err()
}
