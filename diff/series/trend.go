package series

import (
	"math"
	"sort"
)

// Trend is how one value moved over the snapshots of a series, and how much
// it looks like a leak.
type Trend struct {
	// Values holds the value at each snapshot, first to last.
	Values []int64
	// Grew counts the intervals (pairs of consecutive snapshots) in which
	// the value grew; Intervals is their number, len(Values)-1.
	Grew, Intervals int
	// Rate is the robust growth rate (Theil–Sen: the median of the slopes
	// between every two snapshots), in units per hour when PerHour is set,
	// per interval otherwise.
	Rate    float64
	PerHour bool
	// Fit is how well the line of that slope fits the values: 1 - SSres/SStot,
	// clipped to [0, 1]; 0 for a value that never changes.
	Fit float64
	// Growth is what the fitted line grew by from the first snapshot to the
	// last (Rate times the span); negative for a value that shrinks.
	Growth float64
	// Score ranks leak suspects, in [0, 1]: see Score.
	Score float64
}

// Last returns the value at the last snapshot.
func (t *Trend) Last() int64 {
	if len(t.Values) == 0 {
		return 0
	}
	return t.Values[len(t.Values)-1]
}

// Delta returns the last value minus the first.
func (t *Trend) Delta() int64 {
	if len(t.Values) == 0 {
		return 0
	}
	return t.Values[len(t.Values)-1] - t.Values[0]
}

// Steady reports whether the value grew in every interval.
func (t *Trend) Steady() bool { return t.Intervals > 0 && t.Grew == t.Intervals }

// maxPairs bounds the slopes Theil–Sen takes the median of; longer series
// use the slopes between snapshots half the series apart.
const maxPairs = 2048

// NewTrend measures values taken at the given times, in hours from any
// origin (nil when the times are not known: snapshots are then one interval
// apart). Score is left 0: it depends on the other trends (see Score).
func NewTrend(values []int64, hours []float64) Trend {
	t := Trend{Values: values, Intervals: max(len(values)-1, 0), PerHour: hours != nil}
	n := len(values)
	if n < 2 {
		return t
	}
	at := func(i int) float64 {
		if hours != nil {
			return hours[i]
		}
		return float64(i)
	}
	for i := 1; i < n; i++ {
		if values[i] > values[i-1] {
			t.Grew++
		}
	}
	var slopes []float64
	addSlope := func(i, j int) {
		if dt := at(j) - at(i); dt > 0 {
			slopes = append(slopes, (float64(values[j])-float64(values[i]))/dt)
		}
	}
	if n*(n-1)/2 <= maxPairs {
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				addSlope(i, j)
			}
		}
	} else {
		h := n / 2
		for i := 0; i+h < n; i++ {
			addSlope(i, i+h)
		}
	}
	if len(slopes) == 0 {
		return t
	}
	t.Rate = median(slopes)
	resid := make([]float64, n)
	var mean float64
	for i, v := range values {
		resid[i] = float64(v) - t.Rate*at(i)
		mean += float64(v)
	}
	mean /= float64(n)
	a := median(resid)
	var ssRes, ssTot float64
	for i, v := range values {
		e := float64(v) - (a + t.Rate*at(i))
		ssRes += e * e
		d := float64(v) - mean
		ssTot += d * d
	}
	if ssTot > 0 {
		t.Fit = math.Max(0, math.Min(1, 1-ssRes/ssTot))
	}
	t.Growth = t.Rate * (at(n-1) - at(0))
	return t
}

func median(xs []float64) float64 {
	sort.Float64s(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// Score sets the score of each trend, given the scale of the series (for
// memory, its largest total; for goroutines, its largest goroutine count):
//
//	score = (grew/intervals)² × fit × growth/(growth + floor)
//
// where floor is 0.1% of scale, and at least 1. The first factor makes a
// value that grew in every interval count fully and one that grew in half
// of them a quarter; the fit of the robust line sends a warm-up that
// plateaus, a sawtooth or a burst down even when it ends high; the last
// factor, near 1 for any growth of note, keeps what grows by a few bytes
// below what grows by megabytes. A value that does not grow scores 0.
func Score(trends []Trend, scale int64) {
	floor := math.Max(1, float64(scale)/1000)
	for i := range trends {
		t := &trends[i]
		t.Score = 0
		if t.Intervals == 0 || t.Growth <= 0 || t.Grew == 0 {
			continue
		}
		share := float64(t.Grew) / float64(t.Intervals)
		t.Score = share * share * t.Fit * t.Growth / (t.Growth + floor)
	}
}
