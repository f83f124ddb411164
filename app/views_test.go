package app_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/leakscope/leakscope/app"
	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/reftest"
	"github.com/leakscope/leakscope/flame"
)

// deepDumps writes a debug=2 goroutine pair whose goroutines sit 130
// frames deep: 1 in the base, 3 in the later dump.
func deepDumps(t *testing.T) (base, later string) {
	t.Helper()
	base, later, err := reftest.DeepGoroutinePair(t.TempDir(), 130)
	if err != nil {
		t.Fatal(err)
	}
	return base, later
}

func openSized(t *testing.T, w, h float32, files ...string) (*app.UI, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	win := a.NewWindow("Leakscope")
	u := app.CreateForTest(a, win, app.Options{Files: files})
	win.Resize(fyne.NewSize(w, h))
	u.Wait()
	t.Cleanup(func() { u.Close(); win.Close() })
	return u, win
}

// TestDeepLeafByKeyboard walks down 100 frames with the arrow keys at
// 1280×800, zooms with Enter, and checks that the frame is on screen, its
// ancestors folded, and that Backspace and a click on the folded row work.
func TestDeepLeafByKeyboard(t *testing.T) {
	base, later := deepDumps(t)
	u, _ := openSized(t, 1280, 800, base, later)
	g := u.Graph()
	for i := 0; i < 100; i++ {
		u.TypeKey(fyne.KeyDown)
	}
	cur := g.Cursor()
	tree := g.View().Tree
	if d := tree.Nodes[cur].Depth; d != 100 {
		t.Fatalf("100 times down reached depth %d (%s)", d, tree.Nodes[cur].Name)
	}
	if row, _, ok := u.GraphLayout().Row(cur); !ok || row < g.Scroll() || row >= g.Scroll()+u.VisibleRows() {
		t.Errorf("the cursor's row %d is off screen (scrolled %d, %d rows visible)", row, g.Scroll(), u.VisibleRows())
	}
	if !strings.Contains(u.HoverText(), tree.Nodes[cur].Name) {
		t.Errorf("the status line does not describe the cursor's frame: %q", u.HoverText())
	}
	u.TypeKey(fyne.KeyReturn)
	l := u.GraphLayout()
	if g.View().Zoom.Current() != cur || l.Folded == 0 || l.ZoomRow > flame.FoldAbove+1 {
		t.Fatalf("after Enter: zoom %d, folded %d, zoom row %d", g.View().Zoom.Current(), l.Folded, l.ZoomRow)
	}
	leaf := int32(-1)
	for i := range tree.Nodes {
		if tree.Nodes[i].Name == "main.level130" {
			leaf = int32(i)
		}
	}
	// The leaf is 30 rows further down: the keyboard reaches it, and the
	// graph scrolls to keep it on screen, full width.
	for i := 0; i < 40; i++ {
		u.TypeKey(fyne.KeyDown)
	}
	if g.Cursor() != leaf {
		t.Fatalf("the cursor stopped at %s", tree.Nodes[g.Cursor()].Name)
	}
	if row, b, ok := u.GraphLayout().Row(leaf); !ok || row < g.Scroll() || row >= g.Scroll()+u.VisibleRows() || b.W < 0.5 {
		t.Errorf("the 130-deep leaf is not on screen and readable: row %d, scrolled %d, %d visible, width %.2f",
			row, g.Scroll(), u.VisibleRows(), b.W)
	}
	// Back at the top, a click on the folded row shows every ancestor.
	g.ScrollBy(-1000)
	g.Tapped(&fyne.PointEvent{Position: fyne.NewPos(200, 9)})
	if l := u.GraphLayout(); l.Folded != 0 || !g.View().Expanded {
		t.Errorf("clicking the folded row left %d frames folded", l.Folded)
	}
	// The wheel scrolls, within the graph.
	g.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, 18*1000)})
	g.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, -18*20)})
	if g.Scroll() != 20 {
		t.Errorf("wheel scrolled to row %d, want 20", g.Scroll())
	}
	g.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, 18*1000)})
	if g.Scroll() != 0 {
		t.Errorf("scrolling back up stopped at row %d", g.Scroll())
	}
	u.TypeKey(fyne.KeyBackspace)
	if g.View().Zoom.Current() != flame.Root {
		t.Error("Backspace did not go back")
	}
}

