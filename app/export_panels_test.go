package app

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	views "github.com/leakscope/leakscope/app/widget"
	"github.com/leakscope/leakscope/diff"
)

// Test hooks: they read widget state and run on the test goroutine.

// SiteRows returns the panel's rows as text.
func (u *UI) SiteRows() []string {
	var out []string
	for i := range u.sites.rows {
		var cells []string
		for _, c := range u.sites.cols {
			cells = append(cells, c.text(&u.sites.rows[i], u.sites.unit))
		}
		out = append(out, strings.Join(cells, " | "))
	}
	return out
}

// SelectedSiteRow returns the row of the panel shown as selected, or -1.
func (u *UI) SelectedSiteRow() int {
	if u.sites.selected < 0 {
		return -1
	}
	for r := range u.sites.rows {
		if u.sites.rows[r].site == u.sites.selected {
			return r
		}
	}
	return -1
}

// ActivateSite clicks row i of the panel.
func (u *UI) ActivateSite(i int) { u.sites.activate(i) }

// Functions returns the function table's rows, as shown.
func (u *UI) Functions() []diff.Function {
	var out []diff.Function
	for _, i := range u.funcs.rows {
		out = append(out, u.funcs.all[i])
	}
	return out
}

// FunctionRow returns row i of the function table as text.
func (u *UI) FunctionRow(i int) []string { return u.funcs.Row(i) }

// SelectedFunctionRow returns the function of the row the function table
// shows selected; "" for none.
func (u *UI) SelectedFunctionRow() string {
	if i := u.funcs.selected; i >= 0 && i < len(u.funcs.rows) {
		return u.funcs.function(&u.funcs.all[u.funcs.rows[i]])
	}
	return ""
}

// SortFunctions clicks the header of column col of the function table.
func (u *UI) SortFunctions(col int) { u.funcs.SortBy(col) }

// ChooseFunction clicks (or double-clicks) row i of the function table.
func (u *UI) ChooseFunction(i int, double bool) { u.funcs.choose(i, double) }

// SelectedFunction returns the function table's selected function.
func (u *UI) SelectedFunction() string { return u.funcs.chosen }

// SetSourceFolders sets the folders searched for source files.
func (u *UI) SetSourceFolders(dirs []string) { u.app.Preferences().SetStringList(sourceDirsKey, dirs) }

// LineRows returns the Lines table's rows, as shown.
func (u *UI) LineRows() []diff.Function {
	var out []diff.Function
	for _, i := range u.lines.rows {
		out = append(out, u.lines.all[i])
	}
	return out
}

// SourceShown returns the source file shown and its gutter by line number
// (as text), for the lines that have a value.
func (u *UI) SourceShown() (string, map[string]string) {
	g := map[string]string{}
	for _, l := range u.source.lines {
		if l.hasValue {
			g[strconv.Itoa(l.n)] = diff.FormatDelta(l.flat.Diff(), l.unit)
		}
	}
	return u.source.path, g
}

// LabelMenuFits reports whether the label menu is wide enough for each of
// its choices, and lists them.
func (u *UI) LabelMenuFits() (bool, []string) {
	sel := u.tb.tagSel
	room := sel.MinSize().Width - 3*theme.InnerPadding() - theme.IconInlineSize() - theme.InnerPadding()
	for _, o := range sel.Options {
		if fyne.MeasureText(o, theme.TextSize(), fyne.TextStyle{}).Width > room+0.5 {
			return false, sel.Options
		}
	}
	return true, sel.Options
}

// FindingsNote returns what the Findings tab says when it has no card.
func (u *UI) FindingsNote() string {
	for _, o := range u.found.list.Objects {
		if l, ok := o.(*widget.Label); ok {
			return l.Text
		}
	}
	return ""
}

// SourceTitle returns the source panel's title line.
func (u *UI) SourceTitle() string { return u.source.title.Text }

// WatchTaken returns how many snapshots the watch took (0 without one).
func (u *UI) WatchTaken() int {
	if u.watch == nil {
		return 0
	}
	return u.watch.taken
}

// CopyFromRow runs the menu item labelled item of the function table's row
// i (lines: of the Lines table) and returns what it put on the clipboard.
func (u *UI) CopyFromRow(lines bool, i int, item string) string {
	t := u.funcs
	if lines {
		t = u.lines
	}
	name, row := t.fullRow(i)
	for _, m := range rowMenuItems(u.app, name, row) {
		if m.Label == item {
			m.Action()
		}
	}
	return u.app.Clipboard().Content()
}

// CopyFromSite is CopyFromRow for the spawn-site panel's row i.
func (u *UI) CopyFromSite(i int, item string) string {
	name, row := u.sites.fullRow(i)
	for _, m := range rowMenuItems(u.app, name, row) {
		if m.Label == item {
			m.Action()
		}
	}
	return u.app.Clipboard().Content()
}

