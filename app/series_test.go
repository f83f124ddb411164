package app_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/app"
	"github.com/leakscope/leakscope/diff/reftest"
	"github.com/leakscope/leakscope/flame"
)

// writeSeries writes a series of this process's heap and goroutines, as
// reftest.WriteSeries does, and ends its leak when the test does.
func writeSeries(t *testing.T, dir string, n int) []string {
	t.Helper()
	l := reftest.NewLeaker()
	t.Cleanup(l.Close)
	paths, err := reftest.WriteSeries(dir, n, l)
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

// openSeries opens a series of n snapshots of this process (writeSeries)
// in a window, and fails the test when the window could not load it.
func openSeries(t *testing.T, n int) (*app.UI, fyne.Window) {
	t.Helper()
	u, w := open(t, writeSeries(t, t.TempDir(), n)...)
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	return u, w
}

func TestSeriesView(t *testing.T) {
	u, _ := openSeries(t, 4)
	shown, b, l := u.TimelineShown()
	if !shown || b != 0 || l != 3 {
		t.Fatalf("timeline shown %v, picks %d and %d; want 0 and 3", shown, b, l)
	}
	if c, sel := u.Graph().View().Colors, u.ColorChoice(); c != flame.Steady || sel != "steadiness" {
		t.Errorf("a series opens coloured by %s, the toolbar says %q; want steadiness", c, sel)
	}
	if base, later := u.Files(); !strings.Contains(base[0], "heap-0001-") || !strings.Contains(later[0], "heap-0004-") {
		t.Errorf("pair %v → %v, want the first and the last heap snapshot", base, later)
	}
	// The cards name functions as pprof shortens them, without the
	// package path, so that they wrap between words.
	if f := u.FindingsText(); len(f) == 0 || !strings.Contains(f[0], "goroutines at reftest.(*Leaker).Grow") || strings.Contains(f[0], "github.com/") {
		t.Errorf("first finding %q: want short names", f)
	}
	cols := u.FunctionColumns()
	if len(cols) < 5 || cols[1] != "Score" || cols[2] != "Grew" || cols[3] != "Flat trend" || cols[4] != "Rate" {
		t.Fatalf("function columns %v", cols)
	}
	top := u.FunctionRow(0)
	if !strings.Contains(top[0], "Leaker).Grow") || top[2] != "3/3" || top[3] == "" {
		t.Errorf("top function row %v: want the leak, grown in 3 of 3 intervals, with a sparkline", top)
	}
	if sc := u.SiteColumns(); len(sc) < 6 || sc[1] != "Where" || sc[2] != "Score" || sc[3] != "Grew" || sc[4] != "Trend" {
		t.Fatalf("site columns %v", sc)
	}
	if row := u.SiteRow(0); !strings.Contains(row[0], "Leaker).Grow") || !strings.HasPrefix(row[1], "series.go:") || row[3] != "3/3" {
		t.Errorf("top spawn site %v: want the leak's go statement", row)
	}

	// Swap leaves a series in time order, and says where to pick.
	u.Swap()
	u.Wait()
	if base, later := u.Files(); !strings.Contains(base[0], "heap-0001-") || !strings.Contains(later[0], "heap-0004-") {
		t.Errorf("after Swap: %v → %v, want the series' order kept", base, later)
	}
	if s := u.StatusText(); !strings.Contains(s, "timeline") {
		t.Errorf("status after Swap on a series: %q", s)
	}

	// Picking on the timeline compares those snapshots.
	u.PickSnapshots(1, 2)
	u.Wait()
	if base, later := u.Files(); !strings.Contains(base[0], "heap-0002-") || !strings.Contains(later[0], "heap-0003-") ||
		!strings.Contains(base[1], "goroutines-0002-") || !strings.Contains(later[1], "goroutines-0003-") {
		t.Errorf("after the pick: %v → %v", base, later)
	}
	if _, b, l := u.TimelineShown(); b != 1 || l != 2 {
		t.Errorf("timeline picks %d and %d after the pick", b, l)
	}
	if row := u.FunctionRow(0); row[2] != "3/3" {
		t.Errorf("the trends changed with the pick: %v", row)
	}

	// Colouring by steadiness: the leak's frame is hot, an unchanging one not.
	u.SetColors(flame.Steady)
	v := u.Graph().View()
	if v.Colors != flame.Steady || v.Scores == nil {
		t.Fatalf("view colours %v, scores %v", v.Colors, v.Scores != nil)
	}
	leak := find(t, v.Tree, "github.com/leakscope/leakscope/diff/reftest.(*Leaker).Grow")
	if v.Scores[leak] < 0.5 {
		t.Errorf("the leak's frame scores %.2f", v.Scores[leak])
	}

	// A click on the timeline moves the nearer mark.
	tl := u.Timeline()
	tl.Resize(tl.MinSize().AddWidthHeight(400, 0))
	x := func(i int) float32 { // the plot spans from 124 px to 40 px before the end
		w := tl.Size().Width - 124 - 40
		return 124 + w*float32(i)/3
	}
	test.TapAt(tl, fyne.NewPos(x(3), 40))
	u.Wait()
	if _, b, l := u.TimelineShown(); b != 1 || l != 3 {
		t.Errorf("after a tap on the last snapshot: picks %d and %d, want 1 and 3", b, l)
	}
}

// TestWindowWatch watches this test process's own pprof handlers from the
// window: snapshots stream into the series, Stop ends the capture, and no
// goroutine is left (goleak checks in TestMain).
func TestWindowWatch(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	l := reftest.NewLeaker()
	defer l.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { // the leak goes on while the window watches
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				l.Grow()
			}
		}
	})
	defer func() { close(stop); wg.Wait() }()

	u, _ := open(t)
	dir := filepath.Join(t.TempDir(), "snaps")
	if err := u.StartWatch(strings.TrimPrefix(srv.URL, "http://"), 150*time.Millisecond, dir); err != nil {
		t.Fatal(err)
	}
	for {
		if shown, _, later := u.TimelineShown(); shown && later >= 3 {
			break
		}
		if !u.WaitDelivered(20 * time.Second) {
			t.Fatalf("nothing new for 20 s and no series; watch bar %q, error %v", u.WatchText(), u.LastError())
		}
	}
	if !strings.Contains(u.WatchText(), "Watching") {
		t.Errorf("watch bar %q", u.WatchText())
	}
	// The user picks a tab: the next snapshots leave it, and their loading
	// shows in the watch's line, never in a bar that comes and goes.
	u.SelectTab("Functions")
	for taken := u.WatchTaken(); u.WatchTaken() < taken+2; {
		if !u.WaitDelivered(20 * time.Second) {
			t.Fatalf("no new snapshot for 20 s; watch bar %q, error %v", u.WatchText(), u.LastError())
		}
		if u.LoadBarShown() {
			t.Errorf("the loading bar shows during a watch; the watch line reads %q", u.WatchText())
		}
	}
	if tab := u.SelectedTab(); tab != "Functions" {
		t.Errorf("new snapshots moved the window to the %s tab", tab)
	}
	if base, later := u.Files(); !strings.Contains(base[0], "heap-0001-") || strings.Contains(later[0], "heap-0001-") {
		t.Errorf("pair %v → %v while following: want the first and the newest", base, later)
	}
	u.StopWatch()
	u.Wait()
	if u.Watching() || u.WatchText() != "" {
		t.Error("the watch still runs after Stop")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "heap-*"))
	if len(files) < 4 {
		t.Errorf("%d heap snapshots in %s", len(files), dir)
	}

	// A watch into the same folder goes on from what the first took: its
	// first snapshot is the base, the new one the later, on a timeline of
	// all of them.
	if err := u.StartWatch(strings.TrimPrefix(srv.URL, "http://"), 150*time.Millisecond, dir); err != nil {
		t.Fatal(err)
	}
	for u.WatchTaken() < 1 || u.LoadBarShown() {
		if !u.WaitDelivered(20 * time.Second) {
			t.Fatalf("no snapshot for 20 s after the restart; watch bar %q, error %v", u.WatchText(), u.LastError())
		}
	}
	u.Wait()
	// The watch goes on while the test waits (more than one snapshot on a
	// busy machine); the window's state holds still until the next wait.
	newest := len(files) + u.WatchTaken()
	base, later := u.Files()
	if !strings.Contains(base[0], "heap-0001-") || !strings.Contains(base[1], "goroutines-0001-") {
		t.Errorf("base %v after the restart: want the folder's first snapshot", base)
	}
	if n := fmt.Sprintf("-%04d-", newest); !strings.Contains(later[0], "heap"+n) {
		t.Errorf("later %v after the restart: want the newest snapshot, heap%s", later, n)
	}
	if shown, b, l := u.TimelineShown(); !shown || b != 0 || l != newest-1 {
		t.Errorf("timeline shown %v, picks %d and %d; want 0 and %d", shown, b, l, newest-1)
	}
	if want := fmt.Sprintf("after the %d already in", len(files)); !strings.Contains(u.WatchText(), want) {
		t.Errorf("watch bar %q; want it to say %q", u.WatchText(), want)
	}
	u.StopWatch()
	u.Wait()
}

