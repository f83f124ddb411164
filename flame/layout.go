package flame

import (
	"slices"
	"sort"
)

// Box is one rectangle of a laid-out flame graph. X and W are fractions of the
// full width; Depth is the row, 0 for the root.
type Box struct {
	Node  int32 // the node drawn, or for a merged box the first node merged
	X, W  float64
	Depth int
	// Merged counts the siblings merged into this "…" box because each was
	// narrower than the minimum width; 0 for an ordinary box.
	Merged int
	// Ancestor marks the boxes above the zoomed node, drawn full width.
	Ancestor bool
	// Folded counts the ancestors folded into this one "… N frames" box
	// (see Options.FoldAbove); 0 for an ordinary box. Its Node is the
	// outermost ancestor folded.
	Folded int
	// Run, for a box of runtime frames folded into one row (see
	// Options.Runtime), is the run's last node and RunLen its length; Node
	// is its first. 0 for an ordinary box.
	Run    int32
	RunLen int
}

// Plain reports whether b draws one node: not a "…" box of merged
// siblings, folded callers or a folded run.
func (b Box) Plain() bool { return b.Merged == 0 && b.Folded == 0 && b.Run == 0 }

// Options control a layout.
type Options struct {
	Mode WidthMode
	// Zoom is the node that fills the width; its ancestors stay above it.
	// The zero value is the root.
	Zoom int32
	// MinWidth is the narrowest box laid out, as a fraction of the width:
	// one pixel is 1/width. Narrower siblings merge into a "…" box.
	MinWidth float64
	// MaxDepth limits the rows laid out; 0 means no limit.
	MaxDepth int
	// Hidden nodes are left out with everything below them, and their
	// parents shrink to match; nil hides nothing.
	Hidden func(node int32) bool
	// Weights, when not nil, gives every node's width (by node index)
	// instead of the tree's Weight in Mode, as a Filter computes it. A node
	// of weight 0 is left out.
	Weights []int64
	// FoldAbove, when above 0, keeps at most that many ancestors of the
	// zoomed node on their own rows; the older ones fold into one row.
	FoldAbove int
	// Runtime, when not nil, folds each run of two or more consecutive
	// runtime frames (those it reports) below the zoomed node into one row,
	// so that the program's own frames come first: a run goes on from a
	// frame to its child while the child is a runtime frame that holds
	// 99 % or more of the frame's width. The folded box is as wide as the
	// run's first frame, and the children of its last frame follow it; the
	// values do not change. Expanded runs (by their first node) are not
	// folded.
	Runtime  func(node int32) bool
	Expanded func(node int32) bool
}

// Layout is a laid-out flame graph: boxes by row, each row sorted by X.
type Layout struct {
	Tree  *Tree
	Opts  Options
	Rows  [][]Box
	Scale float64 // width fraction per unit of weight below the zoomed node
	// Folded counts the ancestors folded into row 0; ZoomRow is the row of
	// the zoomed node.
	Folded, ZoomRow int
}

// Layout lays out the tree. Only boxes at least MinWidth wide are produced,
// so the cost follows what is visible, not the size of the tree.
func (t *Tree) Layout(o Options) *Layout {
	l := &Layout{Tree: t, Opts: o}
	zoom := o.Zoom
	if zoom < 0 || int(zoom) >= len(t.Nodes) {
		zoom = Root
	}
	path := t.Path(zoom)
	ancestors := path[:len(path)-1]
	depth := 0
	if o.FoldAbove > 0 && len(ancestors) > o.FoldAbove+1 {
		fold := len(ancestors) - o.FoldAbove
		l.add(Box{Node: ancestors[0], X: 0, W: 1, Depth: 0, Ancestor: true, Folded: fold})
		ancestors, depth = ancestors[fold:], 1
		l.Folded = fold
	}
	for _, n := range ancestors {
		l.add(Box{Node: n, X: 0, W: 1, Depth: depth, Ancestor: true})
		depth++
	}
	l.ZoomRow = depth
	w := l.weight(zoom)
	if w <= 0 {
		l.add(Box{Node: zoom, X: 0, W: 1, Depth: depth})
		return l
	}
	l.Scale = 1 / float64(w)
	l.place(zoom, 0, 1, depth)
	return l
}

// Row returns the row node i is laid out on and its box, if it is.
func (l *Layout) Row(i int32) (int, Box, bool) {
	for d, row := range l.Rows {
		for _, b := range row {
			if b.Node == i && b.Plain() {
				return d, b, true
			}
		}
	}
	return 0, Box{}, false
}

func (l *Layout) add(b Box) {
	for len(l.Rows) <= b.Depth {
		l.Rows = append(l.Rows, nil)
	}
	l.Rows[b.Depth] = append(l.Rows[b.Depth], b)
}

