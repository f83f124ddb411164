package widget

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func TestCutMiddle(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"heap.pb.gz", 20, "heap.pb.gz"},
		{"heap.pb.gz", 10, "heap.pb.gz"},
		{"heap-0001-20261203T034826.653Z.pb.gz", 11, "heap-…pb.gz"},
		{"heap-0001-20261203T034826.653Z.pb.gz", 12, "heap-0…pb.gz"},
		{"äöüßäöü", 5, "äö…öü"},
		{"abcdef", 2, "abcdef"},
	} {
		if got := CutMiddle(c.s, c.n); got != c.want {
			t.Errorf("CutMiddle(%q, %d) = %q; want %q", c.s, c.n, got, c.want)
		}
	}
}

// wanter is a box of a minimum width that wants more.
type wanter struct {
	*canvas.Rectangle
	want float32
}

func (w wanter) WantWidth() float32 { return w.want }

func box(minW float32) *canvas.Rectangle {
	r := canvas.NewRectangle(nil)
	r.SetMinSize(fyne.NewSize(minW, 10))
	return r
}

func TestElastic(t *testing.T) {
	test.NewTempApp(t)
	pad := theme.Padding()
	for _, c := range []struct {
		name  string
		width float32 // of the row, beyond its minimum
		wants []float32
		got   []float32 // the wanters' widths
	}{
		{"no room", 0, []float32{100, 100}, []float32{50, 50}},
		{"shared evenly", 40, []float32{100, 100}, []float32{70, 70}},
		{"the modest one is filled first", 60, []float32{60, 200}, []float32{60, 100}},
		{"all filled, the rest stays empty", 500, []float32{60, 80}, []float32{60, 80}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fixed := box(30)
			a := wanter{box(50), c.wants[0]}
			b := wanter{box(50), c.wants[1]}
			hidden := box(1000)
			hidden.Hide()
			objs := []fyne.CanvasObject{fixed, a, hidden, b}
			min := Elastic{}.MinSize(objs)
			if want := 30 + 50 + 50 + 2*pad; min.Width != want {
				t.Fatalf("MinSize width %v; want %v", min.Width, want)
			}
			Elastic{}.Layout(objs, fyne.NewSize(min.Width+c.width, 20))
			if fixed.Size().Width != 30 {
				t.Errorf("fixed box %v wide; want 30", fixed.Size().Width)
			}
			if a.Size().Width != c.got[0] || b.Size().Width != c.got[1] {
				t.Errorf("wanters %v and %v wide; want %v", a.Size().Width, b.Size().Width, c.got)
			}
			if want := 30 + pad + a.Size().Width + pad; b.Position().X != want {
				t.Errorf("last box at x %v; want %v (hidden boxes take no room)", b.Position().X, want)
			}
		})
	}
}
