package app_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/leakscope/leakscope/app"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/reftest"
	"github.com/leakscope/leakscope/flame"
)

// BenchmarkUIGoroutine opens the Go compiler's heap pair and measures the
// time each piece of UI-goroutine work takes: applying each background
// result, and the direct work of a width mode, palette or orientation
// change, a swap, each keystroke of a search, a zoom, and drawing a frame
// of the graph at 1280×800. It reports the longest of each, in ms; no
// single one should pass 16 ms.
func BenchmarkUIGoroutine(b *testing.B) {
	base, later, err := reftest.SharedCompilerHeapPair()
	if err != nil {
		b.Fatal(err)
	}
	work := longestWork{}
	note, timed := work.note, work.timed
	for b.Loop() {
		a := test.NewApp()
		w := a.NewWindow("Leakscope")
		w.Resize(fyne.NewSize(1280, 800))
		u := app.CreateForTest(a, w, app.Options{Files: []string{base, later}})
		note("apply load", u.WaitTimed())
		b.Logf("function table: %d functions", len(u.Functions()))
		timed("draw", func() { u.DrawGraph(1280, 700) })
		for _, m := range []flame.WidthMode{flame.WidthMax, flame.WidthBase, flame.WidthLater} {
			timed("width mode", func() { u.SetMode(m) })
			timed("draw", func() { u.DrawGraph(1280, 700) })
		}
		timed("palette", func() { u.SetPalette(flame.PaletteByName("colorblind")) })
		timed("orientation", u.ToggleOrientation)
		timed("swap", u.Swap)
		note("apply swap", u.WaitTimed())
		q := ""
		for _, r := range "types2.*Check" {
			q += string(r)
			timed("search keystroke", func() { u.SetSearch(q) })
		}
		note("apply search", u.WaitTimed())
		timed("draw", func() { u.DrawGraph(1280, 700) })
		tree := u.Graph().View().Tree
		for _, c := range tree.Children(flame.Root) {
			timed("zoom", func() { u.Graph().ZoomTo(c) })
			note("apply zoom (tables follow)", u.WaitTimed())
			timed("draw", func() { u.DrawGraph(1280, 700) })
		}
		timed("zoom", u.ResetZoom)
		for i := 0; i < 30; i++ {
			timed("keyboard move", func() { u.TypeKey(fyne.KeyDown) })
		}
		for i := 0; i < 10; i++ {
			timed("scroll", func() { u.Graph().ScrollBy(3) })
			timed("draw", func() { u.DrawGraph(1280, 700) })
		}
		for x := float32(10); x < 700; x += 37 {
			timed("hover", func() {
				u.Graph().MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(x, 200)}})
			})
		}
		u.SetSearch("")
		note("apply search", u.WaitTimed())
		for _, col := range []int{3, 3, 7, 0, 1} {
			timed("table sort", func() { u.SortFunctions(col) })
		}
		timed("noise filter", func() { u.SetNoise("64kB", false, false) })
		timed("draw", func() { u.DrawGraph(1280, 700) })
		timed("noise filter", func() { u.SetNoise("", false, false) })
		timed("function table row", func() { u.ChooseFunction(0, false) })
		note("apply search and source", u.WaitTimed())
		fn := u.Functions()[0].Name
		start := time.Now()
		timed("callers and callees", func() { u.ShowSandwich(fn) })
		note("apply callers and callees", u.WaitTimed())
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "open-callers-callees-ms")
		u.ShowLinesTab()
		start = time.Now()
		timed("lines of a function", func() { u.MarkFunction(fn) })
		note("apply search and source", u.WaitTimed())
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "open-lines-ms")
		timed("inverted", u.ToggleInverted)
		note("apply inverted", u.WaitTimed())
		u.Close()
		w.Close()
		a.Quit()
	}
	work.report(b)
}

