package widget

import (
	"fyne.io/fyne/v2"
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
	table.CreateHeader = func() fyne.CanvasObject { return widget.NewButton("", nil) }
	table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		cs := cols()
		ok := id.Col >= 0 && id.Col < len(cs)
		title := ""
		if ok {
			title, _ = cs[id.Col].Heading()
		}
		col, asc := state()
		setSortHeader(o.(*widget.Button), ok, title, id.Col, col, asc, sortBy)
	}
}

// Stretch returns table in a container that gives the table's first
// column (the names) the width the other columns of cols() leave, never
// less than its own, so that the names use a wide window and the columns
// share a narrow one. Refresh the container after the columns change.
func Stretch[C Heading](table *widget.Table, cols func() []C) fyne.CanvasObject {
	return container.New(&stretchLayout[C]{table: table, cols: cols}, table)
}

type stretchLayout[C Heading] struct {
	table *widget.Table
	cols  func() []C
}

func (l *stretchLayout[C]) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	cs := l.cols()
	if len(cs) > 0 {
		_, first := cs[0].Heading()
		rest := theme.ScrollBarSize() + theme.Padding()
		for _, c := range cs[1:] {
			_, w := c.Heading()
			rest += w + theme.Padding()
		}
		l.table.SetColumnWidth(0, max(first, size.Width-rest))
	}
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *stretchLayout[C]) MinSize(objects []fyne.CanvasObject) fyne.Size {
	return l.table.MinSize()
}

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
