package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/series"
	"github.com/leakscope/leakscope/watch"
)

// The Watch dialog's fields, kept between runs.
const (
	prefWatchTarget   = "watch.target"
	prefWatchInterval = "watch.interval"
	prefWatchFolder   = "watch.folder"
)

// watchSettingNames name the watch's settings in the window's words: the
// window has no flags.
var watchSettingNames = map[string]string{
	"--timeout":    "the 30 s a capture may take",
	"--max-size":   "the size a snapshot may have",
	"--retries":    "tries allowed in a row:",
	"--out folder": "folder (File ▸ Watch a Service…)",
}

// watching is a watch of a service that the window runs: the worker owns
// its goroutine, which stop ends.
type watching struct {
	stop   func()
	target string
	dir    string
	taken  int
	before int // snapshots an earlier watch left in dir, which this one goes on from
	note   string
	tabbed bool // the watch's first comparison chose the tab: the next ones leave it
}

// newWatchBar makes the bar that shows a running watch, with its Stop button.
func (u *UI) newWatchBar() {
	u.watchInfo = widget.NewLabel("")
	u.watchInfo.Truncation = fyne.TextTruncateEllipsis
	stop := widget.NewButtonWithIcon("Stop watching", theme.MediaStopIcon(), u.StopWatch)
	u.watchBar = container.NewBorder(nil, nil, widget.NewIcon(theme.MediaRecordIcon()), stop, u.watchInfo)
	u.watchBar.Hide()
}

// ShowWatchDialog asks for a service to watch: its address, the interval,
// and the folder the snapshots go to.
func (u *UI) ShowWatchDialog() {
	prefs := u.app.Preferences()
	target := widget.NewEntry()
	target.SetPlaceHolder("host:port or http://host:port/debug/pprof/")
	target.SetText(prefs.String(prefWatchTarget))
	target.Validator = func(s string) error {
		_, err := watch.NormalizeURL(s)
		return err
	}
	interval := widget.NewEntry()
	interval.SetText(prefs.StringWithFallback(prefWatchInterval, "30s"))
	interval.Validator = func(s string) error {
		if d, err := time.ParseDuration(strings.TrimSpace(s)); err != nil || d <= 0 {
			return fmt.Errorf("a duration such as 30s or 5m")
		}
		return nil
	}
	folder := widget.NewEntry()
	folder.SetPlaceHolder("default: leakscope-HOST_PORT in your home folder")
	folder.SetText(prefs.String(prefWatchFolder))
	items := []*widget.FormItem{
		widget.NewFormItem("Service", target),
		widget.NewFormItem("Every", interval),
		widget.NewFormItem("Folder", folder),
	}
	// The form's Watch button stays disabled until the address and the
	// interval are valid, so that nothing typed is lost to an error.
	d := dialog.NewForm("Watch a service", "Watch", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		every, _ := time.ParseDuration(strings.TrimSpace(interval.Text))
		// Remembered for the next watch, which is often of the same service.
		prefs.SetString(prefWatchTarget, target.Text)
		prefs.SetString(prefWatchInterval, strings.TrimSpace(interval.Text))
		prefs.SetString(prefWatchFolder, folder.Text)
		if err := u.StartWatch(target.Text, every, folder.Text); err != nil {
			u.showError(err)
		}
	}, u.win)
	submitOnEnter(d, target, interval, folder)
	d.Resize(fyne.NewSize(520, 0))
	u.showDialog(d)
	u.win.Canvas().Focus(target) // Enter submits at once, the fields kept from the last watch
}

// StartWatch takes a heap and a goroutine snapshot of the Go service at
// target every interval, writing them to dir (a default folder when ""), and
// streams them into the series on screen: the later snapshot follows the
// newest until another is picked. A watch already running stops first.
func (u *UI) StartWatch(target string, interval time.Duration, dir string) error {
	base, err := watch.NormalizeURL(target)
	if err != nil {
		return err
	}
	if dir = strings.TrimSpace(dir); dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, watch.DefaultDir(base))
	}
	u.StopWatch()
	w := &watching{target: base, dir: dir}
	sym := u.sess.Symbols.Clone()
	opts := watch.Options{Base: base, Dir: dir, Interval: interval, Timeout: 30 * time.Second, Retries: 3,
		Opts: sym.Options(nil), Names: watchSettingNames}
	u.watch = w
	u.showWatchInfo()
	w.stop = u.worker.Go(func(ctx context.Context) {
		var watcher *watch.Watcher
		first := true
		opts.OnSnapshot = func(dumps []*diff.Dump) {
			all := watcher.Series()
			var earliest []*diff.Dump
			var err error
			if first {
				// A watch into a folder an earlier one filled goes on
				// from its first snapshot: read it here, before the
				// next snapshot can come.
				first = false
				earliest, err = loadEarliest(ctx, all, sym)
			}
			u.do(func() {
				if err != nil && u.watch == w {
					u.showError(err)
				}
				u.watchSnapshot(w, all, dumps, earliest)
			})
		}
		opts.Progress = func(_ *series.Analysis, _, _ int, note string) {
			u.do(func() {
				if u.watch == w {
					w.note = note
					u.showWatchInfo()
				}
			})
		}
		var err error
		if watcher, err = watch.NewWatcher(ctx, opts); err == nil {
			err = watcher.Run(ctx)
		}
		if ctx.Err() != nil {
			return // stopped: the window knows
		}
		u.do(func() { u.watchEnded(w, err) })
	})
	return nil
}

