package app

import (
	"encoding/csv"
	"fmt"
	"slices"
	"sort"
	"strings"

	views "github.com/leakscope/leakscope/app/widget"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/series"
	"github.com/leakscope/leakscope/flame"
)

// funcTable is the function table: every function's flat and cum values,
// base → later, as `leakscope report` lists them, sortable by any column
// both ways, filtered by the search and the noise filter. Selecting a row
// highlights the function in the graph; a double click shows its callers
// above it and its callees below it.
type funcTable struct {
	note  *widget.Label
	table *widget.Table
	box   fyne.CanvasObject

	all      []diff.Function // as computed
	rows     []int           // indices into all, filtered and sorted
	cols     []funcColumn
	unit     string
	sortCol  int
	stretch  fyne.CanvasObject // the table, its name column stretched
	asc      bool
	match    func(name string) bool // the search; nil for all
	filter   flame.Filter
	hidden   int    // rows the filters leave out
	ofOthers int    // of those, the lines of other functions (only)
	chosen   string // the selected function
	selected int    // the row shown selected; -1 for none
	line     int64  // with lines: the selected row's line of it (0 for none)

	trends   map[string]*series.FunctionTrend         // by name, when a series is open
	lines    bool                                     // rows are source lines
	only     string                                   // with lines: show only this function's ("" for all)
	tips     *views.TipLayer                          // shows names cut short; may be nil
	menu     func(at fyne.Position, name, row string) // a row's menu (copy); may be nil
	onSelect func(name string)                        // a row was selected: its function
	onOpen   func(name string)                        // a row was double-clicked: its function
}

// function returns the function a row stands for.
func (t *funcTable) function(f *diff.Function) string {
	if f.Frame.Function != "" {
		return f.Frame.Function
	}
	return f.Name
}

// newFuncTable returns the table of functions, or of lines ("function
// file:line" rows, as pprof's -lines) when lines is set.
func newFuncTable(lines bool) *funcTable {
	t := &funcTable{note: widget.NewLabel(""), cols: diffFuncColumns, sortCol: 3, lines: lines, selected: -1}
	t.note.Wrapping = fyne.TextWrapWord
	if lines { // one line: the table shares its tab with the source
		t.note.Wrapping, t.note.Truncation = fyne.TextWrapOff, fyne.TextTruncateEllipsis
	}
	t.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(t.rows), len(t.cols) },
		func() fyne.CanvasObject { return newFuncCell(t) },
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*funcCell).set(id) })
	views.SortableHeader(t.table, func() []funcColumn { return t.cols }, func() (int, bool) { return t.sortCol, t.asc }, t.SortBy)
	t.table.StickyColumnCount = 1 // the function stays when the columns scroll
	t.setColumns(diffFuncColumns)
	// In a narrow pane the name and the columns up to the one sorted by
	// stay in view, the name as wide as it needs up to 320 px; the other
	// columns scroll.
	t.stretch = views.Stretch(t.table, func() []funcColumn { return t.cols }, func() int {
		keep := t.sortCol
		for i, c := range t.cols {
			if c.title == "Flat trend" { // over a series, the trend too
				keep = max(keep, i)
			}
		}
		return keep
	}, func() float32 {
		return views.FitWidth("", func(yield func(string) bool) {
			for _, i := range t.rows {
				if !yield(t.cols[0].text(&t.all[i], t.unit)) {
					return
				}
			}
		}, false, 0, 320)
	})
	t.box = container.NewBorder(views.Capped(t.note, 2), nil, nil, nil, t.stretch)
	return t
}

func (t *funcTable) setColumns(cols []funcColumn) {
	t.cols = slices.Clone(cols) // fitColumns sizes this table's own

	views.SetWidths(t.table, cols)
	if t.stretch != nil {
		t.stretch.Refresh()
	}
}

