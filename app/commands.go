package app

import (
	"context"
	"fmt"
	views "github.com/leakscope/leakscope/app/widget"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/assets"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/findings"
	"github.com/leakscope/leakscope/flame"
	"github.com/leakscope/leakscope/flame/page"
)

// Swap reverses base and later of the pairs. A series stays in time order:
// its picks are made on the timeline.
func (u *UI) Swap() {
	if !u.sess.Profile.Full() && !u.sess.Goroutines.Full() {
		return
	}
	if u.sess.Series != nil {
		// The timeline's marks say which snapshots are compared, and a
		// watch puts each new one on the later side.
		u.setStatus("A series is in time order: pick the base and the later snapshot on the timeline.")
		return
	}
	u.begin()
	u.sess.Swap()
	u.recompute()
}

// SetSample compares the profile pair for another sample type.
func (u *UI) SetSample(s string) {
	if s == u.sess.Sample || u.sess.Profile.Empty() {
		return
	}
	u.begin()
	u.sess.Sample = s
	if files := u.sess.ThinnedFor(s); len(files) > 0 {
		u.reread(files) // read for the stacks of that sample type
		return
	}
	u.recompute()
}

// SetMode changes what a frame's width shows. The tree stays: only the
// layout changes.
func (u *UI) SetMode(m flame.WidthMode) {
	u.mode = m
	u.eachView(func(g *views.FlameGraph, v *flame.View) {
		v.Mode = m
		v.Refilter()
		g.Relayout()
	})
	u.legend.Refresh()
	u.updateStatus()
}

// defaultColors is absolute colouring, which points at the frames holding
// the growth, except for CPU and contention profiles, where the ratio says
// more.
func defaultColors(c *diff.Comparison) flame.ColorMode { return session.DefaultColors(c) }

// SetColors changes what a frame's colour stands for; only the drawing changes.
func (u *UI) SetColors(m flame.ColorMode) {
	u.colors = m
	u.eachView(func(g *views.FlameGraph, v *flame.View) {
		v.Colors = m
		g.Refresh()
	})
	u.legend.Refresh()
}

// SetFilter hides the noise: subtrees in which no frame passes f, and the
// table rows that do not pass it.
func (u *UI) SetFilter(f flame.Filter) {
	u.filter = f
	u.eachView(func(g *views.FlameGraph, v *flame.View) {
		v.Filter = f
		v.Refilter()
		g.Relayout()
	})
	u.updateStatus()
	u.funcs.setFilter(f)
	u.lines.setFilter(f)
	u.sites.setFilter(f)
}

// MarkFunction outlines every frame of function name in the graph, as the
// function table's selection.
func (u *UI) MarkFunction(name string) {
	q := "^" + regexp.QuoteMeta(name) + "$"
	// The field shows the mark, so that it can be read and cleared; the
	// tables stay whole, as the mark is no filter.
	u.tb.showQuery(q)
	u.searchFor(q, false)
	u.showLinesOf(name)
}

// showLinesOf shows, in the Lines tab, the lines of function name and its
// source with each line's change ("" for every line, and no source).
func (u *UI) showLinesOf(name string) {
	u.linesOf = name
	if u.tabs.Selected() == nil || u.tabs.Selected().Text != "Lines" {
		return // filled in when the tab is chosen
	}
	if r := u.result; r != nil && r.Shown != nil && u.linesShown != r.Shown {
		// The per-line sums are made in the background, the first time
		// the tab shows a comparison.
		shown := r.Shown
		u.worker.Submit(session.Job{Lane: session.LaneSource, Run: func(ctx context.Context) func() {
			lines, err := shown.LinesContext(ctx)
			if err != nil {
				return nil // superseded, or the window closed
			}
			return func() {
				if u.result == nil || u.result.Shown != shown {
					return
				}
				u.linesShown = shown
				u.lines.only = u.linesOf // one filtering pass, not two
				u.lines.show(lines, shown.SampleType.Unit, shown.Base != nil, nil)
				u.showLinesOf(u.linesOf)
			}
		}})
		return
	}
	if u.lines.only != name {
		u.lines.setOnly(name)
	}
	u.linesSplit.fit()
	if name == "" {
		u.source.clear() // the lines of every function: none is chosen
		return
	}
	if u.result == nil || u.result.Shown == nil {
		return
	}
	var line int64 // the line chosen in the table, when it is of this function
	if u.lines.chosen == name {
		line = u.lines.line
	}
	u.source.show(name, u.lines.rowsOf(name), u.result.Shown.SampleType.Unit, u.result.Shown.Base != nil, line)
}

// SetTag restricts the comparison to the stacks whose labels hold tag,
// "key=value", as pprof's -tagfocus ("" for all).
func (u *UI) SetTag(tag string) {
	if tag == u.sess.Tag {
		return
	}
	u.begin()
	u.sess.Tag = tag
	u.sess.Site = -1
	u.recompute()
}

