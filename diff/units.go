package diff

import (
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
		if mag >= 60e9 {
			s = strconv.FormatFloat(float64(mag)/60e9, 'f', 1, 64) + "min"
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
		if f < base {
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
	s := strconv.FormatFloat(f, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s + u
}
