// Package app is Leakscope's window: a diff flame graph of what grew between
// two dumps, beside a panel that ranks goroutine spawn sites by growth. It is
// given a fyne.App and a fyne.Window, so that its tests run on
// fyne.io/fyne/v2/test without a display.
//
// The comparison itself (which dumps, in which order, what is selected)
// lives in package session, which has no Fyne in it. Files here:
// app.go wires the session to the widgets; flamegraph.go and sites.go are
// the two views; toolbar.go and actions.go the commands; dialogs.go the
// dialogs; status.go the status line, breadcrumbs and banner; recent.go the
// recent comparisons; tips.go the tooltips.
//
// Threading: every method of UI runs on the UI goroutine. Everything slow
// (reading, parsing, symbolizing, comparing, building the tree, searching,
// drawing a PNG) runs in the session's Worker, which UI owns: Close stops
// it and waits for it. Results come back once through fyne.Do.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	_ "github.com/leakscope/leakscope/app/locale" // before Fyne reads LANG
	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/flame"
)

// uiQueue is the test's stand-in for the UI goroutine's queue.
type uiQueue interface{ take() []func() }

// Options say what a window opens with.
type Options struct {
	// Files are the dumps to open; none opens the built-in demo.
	Files []string
	// Binaries are the program (and library) files that jemalloc dumps are
	// symbolized with, as --binary gives them. The first load uses them.
	Binaries []string
	// DebugDirs (--debug-dir) and Servers (--debuginfod), when given,
	// replace the debug folders and debuginfod servers of the settings
	// for this window (see StartupSymbols).
	DebugDirs, Servers []string
	// Do runs a function on the UI goroutine; nil means fyne.Do. Tests
	// give their own, to apply results on the test goroutine.
	Do func(func())
	// Preload, when not nil, is the load of Files already under way
	// (session.StartPreload, before the toolkit starts); the first load
	// takes its result. The window owns it from then on.
	Preload *session.Preload
}

// UI is one Leakscope window holding one comparison.
type UI struct {
	app fyne.App
	win fyne.Window

	sess         *session.Session
	worker       *session.Worker
	do           func(func())     // runs a function on the UI goroutine, later
	result       *session.Result  // what is on screen; nil before the first result
	restore      *session.Session // the session before a change not yet shown
	asked        map[string]bool  // binaries already asked for
	pending      []session.Question
	asking       *session.Question // the question on screen
	preload      *session.Preload  // the first load, started before the window; Close ends it
	preloadTaken bool              // a load job has taken it
	picker       *openPicker       // the last Open dialog
	queue        uiQueue           // set by tests; see export_test.go

	mode         flame.WidthMode
	flameUp      bool // root at the bottom
	palette      *flame.Palette
	colors       flame.ColorMode
	chosenColors bool // the user picked the colour mode
	filter       flame.Filter
	query        string
	matchAt      int32 // the match the cursor went to last
	lastErr      error

	// Widgets.
	graph      *FlameGraph
	callers    *FlameGraph     // the callers half of the sandwich view
	graphSlot  *fyne.Container // holds the graph, or the sandwich of callers over graph
	sites      *sitePanel
	funcs      *funcTable
	lines      *funcTable
	source     *sourcePanel
	linesOf    string           // the function the Lines tab is to show
	linesShown *diff.Comparison // the comparison whose lines the Lines tab holds
	tabs       *container.AppTabs
	legend     *legendStrip
	timeline   *Timeline // the series, above the graph; hidden without one
	watch      *watching // the watch running; nil for none
	watchBar   *fyne.Container
	watchInfo  *widget.Label
	tb         *toolbar
	status     *widget.Label
	hoverInfo  *widget.Label
	crumbs     *fyne.Container
	banner     *fyne.Container
	tips       *tipLayer
	content    *fyne.Container // the window's layout, redone when a bar shows or hides
	topBox     *fyne.Container // everything above the graph
	top        dialogHandle    // the dialog on screen, for Esc
	menuView   session.View    // the view the View menu says is on screen
}