// TestSeriesPairsByMoment opens seven heap profiles and seven debug=2
// dumps whose highest goroutine IDs fall and rise, shuffled: the timeline
// holds them in their true order, and every pick shows each heap snapshot
// beside the goroutine dump of its own moment.
func TestSeriesPairsByMoment(t *testing.T) {
	l := reftest.NewLeaker()
	t.Cleanup(l.Close)
	s, err := reftest.WriteChurningSeries(t.TempDir(), 7, l)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("highest goroutine IDs: %v", s.MaxIDs)
	files := append(append([]string(nil), s.Goroutines...), s.Heaps...)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(files), func(i, j int) { files[i], files[j] = files[j], files[i] })
	u, _ := open(t, files...)
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	if b := u.BannerText(); !strings.Contains(b, "Goroutine dumps: Order inferred from numbers in the names: goroutine-1.txt first, goroutine-7.txt last.") {
		t.Errorf("banner %q does not say how the goroutine dumps were ordered", b)
	}
	for _, pick := range [][2]int{{0, 6}, {2, 3}, {3, 4}, {4, 5}, {5, 6}} {
		u.PickSnapshots(pick[0], pick[1])
		u.Wait()
		base, later := u.Files()
		want := [2][2]string{
			{s.Heaps[pick[0]], s.Goroutines[pick[0]]},
			{s.Heaps[pick[1]], s.Goroutines[pick[1]]},
		}
		if base != want[0] || later != want[1] {
			t.Errorf("pick %v: %v → %v, want %v → %v", pick, base, later, want[0], want[1])
		}
	}
}

