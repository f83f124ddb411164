package app

import (
	"context"
	"log/slog"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/rust"
	"github.com/leakscope/leakscope/flame"
)

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
		u.precomputed = pre
	}
	p := &diff.Progress{}
	if pre != nil {
		p = pre.Progress()
	}
	sym := u.sess.Symbols.Clone()
	sym.Sample = u.sess.Sample // a heap pair is read for the sample type on screen
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
	u.opened = mode != loadReload
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
	pre := u.precomputed // the first computation may be done already
	u.precomputed = nil
	p := &diff.Progress{}
	u.tb.startProgress()
	u.worker.Submit(session.Job{
		Lane: session.LaneView, Progress: p, OnProgress: u.tb.showProgress,
		Run: func(ctx context.Context) func() {
			start := time.Now()
			if r := pre.Result(ctx, snap); r != nil {
				slog.Debug("compute", "took", time.Since(start), "ahead", true)
				return func() { u.computed(r, nil) }
			}
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
		if prev == nil || prev.Profile != r.Profile || prev.Sites != r.Sites || prev.Tasks != r.Tasks {
			u.found.show(r)
			// Dumps just opened show their top finding, else their sites;
			// a pick on the timeline, or a watch's next snapshot, leaves
			// the tab the user chose.
			if u.opened {
				if len(r.Findings) > 0 {
					u.selectTab("Findings")
				} else if t := u.tabs.Selected(); t != nil && t.Text == "Findings" {
					u.selectTab("Spawn sites")
				}
				u.opened = false
			}
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
				u.showLinesOf(u.linesOf) // now, when the Lines tab is open
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
	u.tb.setColorModes(r.Trends != nil)
	if !u.chosenColors {
		// A series opens coloured by steadiness, where the leak stands out
		// from the sawtooth of a pool or a warm-up cache; a pair by change.
		u.colors = defaultColors(r.Shown)
		if r.Trends != nil && r.Trends.Scores != nil {
			u.colors = flame.Steady
		}
		u.tb.colorSel.SetSelected(u.colors.String())
	}
	var scores []float32
	if r.Trends != nil {
		scores = r.Trends.Scores
	}
	colors := u.colors
	if colors == flame.Steady && scores == nil {
		colors = defaultColors(r.Shown) // no scores for this view: a site's goroutines, merged, …
	}
	v := &flame.View{Tree: r.Tree, Mode: u.mode, Palette: u.palette, Title: r.Title, Flame: u.flameUp,
		Colors: colors, Filter: u.filter, Scores: scores, Runtime: u.runtimeRule()}
	v.Refilter()
	u.graph.SetView(v)
	if r.Callers != nil {
		// Callers above, the root at the bottom, meeting the callees below.
		fn := rust.ShortName(u.sess.View.Function)
		cv := &flame.View{Tree: r.Callers, Mode: u.mode, Palette: u.palette, Title: "callers", Flame: true,
			Colors: colors, Filter: u.filter, Runtime: u.runtimeRule(), RootLabel: "Callers of " + fn}
		v.RootLabel = "Callees of " + fn
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
	if u.query != "" && u.marked {
		u.searchFor(u.query, false) // a mark, not a filter of the tables
	} else if u.query != "" {
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
		// A dump that cannot replace either side is refused before any
		// question: which side it would replace does not matter.
		pair := u.sess.Profile
		if q.Goroutines {
			pair = u.sess.Goroutines
		}
		if err := diff.Comparable(pair.Later, q.Dump, ""); err != nil {
			u.showError(err)
			return
		}
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