// ShowSandwich shows function name's callers above it and its callees
// below it, each merged over all its call sites, with diff colours.
// The Lines tab moves to the function too.
func (u *UI) ShowSandwich(name string) {
	u.SetView(session.CallersOf(name))
	u.showLinesOf(name)
}

// ToggleInverted shows the graph bottom-up, or top-down again.
func (u *UI) ToggleInverted() {
	if u.sess.View.Mode == session.InvertedMode {
		u.SetView(session.View{})
		return
	}
	u.SetView(session.Inverted())
}

// SetView shows the graph as v says, and the View menu says so.
func (u *UI) SetView(v session.View) {
	u.begin()
	u.sess.View = v
	u.recompute()
	u.setMenus()
}

// ToggleAllocFrames shows the allocation plumbing at the leaves of jemalloc
// stacks (Rust's GlobalAlloc impl, __rust_alloc, alloc::…, C++ operator
// new), or folds it into its callers again (the default).
func (u *UI) ToggleAllocFrames() {
	u.begin()
	u.sess.KeepAllocFrames = !u.sess.KeepAllocFrames
	u.recompute()
	u.setMenus()
}

// ToggleRuntimeFrames shows the runtime's frames (Go's runtime, Rust's std
// and tokio, glibc) on rows of their own, or folds each run of them into
// one row again (the default); only the drawing changes.
func (u *UI) ToggleRuntimeFrames() {
	u.showRuntime = !u.showRuntime
	u.eachView(func(g *views.FlameGraph, v *flame.View) {
		v.Runtime = u.runtimeRule()
		g.Relayout()
	})
	u.setMenus()
}

// runtimeRule is the graph's rule for runtime frames: nil when they show.
func (u *UI) runtimeRule() func(string) bool {
	if u.showRuntime {
		return nil
	}
	return findings.Rule{Crates: u.sess.RuntimeCrates}.Func()
}

// MergeAt shows the graph rooted at function name, merged over all its
// call sites, with everything it calls below.
func (u *UI) MergeAt(name string) { u.SetView(session.MergedAt(name)) }

// SetPalette changes the colours; only the drawing changes.
func (u *UI) SetPalette(p *flame.Palette) {
	u.palette = p
	u.eachView(func(g *views.FlameGraph, v *flame.View) {
		v.Palette = p
		g.Refresh()
	})
	u.legend.Refresh()
}

// ToggleOrientation puts the root at the bottom (a flame) or at the top (an
// icicle); only the drawing changes.
func (u *UI) ToggleOrientation() {
	u.flameUp = !u.flameUp
	if v := u.graph.View(); v != nil {
		v.Flame = u.flameUp
		u.graph.Refresh()
	}
	u.setMenus()
}

// ShowAllFrames undoes focus and hiding.
func (u *UI) ShowAllFrames() {
	u.begin()
	u.sess.ShowAll()
	u.recompute()
}

// siteSelected re-targets the flame graph to a site's goroutine stacks, or,
// for an allocation site, searches for its function.
func (u *UI) siteSelected(r *siteRow) {
	if r.site < 0 {
		u.tb.search.SetText("^" + regexp.QuoteMeta(r.name) + "$")
		return
	}
	u.begin()
	u.sess.Site = r.site
	u.recompute()
}

// BackToProfile leaves the selected site.
func (u *UI) BackToProfile() {
	u.begin()
	u.sess.Site = -1
	u.sites.selectSite(-1)
	u.recompute()
}

// Escape closes the dialog on screen, else undoes the last zoom, else
// leaves the callers-and-callees or merged view, else a selected site.
func (u *UI) Escape() {
	if u.top.dismiss() {
		return
	}
	if u.graph.Back() {
		return
	}
	switch {
	case u.sess.View.About() != "":
		u.SetView(session.View{})
	case u.sess.Site >= 0:
		u.BackToProfile()
	}
}

// Back undoes the last zoom, or leaves a selected site.
func (u *UI) Back() {
	if u.graph.Back() {
		return
	}
	if u.sess.Site >= 0 {
		u.BackToProfile()
	}
}

// ResetZoom shows the whole graph.
func (u *UI) ResetZoom() { u.graph.ZoomTo(flame.Root) }

// showError shows err in a dialog that names the file; the comparison on
// screen stays.
func (u *UI) showError(err error) {
	u.lastErr = err
	slog.Error("open failed", "err", err)
	u.showDialog(newErrorDialog(err, u.win))
}

