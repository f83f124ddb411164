package flame_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff"
	_ "github.com/leakscope/leakscope/diff/goroutines" // reads debug=2 dumps
	"github.com/leakscope/leakscope/flame"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const demo = "../assets/demo/dumps/"

func compare(t testing.TB, files ...string) *diff.Comparison {
	t.Helper()
	for i := range files {
		files[i] = demo + files[i]
	}
	dumps, err := diff.OpenAll(context.Background(), nil, files...)
	if err != nil {
		t.Fatal(err)
	}
	var c *diff.Comparison
	if len(dumps) == 1 {
		c, err = diff.Compare(nil, dumps[0], "")
	} else {
		c, err = diff.Compare(dumps[0], dumps[1], "")
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func heapTree(t testing.TB) *flame.Tree {
	return flame.Build(compare(t, "heap-base.pb.gz", "heap-later.pb.gz"))
}

func find(t testing.TB, tree *flame.Tree, name string) int32 {
	t.Helper()
	for i, n := range tree.Nodes {
		if n.Name == name {
			return int32(i)
		}
	}
	t.Fatalf("no node %s", name)
	return -1
}

func TestTreeTotalsMatchComparison(t *testing.T) {
	c := compare(t, "heap-base.pb.gz", "heap-later.pb.gz")
	tree := flame.Build(c)
	if tree.Nodes[flame.Root].Total != c.Total() {
		t.Errorf("root %+v, comparison %+v", tree.Nodes[flame.Root].Total, c.Total())
	}
	// Every node's total is its self value plus its children's totals, and
	// siblings are sorted by name.
	for i, n := range tree.Nodes {
		sum := n.Self
		prev := ""
		for _, k := range tree.Children(int32(i)) {
			sum.Base += tree.Nodes[k].Total.Base
			sum.Later += tree.Nodes[k].Total.Later
			if tree.Nodes[k].Name <= prev {
				t.Errorf("children of %s out of order: %s after %s", n.Name, tree.Nodes[k].Name, prev)
			}
			prev = tree.Nodes[k].Name
		}
		if sum != n.Total {
			t.Errorf("%s: self+children %+v, total %+v", n.Name, sum, n.Total)
		}
	}
	// Functions' cum values agree with the flame graph's topmost occurrences.
	for _, f := range c.Functions() {
		var got diff.Delta
		for i, n := range tree.Nodes {
			if n.Name != f.Name {
				continue
			}
			top := true
			for p := n.Parent; p >= 0; p = tree.Nodes[p].Parent {
				top = top && tree.Nodes[p].Name != f.Name
			}
			if top && i != 0 {
				got.Base += n.Total.Base
				got.Later += n.Total.Later
			}
		}
		if got != f.Cum {
			t.Errorf("%s: tree %+v, cum %+v", f.Name, got, f.Cum)
		}
	}
}

func TestShrinkingAndGoneStacksAppear(t *testing.T) {
	tree := heapTree(t)
	warm, boot := find(t, tree, "main.fillWarmup"), find(t, tree, "main.loadBootConfig")
	if got := flame.ChangeOf(tree.Nodes[warm].Total.Base, tree.Nodes[warm].Total.Later); got != flame.Shrank {
		t.Fatalf("fillWarmup: change %v", got)
	}
	in := func(l *flame.Layout, node int32) bool {
		for _, row := range l.Rows {
			for _, b := range row {
				if b.Node == node && b.Merged == 0 {
					return true
				}
			}
		}
		return false
	}
	later := tree.Layout(flame.Options{Mode: flame.WidthLater, MinWidth: 1.0 / 1600})
	if !in(later, warm) {
		t.Error("the shrinking stack is missing in later mode")
	}
	if in(later, boot) {
		t.Error("the stack that is gone has a width in later mode")
	}
	max := tree.Layout(flame.Options{Mode: flame.WidthMax, MinWidth: 1.0 / 1600})
	if !in(max, warm) || !in(max, boot) {
		t.Error("max mode must show both the shrinking stack and the one that is gone")
	}
	c := flame.Diverging.DiffColor(tree.Nodes[warm].Total.Base, tree.Nodes[warm].Total.Later)
	if c.B <= c.R {
		t.Errorf("a shrinking frame is coloured %v, not cool", c)
	}
}

// TestSearchShareFromSamples checks the search share against a direct
// count over the comparison's stacks.
func TestSearchShareFromSamples(t *testing.T) {
	c := compare(t, "heap-base.pb.gz", "heap-later.pb.gz")
	tree := flame.Build(c)
	for _, q := range []string{"main\\.", "NewClient", "runtime", "^main\\.main$", "nothing-matches", "."} {
		re := regexp.MustCompile(q)
		m := tree.Search(re)
		var want diff.Delta
		for s := 0; s < c.NumStacks(); s++ {
			for _, f := range c.Stack(s) {
				if re.MatchString(c.Frame(f).Function) {
					v := c.Value(s)
					want.Base += v.Base
					want.Later += v.Later
					break
				}
			}
		}
		if m.Value != want {
			t.Errorf("/%s/: share %+v, counted from the samples %+v", q, m.Value, want)
		}
	}
}

// TestSearchCountsRecursionOnce uses a stack that passes twice through the
// same function.
func TestSearchCountsRecursionOnce(t *testing.T) {
	b := diff.NewBuilder([]diff.SampleType{{Type: "space", Unit: "bytes"}})
	f := b.Frame(diff.Frame{Function: "rec"})
	g := b.Frame(diff.Frame{Function: "leaf"})
	b.AddStack([]int32{g, f, f, f}, []int64{10})
	b.AddStack([]int32{g}, []int64{5})
	d := b.Dump("recursive")
	c, err := diff.Compare(nil, d, "")
	if err != nil {
		t.Fatal(err)
	}
	m := flame.Build(c).Search(regexp.MustCompile("rec"))
	if m.Value.Later != 10 || m.Count != 3 {
		t.Errorf("value %d over %d nodes, want 10 over 3", m.Value.Later, m.Count)
	}
}

func TestHitTestAndZoom(t *testing.T) {
	tree := heapTree(t)
	handler := find(t, tree, "main.newHandler")
	client := find(t, tree, "main.NewClient")
	l := tree.Layout(flame.Options{MinWidth: 1.0 / 1000})
	root, ok := l.HitTest(0.5, 0)
	if !ok || root.Node != flame.Root {
		t.Fatalf("row 0 at the middle: %+v %v", root, ok)
	}
	var hb flame.Box
	for _, b := range l.Rows[tree.Nodes[handler].Depth] {
		if b.Node == handler {
			hb = b
		}
	}
	tests := []struct {
		desc  string
		x     float64
		depth int
		want  int32
		ok    bool
	}{
		{"left edge of newHandler", hb.X, int(tree.Nodes[handler].Depth), handler, true},
		{"middle of newHandler", hb.X + hb.W/2, int(tree.Nodes[handler].Depth), handler, true},
		{"just past newHandler", hb.X + hb.W + 1e-9, int(tree.Nodes[handler].Depth), -2, false},
		{"below the deepest row", 0.5, len(l.Rows), 0, false},
		{"above the root", 0.5, -1, 0, false},
	}
	for _, tt := range tests {
		b, ok := l.HitTest(tt.x, tt.depth)
		if ok != tt.ok || (ok && b.Node != tt.want) || (tt.want == -2 && ok && b.Node == handler) {
			t.Errorf("%s: %+v %v", tt.desc, b, ok)
		}
	}
	var z flame.ZoomStack
	z.Push(handler)
	z.Push(client)
	z.Push(client)
	if z.Depth() != 2 || z.Current() != client {
		t.Fatalf("zoom stack %d deep at %d", z.Depth(), z.Current())
	}
	zl := tree.Layout(flame.Options{Zoom: z.Current(), MinWidth: 1.0 / 1000})
	d := int(tree.Nodes[client].Depth)
	for i, n := range tree.Path(client) {
		b, ok := zl.HitTest(0.5, i)
		if !ok || b.Node != n || b.W != 1 {
			t.Errorf("row %d: %+v, want node %d full width", i, b, n)
		}
		if i < d && !b.Ancestor {
			t.Errorf("row %d is not marked as an ancestor", i)
		}
	}
	z.Pop()
	if z.Current() != handler {
		t.Error("Pop did not go back to newHandler")
	}
	z.Reset()
	if z.Current() != flame.Root || z.Pop() {
		t.Error("Reset did not go back to the root")
	}
}

func TestNarrowFramesMerge(t *testing.T) {
	tree := heapTree(t)
	wide := tree.Layout(flame.Options{MinWidth: 1e-9})
	narrow := tree.Layout(flame.Options{MinWidth: 1.0 / 200})
	merged := 0
	for _, row := range narrow.Rows {
		for _, b := range row {
			if b.Merged > 0 {
				merged += b.Merged
				if b.W <= 0 {
					t.Errorf("merged box of zero width: %+v", b)
				}
			}
		}
	}
	if merged == 0 || narrow.NumBoxes() >= wide.NumBoxes() {
		t.Errorf("at 200 px, %d frames merged into … boxes (%d boxes, %d at full size)", merged, narrow.NumBoxes(), wide.NumBoxes())
	}
	// Rows still cover what their parents cover: nothing is lost.
	for d := 1; d < 4 && d < len(narrow.Rows); d++ {
		var sum float64
		for _, b := range narrow.Rows[d] {
			sum += b.W
		}
		if sum > 1+1e-9 {
			t.Errorf("row %d spans %f of the width", d, sum)
		}
	}
}

func layoutText(tree *flame.Tree, l *flame.Layout, width int) string {
	var b strings.Builder
	for d, row := range l.Rows {
		for _, box := range row {
			n := tree.Nodes[box.Node]
			name := n.Name
			if box.Merged > 0 {
				name = fmt.Sprintf("… (%d frames)", box.Merged)
			}
			fmt.Fprintf(&b, "%2d %5d..%-5d %s %d->%d\n", d, int(box.X*float64(width)+0.5), int((box.X+box.W)*float64(width)+0.5),
				name, n.Total.Base, n.Total.Later)
		}
	}
	return b.String()
}

func golden(t *testing.T, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	return want
}

func TestLayoutGolden(t *testing.T) {
	tree := heapTree(t)
	tests := []struct {
		name string
		opts flame.Options
	}{
		{"later.layout", flame.Options{Mode: flame.WidthLater}},
		{"base.layout", flame.Options{Mode: flame.WidthBase}},
		{"max.layout", flame.Options{Mode: flame.WidthMax}},
		{"zoom-newHandler.layout", flame.Options{Zoom: find(t, tree, "main.newHandler")}},
		{"hide-newHandler.layout", flame.Options{Mode: flame.WidthMax, Hidden: func(n int32) bool { return tree.Nodes[n].Name == "main.newHandler" }}},
	}
	const width = 800
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.MinWidth = 1.0 / width
			got := layoutText(tree, tree.Layout(tt.opts), width)
			if want := golden(t, tt.name, []byte(got)); got != string(want) {
				t.Errorf("layout differs from testdata/%s (-update to accept):\n%s", tt.name, got)
			}
		})
	}
}