// Create builds the window's content and starts loading the files of o (the
// built-in demo when there are none), symbolizing with its binaries. The
// caller shows the window.
func Create(a fyne.App, w fyne.Window, o Options) *UI {
	do := o.Do
	if do == nil {
		do = fyne.Do
	}
	u := &UI{app: a, win: w, sess: session.New(nil), worker: session.NewWorker(do), do: do,
		asked: map[string]bool{}, palette: flame.Diverging}
	u.sess.Symbols = *StartupSymbols(a, o)
	u.build()
	w.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { u.Dropped(uris) })
	w.SetCloseIntercept(func() { u.Close(); w.Close() })
	switch {
	case o.Preload != nil:
		u.preload = o.Preload
		u.load(o.Preload.Sources(), loadAdd)
	case len(o.Files) == 0:
		u.load(session.DemoSources, loadDemo)
	default:
		u.Open(o.Files)
	}
	return u
}

func (u *UI) build() {
	u.tips = newTipLayer()
	u.status = widget.NewLabel("")
	u.status.Truncation = fyne.TextTruncateEllipsis
	u.hoverInfo = widget.NewLabel("")
	u.hoverInfo.Truncation = fyne.TextTruncateEllipsis
	u.crumbs = container.NewHBox()
	u.graph = NewFlameGraph("Open a base and a later dump (Ctrl+O), or drop them here.")
	u.graph.OnHover = func(n int32) { u.hovered(u.graph, n) }
	u.callers = NewFlameGraph("")
	u.callers.OnHover = func(n int32) { u.hovered(u.callers, n) }
	u.callers.OnKey = u.typedKey
	u.graph.OnSandwich = u.ShowSandwich
	u.callers.OnSandwich = u.ShowSandwich
	u.graph.OnZoom = func() {
		if v := u.graph.View(); v != nil {
			name := v.Tree.Nodes[v.Zoom.Current()].Name
			slog.Debug("zoom", "frame", name)
			if v.Zoom.Current() != flame.Root {
				// The tables follow the graph, each in a callback of its
				// own, after the zoom is drawn.
				u.do(func() { u.funcs.selectName(name) })
				u.do(func() { u.showLinesOf(name) })
			}
		}
		u.updateCrumbs()
		u.updateStatus()
	}
	u.graph.OnFocus = func(fn string) { u.begin(); u.sess.SetFocus(fn); u.recompute() }
	u.graph.OnHide = func(fn string) { u.begin(); u.sess.Hide(fn); u.recompute() }
	u.graph.OnKey = u.typedKey
	u.sites = newSitePanel()
	u.sites.onSelect = u.siteSelected
	u.funcs = newFuncTable(false)
	u.funcs.onSelect = u.MarkFunction
	u.funcs.onOpen = u.ShowSandwich
	u.lines = newFuncTable(true)
	u.lines.onSelect = u.MarkFunction
	u.lines.onOpen = u.ShowSandwich
	u.source = newSourcePanel(u)
	u.sites.tips, u.funcs.tips, u.lines.tips = u.tips, u.tips, u.tips
	u.legend = newLegendStrip()
	u.timeline = NewTimeline()
	u.timeline.OnPick = u.PickSnapshots
	u.timeline.Hide()
	u.banner = container.NewVBox()
	u.banner.Hide()
	u.newWatchBar()
	u.tb = u.newToolbar()

	top := container.NewVBox(
		u.banner,
		u.tb.row,
		u.tb.loadBar,
		u.watchBar,
		container.NewHScroll(u.tb.row2),
		container.NewBorder(nil, nil, u.tb.gorChips, nil, container.NewHScroll(u.crumbs)),
	)
	u.topBox = top
	u.tabs = container.NewAppTabs(
		container.NewTabItem("Spawn sites", u.sites.box),
		container.NewTabItem("Functions", u.funcs.box),
		container.NewTabItem("Lines", linesSplit(u.lines.box, u.source.box)),
	)
	u.tabs.OnSelected = func(t *container.TabItem) {
		if t.Text == "Lines" {
			u.showLinesOf(u.linesOf)
		}
	}
	u.graphSlot = container.NewStack(u.graph)
	split := container.NewHSplit(container.NewBorder(u.timeline, u.legend, nil, nil, u.graphSlot), u.tabs)
	split.SetOffset(0.62)
	bottom := container.NewVBox(widget.NewSeparator(), u.status, u.hoverInfo)
	u.content = container.NewBorder(top, bottom, nil, nil, split)
	u.win.SetContent(container.NewStack(u.content, u.tips))
	u.win.Resize(fyne.NewSize(1280, 800))
	u.setMenus()
	u.setShortcuts()
}

