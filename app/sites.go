package app

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	views "github.com/leakscope/leakscope/app/widget"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/goroutines"
	"github.com/leakscope/leakscope/diff/tokio"
	"github.com/leakscope/leakscope/flame"
)

// sitePanel is the goroutine-by-location panel: a sortable table of sites,
// with a note above it. It lists spawn sites for goroutine dumps and
// allocation sites for other profiles, so it always answers "where is it
// growing".
type sitePanel struct {
	note  *widget.Label
	table *widget.Table
	box   fyne.CanvasObject

	cols     []column
	rows     []siteRow
	all      []siteRow // before the noise filter
	filter   flame.Filter
	unit     string
	sortCol  int
	selected int                                      // the spawn site shown in the graph, or -1
	tips     *views.TipLayer                          // shows texts cut short; may be nil
	menu     func(at fyne.Position, name, row string) // a row's menu (copy); may be nil
	stretch  fyne.CanvasObject                        // the table, its name column stretched

	// onSelect is called with the selected row, or nil when unselected.
	onSelect func(r *siteRow)
}

func newSitePanel() *sitePanel {
	p := &sitePanel{note: widget.NewLabel("Open a goroutine dump pair to rank spawn sites."), sortCol: 2, cols: goroutineColumns, selected: -1}
	p.note.Wrapping = fyne.TextWrapWord
	p.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(p.rows), len(p.cols) },
		func() fyne.CanvasObject { return newSiteCell(p) },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			c := o.(*siteCell)
			c.row, c.col = id.Row, id.Col
			l := &c.Label
			if id.Row >= len(p.rows) || id.Col >= len(p.cols) {
				l.SetText("")
				return
			}
			// Only the name column can be too long: truncation measures
			// the text again and again, so the number columns go without.
			align, trunc := fyne.TextAlignTrailing, fyne.TextTruncateOff
			if leftAligned(id.Col, p.cols[id.Col]) {
				align, trunc = fyne.TextAlignLeading, fyne.TextTruncateEllipsis
			}
			mono := monoColumn(p.cols[id.Col].title)
			text := p.cols[id.Col].text(&p.rows[id.Row], p.unit)
			if c.shown && text == l.Text && align == l.Alignment && trunc == l.Truncation && mono == l.TextStyle.Monospace {
				return // unchanged: no new shaping
			}
			c.shown = true
			l.Alignment, l.Truncation, l.TextStyle.Monospace = align, trunc, mono
			l.SetText(text)
		})
	views.SortableHeader(p.table, func() []column { return p.cols }, func() (int, bool) { return p.sortCol, false }, p.sortBy)
	p.table.StickyColumnCount = 1 // the site stays when the columns scroll
	p.setColumns(goroutineColumns)
	// In a narrow pane the site's name, its file:line and its growth (its
	// trend, over a series) stay in view; the other columns scroll.
	keep := func() int {
		for i, c := range p.cols {
			if c.title == "Trend" {
				return i
			}
		}
		return 2
	}
	p.stretch = views.Stretch(p.table, func() []column { return p.cols }, keep, func() float32 {
		return views.FitWidth("", func(yield func(string) bool) {
			for i := range p.rows {
				if !yield(p.cols[0].text(&p.rows[i], p.unit)) {
					return
				}
			}
		}, false, 0, 320)
	})
	p.box = container.NewBorder(views.Capped(p.note, 2), nil, nil, nil, p.stretch)
	return p
}

// setColumns shows cols, with the Where column (file:line, whole) after
// the site's name.
func (p *sitePanel) setColumns(cols []column) {
	p.cols = append([]column{cols[0], whereColumn}, cols[1:]...)
	views.SetWidths(p.table, p.cols)
	if p.stretch != nil {
		p.stretch.Refresh()
	}
}

// fitColumns sizes the columns whose text must show whole (a file:line,
// the intervals grown, a trend's sparkline and rate) to the widest of the
// rows'.
func (p *sitePanel) fitColumns() {
	changed := false
	for k := range p.cols {
		c := &p.cols[k]
		least := map[string]float32{"Where": 96, "Grew": 48, "Trend": 64, "Rate": 84}[c.title]
		if least == 0 {
			continue
		}
		w := views.FitWidth(c.title, func(yield func(string) bool) {
			for i := range p.rows {
				if !yield(c.text(&p.rows[i], p.unit)) {
					return
				}
			}
		}, monoColumn(c.title), least, 360)
		if w != c.width {
			c.width, changed = w, true
			p.table.SetColumnWidth(k, w)
		}
	}
	if changed && p.stretch != nil {
		p.stretch.Refresh()
	}
}

// show lists r's spawn sites, or its allocation sites when there are no
// goroutine dumps, ranked by growth. No row is selected.
func (p *sitePanel) show(r *session.Result) {
	switch {
	case r.Sites != nil:
		p.showGoroutines(r.Sites, r.Trends)
	case r.Tasks != nil:
		p.showTasks(r.Tasks)
	case r.Profile != nil:
		p.showAllocations(r.Profile, r.Allocations)
	default:
		p.clear("Open a goroutine dump pair to rank spawn sites.")
	}
}

