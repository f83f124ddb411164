package app_test

import (
	"context"
	"encoding/csv"
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
	"github.com/leakscope/leakscope/cli"
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

// TestFunctionTableTakesAShorterList: a new computation with fewer
// functions and other columns (a series' base moved, a watch's next
// snapshot) redraws the table on screen without reading the old rows into
// the new list, which made the window panic.
func TestFunctionTableTakesAShorterList(t *testing.T) {
	u, _ := open(t)
	var many []diff.Function
	for i := range 50 {
		many = append(many, diff.Function{Name: fmt.Sprintf("main.f%02d", i), Flat: diff.Delta{Base: 1, Later: int64(2 + i)}})
	}
	u.ShowFunctionsForBench(many)
	for _, hasBase := range []bool{false, true} {
		u.ShowFunctionList(many[:3], hasBase)
		if got := len(u.Functions()); got != 3 {
			t.Errorf("with a base %v: %d rows, want 3", hasBase, got)
		}
		u.ShowFunctionList(nil, hasBase)
		u.ShowFunctionList(many, hasBase)
	}
}

// TestFunctionTable: the table's values are those of `leakscope report`;
// it sorts both ways; a click marks the function in the graph, a double
// click merges the graph at it.
func TestFunctionTable(t *testing.T) {
	u, _ := open(t, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	dumps, err := diff.OpenAll(context.Background(), nil, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	if err != nil {
		t.Fatal(err)
	}
	c, err := diff.Compare(dumps[0], dumps[1], "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]cli.FunctionReport{}
	for _, f := range cli.NewReport(c, nil, 0).Functions {
		want[f.Name] = f
	}
	rows := u.Functions()
	if len(rows) != len(want) {
		t.Errorf("%d rows, report has %d functions", len(rows), len(want))
	}
	for _, f := range rows {
		w := want[f.Name]
		if f.Flat.Base != w.Flat.Base || f.Flat.Later != w.Flat.Later || f.Cum.Base != w.Cum.Base || f.Cum.Later != w.Cum.Later {
			t.Errorf("%s: table %+v, report %+v", f.Name, f, w)
		}
	}
	// Sorted by flat Δ, descending, then ascending.
	for i := 1; i < len(rows); i++ {
		if rows[i].Flat.Diff() > rows[i-1].Flat.Diff() {
			t.Fatalf("not sorted by flat Δ at row %d", i)
		}
	}
	u.SortFunctions(3)
	up := u.Functions()
	for i := 1; i < len(up); i++ {
		if up[i].Flat.Diff() < up[i-1].Flat.Diff() {
			t.Fatalf("a second click does not sort ascending (row %d)", i)
		}
	}
	u.SortFunctions(7)
	byCum := u.Functions()
	if byCum[0].Name != "main.NewClient" && byCum[0].Cum.Diff() < byCum[len(byCum)-1].Cum.Diff() {
		t.Errorf("sorted by cum Δ, the top row is %s", byCum[0].Name)
	}
	// Linking: the top row of flat Δ is the leak.
	u.SortFunctions(3)
	u.SortFunctions(3)
	top := u.Functions()[0].Name
	u.ChooseFunction(0, false)
	u.Wait()
	v := u.Graph().View()
	if v.Match == nil || v.Match.Count == 0 {
		t.Fatalf("choosing %s marks nothing", top)
	}
	for i, hit := range v.Match.Nodes {
		if hit && v.Tree.Nodes[i].Name != top {
			t.Errorf("marked %s for %s", v.Tree.Nodes[i].Name, top)
		}
	}
	u.ChooseFunction(0, true)
	u.Wait()
	v = u.Graph().View()
	cv := u.CallersGraph().View()
	if kids := v.Tree.Children(flame.Root); len(kids) != 1 || v.Tree.Nodes[kids[0]].Name != top || !strings.Contains(v.Title, "callers and callees of "+top) {
		t.Errorf("double click: title %q, root's children %d", v.Title, len(kids))
	}
	if cv == nil || !cv.Flame {
		t.Fatal("no callers graph above the callees")
	}
	for what, tree := range map[string]*flame.Tree{"callees": v.Tree, "callers": cv.Tree} {
		if got, w := tree.Nodes[flame.Root].Total, want[top].Cum; got.Base != w.Base || got.Later != w.Later {
			t.Errorf("the %s of %s hold %+v, its cum is %+v", what, top, got, w)
		}
	}
	u.Escape()
	u.Wait()
	if u.CallersGraph().View() != nil || strings.Contains(u.Graph().View().Title, "callers") {
		t.Error("Esc does not leave the callers and callees")
	}
	u.MergeAt(top)
	u.Wait()
	if v := u.Graph().View(); !strings.Contains(v.Title, "merged at "+top) || u.CallersGraph().View() != nil {
		t.Errorf("merged: title %q", v.Title)
	}
	// The table follows a click in the graph.
	u.ShowAllFrames()
	u.Wait()
	u.Graph().ZoomTo(find(t, u.Graph().View().Tree, "main.DefaultCache"))
	u.Wait()
	if got := u.SelectedFunction(); got != "main.DefaultCache" {
		t.Errorf("after a click on main.DefaultCache the table selects %q", got)
	}
	// The search filters the table too.
	u.ShowAllFrames()
	u.Wait()
	u.SetSearch("^main\\.")
	u.Wait()
	for _, f := range u.Functions() {
		if !strings.HasPrefix(f.Name, "main.") {
			t.Errorf("the search ^main\\. leaves %s in the table", f.Name)
		}
	}
	if !strings.Contains(u.MatchCount(), "match") {
		t.Errorf("no match count: %q", u.MatchCount())
	}
}

// TestNoiseControls: a minimum change hides frames and rows below it and
// the status says how much; growth only leaves no shrinking row.
func TestNoiseControls(t *testing.T) {
	u, _ := open(t, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	before := len(u.Functions())
	u.SetNoise("64kB", false, false)
	if !strings.Contains(u.StatusText(), "noise filter hid") {
		t.Errorf("the status does not say what was hidden: %q", u.StatusText())
	}
	for _, f := range u.Functions() {
		if abs(f.Flat.Diff()) < 64000 && abs(f.Cum.Diff()) < 64000 {
			t.Errorf("%s (flat %+d, cum %+d) passed a 64kB minimum", f.Name, f.Flat.Diff(), f.Cum.Diff())
		}
	}
	if n := len(u.Functions()); n >= before || n == 0 {
		t.Errorf("%d of %d rows left", n, before)
	}
	u.SetNoise("", true, false)
	for _, f := range u.Functions() {
		if f.Flat.Diff() <= 0 && f.Cum.Diff() <= 0 {
			t.Errorf("growth only leaves %s (%+d)", f.Name, f.Cum.Diff())
		}
	}
	u.SetNoise("", false, false)
	if n := len(u.Functions()); n != before {
		t.Errorf("clearing the filter leaves %d of %d rows", n, before)
	}
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
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

// TestLabelFilter: dumps with pprof labels offer them; choosing tenant=a
// narrows the comparison to those goroutines, as `report --tag` does.
func TestLabelFilter(t *testing.T) {
	base, later, err := reftest.LabeledGoroutineProfiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := open(t, base, later)
	labels := strings.Join(u.Session().Labels(), " ")
	if !strings.Contains(labels, "tenant=a") || !strings.Contains(labels, "tenant=b") {
		t.Fatalf("labels offered: %q", labels)
	}
	u.SetTag("tenant=a")
	u.Wait()
	v := u.Graph().View()
	if d := v.Tree.Nodes[flame.Root].Total.Diff(); d != 3 || !strings.Contains(v.Title, "tag tenant=a") {
		t.Errorf("tagged: total %+d, title %q", d, v.Title)
	}
	dumps, err := diff.OpenAll(context.Background(), nil, base, later)
	if err != nil {
		t.Fatal(err)
	}
	c, err := diff.Compare(dumps[0].Tagged("tenant", "a"), dumps[1].Tagged("tenant", "a"), "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]diff.Function{}
	for _, f := range c.Functions() {
		want[f.Name] = f
	}
	for _, f := range u.Functions() {
		if want[f.Name] != f {
			t.Errorf("%s: %+v, want %+v", f.Name, f, want[f.Name])
		}
	}
	u.SetTag("")
	u.Wait()
	if v := u.Graph().View(); strings.Contains(v.Title, "tag") || v.Tree.Nodes[flame.Root].Total.Later <= 5 {
		t.Errorf("all labels again: title %q, later total %d", v.Title, v.Tree.Nodes[flame.Root].Total.Later)
	}
}

// TestLinesAndSource: choosing a function shows its lines, and its source
// with each line's change in the gutter once the source folder is known.
func TestLinesAndSource(t *testing.T) {
	u, _ := open(t, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	src, err := filepath.Abs("../assets/demo/leakyd")
	if err != nil {
		t.Fatal(err)
	}
	u.SetSourceFolders([]string{src})
	u.MarkFunction("main.NewClient")
	u.ShowLinesTab()
	u.Wait()
	lines := u.LineRows()
	if len(lines) == 0 {
		t.Fatal("no lines for main.NewClient")
	}
	for _, l := range lines {
		if !strings.HasPrefix(l.Name, "main.NewClient ") {
			t.Errorf("the lines of main.NewClient list %s", l.Name)
		}
	}
	path, gutter := u.SourceShown()
	if !strings.HasSuffix(filepath.ToSlash(path), "leakyd/main.go") {
		t.Fatalf("source %q", path)
	}
	// Every line with a value shows it, and the values add up to the function's.
	var sum int64
	for _, l := range lines {
		if n := l.Name[strings.LastIndexByte(l.Name, ':')+1:]; gutter[n] == "" {
			t.Errorf("line %s has no value in the gutter", l.Name)
		}
		sum += l.Flat.Diff()
	}
	for _, f := range u.Functions() {
		if f.Name == "main.NewClient" && f.Flat.Diff() != sum {
			t.Errorf("lines sum to %+d, the function's flat is %+d", sum, f.Flat.Diff())
		}
	}
}

// TestSpawnSiteLabels: sites list the labels of their goroutines.
func TestSpawnSiteLabels(t *testing.T) {
	base, later, err := reftest.LabeledGoroutineProfiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := open(t, base, later)
	found := false
	for _, r := range u.SiteRows() {
		if strings.Contains(r, "tenant=a ×5") && strings.Contains(r, "tenant=b ×3") {
			found = true
		}
	}
	if !found {
		t.Errorf("no site lists tenant=a ×5 and tenant=b ×3: %q", u.SiteRows())
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

// TestNoiseTakesShownValues: a change as the function table shows it, typed
// into the noise field, means that change (the window writes 1024-based
// units, and reads them so); the placeholder speaks the unit on screen.
func TestNoiseTakesShownValues(t *testing.T) {
	u, _ := open(t, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	if _, hint := u.MinDelta(); !strings.Contains(hint, "64kB") {
		t.Errorf("placeholder %q for bytes", hint)
	}
	for _, f := range u.Functions()[:5] {
		v := abs(f.Flat.Diff())
		shown := diff.FormatDelta(f.Flat.Diff(), "bytes")
		u.SetNoise(shown, false, false)
		got, _ := u.MinDelta()
		if d := abs(got - v); float64(d) > 0.006*float64(v)+1 {
			t.Errorf("%s: %q typed into the noise field means %d, not %d", f.Name, shown, got, v)
		}
	}
	u2, _ := open(t, demo+"goroutines-base.txt", demo+"goroutines-later.txt")
	if _, hint := u2.MinDelta(); !strings.Contains(hint, "100, 1%") {
		t.Errorf("placeholder %q for counts", hint)
	}
	u2.SetNoise("12", false, false)
	if got, _ := u2.MinDelta(); got != 12 {
		t.Errorf("12 goroutines read as %d", got)
	}
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

// TestSampleSwitchReads: the window reads a heap pair with only the stacks
// of the sample type on screen; choosing another reads the pair again, and
// the table then holds that sample type's values, as a whole load gives them.
func TestSampleSwitchReads(t *testing.T) {
	u, _ := open(t, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	if th := u.Session().Profile.Later.Thinned; th != "inuse_space" {
		t.Fatalf("the pair is thinned for %q, want inuse_space", th)
	}
	u.SetSample("alloc_space")
	u.Wait()
	if th := u.Session().Profile.Later.Thinned; th != "alloc_space" {
		t.Errorf("after choosing alloc_space the pair is thinned for %q", th)
	}
	dumps, err := diff.OpenAll(context.Background(), nil, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	if err != nil {
		t.Fatal(err)
	}
	c, err := diff.Compare(dumps[0], dumps[1], "alloc_space")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]diff.Function{}
	for _, f := range c.Functions() {
		want[f.Name] = f
	}
	rows := u.Functions()
	if len(rows) != len(want) || len(rows) == 0 {
		t.Errorf("%d rows, a whole load has %d functions for alloc_space", len(rows), len(want))
	}
	for _, f := range rows {
		if w := want[f.Name]; f.Flat != w.Flat || f.Cum != w.Cum {
			t.Errorf("%s: table %+v, whole load %+v", f.Name, f, w)
		}
	}
}

// TestExportCSV: the function table written as CSV reads back with
// encoding/csv, one record per row on screen, names with commas intact.
func TestExportCSV(t *testing.T) {
	u, _ := open(t, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	path := filepath.Join(t.TempDir(), "functions.csv")
	u.ExportCSV(path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rows := u.Functions()
	if len(records) != len(rows)+1 || records[0][0] != "Function" {
		t.Fatalf("%d records (header %q) for %d rows", len(records), records[0], len(rows))
	}
	for i, r := range rows {
		if records[i+1][0] != r.Name || records[i+1][3] != fmt.Sprint(r.Flat.Diff()) {
			t.Errorf("record %d: %q, row %s %+d", i+1, records[i+1][:4], r.Name, r.Flat.Diff())
		}
	}
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

// TestLinesSplitFitsItsRows: the Lines tab gives its table the room of
// all the lines, and, once a function with one line is marked, the rest
// to its source; a divider the user dragged stays.
func TestLinesSplitFitsItsRows(t *testing.T) {
	u, w := open(t)
	w.Resize(fyne.NewSize(992, 704))
	u.ShowLinesTab()
	u.Wait()
	all := u.LinesOffset()
	if all < 0.55 {
		t.Errorf("with all %d lines the table has %.2f of the tab; want most of it", len(u.LineRows()), all)
	}
	u.AddSourceFolder("../assets/demo/leakyd")
	u.MarkFunction("main.NewClient")
	u.Wait()
	if one := u.LinesOffset(); one >= all || one > 0.4 {
		t.Errorf("with one line the table has %.2f of the tab (%.2f with all); want the source to get the rest", one, all)
	}
	u.SetLinesOffset(0.5) // the user drags the divider
	u.MarkFunction("")
	u.Wait()
	if got := u.LinesOffset(); got != 0.5 {
		t.Errorf("the divider moved from where the user put it to %.2f", got)
	}
}

// TestSourceShowsItsChangedLine: the source of a marked function opens
// with its changed line in view, whatever the window's size (the rows
// were once drawn out of view in a tall window).
func TestSourceShowsItsChangedLine(t *testing.T) {
	for _, size := range []fyne.Size{{Width: 992, Height: 704}, {Width: 1920, Height: 1080}} {
		u, w := open(t)
		w.Resize(size)
		u.AddSourceFolder("../assets/demo/leakyd")
		u.MarkFunction("main.NewClient")
		u.ShowLinesTab()
		u.Wait()
		in := u.SourceInView()
		found := false
		for _, g := range in {
			found = found || strings.HasSuffix(g, " 58") && strings.HasPrefix(g, "+1.25MB")
		}
		if !found {
			t.Errorf("at %v the source shows the gutters %q; want main.go:58 (+1.25MB) among them", size, in)
		}
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

// TestSourceShowsTheLineThatChanged: a long function's source opens at
// the line whose value changed most, and a click on one of its rows in
// the Lines table scrolls the source to that row's line.
func TestSourceShowsTheLineThatChanged(t *testing.T) {
	u, w := open(t)
	w.Resize(fyne.NewSize(992, 704))
	u.AddSourceFolder("../assets/demo/leakyd")
	u.ShowLinesTab()
	u.MarkFunction("main.main")
	u.Wait()
	inView := func(line string) bool {
		for _, g := range u.SourceInView() {
			if strings.HasSuffix(g, " "+line) || g == line {
				return true
			}
		}
		return false
	}
	if !inView("245") {
		t.Errorf("main.main's source shows %q; want line 245 (+1.34MB cum), its largest change", u.SourceInView())
	}
	row := -1
	for i := range u.LineRows() {
		if strings.HasSuffix(u.LineRow(i)[1], "main.go:228") {
			row = i
		}
	}
	if row < 0 {
		t.Fatal("no row for main.go:228")
	}
	u.ChooseLine(row)
	u.Wait()
	if !inView(">228") {
		t.Errorf("after a click on main.go:228 the source shows %q; want 228 in view, marked", u.SourceInView())
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
}

// TestNoiseFieldSaysWhatItCannotRead: a min |Δ| that is no value is marked
// in the field, said on Enter, and leaves the filter as it was.
func TestNoiseFieldSaysWhatItCannotRead(t *testing.T) {
	u, _ := open(t)
	u.SetNoise("64kB", false, false)
	u.Wait()
	before, _ := u.MinDelta()
	u.SetNoise("lots", false, false)
	u.Wait()
	if err := u.NoiseFieldError(); err == nil {
		t.Error("the field takes lots as a value")
	}
	if s := u.StatusText(); !strings.Contains(s, "Noise filter:") || !strings.Contains(s, "lots") {
		t.Errorf("status after Enter: %q", s)
	}
	if after, _ := u.MinDelta(); after != before {
		t.Errorf("min |Δ| went from %d to %d", before, after)
	}
	u.SetNoise("1MB", false, false)
	u.Wait()
	if err := u.NoiseFieldError(); err != nil {
		t.Errorf("1MB marked wrong: %v", err)
	}
}