// weight is the node's width in the layout's mode, less hidden children.
func (l *Layout) weight(i int32) int64 {
	if l.Opts.Weights != nil {
		return l.Opts.Weights[i]
	}
	w := l.Tree.Weight(i, l.Opts.Mode)
	if l.Opts.Hidden == nil {
		return w
	}
	if l.Opts.Hidden(i) {
		return 0
	}
	for _, c := range l.Tree.Children(i) {
		if h := l.hiddenWeight(c); h > 0 {
			w -= h
		}
	}
	return max(w, 0)
}

// hiddenWeight is the weight of the hidden nodes at or below i.
func (l *Layout) hiddenWeight(i int32) int64 {
	if l.Opts.Hidden(i) {
		return l.Tree.Weight(i, l.Opts.Mode)
	}
	var h int64
	for _, c := range l.Tree.Children(i) {
		h += l.hiddenWeight(c)
	}
	return h
}

// run returns the last node and the length of the run of runtime frames
// that starts at i: 1 when i starts none.
func (l *Layout) run(i int32) (int32, int) {
	if l.Opts.Runtime == nil || !l.Opts.Runtime(i) || l.Opts.Expanded != nil && l.Opts.Expanded(i) {
		return i, 1
	}
	end, n := i, 1
	for {
		w := l.weight(end)
		next := int32(-1)
		for _, c := range l.Tree.Children(end) {
			if cw := l.weight(c); cw > 0 && cw*100 >= w*99 {
				next = c
				break
			}
		}
		if next < 0 || !l.Opts.Runtime(next) {
			return end, n
		}
		end, n = next, n+1
	}
}

// place lays out node i at [x, x+w) and its children below it.
func (l *Layout) place(i int32, x, w float64, depth int) {
	if end, n := l.run(i); n >= 2 {
		l.add(Box{Node: i, X: x, W: w, Depth: depth, Run: end, RunLen: n})
		i = end // the run's last frame's children follow
	} else {
		l.add(Box{Node: i, X: x, W: w, Depth: depth})
	}
	if l.Opts.MaxDepth > 0 && depth+1 >= l.Opts.MaxDepth {
		return
	}
	var merged *Box
	cx := x
	for _, c := range l.Tree.Children(i) {
		cw := float64(l.weight(c)) * l.Scale
		if cw <= 0 {
			continue
		}
		if cw < l.Opts.MinWidth {
			if merged == nil {
				merged = &Box{Node: c, X: cx, Depth: depth + 1}
			}
			merged.W += cw
			merged.Merged++
			cx += cw
			continue
		}
		if merged != nil {
			l.add(*merged)
			merged = nil
		}
		l.place(c, cx, cw, depth+1)
		cx += cw
	}
	if merged != nil {
		l.add(*merged)
	}
}

// HitTest returns the box at width fraction x in row depth.
func (l *Layout) HitTest(x float64, depth int) (Box, bool) {
	if depth < 0 || depth >= len(l.Rows) {
		return Box{}, false
	}
	row := l.Rows[depth]
	i := sort.Search(len(row), func(i int) bool { return row[i].X+row[i].W > x })
	if i < len(row) && row[i].X <= x {
		return row[i], true
	}
	return Box{}, false
}

// NumBoxes returns the number of boxes laid out.
func (l *Layout) NumBoxes() int {
	n := 0
	for _, r := range l.Rows {
		n += len(r)
	}
	return n
}

// ZoomStack is the zoom history of a view: the last entry is the zoomed node.
// The zero value shows the root.
type ZoomStack struct {
	stack []int32
}

// Current returns the zoomed node.
func (z *ZoomStack) Current() int32 {
	if len(z.stack) == 0 {
		return Root
	}
	return z.stack[len(z.stack)-1]
}

// Push zooms to node, remembering the current zoom. Zooming to the current
// node does nothing.
func (z *ZoomStack) Push(node int32) {
	if node != z.Current() {
		z.stack = append(z.stack, node)
	}
}

// Pop goes back to the previous zoom and reports whether there was one.
func (z *ZoomStack) Pop() bool {
	if len(z.stack) == 0 {
		return false
	}
	z.stack = z.stack[:len(z.stack)-1]
	return true
}

// Reset goes back to the root.
func (z *ZoomStack) Reset() { z.stack = z.stack[:0] }

// Clone returns a copy that shares nothing with z.
func (z *ZoomStack) Clone() ZoomStack { return ZoomStack{stack: slices.Clone(z.stack)} }

// Depth returns how many zooms can be undone.
func (z *ZoomStack) Depth() int { return len(z.stack) }
