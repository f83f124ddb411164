package flame_test

import (
	"context"
	"image"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/flame"
)

// pathTotals sums each root-to-frame path's values straight from the
// stacks, leaving out the skipped functions: what every node's Total must be.
func pathTotals(c *diff.Comparison, skip func(string) bool) map[string]diff.Delta {
	totals, _ := pathSums(c, skip)
	return totals
}

// pathSums is pathTotals with, second, the sums of the stacks that end at
// each path (after the skipped functions): what every node's Self must be.
func pathSums(c *diff.Comparison, skip func(string) bool) (totals, self map[string]diff.Delta) {
	out, self := map[string]diff.Delta{}, map[string]diff.Delta{}
	for s := 0; s < c.NumStacks(); s++ {
		v := c.Value(s)
		st := c.Stack(s)
		var path []string
		for i := len(st) - 1; i >= 0; i-- {
			fn := c.Frame(st[i]).Function
			if skip != nil && skip(fn) {
				continue
			}
			path = append(path, fn)
			k := strings.Join(path, ";")
			d := out[k]
			d.Base += v.Base
			d.Later += v.Later
			out[k] = d
		}
		k := strings.Join(path, ";")
		d := self[k]
		d.Base += v.Base
		d.Later += v.Later
		self[k] = d
	}
	return out, self
}

func nodePath(t *flame.Tree, n int32) string {
	var names []string
	for _, i := range t.Path(n)[1:] {
		names = append(names, t.Nodes[i].Name)
	}
	return strings.Join(names, ";")
}

// TestBuildMatchesTheStacks checks every node of real trees against sums
// computed directly from the samples, with and without hidden functions:
// its Total, and its Self.
func TestBuildMatchesTheStacks(t *testing.T) {
	pairs := [][]string{
		{"heap-base.pb.gz", "heap-later.pb.gz"},
		{"goroutines-base.txt", "goroutines-later.txt"},
	}
	skips := map[string]func(string) bool{
		"nothing hidden": nil,
		"runtime hidden": func(fn string) bool { return strings.HasPrefix(fn, "runtime.") },
	}
	for _, p := range pairs {
		c := compare(t, p...)
		for desc, skip := range skips {
			want, self := pathSums(c, skip)
			tree := flame.BuildWith(c, skip)
			if len(tree.Nodes)-1 != len(want) {
				t.Errorf("%v, %s: %d nodes, want %d", p, desc, len(tree.Nodes)-1, len(want))
			}
			for i := 1; i < len(tree.Nodes); i++ {
				k := nodePath(tree, int32(i))
				if got := tree.Nodes[i].Total; got != want[k] {
					t.Errorf("%v, %s: %s total %+v, want %+v", p, desc, k, got, want[k])
				}
				if got := tree.Nodes[i].Self; got != self[k] {
					t.Errorf("%v, %s: %s self %+v, want %+v", p, desc, k, got, self[k])
				}
			}
		}
	}
}

func TestBuildContextStops(t *testing.T) {
	c := compare(t, "heap-base.pb.gz", "heap-later.pb.gz")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := flame.BuildContext(ctx, c, nil); err == nil {
		t.Error("BuildContext ran on with a cancelled context")
	}
}

// TestSnapshotIsIndependent exports a snapshot while the live view zooms
// in and out on another goroutine, as clicks during an export do: under
// -race nothing is shared, and the snapshot draws what was on screen.
func TestSnapshotIsIndependent(t *testing.T) {
	c := compare(t, "heap-base.pb.gz", "heap-later.pb.gz")
	v := &flame.View{Tree: flame.Build(c)}
	v.Zoom.Push(1)
	v.Zoom.Push(2)
	v.Zoom.Pop() // the stack has spare room: a Push would reuse it
	snap := v.Snapshot()
	want := snap.Image(600, 300, 1, nil)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; i < 200; i++ {
			v.Zoom.Push(int32(3 + i%5))
			v.Zoom.Pop()
		}
		v.Zoom.Push(3)
	})
	got := snap.Image(600, 300, 1, nil)
	wg.Wait()
	if snap.Zoom.Current() != 1 || !sameImage(got, want) {
		t.Errorf("the snapshot changed with the live view: zoom %d", snap.Zoom.Current())
	}
	if v.Zoom.Current() != 3 {
		t.Errorf("live zoom %d", v.Zoom.Current())
	}
}

