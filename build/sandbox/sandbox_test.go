package sandbox

import "testing"

func TestLimitsFor(t *testing.T) {
	for _, tt := range []struct {
		computeType string
		want        Limits
	}{
		{"STANDARD_8GB", Limits{MemoryBytes: 8 << 30, Processes: 4096}},
		{"LARGE_16GB", Limits{MemoryBytes: 16 << 30, Processes: 8192}},
		{"XLARGE_72GB", Limits{MemoryBytes: 72 << 30, Processes: 16384}},
		{"", Limits{MemoryBytes: 8 << 30, Processes: 4096}},
		{"HUGE", Limits{MemoryBytes: 8 << 30, Processes: 4096}},
	} {
		t.Run(tt.computeType, func(t *testing.T) {
			if got := LimitsFor(tt.computeType); got != tt.want {
				t.Errorf("LimitsFor(%q) = %+v, want %+v", tt.computeType, got, tt.want)
			}
		})
	}
}