// relayout lays the window out again after the banner or the loading bar
// appeared or went away, so that the graph moves with them.
func (u *UI) relayout() {
	if u.content == nil {
		return
	}
	// Only the layout is redone, not every widget's look: a container
	// whose size changes lays out its own children in turn. Rows whose
	// content changed but not their size are laid out first.
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if c, ok := o.(*fyne.Container); ok && c.Visible() {
			for _, k := range c.Objects {
				walk(k)
			}
			if c.Layout != nil {
				c.Layout.Layout(c.Objects, c.Size())
			}
		}
	}
	walk(u.topBox)
	u.content.Layout.Layout(u.content.Objects, u.content.Size())
	u.graph.Refresh() // and the window is drawn again
}

// Close stops the worker: loading, comparing and exporting end, and Close
// returns once their goroutines have. The window stays.
func (u *UI) Close() {
	u.worker.Close()
	if u.preload != nil {
		u.preload.Close()
	}
}

// Quit closes the window and ends the app.
func (u *UI) Quit() {
	u.Close()
	u.app.Quit()
}

// LastError returns the last error shown in a dialog, or nil.
func (u *UI) LastError() error { return u.lastErr }

// Session returns the comparison on screen. Changes to it show after the
// next recompute.
func (u *UI) Session() *session.Session { return u.sess }

// loadMode says what a load's dumps do to the session.
type loadMode int

const (
	loadAdd    loadMode = iota // they join the comparison
	loadDemo                   // they are the built-in demo
	loadReload                 // each replaces the dump of its path
	loadSeries                 // they replace the series on screen, read again
)

// Open loads files and adds them to the comparison, classified by content.
func (u *UI) Open(files []string) { u.load(session.Files(files), loadAdd) }

// load reads srcs in the background, superseding any load in progress.
func (u *UI) load(srcs []session.Source, mode loadMode) {
	var pre *session.Preload // the first load's files may be read already
	if !u.preloadTaken {
		pre, u.preloadTaken = u.preload, true
	}
	p := &diff.Progress{}
	if pre != nil {
		p = pre.Progress()
	}
	sym := u.sess.Symbols.Clone()
	u.tb.startProgress()
	slog.Debug("loading", "files", len(srcs))
	u.worker.Submit(session.Job{
		Lane: session.LaneLoad, Progress: p, OnProgress: u.tb.showProgress,
		Run: func(ctx context.Context) func() {
			start := time.Now()
			var got *session.Loaded
			var err error
			if pre != nil {
				got, err = pre.Take(ctx)
			} else {
				got, err = session.LoadAll(ctx, srcs, sym, p)
			}
			if session.IsCanceled(err) {
				return nil
			}
			slog.Debug("load", "files", len(srcs), "took", time.Since(start))
			return func() { u.loaded(srcs, mode, got, err) }
		},
	})
}

// loaded applies a finished load: the session takes the dumps, and the
// comparison is recomputed. A dump that meets a full pair is asked about.
func (u *UI) loaded(srcs []session.Source, mode loadMode, got *session.Loaded, err error) {
	if err != nil {
		u.tb.stopProgress()
		u.showError(err)
		return
	}
	dumps := got.Dumps
	for _, d := range dumps {
		slog.Debug("opened", "path", d.Path, "format", d.Format, "kind", d.Kind)
		for _, w := range d.Warnings {
			slog.Warn("dump warning", "path", d.Path, "warning", w)
		}
	}
	u.begin()
	switch mode {
	case loadReload:
		if rest := u.sess.Reload(dumps); len(rest) > 0 {
			u.pending = append(u.pending, u.sess.Add(rest, false)...)
		}
	default:
		u.pending = append(u.pending, u.sess.Add(dumps, mode == loadDemo)...)
		u.sess.SetSeries(session.NewSeries(got.Series))
		if mode == loadAdd && len(srcs) <= 8 {
			var paths []string
			for _, s := range srcs {
				paths = append(paths, s.Path)
			}
			u.addRecent(paths)
		}
	}
	for _, n := range u.sess.Notes {
		slog.Debug("note", "text", n)
	}
	u.recompute()
}

