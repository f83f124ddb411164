// Package flame turns a comparison of two dumps into a differential flame
// graph: a call tree that keeps both sides of every frame, a layout in
// fractions of the width with zoom and search, and drawing into an
// image.RGBA with real text. The same drawing feeds the app's widget and the
// PNG export, so what the user sees is what they export.
//
// The package imports no GUI toolkit and runs without cgo.
package flame

import (
	"context"
	"slices"
	"strings"

	"github.com/leakscope/leakscope/diff"
)

// Node is one frame of the call tree: all stacks that reach it through the
// same chain of functions from the root.
type Node struct {
	Name  string     // function name; "all" for the root
	File  string     // source file of the frames merged here
	Line  int64      // their line, or 0 when they differ
	Self  diff.Delta // value of stacks that end here
	Total diff.Delta // value of stacks that pass through here
	// Parent is the parent's index, -1 for the root.
	Parent int32
	// Depth is 0 for the root.
	Depth int32

	first, count int32 // children: Tree.kids[first:first+count], sorted by name
	wmax         int64 // width in WidthMax mode
}

// Tree is the call tree of a comparison, root first. It is immutable.
type Tree struct {
	Nodes      []Node
	SampleType diff.SampleType
	BaseName   string // base file name; "" when one dump is shown alone
	LaterName  string // later file name
	kids       []int32
	maxDepth   int32
}

// Root is the index of the root node.
const Root int32 = 0

// Build makes the call tree of c. Siblings are sorted by name. It runs in time
// linear in the total number of frames of all stacks.
func Build(c *diff.Comparison) *Tree { return BuildWith(c, nil) }

// BuildWith is Build leaving out the frames whose function skip reports,
// as pprof's -hide does: their values go to their callers.
func BuildWith(c *diff.Comparison, skip func(function string) bool) *Tree {
	t, _ := BuildContext(context.Background(), c, skip)
	return t
}

// BuildContext is BuildWith that stops with ctx's error soon after ctx is done.
func BuildContext(ctx context.Context, c *diff.Comparison, skip func(function string) bool) (*Tree, error) {
	t := &Tree{SampleType: c.SampleType, LaterName: c.Later.Path}
	if c.Base != nil {
		t.BaseName = c.Base.Path
	}
	// Function names as small integers, so that child lookups hash two ints.
	nameID := make([]int32, c.NumFrames())
	names := make(map[string]int32)
	for f := range nameID {
		fn := c.Frame(int32(f)).Function
		if skip != nil && skip(fn) {
			nameID[f] = -1
			continue
		}
		id, ok := names[fn]
		if !ok {
			id = int32(len(names))
			names[fn] = id
		}
		nameID[f] = id
	}
	// The tree grows in compact columns; Nodes is made once, at its size.
	guess := 2*c.NumStacks() + 1
	b := treeBuilder{
		parent: make([]int32, 1, guess), frame: make([]int32, 1, guess),
		total: make([]diff.Delta, 1, guess), self: make([]diff.Delta, 1, guess),
		mixed: make([]bool, 1, guess),
	}
	b.parent[0], b.frame[0] = -1, -1
	child := make(map[uint64]int32, guess)
	var prevFrames, prevNodes []int32 // the last stack, root first, and its nodes
	for s := 0; s < c.NumStacks(); s++ {
		if s%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		v := c.Value(s)
		b.total[0].Base += v.Base
		b.total[0].Later += v.Later
		stack := c.Stack(s)
		cur := Root
		// Stacks share long runs from the root: the previous stack's path
		// answers without hashing as far as the frames are the same.
		same := 0
		for same < len(stack) && same < len(prevFrames) && stack[len(stack)-1-same] == prevFrames[same] {
			same++
		}
		prevFrames, prevNodes = prevFrames[:same], prevNodes[:same]
		for j := 0; j < same; j++ {
			n := prevNodes[j]
			if n != cur {
				b.total[n].Base += v.Base
				b.total[n].Later += v.Later
				cur = n
			}
		}
		for i := len(stack) - 1 - same; i >= 0; i-- {
			fid := stack[i]
			prevFrames = append(prevFrames, fid)
			id := nameID[fid]
			if id < 0 {
				prevNodes = append(prevNodes, cur)
				continue
			}
			key := uint64(cur)<<32 | uint64(uint32(id))
			n, ok := child[key]
			if !ok {
				n = int32(len(b.parent))
				b.parent = append(b.parent, cur)
				b.frame = append(b.frame, fid)
				b.total = append(b.total, diff.Delta{})
				b.self = append(b.self, diff.Delta{})
				b.mixed = append(b.mixed, false)
				child[key] = n
			} else if f := b.frame[n]; f != fid && !b.mixed[n] && c.Frame(f).Line != c.Frame(fid).Line {
				b.mixed[n] = true
			}
			b.total[n].Base += v.Base
			b.total[n].Later += v.Later
			cur = n
			prevNodes = append(prevNodes, n)
		}
		b.self[cur].Base += v.Base
		b.self[cur].Later += v.Later
	}
	t.Nodes = make([]Node, len(b.parent))
	t.Nodes[0] = Node{Name: "all", Parent: -1, Total: b.total[0], Self: b.self[0]}
	for i := 1; i < len(t.Nodes); i++ {
		f := c.Frame(b.frame[i])
		n := &t.Nodes[i]
		n.Name, n.File, n.Line = f.Function, f.File, f.Line
		if b.mixed[i] {
			n.Line = 0
		}
		n.Parent, n.Depth = b.parent[i], t.Nodes[b.parent[i]].Depth+1
		n.Total, n.Self = b.total[i], b.self[i]
	}
	t.link()
	return t, nil
}