func sameImage(a, b *image.RGBA) bool {
	return a.Rect == b.Rect && string(a.Pix) == string(b.Pix)
}

// TestBuildDumpsEqualsBuild: the tree made straight from the dumps is the
// tree of their comparison, node for node.
func TestBuildDumpsEqualsBuild(t *testing.T) {
	for _, p := range [][]string{{"heap-base.pb.gz", "heap-later.pb.gz"}, {"goroutines-base.txt", "goroutines-later.txt"}} {
		c := compare(t, p...)
		want := flame.Build(c)
		li, err := c.Later.SampleIndex(c.SampleType.Type)
		if err != nil {
			t.Fatal(err)
		}
		bi, err := c.Base.SampleIndex(c.SampleType.Type)
		if err != nil {
			t.Fatal(err)
		}
		got, err := flame.BuildDumps(context.Background(), c.Base, c.Later, bi, li)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Nodes) != len(want.Nodes) || got.BaseName != want.BaseName || got.SampleType != want.SampleType {
			t.Fatalf("%v: %d nodes, want %d", p, len(got.Nodes), len(want.Nodes))
		}
		type node struct {
			file        string
			line        int64
			total, self diff.Delta
		}
		index := map[string]node{}
		for i := range want.Nodes {
			n := want.Nodes[i]
			index[nodePath(want, int32(i))] = node{n.File, n.Line, n.Total, n.Self}
		}
		for i := range got.Nodes {
			n := got.Nodes[i]
			if g, w := (node{n.File, n.Line, n.Total, n.Self}), index[nodePath(got, int32(i))]; g != w {
				t.Errorf("%v: %s is %+v, want %+v", p, nodePath(got, int32(i)), g, w)
			}
		}
	}
}

// TestColorModes: in absolute mode the frame holding the growth is as hot
// as the largest change, and a frame that doubled but holds little is pale;
// in relative mode both look alike; self mode follows the frame's own change.
func TestColorModes(t *testing.T) {
	tree := heapTree(t)
	leak := find(t, tree, "main.NewClient")
	root := tree.Nodes[flame.Root].Total
	total := max(root.Base, root.Later)
	p := flame.Diverging
	if got, want := p.ModeColor(tree, leak, flame.Absolute, nil), p.AbsoluteColor(tree.Nodes[leak].Total.Diff(), total); got != want {
		t.Errorf("absolute colour %v, want %v", got, want)
	}
	if k := flame.AbsoluteIntensity(tree.Nodes[leak].Total.Diff(), total); k < 0.9 {
		t.Errorf("the leak's absolute intensity is %.2f: it does not stand out", k)
	}
	if k := flame.AbsoluteIntensity(total/1000, total); k > 0.15 {
		t.Errorf("a change of 0.1%% has intensity %.2f", k)
	}
	if flame.Intensity(1, 2) != flame.Intensity(1000, 2000) {
		t.Error("relative intensity should depend on the ratio only")
	}
	if got, want := p.ModeColor(tree, leak, flame.Self, nil), p.AbsoluteColor(tree.Nodes[leak].Self.Diff(), total); got != want {
		t.Errorf("self colour %v, want %v", got, want)
	}
	for _, m := range flame.ColorModes {
		for _, pal := range flame.Palettes {
			if n := len(pal.LegendFor(m)); n < 5 {
				t.Errorf("%s %s legend has %d entries", pal.Name, m, n)
			}
		}
	}
}

