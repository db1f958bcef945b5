package awsapi

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/pier-hosting/pier"
)

// str returns a string member, "" when absent.
func (r *request) str(name string) string {
	s, _ := r.in[name].(string)
	return s
}

// strp returns a string member, nil when absent.
func (r *request) strp(name string) *string {
	if s, ok := r.in[name].(string); ok {
		return &s
	}
	return nil
}

// int returns an integer member, 0 when absent.
func (r *request) int(name string) int {
	switch v := r.in[name].(type) {
	case json.Number:
		n, _ := v.Int64()
		return int(n)
	case float64:
		return int(v)
	case int:
		return v
	case int64:
		return int(v)
	}
	return 0
}

// time returns a timestamp member, the zero time when absent. The model
// package has already checked that it is epoch seconds or ISO-8601.
func (r *request) time(name string) time.Time {
	var secs float64
	switch v := r.in[name].(type) {
	case json.Number:
		secs, _ = v.Float64()
	case float64:
		secs = v
	case string:
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t.UTC()
		}
		secs, _ = strconv.ParseFloat(v, 64)
	default:
		return time.Time{}
	}
	return time.UnixMilli(int64(secs * 1000)).UTC()
}

// decode converts the input into v, a struct whose json tags are the
// member names.
func (r *request) decode(v any) error {
	b, err := json.Marshal(r.in)
	if err != nil {
		return fmt.Errorf("re-encode input: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return pier.Errorf(pier.EINVALID, "Invalid input: %v", err)
	}
	return nil
}
