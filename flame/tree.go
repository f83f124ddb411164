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
	"math/bits"
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
	b := newTreeBuilder(c.NumStacks()+1, skip)
	values := func(s int) diff.Delta { return c.Value(s) }
	if err := b.add(ctx, c, values); err != nil {
		return nil, err
	}
	b.finish(t)
	return t, nil
}

// BuildDumps makes the same tree as Build(Compare(base, later, …)) straight
// from the dumps, for sample type index bi of base and li of later (base
// may be nil), so that it can run beside Compare.
func BuildDumps(ctx context.Context, base, later *diff.Dump, bi, li int) (*Tree, error) {
	t := &Tree{SampleType: later.SampleTypes[li], LaterName: later.Path}
	n := later.NumStacks()
	if base != nil {
		t.BaseName = base.Path
		n += base.NumStacks()
	}
	b := newTreeBuilder(n+1, nil)
	if base != nil {
		err := b.add(ctx, base, func(s int) diff.Delta { return diff.Delta{Base: base.Values(s)[bi]} })
		if err != nil {
			return nil, err
		}
	}
	if err := b.add(ctx, later, func(s int) diff.Delta { return diff.Delta{Later: later.Values(s)[li]} }); err != nil {
		return nil, err
	}
	b.finish(t)
	return t, nil
}

// stacks is what a tree is built from: a comparison or a dump.
type stacks interface {
	NumStacks() int
	Stack(i int) []int32
	Frame(id int32) diff.Frame
	NumFrames() int
}

// treeBuilder holds a tree under construction, a column per field. The
// values are not summed while the stacks are added: each stack's node
// (its leaf) is kept, and finish adds the values into the tree's nodes,
// bottom-up, so that a node costs the builder only its parent, frame and
// a flag.
type treeBuilder struct {
	parent, frame []int32 // frame: the first frame merged into the node
	mixed         []bool  // the merged frames have different lines
	frames        []diff.Frame
	lines         []int64 // frames' lines
	names         map[string]int32
	skip          func(string) bool
	child         *childTable
	added         []leaves
}

// leaves are the nodes where the stacks of one source end (-1: a stack
// left out), with the values of those stacks.
type leaves struct {
	node  []int32
	value func(stack int) diff.Delta
}

// newTreeBuilder makes a builder for about guess nodes. The columns are
// made for twice that, as a tree may well have more nodes than stacks:
// memory reserved and never written costs no page, where growing by append
// copies every column again.
func newTreeBuilder(guess int, skip func(string) bool) *treeBuilder {
	c := 2 * guess
	b := &treeBuilder{
		parent: make([]int32, 1, c), frame: make([]int32, 1, c), mixed: make([]bool, 1, c),
		names: map[string]int32{}, skip: skip, child: newChildTable(guess),
	}
	b.parent[0], b.frame[0] = -1, -1
	return b
}

// add adds the stacks of src whose value is not zero.
func (b *treeBuilder) add(ctx context.Context, src stacks, value func(stack int) diff.Delta) error {
	// Function names as small integers, so that child lookups hash two
	// ints; frames as indices into the builder's own frame table.
	nameID := make([]int32, src.NumFrames())
	frameID := make([]int32, src.NumFrames())
	b.frames = slices.Grow(b.frames, src.NumFrames())
	for f := range nameID {
		fr := src.Frame(int32(f))
		frameID[f] = int32(len(b.frames))
		b.frames = append(b.frames, fr)
		b.lines = append(b.lines, fr.Line)
		if b.skip != nil && b.skip(fr.Function) {
			nameID[f] = -1
			continue
		}
		id, ok := b.names[fr.Function]
		if !ok {
			id = int32(len(b.names))
			b.names[fr.Function] = id
		}
		nameID[f] = id
	}
	leaf := make([]int32, src.NumStacks())
	b.added = append(b.added, leaves{node: leaf, value: value})
	var prevFrames, prevNodes []int32 // the last stack, root first, and its nodes
	for s := range leaf {
		if s%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if value(s) == (diff.Delta{}) {
			leaf[s] = -1
			continue
		}
		stack := src.Stack(s)
		// Stacks share long runs from the root: the previous stack's path
		// answers without hashing as far as the frames are the same.
		same := 0
		for same < len(stack) && same < len(prevFrames) && stack[len(stack)-1-same] == prevFrames[same] {
			same++
		}
		prevFrames, prevNodes = prevFrames[:same], prevNodes[:same]
		cur := Root
		if same > 0 {
			cur = prevNodes[same-1]
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
			slot, n := b.child.find(key)
			if n < 0 {
				n = int32(len(b.parent))
				if len(b.parent) == cap(b.parent) {
					b.grow()
				}
				b.parent = append(b.parent, cur)
				b.frame = append(b.frame, frameID[fid])
				b.mixed = append(b.mixed, false)
				b.child.put(slot, key, n)
			} else if !b.mixed[n] && b.lines[b.frame[n]] != b.lines[frameID[fid]] {
				b.mixed[n] = true
			}
			cur = n
			prevNodes = append(prevNodes, n)
		}
		leaf[s] = cur
	}
	return nil
}