// Export writes the current view to path as a PNG of width×height pixels
// (0, 0: the size of the graph on screen) in the background. It draws a
// snapshot taken now, so later clicks do not change what is written.
func (u *UI) Export(path string, width, height int, scale float64) {
	v := u.graph.View()
	if v == nil {
		return
	}
	if width <= 0 {
		s := u.graph.Size()
		width, height = max(int(s.Width), 400), max(int(s.Height), 300)
	}
	snap := u.exportView(v)
	u.worker.Submit(session.Job{Lane: session.LaneExport, Run: func(ctx context.Context) func() {
		img, err := snap.ImageContext(ctx, width, height, scale, nil)
		if err == nil {
			err = flame.SavePNGContext(ctx, path, img)
		}
		if ctx.Err() != nil {
			return nil // the window closed: nothing to say
		}
		return func() {
			if err != nil {
				u.showError(fmt.Errorf("%s: %w", path, err))
				return
			}
			u.setStatus(fmt.Sprintf("Exported %s (%d × %d).", path, width, img.Rect.Dy()))
		}
	}})
}

// exportView is a snapshot of v to export as an image, its header
// carrying the top findings.
func (u *UI) exportView(v *flame.View) *flame.View {
	snap := v.Snapshot()
	if r := u.result; r != nil {
		// The title says how the dumps were put in order, when they were.
		notes := append(slices.Clone(r.Notes), u.sess.Notes...)
		snap.Notes = append(notes[:min(len(notes), 2)], findings.Headlines(r.Findings, 3)...)
		snap.Panels = flame.SitePanels(r.Sites, r.Tasks, flame.PanelRows)
		if r.Shown != nil && r.Shown.Later.Kind != diff.KindGoroutine {
			snap.Panels = append(snap.Panels, snap.FunctionPanel(flame.PanelRows))
		}
	}
	return snap
}

// ExportHTML writes the comparison on screen to path as one interactive
// HTML page, in the background, from a snapshot of the view taken now.
func (u *UI) ExportHTML(path string) {
	v, r := u.graph.View(), u.result
	if v == nil || r == nil {
		return
	}
	snap := v.Snapshot()
	notes := slices.Clone(u.sess.Notes)
	u.worker.Submit(session.Job{Lane: session.LaneExport, Run: func(ctx context.Context) func() {
		p := r.Page(snap, notes, assets.Version)
		var err error
		if ctx.Err() == nil {
			err = page.Save(path, p)
		}
		if ctx.Err() != nil {
			return nil // the window closed: nothing to say
		}
		return func() {
			if err != nil {
				u.showError(fmt.Errorf("%s: %w", path, err))
				return
			}
			u.setStatus("Exported " + path + ".")
		}
	}})
}

// sleep waits for d and reports whether ctx stayed alive meanwhile.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// widestPath names the frames from the root down along the widest child,
// for the debug log.
func widestPath(t *flame.Tree) string {
	if t == nil {
		return ""
	}
	var names []string
	for n := flame.Root; len(names) < 12; {
		best := int32(-1)
		for _, c := range t.Children(n) {
			if best < 0 || t.Weight(c, flame.WidthMax) > t.Weight(best, flame.WidthMax) {
				best = c
			}
		}
		if best < 0 {
			break
		}
		names = append(names, t.Nodes[best].Name)
		n = best
	}
	return strings.Join(names, " > ")
}

// linesSplit is the Lines tab: the lines table over the source. The
// table takes the height its rows need (all the lines, or the few of one
// function), from a fifth to three fifths of the tab, until the divider
// is dragged; then it stays where the user put it.
type linesSplit struct {
	split       *container.Split
	table       *funcTable
	set         float64 // the offset last set here
	row, header float32 // the table's row and header heights, with the space under each
}

func newLinesSplit(table *funcTable, source fyne.CanvasObject) *linesSplit {
	l := &linesSplit{split: container.NewVSplit(table.box, source), table: table, set: 0.5}
	l.split.SetOffset(l.set)
	cell := newFuncCell(table)
	cell.SetText("0")
	sep := theme.Padding() // Fyne's tables put this much between rows
	l.row = cell.MinSize().Height + sep
	l.header = widget.NewButton("0", nil).MinSize().Height + sep // the sortable headers are buttons
	return l
}

// fit sets the divider for the table's rows, unless the user moved it.
func (l *linesSplit) fit() {
	h := l.split.Size().Height
	if h <= 0 || l.split.Offset != l.set {
		return
	}
	// The note, the header, the rows, and room for the scroll bar that
	// Fyne draws over the last row and for the divider.
	need := l.table.note.MinSize().Height + theme.Padding() + l.header + float32(len(l.table.rows))*l.row + theme.ScrollBarSize() + 2*theme.Padding()
	l.set = min(max(float64(need/h), 0.2), 0.6)
	l.split.SetOffset(l.set)
}

// eachView calls change for each graph on screen (the graph, and the
// callers over it in the sandwich view) with its view.
func (u *UI) eachView(change func(g *views.FlameGraph, v *flame.View)) {
	for _, g := range []*views.FlameGraph{u.graph, u.callers} {
		if v := g.View(); v != nil {
			change(g, v)
		}
	}
}