// begin keeps the session as it is on screen, to restore when the change
// about to be made cannot be shown (an error, or Cancel).
func (u *UI) begin() {
	if u.restore == nil {
		u.restore = u.sess.Clone()
	}
}

// recompute computes what the session shows in the background, superseding
// any computation in progress; applyResult shows it.
func (u *UI) recompute() {
	snap, prev := u.sess.Snapshot(), u.result
	p := &diff.Progress{}
	u.tb.startProgress()
	u.worker.Submit(session.Job{
		Lane: session.LaneView, Progress: p, OnProgress: u.tb.showProgress,
		Run: func(ctx context.Context) func() {
			start := time.Now()
			r, err := session.Compute(ctx, snap, prev, p)
			if session.IsCanceled(err) {
				return nil
			}
			slog.Debug("compute", "took", time.Since(start))
			return func() { u.computed(r, err) }
		},
	})
}

// computed shows a finished computation, or its error with the previous
// comparison kept on screen.
func (u *UI) computed(r *session.Result, err error) {
	if !u.worker.Busy(session.LaneLoad) {
		u.tb.stopProgress()
	}
	if err != nil {
		if u.restore != nil {
			u.sess, u.restore = u.restore, nil
		}
		u.pending = nil
		u.showError(err)
		return
	}
	u.restore = nil
	if r.Sample != "" {
		u.sess.Sample = r.Sample
	}
	if u.sess.View != u.menuView { // changed by a load, Show All or a restore
		u.setMenus()
	}
	prev := u.result
	u.result = r
	u.tb.refresh()
	u.refreshBanner()
	u.showTimeline(r)
	if prev == nil || prev.Tree != r.Tree {
		u.showTree(r)
		slog.Debug("shown", "title", r.Title, "widest", widestPath(r.Tree))
	}
	// The tables fill in a callback of their own, so that the graph is on
	// screen a frame sooner and no one callback holds the UI long.
	u.do(func() {
		if u.result != r {
			return
		}
		if prev == nil || prev.Sites != r.Sites || prev.Allocations == nil != (r.Allocations == nil) ||
			(r.Sites == nil && prev.Profile != r.Profile) || !sameTrends(prev.Trends, r.Trends) {
			u.sites.show(r)
		}
		u.sites.selectSite(u.sess.Site)
		u.do(func() {
			if u.result != r {
				return
			}
			if r.Shown != nil && (prev == nil || prev.Shown != r.Shown || !sameTrends(prev.Trends, r.Trends)) {
				u.funcs.show(r.Functions, r.Shown.SampleType.Unit, r.Shown.Base != nil, functionTrends(r))
				u.funcs.setMatch(nil)
				u.linesShown = nil // summed when the Lines tab is first shown
				u.lines.show(nil, r.Shown.SampleType.Unit, r.Shown.Base != nil, nil)
				u.lines.setMatch(nil)
			}
			u.askNext()
		})
	})
}

