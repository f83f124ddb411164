package widget

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Capped returns o in a vertical scroll the height of lines lines of a
// label: a long message (a wrapped label, say) scrolls inside its pane
// instead of making the pane, and with it the window, taller.
func Capped(o fyne.CanvasObject, lines int) fyne.CanvasObject {
	s := container.NewVScroll(o)
	return container.New(&cappedLayout{content: o, lines: lines, fixed: true}, s)
}

// UpTo is Capped that asks for o's own height when that is less than
// lines lines: for a message the user expands, already laid out at its
// width, so that its lines are known.
func UpTo(o fyne.CanvasObject, lines int) fyne.CanvasObject {
	s := container.NewVScroll(o)
	return container.New(&cappedLayout{content: o, lines: lines}, s)
}

type cappedLayout struct {
	content fyne.CanvasObject
	lines   int
	limit   float32 // the height of lines lines, once measured
	fixed   bool    // always that height
}

func (l *cappedLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *cappedLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	if l.limit == 0 {
		// A label's lines, padding included, as a label lays them out.
		one := widget.NewLabel("Mg").MinSize().Height
		line := widget.NewLabel("Mg\nMg").MinSize().Height - one
		pad := (one - line) / 2
		// The padding above, the lines, and no more than a sliver of the
		// padding below: the next line must not show its top half.
		l.limit = pad + float32(l.lines)*line + 2
	}
	// Always that height: a wrapped label learns its lines only once laid
	// out, too late for the pane around it; and a pane that keeps its
	// height never moves what is under it.
	if !l.fixed {
		return fyne.NewSize(0, min(l.content.MinSize().Height, l.limit))
	}
	return fyne.NewSize(0, l.limit)
}

// Steady stacks objects one over the other, at the size of the largest of
// them shown or hidden: showing one and hiding another (a progress bar in
// place of a status line) never changes the space the stack takes, so
// nothing around it moves.
func Steady(objects ...fyne.CanvasObject) *fyne.Container {
	return container.New(steadyLayout{}, objects...)
}

type steadyLayout struct{}

func (steadyLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (steadyLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}

// Wrap lays objects out left to right, starting a new row where the next
// does not fit. Its rows are counted at Width, which the window sets from
// its own width before it lays out anything, so that a narrow window gets a
// second row at once, and the rows change only when the window's width does.
type Wrap struct {
	Width float32 // the width the objects are laid out in; 0: one row
}

// rows returns the row of each visible object at width w, and the rows' height.
func (l *Wrap) rows(objects []fyne.CanvasObject, w float32) (row []int, height float32) {
	pad := theme.Padding()
	x, r := float32(0), 0
	var h float32
	for _, o := range objects {
		if !o.Visible() {
			row = append(row, -1)
			continue
		}
		s := o.MinSize()
		h = max(h, s.Height)
		if x > 0 && w > 0 && x+s.Width > w {
			r, x = r+1, 0
		}
		row = append(row, r)
		x += s.Width + pad
	}
	return row, float32(r+1)*h + float32(r)*pad
}

// Layout places the objects in rows at their minimum size.
func (l *Wrap) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	row, _ := l.rows(objects, size.Width)
	pad := theme.Padding()
	var h float32
	for _, o := range objects {
		if o.Visible() {
			h = max(h, o.MinSize().Height)
		}
	}
	x, cur := float32(0), 0
	for i, o := range objects {
		if row[i] < 0 {
			continue
		}
		if row[i] != cur {
			cur, x = row[i], 0
		}
		s := o.MinSize()
		o.Resize(fyne.NewSize(s.Width, h))
		o.Move(fyne.NewPos(x, float32(cur)*(h+pad)))
		x += s.Width + pad
	}
}

// MinSize is the widest object's width and the height of the rows at Width.
func (l *Wrap) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var w float32
	for _, o := range objects {
		if o.Visible() {
			w = max(w, o.MinSize().Width)
		}
	}
	_, h := l.rows(objects, l.Width)
	return fyne.NewSize(w, h)
}

// WidthFirst is a layout that tells its width to set before inner lays out
// the objects: the window's content uses it so that a Wrap in it counts
// its rows at the window's width.
type WidthFirst struct {
	Inner fyne.Layout
	Set   func(width float32)
}

// Layout sets the width, then lays out with Inner.
func (l *WidthFirst) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	l.Set(size.Width)
	l.Inner.Layout(objects, size)
}

// MinSize is Inner's.
func (l *WidthFirst) MinSize(objects []fyne.CanvasObject) fyne.Size { return l.Inner.MinSize(objects) }

// Wanter is an object that can use more width than its minimum: a button
// whose text is cut to fit, for example.
type Wanter interface {
	// WantWidth is the width the object needs to show itself whole.
	WantWidth() float32
}

// Elastic lays objects out in a row, as an HBox does, at their minimum
// widths, and shares the width left over among the objects that want more
// (Wanter), each up to what it wants. The row keeps to the left; what no
// object wants stays empty at its right.
type Elastic struct{}

// Layout implements fyne.Layout.
func (Elastic) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	widths := make([]float32, len(objects))
	extra := make([]float32, len(objects)) // what each visible Wanter wants beyond its minimum
	left := size.Width
	n := 0
	for i, o := range objects {
		if !o.Visible() {
			continue
		}
		widths[i] = o.MinSize().Width
		left -= widths[i]
		if n > 0 {
			left -= pad
		}
		n++
		if w, ok := o.(Wanter); ok {
			extra[i] = max(0, w.WantWidth()-widths[i])
		}
	}
	// Water-filling: every Wanter gets an equal share, the ones that want
	// less than that get what they want, and the rest is shared again.
	for left > 0.5 {
		wanting := 0
		for _, e := range extra {
			if e > 0 {
				wanting++
			}
		}
		if wanting == 0 {
			break
		}
		share := left / float32(wanting)
		for i, e := range extra {
			if e <= 0 {
				continue
			}
			g := min(e, share)
			widths[i] += g
			extra[i] -= g
			left -= g
		}
	}
	x := float32(0)
	for i, o := range objects {
		if !o.Visible() {
			continue
		}
		h := o.MinSize().Height
		o.Resize(fyne.NewSize(widths[i], h))
		o.Move(fyne.NewPos(x, (size.Height-h)/2))
		x += widths[i] + pad
	}
}

// MinSize implements fyne.Layout: the objects' minimum widths side by side.
func (Elastic) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	n := 0
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		s.Width += m.Width
		s.Height = max(s.Height, m.Height)
		n++
	}
	if n > 1 {
		s.Width += theme.Padding() * float32(n-1)
	}
	return s
}