// TestFilterMatchesTheStacks checks the noise filter's widths against sums
// made straight from the samples: a subtree is left out unless some frame
// in it passes, so the root keeps exactly the stacks whose whole path is
// kept.
func TestFilterMatchesTheStacks(t *testing.T) {
	c := compare(t, "heap-base.pb.gz", "heap-later.pb.gz")
	tree := flame.Build(c)
	totals := pathTotals(c, nil)
	filters := []flame.Filter{
		{MinDelta: 64 << 10},
		{GrowthOnly: true},
		{HideUnchanged: true},
		{MinDelta: 1 << 10, GrowthOnly: true},
	}
	for _, f := range filters {
		passing := map[string]bool{}
		for k, d := range totals {
			if f.Passes(d) {
				passing[k] = true
			}
		}
		kept := func(path string) bool {
			for k := range passing {
				if k == path || strings.HasPrefix(k, path+";") {
					return true
				}
			}
			return false
		}
		w, hidden := tree.Filtered(f, flame.WidthLater)
		// A frame kept is as wide as without the filter (what its hidden
		// callees held is a gap), and one hidden has no width.
		frames := 0
		for i := 1; i < len(tree.Nodes); i++ {
			want := tree.Weight(int32(i), flame.WidthLater)
			if !kept(nodePath(tree, int32(i))) {
				frames++
				want = 0
			}
			if w[i] != want {
				t.Errorf("%+v: %s is %d wide, want %d", f, nodePath(tree, int32(i)), w[i], want)
			}
		}
		if w[flame.Root] != tree.Weight(flame.Root, flame.WidthLater) {
			t.Errorf("%+v: root width %d, want the whole %d", f, w[flame.Root], tree.Weight(flame.Root, flame.WidthLater))
		}
		if hidden.Frames != frames {
			t.Errorf("%+v: %d frames hidden, want %d", f, hidden.Frames, frames)
		}
	}
}

// TestFoldAncestors: zoomed deep, a layout keeps a few ancestors and folds
// the rest into one row; the zoomed node stays on the row after them.
func TestFoldAncestors(t *testing.T) {
	tree := heapTree(t)
	leak := find(t, tree, "main.NewClient")
	depth := int(tree.Nodes[leak].Depth)
	l := tree.Layout(flame.Options{Zoom: leak, MinWidth: 0.001, FoldAbove: 2})
	if depth <= 3 {
		t.Skipf("the leak is only %d deep", depth)
	}
	if l.Folded != depth-2 || l.ZoomRow != 3 || l.Rows[0][0].Folded != depth-2 {
		t.Errorf("folded %d (row 0: %+v), zoom row %d, for a frame %d deep", l.Folded, l.Rows[0][0], l.ZoomRow, depth)
	}
	if d, _, ok := l.Row(leak); !ok || d != 3 {
		t.Errorf("the zoomed frame is on row %d", d)
	}
}

