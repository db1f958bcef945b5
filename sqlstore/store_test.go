package sqlstore

import (
	"strconv"
	"testing"
)

func TestRebind(t *testing.T) {
	dollar := &Store{d: Dialect{Placeholder: func(n int) string { return "$" + strconv.Itoa(n) }}}
	question := &Store{d: Dialect{Placeholder: func(int) string { return "?" }}}
	for _, tt := range []struct {
		query, dollar string
	}{
		{"SELECT 1", "SELECT 1"},
		{"DELETE FROM t WHERE a = ?", "DELETE FROM t WHERE a = $1"},
		{"UPDATE t SET d = ? WHERE a = ? AND b = ?", "UPDATE t SET d = $1 WHERE a = $2 AND b = $3"},
		{"INSERT INTO t (a, b) VALUES (?,?)", "INSERT INTO t (a, b) VALUES ($1,$2)"},
	} {
		if got := dollar.rebind(tt.query); got != tt.dollar {
			t.Errorf("rebind(%q) with $n = %q, want %q", tt.query, got, tt.dollar)
		}
		if got := question.rebind(tt.query); got != tt.query {
			t.Errorf("rebind(%q) with ? = %q, want it unchanged", tt.query, got)
		}
	}
}