func TestImageGolden(t *testing.T) {
	heap := heapTree(t)
	single := flame.Build(compare(t, "heap-later.pb.gz"))
	gc := compare(t, "goroutines-base.txt", "goroutines-later.txt")
	g := flame.Build(gc)
	withPanels := &flame.View{Tree: heap, Notes: []string{"Finding 1: a note over the legend"}}
	withPanels.Panels = []flame.Panel{withPanels.FunctionPanel(flame.PanelRows)}
	sites := goroutineSites(t, gc)
	gPanels := &flame.View{Tree: g, Panels: flame.SitePanels(sites, nil, flame.PanelRows)}
	tests := []struct {
		name  string
		view  *flame.View
		w, h  int
		scale float64
	}{
		{"heap-later.png", &flame.View{Tree: heap}, 1000, 0, 1},
		{"heap-max-colorblind-search.png", &flame.View{Tree: heap, Mode: flame.WidthMax, Palette: flame.ColorBlind,
			Query: "Cache|Client", Match: heap.Search(regexp.MustCompile("Cache|Client"))}, 900, 300, 1},
		{"single-flame-hidpi.png", &flame.View{Tree: single, Flame: true}, 700, 400, 2},
		{"goroutines.png", &flame.View{Tree: g}, 800, 0, 1},
		{"heap-relative.png", &flame.View{Tree: heap, Colors: flame.Relative}, 800, 160, 1},
		{"heap-self-colorblind.png", &flame.View{Tree: heap, Colors: flame.Self, Palette: flame.ColorBlind}, 800, 160, 1},
		{"heap-absolute-colorblind.png", &flame.View{Tree: heap, Palette: flame.ColorBlind}, 800, 160, 1},
		// Wide enough for the panels beside the graph, as tall as both.
		{"heap-panels.png", withPanels, 1200, 0, 1},
		{"goroutines-panels.png", gPanels, 1200, 0, 1},
		// Too narrow for panels: the legend wraps, the graph takes the width.
		{"goroutines-narrow.png", gPanels, 420, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := tt.view.Image(tt.w, tt.h, tt.scale, nil)
			var buf bytes.Buffer
			if err := flame.WritePNG(&buf, img); err != nil {
				t.Fatal(err)
			}
			want, err := png.Decode(bytes.NewReader(golden(t, tt.name, buf.Bytes())))
			if err != nil {
				t.Fatal(err)
			}
			if n := differentPixels(img, want); n > img.Bounds().Dx()*img.Bounds().Dy()/1000 {
				os.MkdirAll(filepath.Join("testdata", "failed"), 0o755)
				os.WriteFile(filepath.Join("testdata", "failed", tt.name), buf.Bytes(), 0o644)
				t.Errorf("%d pixels differ from testdata/%s; see testdata/failed (-update to accept)", n, tt.name)
			}
		})
	}
}

