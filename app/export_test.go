package app

import (
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/app/session"
	views "github.com/leakscope/leakscope/app/widget"
	"github.com/leakscope/leakscope/flame"
)

// Test hooks: they read widget state and run on the test goroutine.

// UIQueue stands in for fyne.Do in tests: results wait in it until the test
// goroutine, which plays the UI goroutine, runs them in Wait.
type UIQueue struct {
	mu    sync.Mutex
	funcs []func()
	ready chan struct{} // holds a value while funcs wait
}

// Do queues f.
func (q *UIQueue) Do(f func()) {
	q.mu.Lock()
	q.funcs = append(q.funcs, f)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

func (q *UIQueue) take() []func() {
	q.mu.Lock()
	defer q.mu.Unlock()
	fs := q.funcs
	q.funcs = nil
	return fs
}

// CreateForTest is Create with results applied on the test goroutine by
// Wait.
func CreateForTest(a fyne.App, w fyne.Window, o Options) *UI {
	q := &UIQueue{ready: make(chan struct{}, 1)}
	o.Do = q.Do
	u := Create(a, w, o)
	u.queue = q
	return u
}

// WaitDelivered waits until background work delivers a result, then
// applies what waits as Wait does. It reports false when nothing came
// within timeout (a bound for a failing test, not a pause).
func (u *UI) WaitDelivered(timeout time.Duration) bool {
	q := u.queue.(*UIQueue)
	select {
	case <-q.ready:
	case <-time.After(timeout):
		return false
	}
	for _, f := range q.take() {
		f()
	}
	return true
}

// Wait runs the background work to its end and applies its results, as
// the UI goroutine would, until nothing is left.
func (u *UI) Wait() {
	for {
		u.worker.Wait()
		fs := u.queue.take()
		if len(fs) == 0 {
			return
		}
		for _, f := range fs {
			f()
		}
	}
}

// Worker returns the window's worker.
func (u *UI) Worker() *session.Worker { return u.worker }

// Graph returns the flame graph widget.
func (u *UI) Graph() *views.FlameGraph { return u.graph }

// HoverText returns the hover line.
func (u *UI) HoverText() string { return u.hoverInfo.Text }

// StatusText returns the status line.
func (u *UI) StatusText() string { return u.status.Text }

// ProgressText returns the loading bar's text, or "" when it is hidden.
func (u *UI) ProgressText() string { return u.tb.Phase() }

// ProgressValue returns the loading bar's value.
func (u *UI) ProgressValue() float64 { return u.tb.bar.Value }

// ShowProgress reports progress as the worker does.
func (u *UI) ShowProgress(phase string, read, total int64) { u.tb.showProgress(phase, read, total) }

// SetSearch types q into the search entry.
func (u *UI) SetSearch(q string) { u.tb.search.SetText(q) }

// TipText returns the tooltip on screen, or "".
func (u *UI) TipText() string { return u.tips.Text() }

// TipButtons returns the buttons that have tooltips, by tooltip.
func (u *UI) TipButtons() map[string]*widget.Button {
	out := map[string]*widget.Button{}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *views.TipButton:
			out[w.TipText()] = &w.Button
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		}
	}
	walk(u.tb.row)
	walk(u.banner)
	return out
}

// IconOnlyButtons returns the buttons of the toolbar and banner that show an
// icon and no text, and whether each has a tooltip.
func (u *UI) IconOnlyButtons() (withTip, without int) {
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *views.TipButton:
			if w.Text == "" && w.TipText() != "" {
				withTip++
			}
		case *widget.Button:
			if w.Text == "" {
				without++
			}
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		}
	}
	walk(u.tb.row)
	walk(u.banner)
	return withTip, without
}

// HoverTip moves the pointer onto the button with tooltip tip.
func (u *UI) HoverTip(tip string) {
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *views.TipButton:
			if w.TipText() == tip {
				w.MouseIn(nil)
			}
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		}
	}
	walk(u.tb.row)
}

// Breadcrumbs returns the texts of the breadcrumb row.
func (u *UI) Breadcrumbs() []string {
	var out []string
	for _, o := range u.crumbs.Objects {
		switch w := o.(type) {
		case *widget.Button:
			out = append(out, w.Text)
		case *widget.Label:
			out = append(out, w.Text)
		}
	}
	return out
}