// treeBuilder holds a tree under construction, a column per field.
type treeBuilder struct {
	parent, frame []int32 // frame: the first frame merged into the node
	total, self   []diff.Delta
	mixed         []bool // the merged frames have different lines
}

// link fills in the sorted child lists and the WidthMax widths.
func (t *Tree) link() {
	counts := make([]int32, len(t.Nodes))
	for i := 1; i < len(t.Nodes); i++ {
		counts[t.Nodes[i].Parent]++
		t.maxDepth = max(t.maxDepth, t.Nodes[i].Depth)
	}
	var off int32
	for i := range t.Nodes {
		t.Nodes[i].first = off
		off += counts[i]
	}
	t.kids = make([]int32, len(t.Nodes)-1)
	for i := 1; i < len(t.Nodes); i++ {
		p := &t.Nodes[t.Nodes[i].Parent]
		t.kids[p.first+p.count] = int32(i)
		p.count++
	}
	byName := func(a, b int32) int { return strings.Compare(t.Nodes[a].Name, t.Nodes[b].Name) }
	for i := range t.Nodes {
		if k := t.Children(int32(i)); len(k) > 1 {
			slices.SortFunc(k, byName)
		}
	}
	// Children have larger indices than their parents: sum widths bottom-up.
	for i := len(t.Nodes) - 1; i >= 0; i-- {
		n := &t.Nodes[i]
		n.wmax += max(n.Self.Base, n.Self.Later, 0)
		if n.Parent >= 0 {
			t.Nodes[n.Parent].wmax += n.wmax
		}
	}
}

// Children returns the children of node i, sorted by name. The slice must not
// be modified.
func (t *Tree) Children(i int32) []int32 {
	n := &t.Nodes[i]
	return t.kids[n.first : n.first+n.count]
}

// MaxDepth returns the depth of the deepest node.
func (t *Tree) MaxDepth() int { return int(t.maxDepth) }

// Path returns the indices from the root down to node i.
func (t *Tree) Path(i int32) []int32 {
	var p []int32
	for ; i >= 0; i = t.Nodes[i].Parent {
		p = append(p, i)
	}
	for a, b := 0, len(p)-1; a < b; a, b = a+1, b-1 {
		p[a], p[b] = p[b], p[a]
	}
	return p
}

// WidthMode says what a frame's width stands for.
type WidthMode int

// The width modes.
const (
	WidthLater WidthMode = iota // the later dump's value (the default)
	WidthBase                   // the base dump's value
	WidthMax                    // the larger of the two, so that frames that are gone stay visible
)

// String returns "later", "base" or "max".
func (m WidthMode) String() string {
	switch m {
	case WidthBase:
		return "base"
	case WidthMax:
		return "max"
	}
	return "later"
}

// Weight returns node i's width in mode m, in the sample type's unit.
// In WidthMax mode it is the larger side of the node's own value plus the
// children's weights, so that children always fit inside their parent.
func (t *Tree) Weight(i int32, m WidthMode) int64 {
	n := &t.Nodes[i]
	switch m {
	case WidthBase:
		return max(n.Total.Base, 0)
	case WidthMax:
		return n.wmax
	}
	return max(n.Total.Later, 0)
}

// HasBase reports whether the tree compares two dumps.
func (t *Tree) HasBase() bool { return t.BaseName != "" }