// TestPickKeepsTabAndFindings: a pick on the timeline of a heap series
// keeps the tab the user is on, and the leak stays the top finding.
func TestPickKeepsTabAndFindings(t *testing.T) {
	paths, err := reftest.SyntheticSeries(t.TempDir(), 7)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := open(t, paths...)
	if tab := u.SelectedTab(); tab != "Findings" {
		t.Errorf("the series opened on %s, not on its findings", tab)
	}
	u.PickSnapshots(2, 6)
	u.Wait()
	if tab := u.SelectedTab(); tab != "Findings" {
		t.Errorf("a pick moved the window to the %s tab", tab)
	}
	if f := u.FindingsText(); len(f) == 0 || !strings.Contains(f[0], "main.(*Store).put") {
		t.Errorf("after the pick the findings read %q", f)
	}
}

// TestSeriesWindowFitsSmallScreen opens a series named as watch names its
// snapshots, whose long names once made the toolbar's first row, and so
// the window, wider than a 1024 px screen.
func TestSeriesWindowFitsSmallScreen(t *testing.T) {
	u, w := openSeries(t, 7)
	w.Resize(fyne.NewSize(992, 704))
	if got := w.Content().MinSize().Width; got > 992 {
		t.Errorf("window needs %.0f px; want it to fit 992 px (a 1024 px screen less its frame)", got)
	}
	base, later := u.ChipTexts()
	for _, c := range []string{base, later} {
		if !strings.Contains(c, "…") || !strings.HasSuffix(c, ".pb.gz") {
			t.Errorf("chip %q; want its name cut in the middle, its extension shown", c)
		}
	}
	if !strings.HasPrefix(base, "base: heap-") || !strings.HasPrefix(later, "later: heap-") {
		t.Errorf("chips %q and %q; want the start of each name shown", base, later)
	}
}