// showTree puts r's tree in the graph, keeping width mode, palette,
// orientation and search.
func (u *UI) showTree(r *session.Result) {
	if r.Tree == nil {
		u.graph.SetView(nil)
		u.setStatus("")
		u.updateCrumbs()
		return
	}
	if !u.chosenColors {
		u.colors = defaultColors(r.Shown)
		u.tb.colorSel.SetSelected(u.colors.String())
	}
	var scores []float32
	if r.Trends != nil {
		scores = r.Trends.Scores
	}
	u.tb.setColorModes(r.Trends != nil)
	colors := u.colors
	if colors == flame.Steady && scores == nil {
		colors = defaultColors(r.Shown) // no scores for this view: a site's goroutines, merged, …
	}
	v := &flame.View{Tree: r.Tree, Mode: u.mode, Palette: u.palette, Title: r.Title, Flame: u.flameUp,
		Colors: colors, Filter: u.filter, Scores: scores}
	v.Refilter()
	u.graph.SetView(v)
	if r.Callers != nil {
		// Callers above, the root at the bottom, meeting the callees below.
		cv := &flame.View{Tree: r.Callers, Mode: u.mode, Palette: u.palette, Title: "callers", Flame: true,
			Colors: u.colors, Filter: u.filter}
		cv.Refilter()
		u.callers.SetView(cv)
		split := container.NewVSplit(u.callers, u.graph)
		u.graphSlot.Objects = []fyne.CanvasObject{split}
	} else {
		u.callers.SetView(nil)
		u.graphSlot.Objects = []fyne.CanvasObject{u.graph}
	}
	u.graphSlot.Refresh()
	u.legend.SetView(v)
	u.updateStatus()
	u.updateCrumbs()
	if u.query != "" {
		u.setQuery(u.query)
	} else {
		u.tb.setMatches(nil)
	}
}

// askNext asks about the next dump that met a full pair, then about
// binaries that are missing.
func (u *UI) askNext() {
	if len(u.pending) > 0 {
		q := u.pending[0]
		u.pending = u.pending[1:]
		u.askSide(q)
		return
	}
	u.askForBinaries()
}

// place answers a question about a dump that met a full pair.
func (u *UI) place(q session.Question, side session.Side) {
	u.begin()
	u.sess.Place(q, side)
	u.recompute()
}

// UseBinary adds a binary to symbolize with, and reads again, in place,
// the dumps on screen that lacked one.
func (u *UI) UseBinary(path string) {
	u.reread(u.sess.AddBinary(path))
}

// reread reads the given dumps on screen again, in place (the whole series
// when one is open), symbolized with the session's symbols as they are now.
func (u *UI) reread(files []string) {
	if s := u.sess.Series; s != nil && len(files) > 0 {
		// The whole series is read again, symbolized.
		all := s.Main.Paths()
		if g := s.Goroutines; g != nil && g != s.Main {
			all = append(all, g.Paths()...)
		}
		u.load(session.Files(all), loadSeries)
		return
	}
	if len(files) > 0 {
		u.load(session.Files(files), loadReload)
	}
}