// fitColumns sizes the columns whose text must show whole (a line's
// file:line, the intervals grown, a trend's sparkline and rate, a change
// in percent) to the widest of the rows'.
func (t *funcTable) fitColumns() {
	changed := false
	for k := range t.cols {
		c := &t.cols[k]
		least := map[string]float32{"Where": 120, "Grew": 48, "Flat trend": 64, "Rate": 96, "Flat Δ%": 70, "Cum Δ%": 70}[c.title]
		if least == 0 {
			continue
		}
		w := views.FitWidth(c.title, func(yield func(string) bool) {
			for _, i := range t.rows {
				if !yield(c.text(&t.all[i], t.unit)) {
					return
				}
			}
		}, monoColumn(c.title), least, 360)
		if w != c.width {
			c.width, changed = w, true
			t.table.SetColumnWidth(k, w)
		}
	}
	if changed && t.stretch != nil {
		t.stretch.Refresh()
	}
}

// show lists fns, of a comparison with a base when hasBase; trends, when
// not nil, are the functions over a series, which then sort by score.
func (t *funcTable) show(fns []diff.Function, unit string, hasBase bool, trends map[string]*series.FunctionTrend) {
	// The rows index the old list: empty them before anything redraws.
	t.all, t.rows, t.unit, t.trends = fns, t.rows[:0], unit, trends
	cols := diffFuncColumns
	t.sortCol, t.asc = 3, false
	if !hasBase {
		cols, t.sortCol = singleFuncColumns, 1
	}
	if trends != nil && hasBase && !t.lines {
		cols, t.sortCol = t.seriesFuncColumns(), 1
	}
	if t.lines {
		// A line's function and its file:line, each whole in a column.
		cols = append([]funcColumn{cols[0], lineWhereColumn}, cols[1:]...)
		cols[0].text = func(f *diff.Function, _ string) string { return flame.ShortName(f.Frame.Function) }
		if t.sortCol > 0 {
			t.sortCol++
		}
	}
	t.setColumns(cols)
	t.refilter()
}

// setMatch filters the rows by the search (nil for none).
func (t *funcTable) setMatch(m func(name string) bool) {
	t.match = m
	t.refilter()
}

// setFilter filters the rows by the noise filter.
func (t *funcTable) setFilter(f flame.Filter) {
	t.filter = f
	t.refilter()
}

func (t *funcTable) refilter() {
	t.rows = t.rows[:0]
	t.hidden, t.ofOthers = 0, 0
	for i := range t.all {
		f := &t.all[i]
		if t.only != "" && t.function(f) != t.only {
			t.hidden++
			t.ofOthers++
			continue
		}
		if t.match != nil && !t.match(t.function(f)) {
			t.hidden++
			continue
		}
		if t.filter.Active() && !t.filter.Passes(f.Flat) && !t.filter.Passes(f.Cum) {
			t.hidden++
			continue
		}
		t.rows = append(t.rows, i)
	}
	t.fitColumns()
	t.sort()
	what := plural(len(t.rows), "function", "functions")
	if t.lines {
		what = plural(len(t.rows), "line", "lines")
		if t.only != "" {
			what += " of " + flame.ShortName(t.only)
		}
	}
	if hidden := t.hidden - t.ofOthers; hidden > 0 {
		what += fmt.Sprintf(" (%d hidden by the search or the noise filter)", hidden)
	}
	if t.lines { // a short note: the table shares its tab with the source
		t.note.SetText(what + ". Double-click: callers and callees.")
		return
	}
	t.note.SetText(what + ". Click a row to mark the function in the graph, double-click for its callers and callees.")
}

// SortBy sorts by column col: descending first, then ascending on a second click.
func (t *funcTable) SortBy(col int) {
	if col == t.sortCol {
		t.asc = !t.asc
	} else {
		t.sortCol, t.asc = col, t.cols[col].key == nil
	}
	t.sort()
}