// TestSeriesTablesShowTrendsWhole opens a series longer than a sparkline
// has bars: the sparklines, scores, counts and rates fit their columns
// (they once spilled over their neighbours).
func TestSeriesTablesShowTrendsWhole(t *testing.T) {
	u, w := openSeries(t, 30)
	w.Resize(fyne.NewSize(992, 704))
	for _, tab := range []string{"Functions", "Spawn sites"} {
		u.SelectTab(tab)
	}
	if cut := u.CutCells(); len(cut) > 0 {
		t.Errorf("%d cells wider than their columns, such as %q", len(cut), cut[:min(len(cut), 4)])
	}
	if row := u.SiteRow(0); len([]rune(row[4])) != 16 {
		t.Errorf("top spawn site %q: want a 16-bar sparkline of its 30 snapshots", row)
	}
}

// TestWatchDialogEnter: Enter in the Watch dialog starts the watch, as its
// Watch button does, once the address is valid.
func TestWatchDialogEnter(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	u, w := open(t)
	u.ShowWatchDialog()
	var entries []*widget.Entry
	for _, o := range app.Objects(w.Canvas().Overlays().Top()) {
		if e, ok := o.(*widget.Entry); ok {
			entries = append(entries, e)
		}
	}
	if len(entries) != 3 {
		t.Fatalf("%d entries in the Watch dialog; want service, interval and folder", len(entries))
	}
	enter := func(e *widget.Entry) { e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) }
	entries[0].SetText("not a service ::")
	enter(entries[0])
	if u.Watching() {
		t.Fatal("Enter started a watch of an invalid address")
	}
	entries[0].SetText(strings.TrimPrefix(srv.URL, "http://"))
	entries[2].SetText(filepath.Join(t.TempDir(), "snaps"))
	// The dialog opens with the service field focused: Enter, with
	// nothing clicked, watches what the fields hold.
	focused, ok := w.Canvas().Focused().(*widget.Entry)
	if !ok || focused != entries[0] {
		t.Fatalf("the dialog opens with %T focused; want the service field", w.Canvas().Focused())
	}
	enter(focused)
	if !u.Watching() {
		t.Fatal("Enter in the Watch dialog did not start the watch")
	}
	if s := u.WatchText(); !strings.Contains(s, "taking the first snapshot") {
		t.Errorf("watch bar before the first snapshot: %q", s)
	}
	u.StopWatch()
	u.Wait()
}

// TestTimelineReadout: the timeline reads out the snapshot under the
// pointer, follows a drag, and forgets it when the drag ends or new
// snapshots come (the pointer may have left). In a pane too narrow for
// both times, the last one is not printed over the first.
func TestTimelineReadout(t *testing.T) {
	paths := writeSeries(t, t.TempDir(), 4)
	u, _ := open(t, paths...)
	tl := u.Timeline()
	tl.Resize(tl.MinSize().AddWidthHeight(400, 0))
	texts := func() (shown []string) {
		for _, o := range test.WidgetRenderer(tl).Objects() {
			if c, ok := o.(*canvas.Text); ok && c.Visible() && c.Text != "" {
				shown = append(shown, c.Text)
			}
		}
		return shown
	}
	readout := func() string {
		for _, s := range texts() {
			if strings.HasPrefix(s, "#") {
				return s
			}
		}
		return ""
	}
	x := func(i int) float32 { return 124 + (tl.Size().Width-124-40)*float32(i)/3 } // the plot's snapshots
	tl.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(x(0), 40)}})
	first := readout()
	if first == "" {
		t.Fatalf("no readout under the pointer; the timeline shows %q", texts())
	}
	tl.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(x(3), 40)}, Dragged: fyne.NewDelta(x(3)-x(0), 0)})
	if r := readout(); r == "" || r == first {
		t.Errorf("during a drag the readout is %q; want the snapshot dragged to, not %q", r, first)
	}
	tl.DragEnd()
	u.Wait()
	if r := readout(); r != "" {
		t.Errorf("after the drag the readout %q stays", r)
	}
	tl.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(x(1), 40)}})
	u.PickSnapshots(0, 3)
	u.Wait()
	if r := readout(); r != "" {
		t.Errorf("after new picks the readout %q stays", r)
	}

	tl.Resize(fyne.NewSize(210, tl.Size().Height))
	shown := texts()
	times := 0
	for _, s := range shown {
		if strings.Count(s, ":") == 2 && !strings.Contains(s, " ") {
			times++
		}
	}
	if times > 1 {
		t.Errorf("a 210 px timeline prints both times, over each other: %q", shown)
	}
}