// TestOpenSeveralAtOnce ticks a heap pair and a goroutine pair in the Open
// dialog and opens all four at once.
func TestOpenSeveralAtOnce(t *testing.T) {
	files := copyDemo(t, map[string]string{
		"heap-base.pb.gz": "heap-1.pb.gz", "heap-later.pb.gz": "heap-2.pb.gz",
		"goroutines-base.txt": "goroutines-1.txt", "goroutines-later.txt": "goroutines-2.txt",
	})
	dir := filepath.Dir(files["heap-base.pb.gz"])
	if err := os.WriteFile(filepath.Join(dir, "notes.md"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	u, _ := open(t)
	u.ShowOpenDialog()
	u.PickerCd(dir)
	if got := strings.Join(u.PickerFiles(), " "); got != "goroutines-1.txt goroutines-2.txt heap-1.pb.gz heap-2.pb.gz" {
		t.Errorf("the dialog lists %q", got)
	}
	for _, f := range []string{"heap-2.pb.gz", "goroutines-1.txt", "heap-1.pb.gz", "goroutines-2.txt"} {
		u.PickerTick(f)
	}
	u.PickerOpen()
	u.Wait()
	base, later := u.Files()
	if filepath.Base(base[0]) != "heap-1.pb.gz" || filepath.Base(later[0]) != "heap-2.pb.gz" ||
		filepath.Base(base[1]) != "goroutines-1.txt" || filepath.Base(later[1]) != "goroutines-2.txt" {
		t.Errorf("opened %q → %q", base, later)
	}
}

// TestInvertedGraph: bottom-up, the root's children are the frames that
// hold the values, each with its flat value.
func TestInvertedGraph(t *testing.T) {
	u, _ := open(t, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	u.ToggleInverted()
	u.Wait()
	v := u.Graph().View()
	if !strings.Contains(v.Title, "inverted") {
		t.Fatalf("title %q", v.Title)
	}
	flat := map[string]diff.Delta{}
	for _, f := range u.Functions() {
		flat[f.Name] = f.Flat
	}
	for _, k := range v.Tree.Children(flame.Root) {
		if n := v.Tree.Nodes[k]; n.Total != flat[n.Name] {
			t.Errorf("%s holds %+v, its flat is %+v", n.Name, n.Total, flat[n.Name])
		}
	}
	u.ToggleInverted()
	u.Wait()
	if strings.Contains(u.Graph().View().Title, "inverted") {
		t.Error("toggling back keeps the inverted graph")
	}
}

// TestPreloadedFirstLoad: the first load can be started before the window
// (as main does); the window takes its dumps, and closing the window
// during a preload that waits on a FIFO ends it (goleak checks).
func TestPreloadedFirstLoad(t *testing.T) {
	files := []string{demo + "heap-base.pb.gz", demo + "heap-later.pb.gz"}
	a := test.NewTempApp(t)
	w := a.NewWindow("Leakscope")
	u := app.CreateForTest(a, w, app.Options{Files: files, Preload: session.StartPreload(session.Files(files), nil)})
	u.Wait()
	base, later := u.Files()
	if base[0] != files[0] || later[0] != files[1] || u.Graph().View() == nil {
		t.Errorf("preloaded pair %q → %q", base[0], later[0])
	}
	u.Close()
	w.Close()

	fifo := filepath.Join(t.TempDir(), "heap.pb.gz")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	w2 := a.NewWindow("Leakscope")
	u2 := app.CreateForTest(a, w2, app.Options{Files: []string{fifo}, Preload: session.StartPreload(session.Files([]string{fifo}), nil)})
	u2.Close()
	w2.Close()
}

// TestViewMenuSaysTheView: the View menu ticks the view on screen, one at a
// time: the call graph, inverted, or merged at / callers and callees of a
// function, which Back leaves for the call graph.
func TestViewMenuSaysTheView(t *testing.T) {
	u, w := open(t, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	ticked := func() []string {
		var out []string
		for _, m := range w.MainMenu().Items {
			for _, it := range m.Items {
				if it.Checked && !strings.HasPrefix(it.Label, "Flame") && !strings.HasPrefix(it.Label, "Allocator") {
					out = append(out, it.Label)
				}
			}
		}
		return out
	}
	want := func(step string, labels ...string) {
		t.Helper()
		if got := ticked(); strings.Join(got, "|") != strings.Join(labels, "|") {
			t.Errorf("%s: the menu ticks %q, want %q", step, got, labels)
		}
	}
	want("at first", "Call Graph")
	u.ToggleInverted()
	u.Wait()
	want("inverted", "Inverted (bottom-up)")
	u.ShowSandwich("main.NewClient")
	u.Wait()
	want("callers and callees", "Callers and callees of main.NewClient")
	if c, g := u.CallersView(), u.Graph().View(); c == nil || c.RootLabel != "Callers of main.NewClient" || g.RootLabel != "Callees of main.NewClient" {
		t.Errorf("the two graphs are not headed Callers of / Callees of main.NewClient")
	}
	if title := u.Title(); !strings.Contains(title, "callers and callees of main.NewClient") || strings.Contains(title, "inverted") {
		t.Errorf("title %q", title)
	}
	u.Escape()
	u.Wait()
	want("after Back", "Call Graph")
	u.MergeAt("main.NewClient")
	u.Wait()
	want("merged", "Merged at main.NewClient")
	u.ToggleInverted()
	u.Wait()
	want("inverted from merged", "Inverted (bottom-up)")
}

// TestSameNamesShowTheirFolders: two dumps of one name are told apart by
// their folders on the chips.
func TestSameNamesShowTheirFolders(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i, src := range []string{"heap-base.pb.gz", "heap-later.pb.gz"} {
		b, err := os.ReadFile(demo + src)
		if err != nil {
			t.Fatal(err)
		}
		d := filepath.Join(dir, fmt.Sprintf("run%d", i+1))
		os.MkdirAll(d, 0o755)
		p := filepath.Join(d, "heap.pb.gz")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	u, _ := open(t, paths...)
	base, later := u.ChipTexts()
	if base != "base: run1/heap.pb.gz" || later != "later: run2/heap.pb.gz" {
		t.Errorf("chips %q, %q", base, later)
	}
}

// TestBannerRowsOneLine: each banner row shows one line until "more…":
// here the warnings of two dumps cut short, in one row.
func TestBannerRowsOneLine(t *testing.T) {
	dir := t.TempDir()
	var cut []string
	for _, name := range []string{"goroutines-base.txt", "goroutines-later.txt"} {
		b, err := os.ReadFile(demo + name)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b[:len(b)/2], 0o644); err != nil {
			t.Fatal(err)
		}
		cut = append(cut, p)
	}
	u, _ := open(t, cut...)
	for _, l := range u.BannerShown(-1) {
		if strings.Contains(l, "\n") {
			t.Errorf("a banner row shows several lines: %q", l)
		}
	}
	rows := u.BannerShown(-1)
	last := len(rows) - 1
	if last < 0 || !strings.Contains(u.BannerText(), "goroutines-base.txt: ") || !strings.Contains(u.BannerText(), "goroutines-later.txt: ") {
		t.Fatalf("banner %q", u.BannerText())
	}
	u.BannerShown(last)
	if after := u.BannerShown(-1)[last]; !strings.Contains(after, "\n") {
		t.Errorf("more… did not show the rest: %q", after)
	}
}

// TestCursorSkipsHiddenFrames: the keyboard cursor on a frame that the
// noise filter then hides moves to its nearest shown ancestor, and the
// arrows go on from there over shown frames only.
func TestCursorSkipsHiddenFrames(t *testing.T) {
	u, _ := openSized(t, 1280, 800)
	g := u.Graph()
	tree := g.View().Tree
	// Down to the demo's small janitor frames, under main.DefaultCache.
	for range 20 {
		u.TypeKey(fyne.KeyDown)
		if tree.Nodes[g.Cursor()].Name == "main.DefaultCache" {
			break
		}
	}
	cache := g.Cursor()
	if tree.Nodes[cache].Name != "main.DefaultCache" {
		// The widest path may go elsewhere: reveal the frame instead.
		cache = find(t, tree, "main.DefaultCache")
		g.Reveal(cache)
	}
	// growth only, and a minimum well above DefaultCache's +90kB.
	u.SetNoise("500kB", true, true)
	l := u.GraphLayout()
	if _, _, ok := l.Row(cache); ok {
		t.Fatal("the filter left main.DefaultCache in the graph")
	}
	cur := g.Cursor()
	if _, _, ok := l.Row(cur); !ok {
		t.Fatalf("the cursor stayed on %s, which the filter hides", tree.Nodes[cur].Name)
	}
	for _, k := range []fyne.KeyName{fyne.KeyDown, fyne.KeyLeft, fyne.KeyRight, fyne.KeyUp, fyne.KeyDown} {
		u.TypeKey(k)
		if _, _, ok := u.GraphLayout().Row(g.Cursor()); !ok {
			t.Fatalf("after %s the cursor is on %s, which the filter hides", k, tree.Nodes[g.Cursor()].Name)
		}
	}
}

// TestHoverFollowsScroll: after the wheel scrolls the graph under a still
// pointer, the hover names the frame now under it; after the keyboard
// moves, the tip sits by the cursor's frame, not by the pointer.
func TestHoverFollowsScroll(t *testing.T) {
	base, later := deepDumps(t)
	u, _ := openSized(t, 1280, 800, base, later)
	g := u.Graph()
	at := fyne.NewPos(40, 5*18+9)
	g.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: at}})
	before := g.Hovered()
	g.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, -18*3)})
	after := g.Hovered()
	if after == before || after != g.NodeAt(at) {
		t.Errorf("after a scroll the hover is on node %d (before %d); under the pointer is %d", after, before, g.NodeAt(at))
	}
	if name := g.View().Tree.Nodes[after].Name; !strings.Contains(u.HoverText(), name) {
		t.Errorf("the hover line %q does not name %s", u.HoverText(), name)
	}
	for range 4 {
		u.TypeKey(fyne.KeyDown)
	}
	if tip := g.TipAt(); tip.Y < 4*18 || tip.Y > 7*18 {
		t.Errorf("after the keyboard moved to row 4 the tip is at %v", tip)
	}
}

