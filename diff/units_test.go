package diff_test

import (
	"math"
	"testing"

	"github.com/leakscope/leakscope/diff"
)

func TestFormatValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v          int64
		unit, want string
		delta      string
	}{
		{0, "bytes", "0B", "0B"},
		{1536, "bytes", "1.5kB", "+1.5kB"},
		{-1536, "bytes", "-1.5kB", "-1.5kB"},
		{math.MinInt64, "count", "-9223372036854775808", "-9223372036854775808"},
		{math.MaxInt64, "count", "9223372036854775807", "+9223372036854775807"},
		{math.MinInt64, "bytes", "-8EB", "-8EB"},
		{math.MinInt64, "nanoseconds", "-153722867.3min", "-153722867.3min"},
		{90e9, "nanoseconds", "1.5min", "+1.5min"},
	}
	for _, tt := range tests {
		if got := diff.FormatValue(tt.v, tt.unit); got != tt.want {
			t.Errorf("FormatValue(%d, %s) = %q, want %q", tt.v, tt.unit, got, tt.want)
		}
		if got := diff.FormatDelta(tt.v, tt.unit); got != tt.delta {
			t.Errorf("FormatDelta(%d, %s) = %q, want %q", tt.v, tt.unit, got, tt.delta)
		}
	}
}