// StopWatch stops the watch, if one runs; what it took stays on screen and
// in its folder.
func (u *UI) StopWatch() {
	w := u.watch
	if w == nil {
		return
	}
	u.watch = nil
	w.stop()
	u.watchBar.Hide()
	u.setStatus(fmt.Sprintf("Watch stopped: %s taken, %d in all in %s.", plural(w.taken, "snapshot", "snapshots"), w.before+w.taken, w.dir))
	u.relayout()
}

// Watching reports whether a watch runs.
func (u *UI) Watching() bool { return u.watch != nil }

func (u *UI) showWatchInfo() {
	w := u.watch
	if w == nil {
		return
	}
	taken := plural(w.taken, "snapshot", "snapshots")
	text := fmt.Sprintf("Watching %s: %s taken, in %s", w.target, taken, w.dir)
	switch {
	case w.taken == 0:
		text = fmt.Sprintf("Watching %s: taking the first snapshot, into %s", w.target, w.dir)
	case w.before > 0:
		text = fmt.Sprintf("Watching %s: %s taken, after the %d already in %s", w.target, taken, w.before, w.dir)
	}
	if w.note != "" {
		text += " — " + w.note
	}
	if p := u.tb.Phase(); p != "" {
		text += " — " + strings.TrimSuffix(p, "…") + "…"
	}
	u.watchInfo.SetText(text)
	if !u.watchBar.Visible() {
		u.watchBar.Show()
		u.relayout()
	}
}

// watchEnded shows why a watch ended by itself.
func (u *UI) watchEnded(w *watching, err error) {
	if u.watch != w {
		return
	}
	u.watch = nil
	u.watchBar.Hide()
	u.relayout()
	if err != nil {
		u.showError(fmt.Errorf("%w; what it took (%s) stays in %s", err, plural(w.taken, "snapshot", "snapshots"), w.dir))
	}
}

// watchSnapshot puts a new snapshot of a watch on screen: the series grows,
// and while the later snapshot is the newest, the new one replaces it.
// With the first snapshot come the earliest dumps of a folder an earlier
// watch filled (none for a new folder): they are the base.
func (u *UI) watchSnapshot(w *watching, all []*series.Series, dumps, earliest []*diff.Dump) {
	if u.watch != w {
		return
	}
	w.taken++
	w.note = ""
	if w.taken >= 2 && !w.tabbed { // the first comparison shows its findings
		u.opened, w.tabbed = true, true
	}
	if w.taken == 1 {
		for _, s := range all {
			w.before = max(w.before, s.Len()-1)
		}
	}
	u.showWatchInfo()
	next := session.NewSeries(all)
	prev := u.sess.Series
	if w.taken == 1 {
		// The watch replaces what was on screen.
		u.sess.Profile, u.sess.Goroutines = session.Pair{}, session.Pair{}
		u.sess.Series, prev = nil, nil
		u.sess.Demo = false
		if len(earliest) > 0 {
			// Going on in a filled folder: its first snapshot and the
			// new one, and the series of all when there are enough.
			u.begin()
			u.pending = append(u.pending, u.sess.Add(append(earliest, dumps...), false)...)
			if next != nil {
				u.sess.Series = next.Pick(0, next.Main.Len()-1)
				u.sess.Notes = nil // the series is in order
			}
			u.recompute()
			return
		}
	}
	if next == nil || prev == nil && !u.sess.Profile.Full() && !u.sess.Goroutines.Full() {
		// One or two snapshots: a pair, as when they are opened.
		u.begin()
		u.pending = append(u.pending, u.sess.Add(dumps, false)...)
		u.sess.Series = next
		u.recompute()
		return
	}
	u.begin()
	u.sess.Notes = nil // the pair's order notes are stale: the series is in order
	switch {
	case prev == nil:
		// The third snapshot: the pair on screen (the first and the
		// second) becomes first and newest.
		next = next.Pick(0, next.Main.Len()-1)
		u.sess.Series = next
		u.placeNewest(dumps)
	case prev.Follow:
		next = next.Pick(prev.Base, next.Main.Len()-1)
		u.sess.Series = next
		u.placeNewest(dumps)
	default:
		u.sess.Series = next.Pick(prev.Base, prev.Later)
	}
	u.recompute()
}

// placeNewest makes the newest snapshot's dumps the later side of the pairs.
func (u *UI) placeNewest(dumps []*diff.Dump) {
	for _, d := range dumps {
		if d.Kind == diff.KindGoroutine {
			u.sess.Goroutines.Later = d
			u.sess.GoroutineOrder.Later = d
		} else {
			u.sess.Profile.Later = d
			u.sess.ProfileOrder.Later = d
		}
	}
}

// loadEarliest reads the first snapshot of each kind of all that has more
// than the one just taken: what an earlier watch into the same folder left.
func loadEarliest(ctx context.Context, all []*series.Series, sym *session.Symbols) ([]*diff.Dump, error) {
	var paths []string
	for _, s := range all {
		if s.Len() > 1 {
			paths = append(paths, s.Snapshots[0].Path)
		}
	}
	if len(paths) == 0 {
		return nil, nil
	}
	dumps, err := session.Load(ctx, session.Files(paths), sym, nil)
	if err != nil {
		return nil, fmt.Errorf("reading the first snapshot an earlier watch left: %w", err)
	}
	return dumps, nil
}
