// Package app is Leakscope's window: a diff flame graph of what grew between
// two dumps, beside a panel that ranks goroutine spawn sites by growth. It is
// given a fyne.App and a fyne.Window, so that its tests run on
// fyne.io/fyne/v2/test without a display.
//
// Threading: every method of UI runs on the UI goroutine. Loading runs on a
// goroutine that UI owns (Close stops and waits for it) and hands its result
// back exactly once through fyne.Do.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	_ "github.com/leakscope/leakscope/app/locale" // before Fyne reads LANG
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/goroutines"
	"github.com/leakscope/leakscope/diff/jemalloc"
	"github.com/leakscope/leakscope/flame"
)

// pair is a base and a later dump of one kind; base is nil while the later
// dump is shown alone, and both are nil when empty.
type pair struct {
	base, later *diff.Dump
}

func (p pair) empty() bool { return p.later == nil }
func (p pair) full() bool  { return p.base != nil && p.later != nil }

// UI is one Leakscope window holding one comparison: a pair of profiles
// for the flame graph and a pair of goroutine dumps for the spawn-site panel.
type UI struct {
	app fyne.App
	win fyne.Window

	// The comparison.
	profile, gor pair
	demo         bool
	sample       string
	pcmp         *diff.Comparison       // profile pair, for the chosen sample type
	gdiff        *diff.Comparison       // goroutine pair
	gcmp         *goroutines.Comparison // spawn sites
	site         int                    // selected spawn site, -1 for none
	focus        string                 // "Focus on this function"
	hidden       map[string]bool        // "Hide this function"
	mode         flame.WidthMode
	flameUp      bool // root at the bottom
	palette      *flame.Palette
	lastErr      error
	binaries     []string // --binary paths, for dumps that need symbolizing
	missing      []string // binaries the last load could not find

	// Widgets.
	graph      *FlameGraph
	sites      *sitePanel
	status     *widget.Label
	hoverInfo  *widget.Label
	baseChip   *widget.Button
	laterChip  *widget.Button
	gorChips   *fyne.Container // the goroutine pair's files, when both pairs are open
	sampleSel  *widget.Select
	modeSel    *widget.Select
	paletteSel *widget.Select
	search     *widget.Entry
	crumbs     *fyne.Container
	banner     *fyne.Container
	loadBar    *fyne.Container
	progress   *widget.ProgressBar

	// The loader.
	mu     sync.Mutex
	cancel context.CancelFunc
	wg     sync.WaitGroup
	gen    int // load generation; only the newest load's result is shown
}

// Create builds the window's content and starts loading files: the built-in
// demo when files is empty. The caller shows the window.
func Create(a fyne.App, w fyne.Window, files []string) *UI {
	u := &UI{app: a, win: w, site: -1, hidden: map[string]bool{}, palette: flame.Diverging}
	u.build()
	w.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { u.Dropped(uris) })
	w.SetCloseIntercept(func() { u.Close(); w.Close() })
	if len(files) == 0 {
		u.load(demoSources, true)
	} else {
		u.Open(files)
	}
	return u
}