// showGoroutines lists the spawn sites of c.
func (p *sitePanel) showGoroutines(c *goroutines.Comparison, tr *session.Trends) {
	p.setColumns(goroutineColumns)
	main := 2 // Delta, after the site and where
	if c.Base == nil {
		p.setColumns(singleGoroutineColumns)
	}
	if tr != nil && tr.Sites != nil {
		p.setColumns(seriesSiteColumns)
	}
	p.unit = "count"
	p.rows = p.rows[:0]
	for i := range c.Sites {
		s := &c.Sites[i]
		r := siteRow{name: s.Function, base: s.Base, later: s.Later, survivors: s.Survivors, leaked: s.Leaked,
			state: s.MainState(), wait: s.MaxWait, site: i, labels: labelText(s.Labels)}
		switch {
		case s.NoCreator:
			r.where = "(no creator)"
		case s.ByEntry:
			r.where = "(entry function)"
		default:
			r.where = fmt.Sprintf("%s:%d", filepath.Base(s.File), s.Line)
		}
		if tr != nil && tr.Sites != nil {
			r.trend = tr.Sites[s.Site]
		}
		p.rows = append(p.rows, r)
	}
	switch {
	case c.ByEntry:
		p.note.SetText("These dumps record no creation sites, so goroutines are grouped by entry function. " +
			"Take /debug/pprof/goroutine?debug=2 dumps to see the go statements that start them.")
	case tr != nil && tr.Sites != nil:
		p.note.SetText(fmt.Sprintf("Spawn sites over %d snapshots, leak suspects first: what grew in every interval at a steady rate. Δ and the counts compare the two picked snapshots.", tr.Series.Goroutines.Len()))
	case c.Base == nil:
		p.note.SetText("Goroutines by spawn site. Add a later dump to see growth.")
	default:
		p.note.SetText("Goroutines by spawn site, ranked by growth. Select a site to see its goroutines' stacks.")
	}
	p.all = append(p.all[:0], p.rows...)
	p.applyFilter()
	p.sortCol = main
	if tr != nil && tr.Sites != nil {
		p.sortCol = 2 // Score
	}
	p.sort()
}

// showTasks lists the spawn sites of c's tokio tasks.
func (p *sitePanel) showTasks(c *tokio.Comparison) {
	p.setColumns(taskColumns)
	if c.Base == nil {
		p.setColumns(singleTaskColumns)
	}
	p.unit = "count"
	p.rows = p.rows[:0]
	approx := ""
	if c.Estimated {
		approx = "≈"
	}
	for i := range c.Sites {
		s := &c.Sites[i]
		r := siteRow{name: s.Function, base: s.Live.Base, later: s.Live.Later, site: i,
			spawned: s.Spawned, hasSpawned: c.HasSpawned, cell: s.CellBytes, inside: s.Inside, approx: approx}
		if s.File != "" {
			r.where = fmt.Sprintf("%s:%d", filepath.Base(s.File), s.Line)
		}
		p.rows = append(p.rows, r)
	}
	how := "exact: every allocation was sampled"
	if c.Estimated {
		how = "≈ estimated: the dumps sample allocations"
	}
	if c.Base == nil {
		p.note.SetText("Tokio tasks by spawn site, counted from their task cells in the heap dump (" + how + "). Add a later dump to see growth.")
	} else {
		p.note.SetText("Tokio tasks by spawn site, counted from their task cells in the heap dumps (" + how + "), ranked by growth in live tasks. " +
			"Select a site to see the memory allocated by and inside its tasks.")
	}
	p.all = append(p.all[:0], p.rows...)
	p.applyFilter()
	p.sortCol = 2
	p.sort()
}

// showAllocations lists the allocation sites of c by growth.
func (p *sitePanel) showAllocations(c *diff.Comparison, sites []session.AllocationSite) {
	cols, kind := allocColumns, "Allocation sites"
	if c.Base == nil {
		cols = singleAllocColumns
	}
	if c.Later.Kind != diff.KindHeap {
		// CPU, mutex, block: where the program was when the value was
		// recorded, not an allocation.
		cols, kind = slices.Clone(cols), "The program's frames where it was recorded"
		cols[0].title = "Site"
	}
	p.setColumns(cols)
	main := 2
	p.unit = c.SampleType.Unit
	p.rows = p.rows[:0]
	for _, a := range sites {
		p.rows = append(p.rows, siteRow{name: a.Function, where: a.Where, base: a.Value.Base, later: a.Value.Later, site: -1})
	}
	what := strings.ReplaceAll(c.SampleType.Type, "_", " ")
	if c.Base == nil {
		p.note.SetText(fmt.Sprintf("%s, by %s. Open a goroutine dump pair to rank spawn sites.", kind, what))
	} else {
		p.note.SetText(fmt.Sprintf("%s, ranked by growth in %s. Open a goroutine dump pair to rank spawn sites.", kind, what))
	}
	p.all = append(p.all[:0], p.rows...)
	p.applyFilter()
	p.sortCol = main
	p.sort()
}