// grow doubles the columns' capacity: append would add a quarter at a
// time, copying a large tree's columns several times over.
func (b *treeBuilder) grow() {
	n := 2 * cap(b.parent)
	b.parent = append(make([]int32, 0, n), b.parent...)
	b.frame = append(make([]int32, 0, n), b.frame...)
	b.mixed = append(make([]bool, 0, n), b.mixed...)
}

// finish makes t's nodes, once, at their size, and sums their values:
// each stack's value goes to its leaf's Self, and a node's Total is its
// Self plus its children's Totals (children come after their parent).
func (b *treeBuilder) finish(t *Tree) {
	b.child = nil // the lookups are done: the table can go before the nodes come
	t.Nodes = make([]Node, len(b.parent))
	t.Nodes[0] = Node{Name: "all", Parent: -1}
	for i := 1; i < len(t.Nodes); i++ {
		f := &b.frames[b.frame[i]]
		n := &t.Nodes[i]
		n.Name, n.File, n.Line = f.Function, f.File, f.Line
		if b.mixed[i] {
			n.Line = 0
		}
		n.Parent, n.Depth = b.parent[i], t.Nodes[b.parent[i]].Depth+1
	}
	for _, l := range b.added {
		for s, n := range l.node {
			if n >= 0 {
				t.Nodes[n].Self = addDelta(t.Nodes[n].Self, l.value(s))
			}
		}
	}
	for i := range t.Nodes {
		t.Nodes[i].Total = t.Nodes[i].Self
	}
	for i := len(t.Nodes) - 1; i > 0; i-- {
		p := &t.Nodes[t.Nodes[i].Parent]
		p.Total = addDelta(p.Total, t.Nodes[i].Total)
	}
	t.link()
}

// childTable maps (parent, function) keys to nodes: an open-addressing hash
// table with linear probing, which takes about half the time of a Go map
// for the few million lookups of a large tree.
type childTable struct {
	keys  []uint64
	vals  []int32 // node + 1; 0 is an empty slot
	mask  uint64
	shift uint
	n     int
}

func newChildTable(capacity int) *childTable {
	size := 16
	for size < 2*capacity {
		size *= 2
	}
	t := &childTable{}
	t.init(size)
	return t
}

func (t *childTable) init(size int) {
	t.keys, t.vals = make([]uint64, size), make([]int32, size)
	t.mask = uint64(size - 1)
	t.shift = uint(64 - bits.TrailingZeros(uint(size)))
}

// find returns the node stored for key, or -1 and the slot to put it in.
func (t *childTable) find(key uint64) (slot uint64, node int32) {
	i := (key * 0x9E3779B97F4A7C15) >> t.shift
	for {
		v := t.vals[i]
		if v == 0 {
			return i, -1
		}
		if t.keys[i] == key {
			return i, v - 1
		}
		i = (i + 1) & t.mask
	}
}

// put stores node for key at the slot find returned for it.
func (t *childTable) put(slot, key uint64, node int32) {
	t.keys[slot], t.vals[slot] = key, node+1
	t.n++
	if 2*t.n > len(t.keys) {
		t.grow()
	}
}

// putKey is put for a key whose slot is not known (when growing).
func (t *childTable) putKey(key uint64, node int32) {
	slot, _ := t.find(key)
	t.keys[slot], t.vals[slot] = key, node+1
}

