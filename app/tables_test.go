package app_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/leakscope/leakscope/app"
	"github.com/leakscope/leakscope/cli"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/flame"
)

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
	c := demoHeapComparison(t, "")
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
	// A new comparison with the tab open lists the function's lines of that
	// comparison, and the source gutter its values.
	u.Swap()
	u.Wait()
	swapped := u.LineRows()
	if len(swapped) != len(lines) {
		t.Fatalf("after Swap, %d lines of main.NewClient, want %d", len(swapped), len(lines))
	}
	_, gutter = u.SourceShown()
	for _, l := range swapped {
		n := l.Name[strings.LastIndexByte(l.Name, ':')+1:]
		if want := diff.FormatDelta(l.Flat.Diff(), "bytes"); !strings.Contains(gutter[n], want) {
			t.Errorf("after Swap, line %s shows %q in the gutter, want %s", n, gutter[n], want)
		}
	}
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
		if got > v || float64(v-got) > 0.011*float64(v)+1 { // within a step of the last digit shown
			t.Errorf("%s: %q typed into the noise field means %d, not a bound that keeps %d", f.Name, shown, got, v)
		}
		if !slices.ContainsFunc(u.Functions(), func(g diff.Function) bool { return g.Name == f.Name }) {
			t.Errorf("%s: hidden by the noise field set to its own change %q", f.Name, shown)
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
	c := demoHeapComparison(t, "alloc_space")
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
	// A Δ% copied from the tables is a change relative to the base, which
	// this field does not filter by: it says so.
	u.SetNoise("+1410.0%", false, false)
	u.Wait()
	if err := u.NoiseFieldError(); err == nil || !strings.Contains(err.Error(), "change from the base") {
		t.Errorf("+1410.0%%: %v", err)
	}
	if s := u.StatusText(); !strings.Contains(s, "is a Δ%") {
		t.Errorf("status after Enter on a Δ%%: %q", s)
	}
	u.SetNoise("1MB", false, false)
	u.Wait()
	if err := u.NoiseFieldError(); err != nil {
		t.Errorf("1MB marked wrong: %v", err)
	}
}

// TestSelectionFollowsTheFunction: the function table's selection stays on
// the chosen function when the noise filter or a sort moves its row, and
// goes when the filter hides it.
func TestSelectionFollowsTheFunction(t *testing.T) {
	u, _ := open(t, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	fns := u.Functions()
	i := len(fns) / 2
	chosen := fns[i].Name
	u.ChooseFunction(i, false)
	u.Wait()
	if got := u.SelectedFunctionRow(); got != chosen {
		t.Fatalf("chose %s, the selected row is %q", chosen, got)
	}
	u.SortFunctions(0)
	if got := u.SelectedFunctionRow(); got != chosen {
		t.Errorf("after a sort, the selected row is %q, want %s", got, chosen)
	}
	// A minimum just under the chosen function's change hides smaller
	// rows, some of them above it.
	u.SetNoise(diff.FormatValue(abs(fns[i].Cum.Diff()), "bytes"), false, false)
	u.Wait()
	if got := u.SelectedFunctionRow(); got != chosen {
		t.Errorf("under the noise filter, the selected row is %q, want %s", got, chosen)
	}
	u.SetNoise("1TB", false, false)
	u.Wait()
	if got := u.SelectedFunctionRow(); got != "" {
		t.Errorf("with every row hidden, %q is selected", got)
	}
}

// TestPct: the Δ% column reads 0% for every unchanged row, zero or not.
func TestPct(t *testing.T) {
	for _, tt := range []struct {
		base, later int64
		want        string
	}{{0, 0, "0%"}, {500, 500, "0%"}, {100, 150, "+50.0%"}, {100, 40, "-60.0%"}, {0, 7, "new"}} {
		d := diff.Delta{Base: tt.base, Later: tt.later}
		if got := app.Pct(d); got != tt.want {
			t.Errorf("%d → %d: %q, want %q", tt.base, tt.later, got, tt.want)
		}
	}
}

// demoHeapComparison compares the demo's heap pair for sample type sample
// ("" for the default), as `leakscope report` does.
func demoHeapComparison(t *testing.T, sample string) *diff.Comparison {
	t.Helper()
	dumps, err := diff.OpenAll(context.Background(), nil, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	if err != nil {
		t.Fatal(err)
	}
	c, err := diff.Compare(dumps[0], dumps[1], sample)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
