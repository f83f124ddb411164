package diff_test

import (
	"testing"

	"github.com/leakscope/leakscope/diff"
)

// estimated builds a dump of one sample type whose stacks carry estimates.
func estimated(t *testing.T, name string, stacks map[string][]float64, order []string) *diff.Dump {
	t.Helper()
	b := diff.NewBuilder([]diff.SampleType{{Type: "inuse_space", Unit: "bytes"}})
	for _, leaf := range order {
		for _, v := range stacks[leaf] {
			b.AddEstimatedStack([]int32{b.Frame(diff.Frame{Function: leaf}), b.Frame(diff.Frame{Function: "main"})}, []float64{v})
		}
	}
	return b.Dump(name)
}

// TestEstimatesSumThenTruncate checks that totals and functions of dumps of
// estimates are sums of the estimates truncated, as jeprof prints them,
// while each stack's value is its estimate rounded.
func TestEstimatesSumThenTruncate(t *testing.T) {
	order := []string{"a", "b", "c"}
	base := estimated(t, "base", map[string][]float64{"a": {0.6, 0.6}, "b": {2.5}, "c": {7.25}}, order)
	later := estimated(t, "later", map[string][]float64{"a": {0.6, 0.6, 0.6}, "b": {2.5, 0.7}, "c": {7.25}}, order)

	if got := later.Values(0)[0]; got != 1 {
		t.Errorf("stack value %d, want 0.6 rounded: 1", got)
	}
	if got := later.Estimates(0)[0]; got != 0.6 {
		t.Errorf("stack estimate %v, want 0.6", got)
	}
	// 0.6*3 + 2.5 + 0.7 + 7.25 = 12.25
	if got := later.Total(0); got != 12 {
		t.Errorf("dump total %d, want 12", got)
	}
	c, err := diff.Compare(base, later, "")
	if err != nil {
		t.Fatal(err)
	}
	// base 0.6*2 + 2.5 + 7.25 = 10.95; later 12.25; difference 1.3
	tests := []struct {
		desc              string
		got               diff.Delta
		base, later, diff int64
	}{
		{"total", c.Total(), 10, 12, 1},
		{"a flat", fn(t, c, "a").Flat, 1, 1, 0},       // 1.2 -> 1.8: +0.6
		{"b flat", fn(t, c, "b").Flat, 2, 3, 0},       // 2.5 -> 3.2: +0.7, not 3-2
		{"main cum", fn(t, c, "main").Cum, 10, 12, 1}, // as the total
		{"main flat", fn(t, c, "main").Flat, 0, 0, 0}, // never a leaf
		{"c flat", fn(t, c, "c").Flat, 7, 7, 0},       // unchanged: exactly zero
	}
	for _, tt := range tests {
		if tt.got.Base != tt.base || tt.got.Later != tt.later || tt.got.Diff() != tt.diff {
			t.Errorf("%s: base %d later %d diff %d; want %d %d %d", tt.desc, tt.got.Base, tt.got.Later, tt.got.Diff(), tt.base, tt.later, tt.diff)
		}
	}
	// A subset keeps the estimates.
	s := c.Subset(func(i int) bool { return c.Frame(c.Stack(i)[0]).Function == "b" })
	if got := s.Total(); got.Base != 2 || got.Later != 3 || got.Diff() != 0 {
		t.Errorf("subset total %+v diff %d, want 2 3 0", got, got.Diff())
	}
	if d := later.Subset(func(i int) bool { return i == 0 }); d.Total(0) != 0 {
		t.Errorf("dump subset total %d, want 0.6 truncated: 0", d.Total(0))
	}
}

// TestEstimatesAgainstIntegers compares a dump of estimates with a dump of
// integers: the integers count as exact estimates.
func TestEstimatesAgainstIntegers(t *testing.T) {
	b := diff.NewBuilder([]diff.SampleType{{Type: "inuse_space", Unit: "bytes"}})
	b.AddStack([]int32{b.Frame(diff.Frame{Function: "a"})}, []int64{3})
	base := b.Dump("base")
	later := estimated(t, "later", map[string][]float64{"a": {3.9}}, []string{"a"})
	c, err := diff.Compare(base, later, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Total(); got.Base != 3 || got.Later != 3 || got.Diff() != 0 {
		t.Errorf("total %+v diff %d, want 3 3 0", got, got.Diff())
	}
	// An estimate that rounds to zero still counts.
	later = estimated(t, "later", map[string][]float64{"a": {3.9}, "b": {0.4, 0.4, 0.4}}, []string{"a", "b"})
	c, _ = diff.Compare(nil, later, "")
	if got := fn(t, c, "b").Flat; got.Later != 1 {
		t.Errorf("b: %+v, want 0.4*3 truncated: 1", got)
	}
}

func fn(t *testing.T, c *diff.Comparison, name string) diff.Function {
	t.Helper()
	for _, f := range c.Functions() {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no function %s", name)
	return diff.Function{}
}
