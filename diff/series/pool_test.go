package series

import (
	"slices"
	"testing"
)

// TestPool: stacks that fill chunks and pass their ends read back whole,
// and a view taken earlier reads the same after more stacks are added.
func TestPool(t *testing.T) {
	var p pool
	want := map[int32][]int32{}
	stackOf := func(i, n int) []int32 {
		s := make([]int32, n)
		for j := range s {
			s[j] = int32(i*7 + j)
		}
		return s
	}
	sizes := []int{3, poolChunk/2 + 1, poolChunk / 2, 1, poolChunk + 5, 2, 0, 4}
	var view pool
	for i, n := range sizes {
		s := stackOf(i, n)
		if id := p.add(s); id != int32(i) {
			t.Fatalf("stack %d got index %d", i, id)
		}
		want[int32(i)] = s
		if i == 3 {
			view = p
		}
	}
	for i, s := range want {
		if got := p.stack(i); !slices.Equal(got, s) {
			t.Errorf("stack %d: %d frames, want %d", i, len(got), len(s))
		}
	}
	if view.len() != 4 {
		t.Fatalf("the view has %d stacks", view.len())
	}
	for i := range int32(4) {
		if got := view.stack(i); !slices.Equal(got, want[i]) {
			t.Errorf("view, stack %d: %d frames, want %d", i, len(got), len(want[i]))
		}
	}
}