// TestToolbarOneRowAt1280: on a 1280 px screen the search, the graph's
// choices and the noise filter share one row (the match count sits in the
// search field); at 1024 px they wrap, each group whole.
func TestToolbarOneRowAt1280(t *testing.T) {
	u, w := open(t)
	for _, c := range []struct {
		width float32
		rows  int
	}{{1248, 1}, {992, 2}} {
		w.Resize(fyne.NewSize(c.width, 704))
		h, row := u.ToolbarHeight()
		if got := int((h + theme.Padding()) / (row + theme.Padding())); got != c.rows {
			t.Errorf("at %v px the toolbar's second part takes %d rows (%v px); want %d", c.width, got, h, c.rows)
		}
	}
}

// TestGraphStaysPut: the graph does not move down when the breadcrumb row
// gains its "Show all frames" button (a button with an icon, taller than
// the crumbs), as when the graph is merged at a function.
func TestGraphStaysPut(t *testing.T) {
	u, w := open(t, "../assets/demo/dumps/heap-base.pb.gz", "../assets/demo/dumps/heap-later.pb.gz")
	w.Resize(fyne.NewSize(1280, 800))
	before := u.GraphTop()
	u.MergeAt("main.NewClient")
	u.Wait()
	w.Resize(fyne.NewSize(1280, 800))
	if crumbs := u.Breadcrumbs(); !slices.Contains(crumbs, "Show all frames") {
		t.Fatalf("breadcrumb %q lacks Show all frames", crumbs)
	}
	if after := u.GraphTop(); after != before {
		t.Errorf("the graph moved from y %v to %v when Show all frames came", before, after)
	}
}