func (u *UI) build() {
	u.status = widget.NewLabel("")
	u.status.Truncation = fyne.TextTruncateEllipsis
	u.hoverInfo = widget.NewLabel("")
	u.hoverInfo.Truncation = fyne.TextTruncateEllipsis
	u.crumbs = container.NewHBox()
	u.graph = NewFlameGraph("Open a base and a later dump (Ctrl+O), or drop them here.")
	u.graph.OnHover = u.hovered
	u.graph.OnZoom = func() {
		if v := u.graph.View(); v != nil {
			slog.Debug("zoom", "frame", v.Tree.Nodes[v.Zoom.Current()].Name)
		}
		u.updateCrumbs()
	}
	u.graph.OnFocus = func(fn string) { u.focus = fn; u.rebuildView() }
	u.graph.OnHide = func(fn string) { u.hidden[fn] = true; u.rebuildView() }
	u.sites = newSitePanel()
	u.sites.onSelect = u.siteSelected
	u.baseChip = widget.NewButtonWithIcon("base: –", theme.DocumentIcon(), func() { u.showFile(true) })
	u.laterChip = widget.NewButtonWithIcon("later: –", theme.DocumentIcon(), func() { u.showFile(false) })
	u.gorChips = container.NewHBox()
	u.sampleSel = widget.NewSelect(nil, func(s string) {
		if s != u.sample && u.profile.later != nil {
			u.sample = s
			u.recompare()
		}
	})
	u.sampleSel.PlaceHolder = "sample type"
	u.modeSel = widget.NewSelect([]string{"width: later", "width: base", "width: max"}, func(s string) {
		u.mode = map[string]flame.WidthMode{"width: later": flame.WidthLater, "width: base": flame.WidthBase, "width: max": flame.WidthMax}[s]
		u.rebuildView()
	})
	u.modeSel.Selected = "width: later"
	var names []string
	for _, p := range flame.Palettes {
		names = append(names, p.Name)
	}
	u.paletteSel = widget.NewSelect(names, func(s string) {
		u.palette = flame.PaletteByName(s)
		if v := u.graph.View(); v != nil {
			v.Palette = u.palette
			u.graph.Refresh()
		}
	})
	u.paletteSel.Selected = flame.Diverging.Name
	u.search = widget.NewEntry()
	u.search.SetPlaceHolder("search (regexp)  Ctrl+F")
	u.search.OnChanged = u.setQuery
	u.progress = widget.NewProgressBar()
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), u.cancelLoad)
	u.loadBar = container.NewBorder(nil, nil, widget.NewLabel("Loading…"), cancel, u.progress)
	u.loadBar.Hide()
	u.banner = container.NewVBox()
	u.banner.Hide()

	toolbar := container.NewHBox(
		widget.NewButtonWithIcon("Open", theme.FolderOpenIcon(), u.ShowOpenDialog),
		u.baseChip,
		widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), u.Swap),
		u.laterChip,
		widget.NewSeparator(),
		u.sampleSel, u.modeSel, u.paletteSel,
	)
	right := container.NewHBox(
		widget.NewButtonWithIcon("", theme.ZoomFitIcon(), u.ResetZoom),
		widget.NewButtonWithIcon("PNG", theme.DocumentSaveIcon(), u.ShowExportDialog),
	)
	searchBox := container.NewGridWrap(fyne.NewSize(320, u.search.MinSize().Height), u.search)
	top := container.NewVBox(
		u.banner,
		container.NewBorder(nil, nil, toolbar, right),
		u.loadBar,
		container.NewBorder(nil, nil, container.NewHBox(searchBox, u.gorChips), nil, container.NewHScroll(u.crumbs)),
	)
	split := container.NewHSplit(u.graph, u.sites.box)
	split.SetOffset(0.58)
	bottom := container.NewVBox(widget.NewSeparator(), u.status, u.hoverInfo)
	u.win.SetContent(container.NewBorder(top, bottom, nil, nil, split))
	u.win.Resize(fyne.NewSize(1280, 800))
	u.setMenus()
	u.setShortcuts()
}

func (u *UI) setMenus() {
	open := fyne.NewMenuItem("Open…", u.ShowOpenDialog)
	open.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault}
	recent := fyne.NewMenuItem("Open Recent", nil)
	recent.ChildMenu = fyne.NewMenu("", u.recentItems()...)
	export := fyne.NewMenuItem("Export PNG…", u.ShowExportDialog)
	export.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierShortcutDefault}
	file := fyne.NewMenu("File", open, recent, fyne.NewMenuItem("Swap Base and Later", u.Swap), fyne.NewMenuItemSeparator(), export)
	reset := fyne.NewMenuItem("Reset Zoom", u.ResetZoom)
	reset.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyEscape}
	find := fyne.NewMenuItem("Search", func() { u.win.Canvas().Focus(u.search) })
	find.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
	orient := fyne.NewMenuItem("Flame Orientation (root at the bottom)", nil)
	orient.Checked = u.flameUp
	orient.Action = func() {
		u.flameUp = !u.flameUp
		if v := u.graph.View(); v != nil {
			v.Flame = u.flameUp
			u.graph.Refresh()
		}
		u.setMenus()
	}
	view := fyne.NewMenu("View", find, reset, orient, fyne.NewMenuItem("Show All Frames", func() {
		u.focus, u.hidden = "", map[string]bool{}
		u.rebuildView()
	}))
	u.win.SetMainMenu(fyne.NewMainMenu(file, view))
}

