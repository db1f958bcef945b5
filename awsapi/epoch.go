package awsapi

import (
	"strconv"
	"time"
)

// epoch is a timestamp on the wire: epoch seconds as a JSON number, the
// restJson1 default for body members.
type epoch time.Time

// MarshalJSON writes whole seconds as an integer and anything finer as a
// number with millisecond precision.
func (t epoch) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	ms := tt.UnixMilli()
	if ms%1000 == 0 {
		return strconv.AppendInt(nil, ms/1000, 10), nil
	}
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', 3, 64), nil
}

// optEpoch returns nil for the zero time so optional members are omitted.
func optEpoch(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}
