package diff_test

import (
	"math"
	"strings"
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

// TestParseValue: every value FormatValue and FormatDelta write reads back
// as the value it shows (within its rounding), and the forms people type
// mean what they say.
func TestParseValue(t *testing.T) {
	for _, unit := range []string{"bytes", "nanoseconds", "count"} {
		for _, v := range []int64{0, 1, 999, 1023, 1024, 1536, 65536, 1 << 20, 1572864, 123456789, 5 << 30, 1 << 50, 7e10, -4096, -1500000} {
			for _, shown := range []string{diff.FormatValue(v, unit), diff.FormatDelta(v, unit)} {
				got, err := diff.ParseValue(shown, unit)
				if err != nil {
					t.Errorf("%s %q: %v", unit, shown, err)
					continue
				}
				// What is shown has three significant digits: it reads back
				// to within half a unit of its last digit.
				tol := 0.006 // three significant digits
				if strings.HasSuffix(shown, "min") {
					tol = 0.05 // minutes have one decimal
				}
				if d := math.Abs(float64(got - v)); d > tol*math.Abs(float64(v))+1 {
					t.Errorf("%s: %d is shown as %q, which reads back as %d", unit, v, shown, got)
				}
				if again := diff.FormatValue(got, unit); again != diff.FormatValue(v, unit) {
					t.Errorf("%s: %q reads back as %d, shown as %q", unit, shown, got, again)
				}
			}
		}
	}
	tests := []struct {
		in, unit string
		want     int64
	}{
		{"1.5MB", "bytes", 1572864}, {"64kB", "bytes", 65536}, {"2MiB", "bytes", 2 << 20}, {"512M", "bytes", 512 << 20},
		{"1 GiB", "bytes", 1 << 30}, {"100", "bytes", 100}, {"3B", "bytes", 3}, {"+3kB", "bytes", 3072}, {"-1kB", "bytes", -1024},
		{"250ms", "nanoseconds", 250e6}, {"1.5min", "nanoseconds", 90e9}, {"2s", "nanoseconds", 2e9},
		{"100", "count", 100}, {"+7", "count", 7},
	}
	for _, tt := range tests {
		if got, err := diff.ParseValue(tt.in, tt.unit); err != nil || got != tt.want {
			t.Errorf("diff.ParseValue(%q, %s) = %d, %v; want %d", tt.in, tt.unit, got, err, tt.want)
		}
	}
	for _, bad := range []struct{ in, unit string }{{"1MB", "count"}, {"1ms", "bytes"}, {"x", "bytes"}, {"", "count"}, {"1e400", "bytes"}, {"NaN", "count"}} {
		if got, err := diff.ParseValue(bad.in, bad.unit); err == nil {
			t.Errorf("diff.ParseValue(%q, %s) = %d, want an error", bad.in, bad.unit, got)
		}
	}
}
