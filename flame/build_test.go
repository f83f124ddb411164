package flame_test

import (
	"context"
	"image"
	"strings"
	"sync"
	"testing"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/flame"
)

// pathTotals sums each root-to-frame path's values straight from the
// stacks, leaving out the skipped functions: what every node's Total must be.
func pathTotals(c *diff.Comparison, skip func(string) bool) map[string]diff.Delta {
	out := map[string]diff.Delta{}
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
	}
	return out
}

func nodePath(t *flame.Tree, n int32) string {
	var names []string
	for _, i := range t.Path(n)[1:] {
		names = append(names, t.Nodes[i].Name)
	}
	return strings.Join(names, ";")
}

// TestBuildMatchesTheStacks checks every node of real trees against sums
// computed directly from the samples, with and without hidden functions.
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
			want := pathTotals(c, skip)
			tree := flame.BuildWith(c, skip)
			if len(tree.Nodes)-1 != len(want) {
				t.Errorf("%v, %s: %d nodes, want %d", p, desc, len(tree.Nodes)-1, len(want))
			}
			for i := 1; i < len(tree.Nodes); i++ {
				k := nodePath(tree, int32(i))
				if got := tree.Nodes[i].Total; got != want[k] {
					t.Errorf("%v, %s: %s total %+v, want %+v", p, desc, k, got, want[k])
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
