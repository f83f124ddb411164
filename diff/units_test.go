package diff_test

import (
	"math"
	"math/rand/v2"
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
		// A value that rounds up to the next unit shows in it.
		{1048575, "bytes", "1MB", "+1MB"},
		{1048063, "bytes", "1023kB", "+1023kB"},
		{999999, "nanoseconds", "1ms", "+1ms"},
		{59.97e9, "nanoseconds", "1min", "+1min"},
		{59.94e9, "nanoseconds", "59.9s", "+59.9s"},
		{60e9, "nanoseconds", "1min", "+1min"},
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

// TestParseAtLeast: a bound typed as a value is shown keeps every value
// shown so, and leaves out every value shown as less; typed in full, a
// value keeps itself.
func TestParseAtLeast(t *testing.T) {
	t.Parallel()
	// Four changes the window shows alike, as "+1.34MB".
	for _, v := range []int64{1404000, 1405000, 1407000, 1410000} {
		if s := diff.FormatDelta(v, "bytes"); s != "+1.34MB" {
			t.Fatalf("%d shows as %q", v, s)
		}
	}
	if got, err := diff.ParseAtLeast("+1.34MB", "bytes"); err != nil || got > 1404000 || got < 1399000 {
		t.Errorf(`ParseAtLeast("+1.34MB") = %d, %v; want the least value shown as 1.34MB`, got, err)
	}
	if got, err := diff.ParseAtLeast("1410000", "bytes"); err != nil || got != 1410000 {
		t.Errorf(`ParseAtLeast("1410000") = %d, %v; want itself`, got, err)
	}
	if _, err := diff.ParseAtLeast("lots", "bytes"); err == nil {
		t.Error(`ParseAtLeast("lots") gave no error`)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, unit := range []string{"bytes", "nanoseconds", "count"} {
		for range 3000 {
			v := int64(rng.Uint64N(1 << uint(1+rng.IntN(50))))
			s := diff.FormatDelta(v, unit)
			bound, err := diff.ParseAtLeast(s, unit)
			if err != nil {
				t.Fatalf("%s: %q: %v", unit, s, err)
			}
			if bound > v {
				t.Fatalf("%s: %d shows as %q, whose bound %d leaves it out", unit, v, s, bound)
			}
			// Just below the bound, a value shows as less than s.
			if bound > 0 {
				below, _ := diff.ParseValue(diff.FormatValue(bound-1, unit), unit)
				typed, _ := diff.ParseValue(s, unit)
				if below >= typed {
					t.Fatalf("%s: %q: %d, below its bound %d, shows as %q", unit, s, bound-1, bound, diff.FormatValue(bound-1, unit))
				}
			}
		}
	}
}

// TestFormatMinutes: waits read in the unit people use for them.
func TestFormatMinutes(t *testing.T) {
	t.Parallel()
	for m, want := range map[int64]string{0: "0 min", 45: "45 min", 60: "1 h", 125: "2 h 5 min", 1500: "25 h", 2880: "2 d", 4560: "3 d 4 h"} {
		if got := diff.FormatMinutes(m); got != want {
			t.Errorf("FormatMinutes(%d) = %q, want %q", m, got, want)
		}
	}
}