func (t *funcTable) sort() {
	c := t.cols[t.sortCol]
	// Keys are computed once per row, not per comparison: a series column's
	// key looks the function's trend up by name.
	var keys []float64
	if c.key != nil {
		keys = make([]float64, len(t.all))
		for _, i := range t.rows {
			keys[i] = c.key(&t.all[i])
		}
	}
	less := func(a, b int) bool {
		if keys != nil && keys[a] != keys[b] {
			return keys[a] > keys[b]
		}
		return t.all[a].Name < t.all[b].Name
	}
	sort.SliceStable(t.rows, func(i, j int) bool {
		if t.asc {
			return less(t.rows[j], t.rows[i])
		}
		return less(t.rows[i], t.rows[j])
	})
	// The selection follows the chosen function (and line) to its new
	// row, or goes when the row is hidden: it is not a row number.
	t.mark(-1)
	for i, k := range t.rows {
		if f := &t.all[k]; t.chosen != "" && t.function(f) == t.chosen && (!t.lines || f.Frame.Line == t.line) {
			t.mark(i)
			break
		}
	}
	t.table.ScrollToTop()
	t.table.Refresh()
}

// mark shows row i selected (-1: none), without the callbacks of a click.
func (t *funcTable) mark(i int) {
	t.selected = i
	if i < 0 {
		t.table.UnselectAll()
		return
	}
	t.table.Select(widget.TableCellID{Row: i, Col: 0})
}

// Row returns row i's cells as text.
func (t *funcTable) Row(i int) []string {
	var out []string
	for _, c := range t.cols {
		out = append(out, c.text(&t.all[t.rows[i]], t.unit))
	}
	return out
}

// fullRow returns row i's full name, and its cells as tab-separated text
// with that name first.
func (t *funcTable) fullRow(i int) (name, row string) {
	cells := t.Row(i)
	f := &t.all[t.rows[i]]
	name = t.function(f)
	cells[0] = f.Name // a line's "function file:line", whole
	return name, strings.Join(cells, "\t")
}

// CSV writes the rows as on screen (filtered, sorted), with a header.
func (t *funcTable) CSV() string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	var head []string
	for _, c := range t.cols {
		head = append(head, strings.TrimSpace(c.title))
	}
	w.Write(head)
	for _, i := range t.rows {
		f := &t.all[i]
		cells := []string{f.Name}
		if t.trends != nil && len(t.cols) > len(diffFuncColumns) {
			if ft := t.trends[f.Name]; ft != nil {
				cells = append(cells, fmt.Sprintf("%.4f", ft.Flat.Score), sparkline(ft.Flat.Values), fmt.Sprint(ft.Flat.Grew), fmt.Sprintf("%.1f", ft.Flat.Rate))
			} else {
				cells = append(cells, "", "", "", "")
			}
		}
		if len(t.cols) >= len(diffFuncColumns) { // with a base
			cells = append(cells, fmt.Sprint(f.Flat.Base), fmt.Sprint(f.Flat.Later), fmt.Sprint(f.Flat.Diff()), pct(f.Flat),
				fmt.Sprint(f.Cum.Base), fmt.Sprint(f.Cum.Later), fmt.Sprint(f.Cum.Diff()), pct(f.Cum), mark(f))
		} else {
			cells = append(cells, fmt.Sprint(f.Flat.Later), fmt.Sprint(f.Cum.Later))
		}
		w.Write(cells)
	}
	w.Flush()
	return b.String()
}

// choose selects row i as a click does.
func (t *funcTable) choose(i int, open bool) {
	if i < 0 || i >= len(t.rows) {
		return
	}
	name := t.function(&t.all[t.rows[i]])
	t.chosen, t.line = name, t.all[t.rows[i]].Frame.Line
	t.mark(i)
	if open && t.onOpen != nil {
		t.onOpen(name)
	} else if !open && t.onSelect != nil {
		t.onSelect(name)
	}
}

// funcCell is a cell of the function table.
type funcCell struct {
	widget.Label
	t        *funcTable
	row, col int
}

