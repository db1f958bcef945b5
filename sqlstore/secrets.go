package sqlstore

import (
	"context"
	"fmt"
)

// Secret implements pier.SecretStore. The insert is a no-op when the name is
// taken, so the first candidate stored wins for every caller.
func (s *Store) Secret(ctx context.Context, name string, candidate []byte) ([]byte, error) {
	if _, err := s.exec(ctx, `INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
		name, candidate); err != nil {
		return nil, fmt.Errorf("store secret: %w", err)
	}
	var value []byte
	if err := s.queryRow(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&value); err != nil {
		return nil, fmt.Errorf("get secret: %w", err)
	}
	return value, nil
}