func (u *UI) setShortcuts() {
	c := u.win.Canvas()
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { u.ShowOpenDialog() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { u.ShowExportDialog() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { c.Focus(u.search) })
	c.SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyEscape {
			u.Back()
		}
	})
}

// Close stops any loading in progress and waits for it. The window stays.
func (u *UI) Close() {
	u.mu.Lock()
	if u.cancel != nil {
		u.cancel()
	}
	u.mu.Unlock()
	u.wg.Wait()
}

// Wait blocks until background loading has finished. With Fyne's test
// driver, which runs fyne.Do at once, its result is then on screen.
func (u *UI) Wait() { u.wg.Wait() }

// LastError returns the last error shown in a dialog, or nil.
func (u *UI) LastError() error { return u.lastErr }

// Open loads files and adds them to the comparison, classified by content.
func (u *UI) Open(files []string) {
	srcs := make([]source, len(files))
	for i, f := range files {
		srcs[i] = source{path: f}
	}
	u.load(srcs, false)
}

// load starts loading srcs in the background, cancelling any load in progress.
func (u *UI) load(srcs []source, demo bool) {
	u.mu.Lock()
	if u.cancel != nil {
		u.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	u.cancel = cancel
	u.gen++
	gen := u.gen
	u.mu.Unlock()

	p := &progress{}
	opts := &diff.Options{Binaries: append([]string(nil), u.binaries...)}
	u.progress.SetValue(0)
	u.loadBar.Show()
	done := make(chan struct{})
	u.wg.Go(func() {
		dumps, err := loadSources(ctx, srcs, opts, p)
		close(done)
		cancel()
		fyne.Do(func() { u.loaded(gen, srcs, demo, dumps, err) })
	})
	u.wg.Go(func() { // progress ticker, ends with the load
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				f := p.fraction()
				fyne.Do(func() { u.progress.SetValue(f) })
			}
		}
	})
}

func (u *UI) cancelLoad() {
	u.mu.Lock()
	if u.cancel != nil {
		u.cancel()
	}
	u.mu.Unlock()
}

// loaded applies a finished load. It runs on the UI goroutine.
func (u *UI) loaded(gen int, srcs []source, demo bool, dumps []*diff.Dump, err error) {
	u.mu.Lock()
	current := gen == u.gen
	u.mu.Unlock()
	if !current {
		return
	}
	u.loadBar.Hide()
	if errors.Is(err, context.Canceled) {
		u.setStatus("Loading cancelled.")
		return
	}
	if err != nil {
		u.showError(err)
		return
	}
	for _, d := range dumps {
		slog.Debug("opened", "path", d.Path, "format", d.Format, "kind", d.Kind)
		for _, w := range d.Warnings {
			slog.Warn("dump warning", "path", d.Path, "warning", w)
		}
	}
	profile, gor, ask := u.profile, u.gor, (*diff.Dump)(nil)
	if demo {
		profile, gor = pair{}, pair{}
	}
	var profs, gors []*diff.Dump
	for _, d := range dumps {
		if d.Kind == diff.KindGoroutine {
			gors = append(gors, d)
		} else {
			profs = append(profs, d)
		}
	}
	if profile, ask = assign(profile, profs); ask == nil {
		gor, ask = assign(gor, gors)
	}
	if ask != nil {
		u.askSide(ask, profile, gor)
		return
	}
	if err := u.apply(profile, gor, demo); err != nil {
		u.showError(err)
		return
	}
	if !demo {
		var paths []string
		for _, s := range srcs {
			paths = append(paths, s.path)
		}
		u.addRecent(paths)
	}
	u.askForBinaries(srcs, dumps)
}