// DemoBannerShown reports whether the demo note is on screen.
func (u *UI) DemoBannerShown() bool { return strings.Contains(u.BannerText(), demoNote) }

// BannerText returns the texts of the banner's rows on screen, one per line.
func (u *UI) BannerText() string {
	if !u.banner.Visible() {
		return ""
	}
	var texts []string
	for _, row := range u.banner.Objects {
		texts = append(texts, u.bannerText[row.(*fyne.Container)])
	}
	return strings.Join(texts, "\n")
}

// DismissBannerRow taps the close button of banner row i.
func (u *UI) DismissBannerRow(i int) {
	var tap func(objs []fyne.CanvasObject) bool
	tap = func(objs []fyne.CanvasObject) bool {
		for _, o := range objs {
			switch o := o.(type) {
			case *views.TipButton: // the dismiss button, the only one with a tip
				o.OnTapped()
				return true
			case *fyne.Container:
				if tap(o.Objects) {
					return true
				}
			}
		}
		return false
	}
	tap(u.banner.Objects[i].(*fyne.Container).Objects)
}

// Files returns the paths of the profile pair ([0]) and the goroutine pair ([1]).
func (u *UI) Files() (base, later [2]string) {
	for i, p := range []session.Pair{u.sess.Profile, u.sess.Goroutines} {
		if p.Base != nil {
			base[i] = p.Base.Path
		}
		if p.Later != nil {
			later[i] = p.Later.Path
		}
	}
	return base, later
}

// Recent returns the recent comparisons.
func (u *UI) Recent() []string { return u.recent() }

// MissingBinaries returns the binaries the dumps on screen lack.
func (u *UI) MissingBinaries() []string { return u.sess.MissingBinaries() }

// DialogShown reports whether a dialog of ours is on screen.
func (u *UI) DialogShown() bool { return u.top.d != nil }

// Answer answers the "Replace which side?" dialog.
func (u *UI) Answer(side session.Side) bool {
	if q := u.asking; q != nil {
		u.top.d.Hide()
		u.top.d = nil
		u.asking = nil
		u.place(*q, side)
		return true
	}
	return false
}

// SearchEntry returns the search field.
func (u *UI) SearchEntry() fyne.CanvasObject { return u.tb.search }

// Truncate is truncate.
var Truncate = truncate

// SampleMenuShown reports whether the sample type menu is on screen.
func (u *UI) SampleMenuShown() bool { return u.tb.sampleSel.Visible() }

// Pct is the Δ% the function table shows for d.
var Pct = pct

// WaitTimed is Wait that returns the longest time one result took to apply.
func (u *UI) WaitTimed() time.Duration {
	var longest time.Duration
	for {
		u.worker.Wait()
		fs := u.queue.take()
		if len(fs) == 0 {
			return longest
		}
		for _, f := range fs {
			start := time.Now()
			f()
			longest = max(longest, time.Since(start))
		}
	}
}

// DrawGraph runs the graph's raster generator at w×h device pixels, as the
// driver does on the UI goroutine for each frame.
func (u *UI) DrawGraph(w, h int) { u.graph.Draw(w, h) }

// TypeKey sends a key to the graph, as the keyboard does when it has focus.
func (u *UI) TypeKey(k fyne.KeyName) { u.graph.TypedKey(&fyne.KeyEvent{Name: k}) }

// GraphLayout returns the graph's layout.
func (u *UI) GraphLayout() *flame.Layout { return u.graph.CurrentLayout() }

// VisibleRows returns how many rows of the graph fit on screen.
func (u *UI) VisibleRows() int { return u.graph.VisibleRows() }

// MatchCount returns the match count shown beside the search.
func (u *UI) MatchCount() string { return u.tb.matches.Text }

// SetNoise types into the noise controls.
func (u *UI) SetNoise(min string, growth, unchanged bool) {
	u.tb.growth.SetChecked(growth)
	u.tb.changed.SetChecked(unchanged)
	u.tb.minDelta.SetText(min)
}

// PickerFiles returns the names the Open dialog lists.
func (u *UI) PickerFiles() []string {
	var out []string
	for _, f := range u.picker.files {
		out = append(out, filepath.Base(f))
	}
	return out
}

// PickerCd enters folder dir in the Open dialog.
func (u *UI) PickerCd(dir string) { u.picker.cd(dir) }