// TestSandwichMatchesTheStacks: the callers and callees trees of a function
// both hold its cum value, and each caller path and callee path holds what
// the samples say.
func TestSandwichMatchesTheStacks(t *testing.T) {
	c := compare(t, "heap-base.pb.gz", "heap-later.pb.gz")
	const fn = "main.newHandler"
	// Direct from the samples: for each stack through fn, the callee path
	// (fn down to the leaf) and the caller path (fn up to the root).
	callees, callers := map[string]diff.Delta{}, map[string]diff.Delta{}
	var cum diff.Delta
	for s := 0; s < c.NumStacks(); s++ {
		st := c.Stack(s)
		at := -1
		for i, f := range st {
			if c.Frame(f).Function == fn {
				at = i
			}
		}
		if at < 0 {
			continue
		}
		v := c.Value(s)
		cum.Base += v.Base
		cum.Later += v.Later
		add := func(m map[string]diff.Delta, names []string) {
			for k := 1; k <= len(names); k++ {
				key := strings.Join(names[:k], ";")
				d := m[key]
				d.Base += v.Base
				d.Later += v.Later
				m[key] = d
			}
		}
		var down, up []string
		for i := at; i >= 0; i-- {
			down = append(down, c.Frame(st[i]).Function)
		}
		for i := at; i < len(st); i++ {
			up = append(up, c.Frame(st[i]).Function)
		}
		add(callees, down)
		add(callers, up)
	}
	check := func(what string, tree *flame.Tree, want map[string]diff.Delta) {
		t.Helper()
		if kids := tree.Children(flame.Root); len(kids) != 1 || tree.Nodes[kids[0]].Name != fn || tree.Nodes[kids[0]].Total != cum {
			t.Fatalf("%s: the root's child is not %s holding its cum %+v", what, fn, cum)
		}
		if len(tree.Nodes)-1 != len(want) {
			t.Errorf("%s: %d nodes, want %d", what, len(tree.Nodes)-1, len(want))
		}
		for i := 1; i < len(tree.Nodes); i++ {
			if k := nodePath(tree, int32(i)); tree.Nodes[i].Total != want[k] {
				t.Errorf("%s: %s holds %+v, the samples %+v", what, k, tree.Nodes[i].Total, want[k])
			}
		}
	}
	down, err := flame.BuildRooted(context.Background(), c, fn)
	if err != nil {
		t.Fatal(err)
	}
	up, err := flame.BuildCallers(context.Background(), c, fn)
	if err != nil {
		t.Fatal(err)
	}
	check("callees", down, callees)
	check("callers", up, callers)

	// Inverted: the root's children are the leaves, each holding its flat value.
	inv, err := flame.BuildInverted(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	flat := map[string]diff.Delta{}
	for _, f := range c.Functions() {
		flat[f.Name] = f.Flat
	}
	for _, k := range inv.Children(flame.Root) {
		n := inv.Nodes[k]
		if n.Total != flat[n.Name] {
			t.Errorf("inverted: %s holds %+v, its flat is %+v", n.Name, n.Total, flat[n.Name])
		}
	}
	if inv.Nodes[flame.Root].Total != c.Total() {
		t.Errorf("inverted total %+v, want %+v", inv.Nodes[flame.Root].Total, c.Total())
	}
}

// TestRuntimeRunsFold: runs of two or more runtime frames fold into one
// row, a single one does not, the folded box is as wide as the run's first
// frame, and expanding a run shows its frames again.
func TestRuntimeRunsFold(t *testing.T) {
	dump := func(name string, v int64) *diff.Dump {
		b := diff.NewBuilder([]diff.SampleType{{Type: "inuse_space", Unit: "bytes"}})
		f := func(n string) int32 { return b.Frame(diff.Frame{Function: n}) }
		// Leaf first: rt.a → rt.b → rt.c → main.f → rt.x → main.g.
		b.AddStack([]int32{f("main.g"), f("rt.x"), f("main.f"), f("rt.c"), f("rt.b"), f("rt.a")}, []int64{v})
		b.AddStack([]int32{f("main.h"), f("main.f"), f("rt.c"), f("rt.b"), f("rt.a")}, []int64{v})
		return b.Dump(name)
	}
	c, err := diff.Compare(dump("base", 1), dump("later", 3), "")
	if err != nil {
		t.Fatal(err)
	}
	v := &flame.View{Tree: flame.Build(c), Runtime: func(fn string) bool { return strings.HasPrefix(fn, "rt.") }}
	rows := func() []string {
		var out []string
		for _, row := range v.Layout(1000, 0).Rows {
			var names []string
			for _, b := range row {
				switch {
				case b.Run != 0:
					names = append(names, flame.RunLabel(v.Tree, b))
				default:
					names = append(names, v.Tree.Nodes[b.Node].Name)
				}
			}
			out = append(out, strings.Join(names, " | "))
		}
		return out
	}
	want := []string{"all", "… 3 runtime frames (rt.a … rt.c)", "main.f", "main.h | rt.x", "main.g"}
	if got := rows(); !slices.Equal(got, want) {
		t.Errorf("folded rows %q, want %q", got, want)
	}
	b := v.Layout(1000, 0).Rows[1][0]
	if b.W != 1 || b.RunLen != 3 {
		t.Errorf("the folded box is %v wide, %d frames", b.W, b.RunLen)
	}
	v.ExpandRun(b)
	want = []string{"all", "rt.a", "rt.b", "rt.c", "main.f", "main.h | rt.x", "main.g"}
	if got := rows(); !slices.Equal(got, want) {
		t.Errorf("expanded rows %q, want %q", got, want)
	}
	v.Runtime = nil
	if got := rows(); !slices.Equal(got, want) {
		t.Errorf("rows without the rule %q, want %q", got, want)
	}
}
