package widget

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/flame"
)

// Scrolled implements fyne.Scrollable: the wheel scrolls the rows.
func (f *FlameGraph) Scrolled(e *fyne.ScrollEvent) {
	rows := -int(e.Scrolled.DY / rowHeight)
	if rows == 0 && e.Scrolled.DY != 0 {
		rows = -1
		if e.Scrolled.DY < 0 {
			rows = 1
		}
	}
	if f.view != nil && f.view.Flame {
		rows = -rows
	}
	f.ScrollBy(rows)
	f.rehover()
}

// rehover says again what is under the pointer, after the rows moved
// under it: the tip must not name the frame that was there.
func (f *FlameGraph) rehover() {
	if f.hover < 0 || f.keyboard {
		return
	}
	n := f.NodeAt(f.pointer)
	f.setHover(n)
	if n >= 0 && f.OnHover != nil {
		f.OnHover(n)
	}
}

// Dragged implements fyne.Draggable: dragging moves the rows with the pointer.
func (f *FlameGraph) Dragged(e *fyne.DragEvent) {
	f.dragY += e.Dragged.DY
	rows := int(f.dragY / rowHeight)
	if rows != 0 {
		f.dragY -= float32(rows * rowHeight)
		if f.view != nil && f.view.Flame {
			rows = -rows
		}
		f.ScrollBy(-rows)
	}
}

// DragEnd implements fyne.Draggable.
func (f *FlameGraph) DragEnd() { f.dragY = 0 }

// FocusGained implements fyne.Focusable.
func (f *FlameGraph) FocusGained() { f.focused = true; f.Refresh() }

// FocusLost implements fyne.Focusable.
func (f *FlameGraph) FocusLost() { f.focused = false; f.Refresh() }

// TypedRune implements fyne.Focusable.
func (f *FlameGraph) TypedRune(rune) {}

// TypedKey implements fyne.Focusable: arrows move between frames, Enter
// zooms into the frame, Backspace goes back, Page Up and Down scroll, and
// Esc leaves the graph to the window (back, or a dialog).
func (f *FlameGraph) TypedKey(e *fyne.KeyEvent) {
	if f.view == nil {
		return
	}
	switch e.Name {
	case fyne.KeyUp, fyne.KeyDown:
		away := e.Name == fyne.KeyDown
		if f.view.Flame {
			away = !away
		}
		if away {
			f.moveCursor(f.widestChild(f.cursor))
		} else if p := f.view.Tree.Nodes[f.cursor].Parent; p >= 0 {
			f.moveCursor(f.shown(p))
		}
	case fyne.KeyLeft, fyne.KeyRight:
		f.moveCursor(f.sibling(e.Name == fyne.KeyRight))
	case fyne.KeyReturn, fyne.KeyEnter:
		f.ZoomTo(f.cursor)
	case fyne.KeyBackspace:
		f.Back()
	case fyne.KeyPageDown:
		f.ScrollBy(f.VisibleRows() - 1)
	case fyne.KeyPageUp:
		f.ScrollBy(-(f.VisibleRows() - 1))
	case fyne.KeyHome:
		f.ZoomTo(flame.Root)
	default:
		if f.OnKey != nil {
			f.OnKey(e)
		}
	}
}

// widestChild returns n's widest child that is laid out, or n.
func (f *FlameGraph) widestChild(n int32) int32 {
	l := f.CurrentLayout()
	best, bw := n, -1.0
	d, _, ok := l.Row(n)
	if !ok || d+1 >= len(l.Rows) {
		return n
	}
	for _, b := range l.Rows[d+1] {
		if b.Plain() && f.view.Tree.Nodes[b.Node].Parent == n && b.W > bw {
			best, bw = b.Node, b.W
		}
	}
	return best
}

// sibling returns the box next to the cursor on its row.
func (f *FlameGraph) sibling(right bool) int32 {
	l := f.CurrentLayout()
	d, _, ok := l.Row(f.cursor)
	if !ok {
		return f.cursor
	}
	row := l.Rows[d]
	for i, b := range row {
		if b.Node != f.cursor || b.Merged > 0 {
			continue
		}
		for j := i + 1; right && j < len(row); j++ {
			if row[j].Plain() {
				return row[j].Node
			}
		}
		for j := i - 1; !right && j >= 0; j-- {
			if row[j].Plain() {
				return row[j].Node
			}
		}
	}
	return f.cursor
}

// moveCursor puts the keyboard on node n, scrolls it into view and reports
// it as hovered, so the status line describes it.
func (f *FlameGraph) moveCursor(n int32) {
	f.cursor, f.keyboard = n, true
	if d, _, ok := f.CurrentLayout().Row(n); ok {
		switch vis := f.VisibleRows(); {
		case d < f.scroll:
			f.scroll = d
		case d >= f.scroll+vis-1:
			f.scroll = d - vis + 2
		}
	}
	f.Refresh()
	if f.OnHover != nil {
		f.OnHover(n)
	}
}

// MouseIn implements desktop.Hoverable.
func (f *FlameGraph) MouseIn(e *desktop.MouseEvent) { f.MouseMoved(e) }

// MouseMoved implements desktop.Hoverable.
func (f *FlameGraph) MouseMoved(e *desktop.MouseEvent) {
	f.pointer, f.keyboard = e.Position, false
	n := f.NodeAt(e.Position)
	if n == f.hover && n >= 0 && f.OnHover != nil {
		f.OnHover(n) // the tip follows the pointer
	}
	f.setHover(n)
}

// MouseOut implements desktop.Hoverable.
func (f *FlameGraph) MouseOut() { f.setHover(-1) }

func (f *FlameGraph) setHover(n int32) {
	if n == f.hover {
		return
	}
	f.hover = n
	f.Refresh()
	if f.OnHover != nil {
		f.OnHover(n)
	}
}

// Tapped zooms into the frame under the pointer; clicking an ancestor of the
// zoomed frame zooms back out to it.
func (f *FlameGraph) Tapped(e *fyne.PointEvent) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(f); c != nil {
		c.Focus(f)
	}
	b, ok := f.boxAt(e.Position)
	if !ok {
		return
	}
	if b.Folded > 0 {
		f.Expand()
		return
	}
	if b.Run != 0 {
		f.ExpandRun(b)
		return
	}
	n := f.NodeAt(e.Position)
	f.cursor = n
	f.ZoomTo(n)
}

// TappedSecondary shows the frame's context menu.
func (f *FlameGraph) TappedSecondary(e *fyne.PointEvent) {
	n := f.NodeAt(e.Position)
	if n <= flame.Root {
		return
	}
	name := f.view.Tree.Nodes[n].Name
	items := []*fyne.MenuItem{
		fyne.NewMenuItem("Focus on this function", func() {
			if f.OnFocus != nil {
				f.OnFocus(name)
			}
		}),
		fyne.NewMenuItem("Hide this function", func() {
			if f.OnHide != nil {
				f.OnHide(name)
			}
		}),
		fyne.NewMenuItem("Callers and callees", func() {
			if f.OnSandwich != nil {
				f.OnSandwich(name)
			}
		}),
		fyne.NewMenuItem("Copy name", func() { fyne.CurrentApp().Clipboard().SetContent(name) }),
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(f)
	if c == nil {
		return
	}
	if f.OnHover != nil {
		f.OnHover(-1) // the menu covers the frame: no tip behind it
	}
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), c, e.AbsolutePosition)
}