// ShowLinesTab brings the Lines tab forward.
func (u *UI) ShowLinesTab() { u.selectTab("Lines") }

// FindingsText returns the text of each finding's card.
func (u *UI) FindingsText() []string { return u.found.texts }

// ShowFinding acts as a click on finding i's card.
func (u *UI) ShowFinding(i int) { u.showFinding(u.result.Findings[i]) }

// ShowFunctionsForBench fills the function table with fns and draws it.
func (u *UI) ShowFunctionsForBench(fns []diff.Function) {
	u.funcs.show(fns, "bytes", true, nil)
	u.selectTab("Functions")
	u.win.Canvas().Refresh(u.funcs.table)
}

// ShowFunctionList fills the function table with fns, of a comparison with a
// base when hasBase, as a new computation does.
func (u *UI) ShowFunctionList(fns []diff.Function, hasBase bool) {
	u.funcs.show(fns, "bytes", hasBase, nil)
}

// TimelineShown reports whether the series timeline is visible, and its picks.
func (u *UI) TimelineShown() (shown bool, base, later int) {
	b, l := u.timeline.Picked()
	return u.timeline.Visible(), b, l
}

// Timeline returns the timeline widget.
func (u *UI) Timeline() *views.Timeline { return u.timeline }

// FunctionColumns returns the function table's column titles.
func (u *UI) FunctionColumns() []string {
	var out []string
	for _, c := range u.funcs.cols {
		out = append(out, c.title)
	}
	return out
}

// SiteColumns returns the spawn-site panel's column titles.
func (u *UI) SiteColumns() []string {
	var out []string
	for _, c := range u.sites.cols {
		out = append(out, c.title)
	}
	return out
}

// SiteRow returns row i of the spawn-site panel, cell by cell.
func (u *UI) SiteRow(i int) []string {
	var out []string
	for _, c := range u.sites.cols {
		out = append(out, c.text(&u.sites.rows[i], u.sites.unit))
	}
	return out
}

// CutCells returns, for the function table and the spawn-site panel, the
// cells of the columns that must show whole (the trend's numbers and
// sparkline, file:line) whose text is wider than their column, as
// "table column: text".
func (u *UI) CutCells() []string {
	var out []string
	whole := map[string]bool{"Where": true, "Score": true, "Grew": true, "Trend": true, "Flat trend": true, "Rate": true}
	check := func(table, title string, width float32, text string) {
		w := fyne.MeasureText(text, theme.TextSize(), fyne.TextStyle{Monospace: monoColumn(title)}).Width
		if whole[title] && w+2*theme.InnerPadding() > width {
			out = append(out, fmt.Sprintf("%s %s: %q (%.0f px in %.0f)", table, title, text, w, width))
		}
	}
	for _, c := range u.funcs.cols {
		for _, i := range u.funcs.rows {
			check("functions", c.title, c.width, c.text(&u.funcs.all[i], u.funcs.unit))
		}
	}
	for _, c := range u.sites.cols {
		for i := range u.sites.rows {
			check("sites", c.title, c.width, c.text(&u.sites.rows[i], u.sites.unit))
		}
	}
	return out
}

// LinesOffset returns the Lines tab's divider: the table's share.
func (u *UI) LinesOffset() float64 { return u.linesSplit.split.Offset }

// SetLinesOffset drags the Lines tab's divider.
func (u *UI) SetLinesOffset(o float64) { u.linesSplit.split.SetOffset(o) }

// SourceInView returns the source lines' gutters (changes and line
// number, ">" before the one chosen in the Lines table) drawn inside the
// source table's frame, top to bottom.
func (u *UI) SourceInView() []string {
	t := u.source.table
	var out []string
	for _, o := range Objects(t) {
		if o, ok := o.(*canvas.Text); ok {
			if p := o.Position(); o.Visible() && o.Text != "" && p.Y >= 0 && p.Y+o.MinSize().Height <= t.Size().Height && strings.HasSuffix(o.Text, strings.TrimSpace(o.Text)) && len(o.Text) > 20 {
				out = append(out, strings.TrimSpace(o.Text))
			}
		}
	}
	return out
}

// ChooseLine clicks row i of the Lines table.
func (u *UI) ChooseLine(i int) { u.lines.choose(i, false) }

// WatchText returns the watch bar's text, or "" when no watch runs.
func (u *UI) WatchText() string {
	if !u.watchBar.Visible() {
		return ""
	}
	return u.watchInfo.Text
}

// AddSourceFolder adds a source folder as the Add source folder dialog does.
func (u *UI) AddSourceFolder(dir string) { u.source.AddFolder(dir) }

// LineRow returns row i of the Lines table as text.
func (u *UI) LineRow(i int) []string { return u.lines.Row(i) }