// askForBinaries offers to pick the program a jemalloc dump was taken from
// when the file it records is not there; the dumps are then read again.
func (u *UI) askForBinaries(srcs []source, dumps []*diff.Dump) {
	var missing []string
	for _, d := range dumps {
		missing = append(missing, jemalloc.MissingBinaries(d)...)
	}
	if len(missing) == 0 {
		return
	}
	u.missing = missing
	msg := widget.NewLabel(fmt.Sprintf("The dump was taken from %s, which is not on this machine, so its frames "+
		"show as raw addresses. Choose that program (or a copy of it) to see function names.", strings.Join(missing, ", ")))
	msg.Wrapping = fyne.TextWrapWord
	dialog.ShowCustomConfirm("Binary not found", "Choose binary…", "Keep addresses", msg, func(ok bool) {
		if !ok {
			return
		}
		d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				return
			}
			path := r.URI().Path()
			r.Close()
			u.UseBinary(path, srcs)
		}, u.win)
		d.Resize(fyne.NewSize(900, 600))
		d.Show()
	}, u.win)
}

// UseBinary adds a binary to symbolize with and reads srcs again.
func (u *UI) UseBinary(path string, srcs []source) {
	u.binaries = append(u.binaries, path)
	u.missing = nil
	u.load(srcs, false)
}

// assign adds new dumps of one kind to p. Two or more replace the pair (the
// last two, ordered by time); one fills the empty side. When the pair is full,
// the dump is returned so that the user can say which side it replaces.
func assign(p pair, dumps []*diff.Dump) (pair, *diff.Dump) {
	switch {
	case len(dumps) >= 2:
		b, l, _ := diff.Order(dumps[len(dumps)-2], dumps[len(dumps)-1])
		return pair{base: b, later: l}, nil
	case len(dumps) == 0:
		return p, nil
	case p.empty():
		return pair{later: dumps[0]}, nil
	case p.base == nil:
		b, l, _ := diff.Order(p.later, dumps[0])
		return pair{base: b, later: l}, nil
	}
	return p, dumps[0]
}

// askSide asks which side d replaces, then applies the choice.
func (u *UI) askSide(d *diff.Dump, profile, gor pair) {
	replace := func(base bool) {
		target := &profile
		if d.Kind == diff.KindGoroutine {
			target = &gor
		}
		if base {
			target.base = d
		} else {
			target.later = d
		}
		if err := u.apply(profile, gor, false); err != nil {
			u.showError(err)
		}
	}
	msg := widget.NewLabel(fmt.Sprintf("Both sides are open. Which dump does %s replace?", d.Path))
	msg.Wrapping = fyne.TextWrapWord
	var dlg dialog.Dialog
	buttons := container.NewHBox(
		widget.NewButton("Base", func() { dlg.Hide(); replace(true) }),
		widget.NewButton("Later", func() { dlg.Hide(); replace(false) }),
	)
	dlg = dialog.NewCustom("Replace which side?", "Cancel", container.NewVBox(msg, buttons), u.win)
	dlg.Show()
}

// apply makes profile and gor the comparison, or returns an error and
// leaves the previous comparison on screen.
func (u *UI) apply(profile, gor pair, demo bool) error {
	var pcmp, gdiff *diff.Comparison
	var gcmp *goroutines.Comparison
	sample := u.sample
	var err error
	if !profile.empty() {
		if !hasSample(profile.later, sample) {
			sample = ""
		}
		if pcmp, err = diff.Compare(profile.base, profile.later, sample); err != nil {
			return err
		}
		sample = pcmp.SampleType.Type
	}
	if !gor.empty() {
		if gdiff, err = diff.Compare(gor.base, gor.later, ""); err != nil {
			return err
		}
		var b, l *goroutines.Snapshot
		if l, err = goroutines.FromDump(gor.later); err != nil {
			return err
		}
		if gor.base != nil {
			if b, err = goroutines.FromDump(gor.base); err != nil {
				return err
			}
		}
		gcmp = goroutines.Compare(b, l)
	}
	u.profile, u.gor, u.demo, u.sample = profile, gor, demo, sample
	u.pcmp, u.gdiff, u.gcmp, u.site = pcmp, gdiff, gcmp, -1
	u.focus, u.hidden = "", map[string]bool{}
	u.refreshAll()
	return nil
}