// differentPixels counts pixels that differ by more than a little in any channel.
func differentPixels(a, b image.Image) int {
	if a.Bounds() != b.Bounds() {
		return a.Bounds().Dx() * a.Bounds().Dy()
	}
	n := 0
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if absDiff(r1, r2) > 8<<8 || absDiff(g1, g2) > 8<<8 || absDiff(b1, b2) > 8<<8 {
				n++
			}
		}
	}
	return n
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// TestSumsSaturate: values whose sum passes the int64 range are held at
// its bound in the graph, as in diff's tables, not wrapped to negatives.
func TestSumsSaturate(t *testing.T) {
	b := diff.NewBuilder([]diff.SampleType{{Type: "inuse_space", Unit: "bytes"}})
	leaf1 := b.Frame(diff.Frame{Function: "main.a"})
	leaf2 := b.Frame(diff.Frame{Function: "main.b"})
	root := b.Frame(diff.Frame{Function: "main.main"})
	big := int64(math.MaxInt64/2 + 1)
	b.AddStack([]int32{leaf1, root}, []int64{big})
	b.AddStack([]int32{leaf2, root}, []int64{big})
	later := b.Dump("later")
	tree, err := flame.BuildDumps(context.Background(), nil, later, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range tree.Nodes {
		if n := &tree.Nodes[i]; n.Total.Later < 0 || n.Self.Later < 0 {
			t.Errorf("node %d: total %d, self %d: wrapped", i, n.Total.Later, n.Self.Later)
		}
	}
	if got := tree.Nodes[flame.Root].Total.Later; got != math.MaxInt64 {
		t.Errorf("root total %d, want the bound %d", got, int64(math.MaxInt64))
	}
}