// Swap reverses base and later of the pairs.
func (u *UI) Swap() {
	if !u.sess.Profile.Full() && !u.sess.Goroutines.Full() {
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
	u.recompute()
}

// SetMode changes what a frame's width shows. The tree stays: only the
// layout changes.
func (u *UI) SetMode(m flame.WidthMode) {
	u.mode = m
	u.eachView(func(g *FlameGraph, v *flame.View) {
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
func defaultColors(c *diff.Comparison) flame.ColorMode {
	if c != nil && (c.Later.Kind == diff.KindCPU || c.Later.Kind == diff.KindContention) {
		return flame.Relative
	}
	return flame.Absolute
}

// SetColors changes what a frame's colour stands for; only the drawing changes.
func (u *UI) SetColors(m flame.ColorMode) {
	u.colors = m
	u.eachView(func(g *FlameGraph, v *flame.View) {
		v.Colors = m
		g.Refresh()
	})
	u.legend.Refresh()
}

// SetFilter hides the noise: subtrees in which no frame passes f, and the
// table rows that do not pass it.
func (u *UI) SetFilter(f flame.Filter) {
	u.filter = f
	u.eachView(func(g *FlameGraph, v *flame.View) {
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
	u.searchFor("^"+regexp.QuoteMeta(name)+"$", false)
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
		u.worker.Submit(session.Job{Lane: session.LaneSource, Run: func(context.Context) func() {
			lines := shown.Lines()
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
	if name == "" || u.result == nil || u.result.Shown == nil {
		return
	}
	u.source.show(name, u.lines.rowsOf(name), u.result.Shown.SampleType.Unit, u.result.Shown.Base != nil)
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
func (u *UI) ShowSandwich(name string) { u.SetView(session.CallersOf(name)) }

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

// MergeAt shows the graph rooted at function name, merged over all its
// call sites, with everything it calls below.
func (u *UI) MergeAt(name string) { u.SetView(session.MergedAt(name)) }

// SetPalette changes the colours; only the drawing changes.
func (u *UI) SetPalette(p *flame.Palette) {
	u.palette = p
	u.eachView(func(g *FlameGraph, v *flame.View) {
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

// FocusSearch puts the keyboard in the search field.
func (u *UI) FocusSearch() { u.win.Canvas().Focus(u.tb.search) }

// searchDelay is how long typing must pause before a search runs.
const searchDelay = 120 * time.Millisecond

// setQuery searches the graph for the regular expression q. A bad
// expression clears the search at once and says why; a good one is matched
// in the background once typing pauses.
func (u *UI) setQuery(q string) {
	u.query = q
	v := u.graph.View()
	if v == nil {
		return
	}
	u.searchFor(q, true)
}

// searchFor matches the regular expression q in the graph, and, when table
// is set, filters the function table by it.
func (u *UI) searchFor(q string, table bool) {
	v := u.graph.View()
	u.worker.Cancel(session.LaneSearch)
	u.matchAt = -1
	if q == "" {
		v.Match, v.Query = nil, ""
		u.graph.Refresh()
		u.updateStatus()
		u.tb.setMatches(nil)
		if table {
			u.funcs.setMatch(nil)
			u.lines.setMatch(nil)
		}
		return
	}
	re, err := regexp.Compile(q)
	if err != nil {
		v.Match, v.Query = nil, ""
		u.graph.Refresh()
		u.updateStatus()
		u.tb.setMatches(nil)
		u.hoverInfo.SetText("search: " + err.Error())
		return
	}
	tree := v.Tree
	var fns []diff.Function
	if table && u.result != nil {
		fns = u.result.Functions
	}
	delay := searchDelay
	if !table {
		delay = 0
	}
	u.worker.Submit(session.Job{Lane: session.LaneSearch, Run: func(ctx context.Context) func() {
		if !sleep(ctx, delay) {
			return nil
		}
		m := tree.Search(re)
		var names map[string]bool
		if table {
			names = make(map[string]bool)
			for _, f := range fns {
				if re.MatchString(f.Name) {
					names[f.Name] = true
				}
			}
		}
		return func() {
			if cur := u.graph.View(); cur != nil && cur.Tree == tree {
				cur.Match, cur.Query = m, q
				u.graph.Refresh()
				u.updateStatus()
				u.tb.setMatches(m)
			}
			if table {
				u.funcs.setMatch(func(name string) bool { return names[name] })
				u.lines.setMatch(func(name string) bool { return names[name] })
			}
		}
	}})
}

// NextMatch moves the graph's cursor to the next (or previous) frame that
// the search matches, zooming out of its way when it is too narrow to see.
func (u *UI) NextMatch(forward bool) {
	v := u.graph.View()
	if v == nil || v.Match == nil || v.Match.Count == 0 {
		return
	}
	n := int32(len(v.Match.Nodes))
	for i, at := int32(1), u.matchAt; i <= n; i++ {
		k := (at + i + n) % n
		if !forward {
			k = (at - i + 2*n) % n
		}
		if k > 0 && v.Match.Nodes[k] && v.Visible(k) {
			u.matchAt = k
			u.graph.Reveal(k)
			return
		}
	}
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
	snap := v.Snapshot()
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

// linesSplit puts the lines table over the source, the source larger.
func linesSplit(table, source fyne.CanvasObject) *container.Split {
	s := container.NewVSplit(table, source)
	s.SetOffset(0.3)
	return s
}

// eachView calls change for each graph on screen (the graph, and the
// callers over it in the sandwich view) with its view.
func (u *UI) eachView(change func(g *FlameGraph, v *flame.View)) {
	for _, g := range []*FlameGraph{u.graph, u.callers} {
		if v := g.View(); v != nil {
			change(g, v)
		}
	}
}