// BenchmarkFunctionTable20k fills the function table with 20,000
// functions (a large service's profile), sorts it and draws it once, as
// opening it does on the UI goroutine.
func BenchmarkFunctionTable20k(b *testing.B) {
	fns := make([]diff.Function, 20000)
	for i := range fns {
		fns[i] = diff.Function{Name: fmt.Sprintf("pkg%d.(*T).method%d", i%300, i),
			Flat: diff.Delta{Base: int64(i * 7 % 10000), Later: int64(i * 13 % 12000)},
			Cum:  diff.Delta{Base: int64(i * 11 % 50000), Later: int64(i * 17 % 60000)}}
	}
	a := test.NewApp()
	defer a.Quit()
	w := a.NewWindow("t")
	u := app.CreateForTest(a, w, app.Options{Files: []string{"../assets/demo/dumps/heap-later.pb.gz"}})
	w.Resize(fyne.NewSize(1280, 800))
	u.Wait()
	defer u.Close()
	for b.Loop() {
		u.ShowFunctionsForBench(fns)
	}
}

// BenchmarkSeriesUIGoroutine opens ten heap profiles of the Go compiler's
// size as a series and measures the UI-goroutine work of showing it (the
// timeline, the tables with their sparklines), of picking other snapshots
// on the timeline, of colouring by steadiness, and of drawing the timeline.
// It reports the longest of each, in ms; none should pass 16 ms.
func BenchmarkSeriesUIGoroutine(b *testing.B) {
	dir, err := reftest.TempDir("leakscope-series-ui-")
	if err != nil {
		b.Fatal(err)
	}
	files, err := reftest.CompilerHeapSeries(dir, 10)
	if err != nil {
		b.Fatal(err)
	}
	work := longestWork{}
	note, timed := work.note, work.timed
	for b.Loop() {
		a := test.NewApp()
		w := a.NewWindow("Leakscope")
		w.Resize(fyne.NewSize(1280, 800))
		start := time.Now()
		u := app.CreateForTest(a, w, app.Options{Files: files})
		note("apply load", u.WaitTimed())
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "open-series-ms")
		if shown, _, _ := u.TimelineShown(); !shown {
			b.Fatal("no timeline")
		}
		tl := u.Timeline()
		for range 5 {
			timed("timeline redraw", func() { tl.Refresh() })
		}
		for _, p := range [][2]int{{2, 9}, {2, 5}, {0, 9}} {
			timed("pick", func() { u.PickSnapshots(p[0], p[1]) })
			note("apply pick", u.WaitTimed())
		}
		timed("steadiness colours", func() { u.SetColors(flame.Steady) })
		timed("draw", func() { u.DrawGraph(1280, 700) })
		for _, col := range []int{1, 2, 3, 4} {
			timed("table sort", func() { u.SortFunctions(col) })
		}
		u.Close()
		w.Close()
		a.Quit()
	}
	work.report(b)
}

// longestWork keeps the longest time each kind of UI-goroutine work took.
type longestWork map[string]time.Duration

func (l longestWork) note(what string, d time.Duration) { l[what] = max(l[what], d) }

// timed runs f and notes how long it took.
func (l longestWork) timed(what string, f func()) {
	start := time.Now()
	f()
	l.note(what, time.Since(start))
}

// report logs and reports each kind's longest, in ms, and the longest of all.
func (l longestWork) report(b *testing.B) {
	var names []string
	var worst time.Duration
	for k, d := range l {
		names = append(names, k)
		worst = max(worst, d)
	}
	sort.Strings(names)
	var parts []string
	for _, k := range names {
		parts = append(parts, fmt.Sprintf("%s %.1fms", k, float64(l[k].Microseconds())/1000))
		b.ReportMetric(float64(l[k].Microseconds())/1000, strings.ReplaceAll(k, " ", "-")+"-ms")
	}
	b.Logf("longest UI-goroutine work: %s", strings.Join(parts, ", "))
	b.ReportMetric(float64(worst.Microseconds())/1000, "longest-ms")
}
