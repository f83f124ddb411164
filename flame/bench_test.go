package flame_test

import (
	"context"
	"io"
	"sync"
	"testing"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/reftest"
	"github.com/leakscope/leakscope/flame"
)

// compilerComparison loads the Go compiler's heap pair once (see
// reftest.CompilerHeapPair): a real tree of well over 100k nodes.
var compilerComparison = sync.OnceValues(func() (*diff.Comparison, error) {
	base, later, err := reftest.SharedCompilerHeapPair()
	if err != nil {
		return nil, err
	}
	dumps, err := diff.OpenAll(context.Background(), nil, base, later)
	if err != nil {
		return nil, err
	}
	return diff.Compare(dumps[0], dumps[1], "inuse_space")
})

func compilerTree(b *testing.B) *flame.Tree {
	c, err := compilerComparison()
	if err != nil {
		b.Fatal(err)
	}
	return flame.Build(c)
}

func BenchmarkBuildTree(b *testing.B) {
	c, err := compilerComparison()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var nodes int
	for b.Loop() {
		nodes = len(flame.Build(c).Nodes)
	}
	b.ReportMetric(float64(nodes), "nodes")
}

// BenchmarkLayoutAndDraw measures one frame of the widget: layout plus drawing
// at 1920×1080, in max mode (the widest layout).
func BenchmarkLayoutAndDraw(b *testing.B) {
	tree := compilerTree(b)
	if len(tree.Nodes) < 100_000 {
		b.Fatalf("only %d nodes", len(tree.Nodes))
	}
	v := &flame.View{Tree: tree, Mode: flame.WidthMax}
	img := newRGBA(1920, 1080)
	style := &flame.Style{Face: flame.GoFace(12), Hover: -1}
	maxDepth := 1080/style.RowPixels() + 1
	v.Image(200, 100, 1, style.Face) // warm the glyph cache, as a running widget has
	b.ResetTimer()
	var boxes int
	for b.Loop() {
		l := v.Layout(1920, maxDepth)
		flame.Draw(img, img.Rect, l, style)
		boxes = l.NumBoxes()
	}
	b.ReportMetric(float64(len(tree.Nodes)), "nodes")
	b.ReportMetric(float64(boxes), "boxes")
}

func BenchmarkExportPNG4000x2000(b *testing.B) {
	tree := compilerTree(b)
	v := &flame.View{Tree: tree}
	for b.Loop() {
		img := v.Image(4000, 2000, 1, nil)
		if err := flame.WritePNG(io.Discard, img); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMain(m *testing.M) { reftest.Main(m) }

func BenchmarkBuildDumps(b *testing.B) {
	c, err := compilerComparison()
	if err != nil {
		b.Fatal(err)
	}
	li, _ := c.Later.SampleIndex(c.SampleType.Type)
	bi, _ := c.Base.SampleIndex(c.SampleType.Type)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := flame.BuildDumps(context.Background(), c.Base, c.Later, bi, li); err != nil {
			b.Fatal(err)
		}
	}
}
