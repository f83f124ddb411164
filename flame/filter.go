package flame

import "github.com/leakscope/leakscope/diff"

// Filter leaves out the frames that are noise in a comparison: whole
// subtrees in which no frame passes every condition set. A frame that
// passes keeps its callers on screen. The zero Filter keeps everything.
type Filter struct {
	// MinDelta hides subtrees in which no frame's value changed by at
	// least this much, in the sample type's unit; 0 for no minimum.
	MinDelta int64
	// GrowthOnly hides subtrees in which no frame grew.
	GrowthOnly bool
	// HideUnchanged hides subtrees in which no frame changed.
	HideUnchanged bool
}

// Active reports whether f hides anything.
func (f Filter) Active() bool { return f.MinDelta > 0 || f.GrowthOnly || f.HideUnchanged }

// Passes reports whether a value that went from base to later passes f.
func (f Filter) Passes(d diff.Delta) bool {
	delta := d.Diff()
	switch {
	case f.MinDelta > 0 && abs64(delta) < f.MinDelta:
		return false
	case f.GrowthOnly && delta <= 0:
		return false
	case f.HideUnchanged && delta == 0:
		return false
	}
	return true
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// Hidden is what a Filter left out of a tree.
type Hidden struct {
	Frames int        // nodes left out
	Value  diff.Delta // the values of the subtrees left out
}

// Filtered returns every node's width in mode m with the subtrees that f
// hides left out (0 for those), for Options.Weights, and what was hidden.
// A frame kept keeps its whole width (Weight), so that the graph keeps its
// proportions: what its hidden callees held is a gap below it, and a frame
// that passes is drawn even when all its value lies in callees that do
// not. It runs in time linear in the size of the tree.
func (t *Tree) Filtered(f Filter, m WidthMode) ([]int64, Hidden) {
	n := len(t.Nodes)
	keep := make([]bool, n)
	// Children have larger indices than their parents.
	for i := n - 1; i >= 0; i-- {
		if keep[i] || f.Passes(t.Nodes[i].Total) || i == int(Root) {
			keep[i] = true
			if p := t.Nodes[i].Parent; p >= 0 {
				keep[p] = true
			}
		}
	}
	w := make([]int64, n)
	var h Hidden
	for i := range t.Nodes {
		if keep[i] {
			w[i] = t.Weight(int32(i), m)
			continue
		}
		h.Frames++
		if p := t.Nodes[i].Parent; p >= 0 && keep[p] {
			h.Value = addDelta(h.Value, t.Nodes[i].Total)
		}
	}
	return w, h
}
