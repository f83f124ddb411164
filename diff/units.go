package diff

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// FormatValue formats v in unit the way pprof does for people: bytes scaled
// by 1024 (B, kB, MB, GB, TB), nanoseconds as ns, us, ms or s, anything else
// as a plain number. Exact values belong in `leakscope report --json`.
func FormatValue(v int64, unit string) string {
	neg := v < 0
	mag := uint64(v)
	if neg {
		mag = uint64(-(v + 1)) + 1 // also for math.MinInt64, which has no positive
	}
	var s string
	switch strings.ToLower(unit) {
	case "bytes", "byte", "b":
		s = scaled(mag, 1024, "B", []string{"kB", "MB", "GB", "TB", "PB", "EB"})
	case "nanoseconds", "nanosecond", "ns":
		s = scaled(mag, 1000, "ns", []string{"us", "ms", "s"})
		if strings.HasSuffix(s, "ms") || strings.HasSuffix(s, "us") || strings.HasSuffix(s, "ns") {
			break
		}
		if s == "60s" || mag >= 60e9 { // 59.97s shows as a minute, as 1023.9kB shows as 1MB
			s = trimZeros(strconv.FormatFloat(float64(mag)/60e9, 'f', 1, 64)) + "min"
		}
	default:
		s = strconv.FormatUint(mag, 10)
	}
	if neg {
		return "-" + s
	}
	return s
}

// FormatDelta is FormatValue with an explicit sign: "+1.5MB", "-3", "0".
func FormatDelta(v int64, unit string) string {
	if v > 0 {
		return "+" + FormatValue(v, unit)
	}
	return FormatValue(v, unit)
}

func scaled(v uint64, base float64, unit string, units []string) string {
	if float64(v) < base {
		return strconv.FormatUint(v, 10) + unit
	}
	f := float64(v)
	u := unit
	for _, next := range units {
		// A value that rounds to base (at this unit's precision, none from
		// 100 up) shows as one of the next unit: 1MB, not 1024kB.
		if math.Round(f) < base {
			break
		}
		f /= base
		u = next
	}
	prec := 2
	if f >= 100 {
		prec = 0
	} else if f >= 10 {
		prec = 1
	}
	return trimZeros(strconv.FormatFloat(f, 'f', prec, 64)) + u
}

// trimZeros drops a number's trailing zeros after its point: "1.50" is "1.5",
// "2.0" is "2".
func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// ParseValue reads a value in unit as FormatValue and FormatDelta write it,
// so that a value shown can be typed back: "1.5MB" is 1.5 × 1024² bytes,
// "+3kB" is 3072, "250ms" is 250e6 nanoseconds, "1.5min" 90e9, and a
// count is a plain number. For bytes, the IEC names (KiB, MiB, …) and the
// one-letter forms of flags (512M, 2g) mean the same powers of 1024. The
// result is rounded up to a whole unit.
func ParseValue(s, unit string) (int64, error) {
	t := strings.TrimSpace(s)
	neg := false
	if rest, ok := strings.CutPrefix(t, "-"); ok {
		t, neg = rest, true
	} else {
		t = strings.TrimPrefix(t, "+")
	}
	num := strings.TrimRightFunc(t, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') })
	suffix := strings.TrimSpace(t[len(num):])
	mult, ok := 1.0, true
	switch strings.ToLower(unit) {
	case "bytes", "byte", "b":
		u := strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(suffix), "b"), "i")
		mult, ok = byteUnits[u]
		if u == "" {
			mult, ok = 1, true
		}
	case "nanoseconds", "nanosecond", "ns":
		mult, ok = timeUnits[suffix]
		if suffix == "" {
			mult, ok = 1, true
		}
	default:
		ok = suffix == ""
	}
	bad := fmt.Errorf("%q is not a value in %s such as %s", s, unit, FormatValue(exampleValue(unit), unit))
	if !ok || num == "" {
		return 0, bad
	}
	var v int64
	if !strings.Contains(num, ".") { // whole: exact, however large
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil || n > math.MaxInt64/int64(mult) {
			return 0, bad
		}
		v = n * int64(mult)
	} else {
		f, err := strconv.ParseFloat(num, 64)
		x := f * mult
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x >= math.MaxInt64 {
			return 0, bad
		}
		// Up to a whole unit, unless x is one but for float error.
		if r := math.Round(x); math.Abs(x-r) <= 1e-9*max(1, x) {
			v = int64(r)
		} else {
			v = int64(math.Ceil(x))
		}
	}
	if neg {
		v = -v
	}
	return v, nil
}

// FormatMinutes formats a wait of m minutes, as goroutine dumps count
// them, the way people say it: "45 min", "2 h 5 min", "25 h", "3 d 4 h".
func FormatMinutes(m int64) string {
	switch {
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m < 48*60:
		if m%60 == 0 {
			return fmt.Sprintf("%d h", m/60)
		}
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	}
	if h := m / 60 % 24; h != 0 {
		return fmt.Sprintf("%d d %d h", m/(24*60), h)
	}
	return fmt.Sprintf("%d d", m/(24*60))
}

// ParseAtLeast reads a lower bound typed as values are shown, for a filter
// such as the window's noise field: the least magnitude that FormatValue
// shows as s or more, or the value s names exactly when that is less (a
// value typed in full means itself). Every value shown as s passes it,
// where ParseValue(s) would leave out those whose display rounded up to
// s: 1,404,000 bytes show as "1.34MB", which ParseValue reads as
// 1,405,092. The sign is ignored.
func ParseAtLeast(s, unit string) (int64, error) {
	v, err := ParseValue(s, unit)
	if err != nil {
		return 0, err
	}
	if v < 0 {
		v = -v
	}
	// What x shows as, read back, does not decrease as x grows: search
	// [0, v] for the least x that shows as v or more.
	shown := func(x int64) int64 {
		p, err := ParseValue(FormatValue(x, unit), unit)
		if err != nil {
			return math.MaxInt64 // shown beyond what can be read: above any bound
		}
		return p
	}
	lo, hi := int64(0), v
	for lo < hi {
		if mid := lo + (hi-lo)/2; shown(mid) >= v {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, nil
}

// byteUnits are the multipliers of byte suffixes, in lower case, without
// their "B" or "iB".
var byteUnits = map[string]float64{"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50, "e": 1 << 60}

// timeUnits are the multipliers of time suffixes to nanoseconds.
var timeUnits = map[string]float64{"ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9, "min": 60e9}

// exampleValue is a value of unit worth showing as an example.
func exampleValue(unit string) int64 {
	switch strings.ToLower(unit) {
	case "bytes", "byte", "b":
		return 64 << 10
	case "nanoseconds", "nanosecond", "ns":
		return 250e6
	}
	return 100
}

// Example returns how a value of unit is typed, for a placeholder: "64kB",
// "250ms" or "100".
func Example(unit string) string { return FormatValue(exampleValue(unit), unit) }
