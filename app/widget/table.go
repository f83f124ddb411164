package widget

import (
	"fyne.io/fyne/v2"
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