func hasSample(d *diff.Dump, name string) bool {
	if name == "" {
		return false
	}
	_, err := d.SampleIndex(name)
	return err == nil
}

// recompare recomputes the profile comparison after a sample type change.
func (u *UI) recompare() {
	c, err := diff.Compare(u.profile.base, u.profile.later, u.sample)
	if err != nil {
		u.showError(err)
		return
	}
	u.pcmp = c
	u.rebuildView()
	if u.gcmp == nil {
		u.sites.showAllocations(c)
	}
}

// Swap reverses base and later of the pairs.
func (u *UI) Swap() {
	p, g := u.profile, u.gor
	if p.full() {
		p.base, p.later = p.later, p.base
	}
	if g.full() {
		g.base, g.later = g.later, g.base
	}
	if err := u.apply(p, g, u.demo); err != nil {
		u.showError(err)
	}
}

// shown returns the comparison the flame graph shows and a title for it.
func (u *UI) shown() (*diff.Comparison, string) {
	if u.site >= 0 && u.gcmp != nil {
		c, err := u.gcmp.Profile(u.site)
		if err == nil {
			return c, "goroutines spawned at " + u.gcmp.Sites[u.site].Site.String()
		}
	}
	if u.pcmp != nil {
		return u.pcmp, ""
	}
	return u.gdiff, ""
}

func (u *UI) refreshAll() {
	u.refreshChips()
	u.refreshSamples()
	switch {
	case u.gcmp != nil:
		u.sites.showGoroutines(u.gcmp)
	case u.pcmp != nil:
		u.sites.showAllocations(u.pcmp)
	default:
		u.sites.clear("Open a goroutine dump pair to rank spawn sites.")
	}
	u.refreshBanner()
	u.rebuildView()
}

// rebuildView rebuilds the flame graph from the shown comparison, keeping
// the search and width mode.
func (u *UI) rebuildView() {
	c, title := u.shown()
	if c == nil {
		u.graph.SetView(nil)
		u.setStatus("")
		u.updateCrumbs()
		return
	}
	if u.focus != "" {
		fn := u.focus
		c = c.Subset(func(s int) bool {
			for _, f := range c.Stack(s) {
				if c.Frame(f).Function == fn {
					return true
				}
			}
			return false
		})
		title = strings.TrimPrefix(title+" · focus: "+fn, " · ")
	}
	var skip func(string) bool
	if len(u.hidden) > 0 {
		skip = func(fn string) bool { return u.hidden[fn] }
	}
	v := &flame.View{Tree: flame.BuildWith(c, skip), Mode: u.mode, Palette: u.palette, Title: title, Flame: u.flameUp}
	u.graph.SetView(v)
	u.setQuery(u.search.Text)
	u.updateStatus()
	u.updateCrumbs()
}

func (u *UI) setQuery(q string) {
	v := u.graph.View()
	if v == nil {
		return
	}
	v.Match, v.Query = nil, ""
	if q != "" {
		re, err := regexp.Compile(q)
		if err != nil {
			u.hoverInfo.SetText("search: " + err.Error())
			u.graph.Refresh()
			return
		}
		v.Match, v.Query = v.Tree.Search(re), q
	}
	u.graph.Refresh()
	u.updateStatus()
}

func (u *UI) updateStatus() {
	v := u.graph.View()
	if v == nil {
		return
	}
	lines := v.Header()
	u.setStatus(strings.Join(lines, " · "))
}

func (u *UI) setStatus(s string) { u.status.SetText(s) }

func (u *UI) hovered(n int32) {
	v := u.graph.View()
	if n < 0 || v == nil {
		u.hoverInfo.SetText("")
		return
	}
	u.hoverInfo.SetText(describe(v.Tree, n))
}