// TestSearchEditsClearMarkAndError: a query that is no regexp says so at
// the bottom until it is fixed; and clearing the mark a click put in the
// search field lists every line in the Lines tab again.
func TestSearchEditsClearMarkAndError(t *testing.T) {
	u, _ := open(t)
	u.SetSearch("a(b")
	u.Wait()
	if h := u.HoverText(); !strings.Contains(h, "search: error parsing regexp") {
		t.Errorf("bottom line %q for a broken regexp", h)
	}
	u.SetSearch("a(b)")
	u.Wait()
	if h := u.HoverText(); h != "" {
		t.Errorf("bottom line %q once the regexp is fixed", h)
	}

	u.SetSearch("")
	u.ShowLinesTab()
	u.Wait()
	all := len(u.LineRows())
	u.MarkFunction("main.main")
	u.Wait()
	if n := len(u.LineRows()); n == 0 || n >= all {
		t.Fatalf("%d of %d lines with main.main marked", n, all)
	}
	u.SetSearch("")
	u.Wait()
	if n := len(u.LineRows()); n != all {
		t.Errorf("%d of %d lines after the mark was cleared", n, all)
	}
	// No function is chosen any more: the source panel says so.
	if path, gutter := u.SourceShown(); path != "" || len(gutter) != 0 || strings.Contains(u.SourceTitle(), "main.main") {
		t.Errorf("source %q (%d values) titled %q after the mark was cleared", path, len(gutter), u.SourceTitle())
	}
}
