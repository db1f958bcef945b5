package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/pier-hosting/pier"
)

// GetValue implements pier.ValueStore.
func (s *Store) GetValue(ctx context.Context, key string) ([]byte, error) {
	var value []byte
	err := s.queryRow(ctx, `SELECT value FROM kv WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, pier.Errorf(pier.ENOTFOUND, "No value under %s.", key)
	} else if err != nil {
		return nil, fmt.Errorf("get value: %w", err)
	}
	if value == nil {
		value = []byte{}
	}
	return value, nil
}

// PutValue implements pier.ValueStore.
func (s *Store) PutValue(ctx context.Context, key string, value []byte) error {
	if value == nil {
		value = []byte{} // the column is NOT NULL
	}
	if _, err := s.exec(ctx, `INSERT INTO kv (key, value, modified) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, modified = excluded.modified`,
		key, value, time.Now().UnixNano()); err != nil {
		return fmt.Errorf("put value: %w", err)
	}
	return nil
}

// DeleteValue implements pier.ValueStore.
func (s *Store) DeleteValue(ctx context.Context, key string) error {
	res, err := s.exec(ctx, `DELETE FROM kv WHERE key = ?`, key)
	if err != nil {
		return fmt.Errorf("delete value: %w", err)
	}
	return mustAffect(res, pier.Errorf(pier.ENOTFOUND, "No value under %s.", key))
}

// ListValues implements pier.ValueStore. It compares prefixes with substr
// rather than a range or LIKE: PostgreSQL orders text by the database's
// collation, and LIKE would need its wildcards escaped. The keys are sorted
// here for the same reason.
func (s *Store) ListValues(ctx context.Context, prefix string) ([]string, error) {
	st, err := s.prepared(ctx, `SELECT key FROM kv WHERE substr(key, 1, ?) = ?`)
	if err != nil {
		return nil, fmt.Errorf("list values: %w", err)
	}
	rows, err := st.QueryContext(ctx, utf8.RuneCountInString(prefix), prefix)
	if err != nil {
		return nil, fmt.Errorf("list values: %w", err)
	}
	defer rows.Close()
	keys := []string{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("list values: %w", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list values: %w", err)
	}
	slices.Sort(keys)
	return keys, nil
}

// StatValue implements pier.ValueStore.
func (s *Store) StatValue(ctx context.Context, key string) (pier.ValueInfo, error) {
	var size, modified int64
	err := s.queryRow(ctx, `SELECT length(value), modified FROM kv WHERE key = ?`, key).Scan(&size, &modified)
	if errors.Is(err, sql.ErrNoRows) {
		return pier.ValueInfo{}, pier.Errorf(pier.ENOTFOUND, "No value under %s.", key)
	} else if err != nil {
		return pier.ValueInfo{}, fmt.Errorf("stat value: %w", err)
	}
	return pier.ValueInfo{Key: key, Size: size, Modified: time.Unix(0, modified)}, nil
}

// TryLock implements pier.ValueStore in one statement: the insert takes a
// free lock, and its conflict clause takes over a held one only if owner
// holds it or its lease has ended. A lock it did not take affects no row.
func (s *Store) TryLock(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	now := time.Now()
	res, err := s.exec(ctx, `INSERT INTO kv_locks (name, owner, expires) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires = excluded.expires
		WHERE kv_locks.owner = excluded.owner OR kv_locks.expires <= ?`,
		name, owner, now.Add(ttl).UnixNano(), now.UnixNano())
	if err != nil {
		return false, fmt.Errorf("lock %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("lock %s: rows affected: %w", name, err)
	}
	return n > 0, nil
}

// Unlock implements pier.ValueStore.
func (s *Store) Unlock(ctx context.Context, name, owner string) error {
	res, err := s.exec(ctx, `DELETE FROM kv_locks WHERE name = ? AND owner = ?`, name, owner)
	if err != nil {
		return fmt.Errorf("unlock %s: %w", name, err)
	}
	return mustAffect(res, pier.Errorf(pier.ENOTFOUND, "%s does not hold the lock %s.", owner, name))
}