// describe says what a frame is: name, file:line, base → later, delta, share.
func describe(t *flame.Tree, n int32) string {
	node := &t.Nodes[n]
	unit := t.SampleType.Unit
	where := ""
	if node.File != "" {
		where = " " + node.File
		if node.Line > 0 {
			where += fmt.Sprintf(":%d", node.Line)
		}
	}
	total := t.Nodes[flame.Root].Total
	share := func(v, of int64) string {
		if of == 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f%%", float64(v)*100/float64(of))
	}
	if !t.HasBase() {
		return fmt.Sprintf("%s%s · %s (%s of total) · self %s", node.Name, where,
			diff.FormatValue(node.Total.Later, unit), share(node.Total.Later, total.Later), diff.FormatValue(node.Self.Later, unit))
	}
	return fmt.Sprintf("%s%s · %s → %s (%s) · %s of later total · self %s → %s", node.Name, where,
		diff.FormatValue(node.Total.Base, unit), diff.FormatValue(node.Total.Later, unit),
		diff.FormatDelta(node.Total.Diff(), unit), share(node.Total.Later, total.Later),
		diff.FormatValue(node.Self.Base, unit), diff.FormatValue(node.Self.Later, unit))
}

// updateCrumbs shows the zoom path as buttons, and the way back from a site.
func (u *UI) updateCrumbs() {
	u.crumbs.RemoveAll()
	if u.site >= 0 {
		what := "profile"
		if u.pcmp != nil {
			what = u.pcmp.SampleType.Type + " profile"
		} else if u.gdiff != nil {
			what = "all goroutines"
		}
		u.crumbs.Add(widget.NewButtonWithIcon("Back to "+what, theme.NavigateBackIcon(), u.BackToProfile))
	}
	if u.focus != "" || len(u.hidden) > 0 {
		u.crumbs.Add(widget.NewButtonWithIcon("Show all frames", theme.VisibilityIcon(), func() {
			u.focus, u.hidden = "", map[string]bool{}
			u.rebuildView()
		}))
	}
	v := u.graph.View()
	if v != nil {
		for i, n := range v.Tree.Path(v.Zoom.Current()) {
			name := v.Tree.Nodes[n].Name
			if i > 0 {
				u.crumbs.Add(widget.NewLabel("›"))
			}
			node := n
			u.crumbs.Add(widget.NewButton(shorten(name), func() { u.graph.ZoomTo(node) }))
		}
	}
	u.crumbs.Refresh()
}

func shorten(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 && i < len(name)-1 {
		name = name[i+1:]
	}
	if len(name) > 48 {
		name = name[:47] + "…"
	}
	return name
}

// Back undoes the last zoom, or leaves a selected site.
func (u *UI) Back() {
	if u.graph.Back() {
		return
	}
	if u.site >= 0 {
		u.BackToProfile()
	}
}

// ResetZoom shows the whole graph.
func (u *UI) ResetZoom() { u.graph.ZoomTo(flame.Root) }

// siteSelected re-targets the flame graph to a site's goroutine stacks, or,
// for an allocation site, searches for its function.
func (u *UI) siteSelected(r *siteRow) {
	if r.site < 0 {
		u.search.SetText("^" + regexp.QuoteMeta(r.name) + "$")
		return
	}
	u.site = r.site
	u.rebuildView()
}

// BackToProfile leaves the selected site.
func (u *UI) BackToProfile() {
	u.site = -1
	u.rebuildView()
}

func (u *UI) refreshChips() {
	p := u.profile
	if p.empty() {
		p = u.gor
	}
	label := func(side string, d *diff.Dump) string {
		if d == nil {
			return side + ": –"
		}
		return side + ": " + shortPath(d.Path)
	}
	u.baseChip.SetText(label("base", p.base))
	u.laterChip.SetText(label("later", p.later))
	u.gorChips.RemoveAll()
	if !u.profile.empty() && !u.gor.empty() {
		g := shortPath(u.gor.later.Path)
		if u.gor.base != nil {
			g = shortPath(u.gor.base.Path) + " → " + g
		}
		u.gorChips.Add(widget.NewButtonWithIcon(g, theme.ListIcon(), func() { u.showFile(false) }))
	}
}

