package widget

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/flame"
)

// TestRunLabelUnderPointer: over a folded run of runtime frames the graph
// names the run, not only its first frame; over another box, nothing.
func TestRunLabelUnderPointer(t *testing.T) {
	test.NewTempApp(t)
	dump := func(name string, v int64) *diff.Dump {
		b := diff.NewBuilder([]diff.SampleType{{Type: "inuse_space", Unit: "bytes"}})
		f := func(n string) int32 { return b.Frame(diff.Frame{Function: n}) }
		b.AddStack([]int32{f("main.leak"), f("rt.c"), f("rt.b"), f("rt.a")}, []int64{v})
		b.AddStack([]int32{f("rt.c"), f("rt.b"), f("rt.a")}, []int64{10 * v}) // self at the run's end
		return b.Dump(name)
	}
	c, err := diff.Compare(dump("base", 1), dump("later", 3), "")
	if err != nil {
		t.Fatal(err)
	}
	g := NewFlameGraph("")
	g.SetView(&flame.View{Tree: flame.Build(c), Runtime: func(fn string) bool { return strings.HasPrefix(fn, "rt.") }})
	w := test.NewTempWindow(t, g)
	w.Resize(fyne.NewSize(400, 200))
	at := func(row int) fyne.Position {
		p := fyne.NewPos(g.Size().Width/2, float32(row*rowHeight+rowHeight/2))
		if g.View().Flame {
			p.Y = g.Size().Height - p.Y
		}
		return p
	}
	g.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: at(1)}})
	if got, self := g.RunLabel(); got != "… 3 runtime frames (rt.a … rt.c)" || self != (diff.Delta{Base: 10, Later: 30}) {
		t.Errorf("over the run: %q, self %+v; want … 3 runtime frames (rt.a … rt.c), self 10 → 30", got, self)
	}
	g.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: at(2)}})
	if got, _ := g.RunLabel(); got != "" {
		t.Errorf("over main.leak: %q, want none", got)
	}
}