func (t *childTable) grow() {
	keys, vals := t.keys, t.vals
	t.init(2 * len(keys))
	for i, v := range vals {
		if v != 0 {
			t.putKey(keys[i], v-1)
		}
	}
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
		n.wmax = sat(n.wmax, max(n.Self.Base, n.Self.Later, 0))
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

// BuildRooted makes the tree of the stacks of c that pass through function
// fn, each cut above fn's outermost frame, so that the root's only child is
// fn merged over all its call sites, with everything it calls below it.
func BuildRooted(ctx context.Context, c *diff.Comparison, fn string) (*Tree, error) {
	r := &rooted{c: c, cut: outermost(c, fn)}
	return buildFrom(ctx, c, r, func(s int) bool { return r.cut[s] >= 0 })
}

// outermost returns, per stack of c, the index of fn's outermost frame
// (the one nearest the root), or -1.
func outermost(c *diff.Comparison, fn string) []int {
	at := make([]int, c.NumStacks())
	for s := range at {
		at[s] = -1
		for i, f := range c.Stack(s) {
			if c.Frame(f).Function == fn {
				at[s] = i
			}
		}
	}
	return at
}

// buildFrom builds the tree of src, a view of c's stacks, with c's values
// for the stacks keep reports.
func buildFrom(ctx context.Context, c *diff.Comparison, src stacks, keep func(s int) bool) (*Tree, error) {
	t := &Tree{SampleType: c.SampleType, LaterName: c.Later.Path}
	if c.Base != nil {
		t.BaseName = c.Base.Path
	}
	b := newTreeBuilder(c.NumStacks()+1, nil)
	err := b.add(ctx, src, func(s int) diff.Delta {
		if !keep(s) {
			return diff.Delta{}
		}
		return c.Value(s)
	})
	if err != nil {
		return nil, err
	}
	b.finish(t)
	return t, nil
}

// rooted is a comparison whose stacks end at a function's outermost frame.
type rooted struct {
	c   *diff.Comparison
	cut []int // index of the outermost frame of the function; -1 for none
}

func (r *rooted) NumStacks() int            { return r.c.NumStacks() }
func (r *rooted) Frame(id int32) diff.Frame { return r.c.Frame(id) }
func (r *rooted) NumFrames() int            { return r.c.NumFrames() }
func (r *rooted) Stack(i int) []int32 {
	if r.cut[i] < 0 {
		return nil
	}
	return r.c.Stack(i)[:r.cut[i]+1]
}

// BuildCallers makes the inverted tree of function fn's callers: the root's
// only child is fn, merged over all its call sites, its children are the
// functions that called it, theirs their callers, up to each stack's root.
// With BuildRooted's tree of its callees it makes speedscope's "sandwich";
// both trees hold fn's cum value.
func BuildCallers(ctx context.Context, c *diff.Comparison, fn string) (*Tree, error) {
	r := &reordered{c: c, from: outermost(c, fn)}
	return buildFrom(ctx, c, r, func(s int) bool { return r.from[s] >= 0 })
}

// BuildInverted makes the bottom-up tree of c: the root's children are the
// leaf frames, where the values were recorded, and below each are its
// callers, as pprof's and speedscope's inverted views show.
func BuildInverted(ctx context.Context, c *diff.Comparison) (*Tree, error) {
	r := &reordered{c: c, from: make([]int, c.NumStacks())}
	return buildFrom(ctx, c, r, func(int) bool { return true })
}

// reordered is a comparison whose stacks are read from the root end, from
// index from[s] (of the leaf-first stack) outward, so that the frame at
// from[s] comes first below the root; -1 leaves the stack out.
type reordered struct {
	c    *diff.Comparison
	from []int
	buf  []int32
}

func (r *reordered) NumStacks() int            { return r.c.NumStacks() }
func (r *reordered) Frame(id int32) diff.Frame { return r.c.Frame(id) }
func (r *reordered) NumFrames() int            { return r.c.NumFrames() }

// Stack returns stack i's frames from[i] and outward, reversed, so that the
// builder, which reads from the end, meets from[i] first.
func (r *reordered) Stack(i int) []int32 {
	if r.from[i] < 0 {
		return nil
	}
	st := r.c.Stack(i)[r.from[i]:]
	r.buf = r.buf[:0]
	for j := len(st) - 1; j >= 0; j-- {
		r.buf = append(r.buf, st[j])
	}
	return r.buf
}

// sat returns a+b held at the int64 bounds, as diff sums: a graph of
// values near the bounds keeps its signs.
func sat(a, b int64) int64 {
	s, _ := diff.AddSaturating(a, b)
	return s
}

// addDelta adds v to d, each side saturating.
func addDelta(d, v diff.Delta) diff.Delta {
	return diff.Delta{Base: sat(d.Base, v.Base), Later: sat(d.Later, v.Later)}
}