// PickerTick ticks the file named name in the Open dialog.
func (u *UI) PickerTick(name string) { u.picker.tick(filepath.Join(u.picker.dir, name), true) }

// PickerOpen presses the dialog's Open button.
func (u *UI) PickerOpen() { u.picker.open.OnTapped() }

// CallersGraph returns the callers half of the sandwich view.
func (u *UI) CallersGraph() *views.FlameGraph { return u.callers }

// LoadBarShown reports whether the loading bar is on screen.
func (u *UI) LoadBarShown() bool { return u.tb.loadBar.Visible() }

// SelectTab brings the tab named name forward.
func (u *UI) SelectTab(name string) { u.selectTab(name) }

// ExportView is the view Export draws now.
func (u *UI) ExportView() *flame.View { return u.exportView(u.graph.View()) }

// SavedExportIn is what choosing a file in dir in an export's save
// dialog remembers.
func (u *UI) SavedExportIn(dir string) { u.app.Preferences().SetString(prefExportFolder, dir) }

// ExportDefaults are the name and folder an export dialog offers.
func (u *UI) ExportDefaults(suffix string) (string, string) {
	return u.exportName(suffix), u.exportFolder()
}

// ColorChoice is what the colour choice on the toolbar shows.
func (u *UI) ColorChoice() string { return u.tb.colorSel.Selected }

// CallersView is the callers graph's view; nil when it is not shown.
func (u *UI) CallersView() *flame.View { return u.callers.View() }

// SelectedTab names the tab in front.
func (u *UI) SelectedTab() string { return u.tabs.Selected().Text }

// Objects returns o and every object under it, depth first: a container's
// objects and a widget's renderer's, as the test driver builds them.
func Objects(o fyne.CanvasObject) []fyne.CanvasObject {
	out := []fyne.CanvasObject{o}
	switch o := o.(type) {
	case *fyne.Container:
		for _, k := range o.Objects {
			out = append(out, Objects(k)...)
		}
	case fyne.Widget:
		for _, k := range test.WidgetRenderer(o).Objects() {
			out = append(out, Objects(k)...)
		}
	}
	return out
}

// ToolbarHeight returns the height of the toolbar's rows under the file
// chips: one row, or more where they wrap.
func (u *UI) ToolbarHeight() (height, row float32) {
	return u.tb.row2.MinSize().Height, u.tb.search.MinSize().Height
}

// GraphTop returns the graph's top edge in the window.
func (u *UI) GraphTop() float32 {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(u.graph).Y
}

// NoiseFieldError is what the min |Δ| field marks as wrong, after Enter
// was pressed in it.
func (u *UI) NoiseFieldError() error {
	u.tb.minDelta.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	return u.tb.minDelta.Validate()
}

// StrippedObjects returns the stripped objects of the dumps on screen whose
// symbols were found nowhere.
func (u *UI) StrippedObjects() []string { return u.sess.StrippedObjects() }

// MinDelta returns the noise filter's minimum change, and the noise
// field's placeholder.
func (u *UI) MinDelta() (int64, string) { return u.filter.MinDelta, u.tb.minDelta.PlaceHolder }

// Title returns what the graph says it shows ("" for the whole graph).
func (u *UI) Title() string {
	if u.result == nil {
		return ""
	}
	return u.result.Title
}

// ChipTexts returns the base and later chips' labels.
func (u *UI) ChipTexts() (string, string) { return u.tb.baseChip.Text, u.tb.laterChip.Text }

// BannerShown returns each banner row's label as shown, and taps the
// "more…" button of row i when expand is set.
func (u *UI) BannerShown(expand int) []string {
	var out []string
	for k, row := range u.banner.Objects {
		var walk func(objs []fyne.CanvasObject)
		walk = func(objs []fyne.CanvasObject) {
			for _, o := range objs {
				switch o := o.(type) {
				case *widget.Label:
					out = append(out, o.Text)
				case *widget.Button:
					if k == expand && o.Text == "more…" {
						o.OnTapped()
					}
				case *fyne.Container:
					walk(o.Objects)
				case *container.Scroll:
					walk([]fyne.CanvasObject{o.Content})
				}
			}
		}
		walk(row.(*fyne.Container).Objects)
	}
	return out
}