var (
	_ fyne.Tappable          = (*funcCell)(nil)
	_ fyne.DoubleTappable    = (*funcCell)(nil)
	_ fyne.SecondaryTappable = (*funcCell)(nil)
	_ desktop.Hoverable      = (*funcCell)(nil)
)

// TappedSecondary offers to copy the row, with the function's full name.
func (c *funcCell) TappedSecondary(e *fyne.PointEvent) {
	if c.t.menu == nil || c.row >= len(c.t.rows) {
		return
	}
	name, row := c.t.fullRow(c.row)
	if c.t.tips != nil {
		c.t.tips.Tip("", c) // the menu takes its place
	}
	c.t.menu(e.AbsolutePosition, name, row)
}

// MouseIn shows the whole name of a row whose name is cut short.
func (c *funcCell) MouseIn(*desktop.MouseEvent) {
	if c.col != 0 || c.t.tips == nil || c.row >= len(c.t.rows) {
		return
	}
	// The full name, when the row shows a Rust name's short form or cuts it.
	if full := c.t.all[c.t.rows[c.row]].Name; full != c.Text || truncated(&c.Label) {
		c.t.tips.Tip(full, c)
	}
}

// MouseMoved implements desktop.Hoverable.
func (c *funcCell) MouseMoved(*desktop.MouseEvent) {}

// MouseOut hides the name.
func (c *funcCell) MouseOut() {
	if c.t.tips != nil {
		c.t.tips.Tip("", c)
	}
}

// truncated reports whether l's text is wider than l.
func truncated(l *widget.Label) bool {
	w := fyne.MeasureText(l.Text, theme.TextSize(), l.TextStyle).Width
	return w > l.Size().Width-2*theme.InnerPadding()
}

func newFuncCell(t *funcTable) *funcCell {
	c := &funcCell{t: t}
	c.ExtendBaseWidget(c)
	return c
}

func (c *funcCell) set(id widget.TableCellID) {
	c.row, c.col = id.Row, id.Col
	t := c.t
	if id.Row >= len(t.rows) || id.Col >= len(t.cols) {
		c.SetText("")
		return
	}
	col := t.cols[id.Col]
	align, trunc := fyne.TextAlignTrailing, fyne.TextTruncateOff
	if col.left {
		align = fyne.TextAlignLeading
	}
	if id.Col == 0 {
		trunc = fyne.TextTruncateEllipsis
	}
	text := col.text(&t.all[t.rows[id.Row]], t.unit)
	mono := monoColumn(col.title)
	if text == c.Text && align == c.Alignment && trunc == c.Truncation && mono == c.TextStyle.Monospace {
		return
	}
	c.Alignment, c.Truncation, c.TextStyle.Monospace = align, trunc, mono
	c.SetText(text)
}

// Tapped selects the row.
func (c *funcCell) Tapped(*fyne.PointEvent) { c.t.choose(c.row, false) }

// DoubleTapped merges the graph at the row's function.
func (c *funcCell) DoubleTapped(*fyne.PointEvent) { c.t.choose(c.row, true) }

// selectName marks the row of function name, as the graph asks when a frame
// of it is clicked, and scrolls to it; no callback runs.
func (t *funcTable) selectName(name string) {
	for i, k := range t.rows {
		if t.function(&t.all[k]) == name {
			t.chosen = name
			t.mark(i)
			// The row above goes to the top, under the header that stays:
			// the chosen row is the first one in view.
			t.table.ScrollTo(widget.TableCellID{Row: max(i-1, 0), Col: 0})
			return
		}
	}
	t.mark(-1)
}

// setOnly shows only the rows of function fn ("" for all).
func (t *funcTable) setOnly(fn string) {
	t.only = fn
	t.refilter()
}

// rowsOf returns the rows of function fn, unfiltered.
func (t *funcTable) rowsOf(fn string) []diff.Function {
	var out []diff.Function
	for i := range t.all {
		if t.function(&t.all[i]) == fn {
			out = append(out, t.all[i])
		}
	}
	return out
}

// plural says n things: "1 line", "3 lines".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