func shortPath(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		p = p[i+1:]
	}
	if len(p) > 32 {
		p = p[:31] + "…"
	}
	return p
}

// showFile shows the paths of both pairs' files on one side.
func (u *UI) showFile(base bool) {
	var lines []string
	for _, p := range []pair{u.profile, u.gor} {
		d := p.later
		if base {
			d = p.base
		}
		if d == nil {
			continue
		}
		when := ""
		if !d.Time.IsZero() {
			when = ", taken " + d.Time.Format("2006-01-02 15:04:05")
		}
		lines = append(lines, fmt.Sprintf("%s\n%s %s dump%s", d.Path, d.Format, d.Kind, when))
	}
	if len(lines) == 0 {
		return
	}
	side := "Later"
	if base {
		side = "Base"
	}
	dialog.ShowInformation(side, strings.Join(lines, "\n\n"), u.win)
}

func (u *UI) refreshSamples() {
	var opts []string
	if u.profile.later != nil {
		for _, t := range u.profile.later.SampleTypes {
			opts = append(opts, t.Type)
		}
	}
	u.sampleSel.Options = opts
	u.sampleSel.Selected = u.sample
	u.sampleSel.Refresh()
}

// refreshBanner shows, above the toolbar, the demo note and the warnings of
// the dumps on screen (a dump cut short, lines skipped, addresses left raw).
// Each row can be dismissed.
func (u *UI) refreshBanner() {
	u.banner.RemoveAll()
	if u.demo {
		u.addBannerRow(theme.InfoIcon(), widget.HighImportance, demoNote)
	}
	if w := u.warnings(); w != "" {
		u.addBannerRow(theme.WarningIcon(), widget.WarningImportance, w)
	}
	u.banner.Hidden = len(u.banner.Objects) == 0
	u.banner.Refresh()
}

const demoNote = "This is a built-in demo: two heap profiles and two goroutine dumps of a small service that leaks. " +
	"Open your own dumps with Ctrl+O, by dropping them on this window, or by double-clicking a dump file."

// maxWarnings is how many warning lines the banner shows before "and N more".
const maxWarnings = 4

// warnings lists the warnings of the dumps on screen, one line each,
// naming the file.
func (u *UI) warnings() string {
	var lines []string
	for _, d := range []*diff.Dump{u.profile.base, u.profile.later, u.gor.base, u.gor.later} {
		if d == nil {
			continue
		}
		for _, w := range d.Warnings {
			lines = append(lines, filepath.Base(d.Path)+": "+w)
		}
	}
	if n := len(lines) - maxWarnings; n > 0 {
		lines = append(lines[:maxWarnings], fmt.Sprintf("… and %d more (run with LEAKSCOPE_DEBUG=1 to log them all)", n))
	}
	return strings.Join(lines, "\n")
}

func (u *UI) addBannerRow(icon fyne.Resource, imp widget.Importance, text string) {
	msg := widget.NewLabel(text)
	msg.Wrapping = fyne.TextWrapWord
	msg.Importance = imp
	var row *fyne.Container
	row = container.NewBorder(nil, nil, widget.NewIcon(icon), widget.NewButtonWithIcon("", theme.CancelIcon(), func() {
		u.banner.Remove(row)
		u.banner.Hidden = len(u.banner.Objects) == 0
		u.banner.Refresh()
	}), msg)
	u.banner.Add(row)
}

// showError shows err in a dialog that names the file; the comparison on
// screen stays.
func (u *UI) showError(err error) {
	u.lastErr = err
	slog.Error("open failed", "err", err)
	dialog.ShowError(err, u.win)
}

// SetBinaries records the program binaries given with --binary, for dumps
// that need symbolizing.
func (u *UI) SetBinaries(paths []string) { u.binaries = paths }