// setFilter leaves out the rows that do not pass f.
func (p *sitePanel) setFilter(f flame.Filter) {
	p.filter = f
	p.applyFilter()
	p.sort()
	p.selectSite(p.selected)
}

// applyFilter makes the rows those of all that pass the filter.
func (p *sitePanel) applyFilter() {
	p.rows = append(p.rows[:0], p.all...)
	if !p.filter.Active() {
		return
	}
	keep := p.rows[:0]
	for _, r := range p.all {
		if p.filter.Passes(diff.Delta{Base: r.base, Later: r.later}) {
			keep = append(keep, r)
		}
	}
	p.rows = keep
}

// selectSite marks the row of spawn site i as selected, or none for -1,
// without re-targeting the flame graph.
func (p *sitePanel) selectSite(i int) {
	p.selected = i
	p.table.UnselectAll()
	if i < 0 {
		return
	}
	for r := range p.rows {
		if p.rows[r].site == i {
			p.table.Select(widget.TableCellID{Row: r, Col: 0})
			return
		}
	}
}

// clear empties the panel and shows msg.
func (p *sitePanel) clear(msg string) {
	p.rows = p.rows[:0]
	p.note.SetText(msg)
	p.table.UnselectAll()
	p.table.Refresh()
}

func (p *sitePanel) sortBy(col int) {
	p.sortCol = col
	p.sort()
	p.selectSite(p.selected)
}

func (p *sitePanel) sort() {
	p.fitColumns()
	less := p.cols[p.sortCol].less
	sort.SliceStable(p.rows, func(i, j int) bool { return less(&p.rows[i], &p.rows[j]) })
	p.table.ScrollToTop()
	p.table.Refresh()
}

// activate selects row i as a click does, re-targeting the flame graph; a
// click on the row already shown goes back.
func (p *sitePanel) activate(i int) {
	if i < 0 || i >= len(p.rows) {
		return
	}
	p.table.Select(widget.TableCellID{Row: i, Col: 0})
	if p.onSelect != nil {
		p.onSelect(&p.rows[i])
	}
}

// siteCell is a table cell that activates its row when tapped, so that a
// click on the pre-selected top row still shows that site.
type siteCell struct {
	widget.Label
	p        *sitePanel
	row, col int
	shown    bool // the text was set once
}

var _ desktop.Hoverable = (*siteCell)(nil)

// MouseIn shows the whole text of a cell that is cut short.
func (c *siteCell) MouseIn(*desktop.MouseEvent) {
	if c.p.tips == nil {
		return
	}
	if c.col == 0 && c.row < len(c.p.rows) {
		if full := fullSiteText(&c.p.rows[c.row]); full != c.Text || truncated(&c.Label) {
			c.p.tips.Tip(full, c) // the full name of a Rust function
			return
		}
	}
	if truncated(&c.Label) {
		c.p.tips.Tip(c.Text, c)
	}
}

// MouseMoved implements desktop.Hoverable.
func (c *siteCell) MouseMoved(*desktop.MouseEvent) {}

// MouseOut hides the text.
func (c *siteCell) MouseOut() {
	if c.p.tips != nil {
		c.p.tips.Tip("", c)
	}
}

func newSiteCell(p *sitePanel) *siteCell {
	c := &siteCell{p: p}
	c.Truncation = fyne.TextTruncateEllipsis
	c.ExtendBaseWidget(c)
	return c
}

// Tapped activates the cell's row.
func (c *siteCell) Tapped(*fyne.PointEvent) { c.p.activate(c.row) }

// TappedSecondary offers to copy the row, with the site's full name.
func (c *siteCell) TappedSecondary(e *fyne.PointEvent) {
	if c.p.menu == nil || c.row >= len(c.p.rows) {
		return
	}
	name, row := c.p.fullRow(c.row)
	if c.p.tips != nil {
		c.p.tips.Tip("", c) // the menu takes its place
	}
	c.p.menu(e.AbsolutePosition, name, row)
}

// fullRow returns row i's full site name, and its cells as tab-separated
// text with that name first.
func (p *sitePanel) fullRow(i int) (name, row string) {
	r := &p.rows[i]
	cells := []string{r.name} // the whole name; Where follows
	for _, c := range p.cols[1:] {
		cells = append(cells, c.text(r, p.unit))
	}
	return cells[0], strings.Join(cells, "\t")
}

// labelText lists label sets with their goroutine counts, most common first.
func labelText(sets map[string]int64) string {
	type set struct {
		labels string
		n      int64
	}
	var all []set
	for l, n := range sets {
		if l != "" {
			all = append(all, set{l, n})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].labels < all[j].labels
	})
	var parts []string
	for _, s := range all {
		parts = append(parts, fmt.Sprintf("%s ×%d", s.labels, s.n))
	}
	return strings.Join(parts, "; ")
}
