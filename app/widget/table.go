package widget

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// A Heading is a table column that has a title and a width.
type Heading interface {
	Heading() (title string, width float32)
}

// SortableHeader gives table a header row of buttons, one per column of
// cols(): clicking one sorts by it (sortBy), and the column sorted by
// (state) is marked ▲ (ascending) or ▼. The functions and spawn-site tables
// both use it.
func SortableHeader[C Heading](table *widget.Table, cols func() []C, state func() (col int, asc bool), sortBy func(int)) {
	table.ShowHeaderColumn = false
	table.CreateHeader = func() fyne.CanvasObject {
		// A grip at the right edge shows where to drag to widen the column.
		grip := canvas.NewRectangle(theme.Color(theme.ColorNamePlaceHolder))
		return container.New(gripLayout{}, widget.NewButton("", nil), grip)
	}
	table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		cs := cols()
		ok := id.Col >= 0 && id.Col < len(cs)
		title := ""
		if ok {
			title, _ = cs[id.Col].Heading()
		}
		col, asc := state()
		c := o.(*fyne.Container)
		setSortHeader(c.Objects[0].(*widget.Button), ok, title, id.Col, col, asc, sortBy)
		c.Objects[1].(*canvas.Rectangle).Hidden = !ok
	}
}

// Stretch returns table in a container that gives the table's first
// column (the names) the width the other columns of cols() leave, never
// less than its own, so that the names use a wide window and the columns
// share a narrow one. In a narrow one, the names may take up to need()
// (the widest name; nil for none) while the keep() columns after them stay
// in view: the rest scroll. Refresh the container after the columns change.
func Stretch[C Heading](table *widget.Table, cols func() []C, keep func() int, need func() float32) fyne.CanvasObject {
	return container.New(&stretchLayout[C]{table: table, cols: cols, keep: keep, need: need}, table)
}

type stretchLayout[C Heading] struct {
	table *widget.Table
	cols  func() []C
	keep  func() int
	need  func() float32
}

func (l *stretchLayout[C]) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	cs := l.cols()
	if len(cs) > 0 {
		_, first := cs[0].Heading()
		rest := theme.ScrollBarSize() + theme.Padding()
		kept, keep := rest, 0
		if l.keep != nil {
			keep = l.keep()
		}
		for i, c := range cs[1:] {
			_, w := c.Heading()
			rest += w + theme.Padding()
			if i < keep {
				kept += w + theme.Padding()
			}
		}
		width := max(first, size.Width-rest)
		if l.need != nil && width < size.Width-kept {
			width = max(width, min(l.need(), size.Width-kept))
		}
		l.table.SetColumnWidth(0, width)
	}
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *stretchLayout[C]) MinSize(objects []fyne.CanvasObject) fyne.Size {
	return l.table.MinSize()
}

// gripLayout lays a header out: its button over the whole cell, and the
// grip, a short bar, at its right edge, where the column's border is.
type gripLayout struct{}

func (gripLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	objects[0].Move(fyne.NewPos(0, 0))
	objects[0].Resize(size)
	h := min(size.Height/2, 16)
	objects[1].Move(fyne.NewPos(size.Width-3, (size.Height-h)/2))
	objects[1].Resize(fyne.NewSize(2, h))
}

func (gripLayout) MinSize(objects []fyne.CanvasObject) fyne.Size { return objects[0].MinSize() }

// SetWidths sets the width of each of table's columns as cols give them.
func SetWidths[C Heading](table *widget.Table, cols []C) {
	for i, c := range cols {
		_, w := c.Heading()
		table.SetColumnWidth(i, w)
	}
}

// setSortHeader makes b the header of column col of a sortable table: its
// title, with an arrow when the table is sorted by it, and a tap that sorts
// by it; ok false (a cell outside the columns) makes a blank header.
func setSortHeader(b *widget.Button, ok bool, title string, col, sortCol int, asc bool, sortBy func(int)) {
	if !ok {
		b.SetText("")
		b.OnTapped = nil
		return
	}
	if col == sortCol {
		if asc {
			title += " ▲"
		} else {
			title += " ▼"
		}
	}
	b.SetText(title)
	b.OnTapped = func() { sortBy(col) }
}

// FitWidth returns the width a column needs to show each of texts whole
// (and its title), from least to most: the texts are measured as a
// table's label draws them, monospace when mono.
func FitWidth(title string, texts func(yield func(string) bool), mono bool, least, most float32) float32 {
	style := fyne.TextStyle{Monospace: mono}
	size := theme.TextSize()
	w := fyne.MeasureText(title, size, fyne.TextStyle{Bold: true}).Width
	longest := 0
	for s := range texts {
		// The longest texts are the widest: measure only those.
		if n := len(s); n >= longest-2 {
			longest = max(longest, n)
			w = max(w, fyne.MeasureText(s, size, style).Width)
		}
	}
	return min(max(w+2*theme.InnerPadding()+theme.Padding(), least), most)
}
