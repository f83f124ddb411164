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
	views "github.com/leakscope/leakscope/app/widget"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/app/instance"
	_ "github.com/leakscope/leakscope/app/locale" // before Fyne reads LANG
	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/flame"
)

// uiQueue is the test's stand-in for the UI goroutine's queue.
type uiQueue interface{ take() []func() }

// Options say what a window opens with.
type Options struct {
	// Listen, when set, takes the files of later launches (instance.Send)
	// into this window, as if dropped on it.
	Listen bool
	// Screen is the size of the screen the window opens on, when known: the
	// window then opens no larger than it. Zero opens at 1280 × 800.
	Screen fyne.Size
	// Files are the dumps to open; none opens the built-in demo.
	Files []string
	// Binaries are the program (and library) files that jemalloc dumps are
	// symbolized with, as --binary gives them. The first load uses them.
	Binaries []string
	// DebugDirs (--debug-dir) and Servers (--debuginfod), when given,
	// replace the debug folders and debuginfod servers of the settings
	// for this window (see StartupSymbols).
	DebugDirs, Servers []string
	// RuntimeCrates (--runtime-crate) are more crates or packages whose
	// frames count as the runtime's: folded in the graph, left off the
	// findings' paths.
	RuntimeCrates []string
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
	asking       *session.Question  // the question on screen
	preload      *session.Preload   // the first load, started before the window; Close ends it
	preloadTaken bool               // a load job has taken it
	precomputed  *session.Preload   // the preload whose result the next computation may take
	showRuntime  bool               // View ▸ Runtime Frames: runs of runtime frames are not folded
	screen       fyne.Size          // the screen's size, when known
	instance     *instance.Listener // takes the files of later launches; nil for none
	picker       *openPicker        // the last Open dialog
	queue        uiQueue            // set by tests; see export_test.go

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
	graph       *views.FlameGraph
	callers     *views.FlameGraph // the callers half of the sandwich view
	graphSlot   *fyne.Container   // holds the graph, or the sandwich of callers over graph
	sites       *sitePanel
	funcs       *funcTable
	lines       *funcTable
	source      *sourcePanel
	linesOf     string           // the function the Lines tab is to show
	linesShown  *diff.Comparison // the comparison whose lines the Lines tab holds
	linesSplit  *linesSplit      // the Lines tab: its table over the source
	tabs        *container.AppTabs
	found       *findingsPanel // the Findings tab
	legend      *views.Legend
	timeline    *views.Timeline // the series, above the graph; hidden without one
	watch       *watching       // the watch running; nil for none
	watchBar    *fyne.Container
	watchInfo   *widget.Label
	tb          *toolbar
	status      *widget.Label
	hoverInfo   *widget.Label
	crumbScroll *container.Scroll // the breadcrumb, scrolled to its end
	opened      bool              // the next result is of dumps just opened: it picks the tab
	marked      bool              // the search field holds a function's mark (MarkFunction), not a filter
	crumbs      *fyne.Container
	banner      *fyne.Container
	tips        *views.TipLayer
	content     *fyne.Container            // the window's layout, redone when a bar shows or hides
	topBox      *fyne.Container            // everything above the graph
	top         dialogHandle               // the dialog on screen, for Esc
	menuView    session.View               // the view the View menu says is on screen
	bannerText  map[*fyne.Container]string // each banner row's whole text
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
	u.sess.RuntimeCrates = o.RuntimeCrates
	u.screen = o.Screen
	u.build()
	w.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { u.Dropped(uris) })
	w.SetCloseIntercept(func() { u.Close(); w.Close() })
	if o.Listen {
		l, err := instance.Listen(instance.Path(), func(files []string) {
			do(func() {
				slog.Debug("files handed over", "files", files)
				u.Open(files)
				w.RequestFocus()
			})
		})
		if err != nil {
			slog.Debug("not listening for other launches", "err", err)
		}
		u.instance = l
	}
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
	u.tips = views.NewTipLayer()
	u.status = widget.NewLabel("")
	u.status.Truncation = fyne.TextTruncateEllipsis
	u.hoverInfo = widget.NewLabel("")
	u.hoverInfo.Truncation = fyne.TextTruncateEllipsis
	u.crumbs = container.NewHBox()
	u.crumbScroll = container.NewHScroll(u.crumbs)
	u.graph = views.NewFlameGraph("Open a base and a later dump (Ctrl+O), or drop them here.")
	u.graph.OnHover = func(n int32) { u.hovered(u.graph, n) }
	u.callers = views.NewFlameGraph("")
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
	u.found = newFindingsPanel()
	u.found.onSelect = u.showFinding
	u.sites = newSitePanel()
	u.sites.onSelect = u.siteSelected
	u.funcs = newFuncTable(false)
	u.funcs.onSelect = u.MarkFunction
	u.funcs.onOpen = u.ShowSandwich
	u.lines = newFuncTable(true)
	u.lines.onSelect = u.MarkFunction
	u.lines.onOpen = u.ShowSandwich
	u.source = newSourcePanel(u)
	u.linesSplit = newLinesSplit(u.lines, u.source.box)
	u.sites.tips, u.funcs.tips, u.lines.tips = u.tips, u.tips, u.tips
	u.sites.menu, u.funcs.menu, u.lines.menu = u.rowMenu, u.rowMenu, u.rowMenu
	u.legend = views.NewLegend()
	u.legend.OnLines = func() { u.do(u.relayout) }
	u.timeline = views.NewTimeline()
	u.timeline.OnPick = u.PickSnapshots
	u.timeline.Hide()
	u.banner = container.NewVBox()
	u.banner.Hide()
	u.newWatchBar()
	u.tb = u.newToolbar()

	top := container.NewVBox(
		u.banner,
		u.tb.row,
		u.watchBar,
		u.tb.row2,
		u.crumbRow(),
	)
	u.topBox = top
	u.tabs = container.NewAppTabs(
		container.NewTabItem("Findings", u.found.box),
		container.NewTabItem("Spawn sites", u.sites.box),
		container.NewTabItem("Functions", u.funcs.box),
		container.NewTabItem("Lines", u.linesSplit.split),
	)
	u.tabs.OnSelected = func(t *container.TabItem) {
		if t.Text == "Lines" {
			u.showLinesOf(u.linesOf)
		}
	}
	u.graphSlot = container.NewStack(u.graph)
	split := container.NewHSplit(container.NewBorder(u.timeline, u.legend, nil, nil, u.graphSlot), u.tabs)
	// The graph takes the larger part; the tables' key columns (name,
	// file:line, growth, trend) still fit beside it at 1024 × 768.
	split.SetOffset(0.55)
	// The status line, what is under the pointer, and the loading bar
	// take turns in one row of steady height (showBottom): nothing above
	// the graph moves while a dump loads.
	u.hoverInfo.Hide()
	bottom := container.NewVBox(widget.NewSeparator(), views.Steady(u.status, u.hoverInfo, u.tb.loadBar))
	u.content = container.New(&views.WidthFirst{Inner: layout.NewBorderLayout(top, bottom, nil, nil),
		Set: func(w float32) { u.tb.wrap.Width = w }}, top, bottom, split)
	u.win.SetContent(container.NewStack(u.content, u.tips))
	u.win.Resize(windowSize(u.screen))
	u.setMenus()
	u.setShortcuts()
}

// windowSize is the window's size when it opens: 1280 × 800, or less on a
// smaller screen, leaving room for the desktop's panels and the frame.
func windowSize(screen fyne.Size) fyne.Size {
	size := fyne.NewSize(1280, 800)
	if screen.Width > 0 && screen.Height > 0 {
		size.Width = min(size.Width, screen.Width-32)
		size.Height = min(size.Height, screen.Height-64)
	}
	return size
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
	if u.instance != nil {
		u.instance.Close()
		u.instance = nil
	}
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
