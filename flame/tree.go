// Package flame turns a comparison of two dumps into a differential flame
// graph: a call tree that keeps both sides of every frame, a layout in
// fractions of the width with zoom and search, and drawing into an
// image.RGBA with real text. The same drawing feeds the app's widget and the
// PNG export, so what the user sees is what they export.
//
// The package imports no GUI toolkit and runs without cgo.
package flame

import (
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
	nodes := []Node{{Name: "all", Parent: -1}}
	child := make(map[uint64]int32, c.NumStacks())
	for s := 0; s < c.NumStacks(); s++ {
		v := c.Value(s)
		nodes[0].Total.Base += v.Base
		nodes[0].Total.Later += v.Later
		stack := c.Stack(s)
		cur := Root
		for i := len(stack) - 1; i >= 0; i-- {
			if nameID[stack[i]] < 0 {
				continue
			}
			f := c.Frame(stack[i])
			key := uint64(cur)<<32 | uint64(uint32(nameID[stack[i]]))
			n, ok := child[key]
			if !ok {
				n = int32(len(nodes))
				nodes = append(nodes, Node{Name: f.Function, File: f.File, Line: f.Line, Parent: cur, Depth: nodes[cur].Depth + 1})
				child[key] = n
			} else if nodes[n].Line != f.Line {
				nodes[n].Line = 0
			}
			nodes[n].Total.Base += v.Base
			nodes[n].Total.Later += v.Later
			cur = n
		}
		nodes[cur].Self.Base += v.Base
		nodes[cur].Self.Later += v.Later
	}
	t.Nodes = nodes
	t.link()
	return t
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
