package app_test

import (
	"bytes"
	"flag"
	"fmt"
	views "github.com/leakscope/leakscope/app/widget"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"go.uber.org/goleak"

	"github.com/leakscope/leakscope/app"
	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff/reftest"
	"github.com/leakscope/leakscope/flame"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { reftest.RemoveTempDirs() }))
}

const demo = "../assets/demo/dumps/"

// open creates a window on the test driver with files (the demo when none)
// and waits until they are loaded.
func open(t *testing.T, files ...string) (*app.UI, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("Leakscope")
	u := app.CreateForTest(a, w, app.Options{Files: files})
	u.Wait()
	t.Cleanup(func() { u.Close(); w.Close() })
	return u, w
}

func find(t *testing.T, tree *flame.Tree, name string) int32 {
	t.Helper()
	for i, n := range tree.Nodes {
		if n.Name == name {
			return int32(i)
		}
	}
	t.Fatalf("no frame %s", name)
	return -1
}

// center returns the position of node n's box in the graph, as laid out for its size.
func center(t *testing.T, g *views.FlameGraph, n int32) fyne.Position {
	t.Helper()
	size := g.Size()
	l := g.View().Layout(int(size.Width), 0)
	for d, row := range l.Rows {
		for _, b := range row {
			if b.Node == n && b.Merged == 0 {
				return fyne.NewPos(float32(b.X+b.W/2)*size.Width, float32(d)*18+9)
			}
		}
	}
	t.Fatalf("node %d is not laid out", n)
	return fyne.Position{}
}

func TestDemoOpensWithoutFiles(t *testing.T) {
	u, _ := open(t)
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	v := u.Graph().View()
	if v == nil || !v.Tree.HasBase() {
		t.Fatal("the demo shows no comparison")
	}
	find(t, v.Tree, "main.NewClient")
	if top := u.SiteRows(); len(top) < 4 || !strings.Contains(top[0], "main.") || !strings.Contains(top[0], "+") {
		t.Errorf("the spawn-site panel does not lead with a leaking site: %q", top)
	}
	if !u.DemoBannerShown() {
		t.Error("no demo banner")
	}
}

func TestHoverZoomAndBack(t *testing.T) {
	u, _ := open(t)
	g := u.Graph()
	tree := g.View().Tree
	handler := find(t, tree, "main.newHandler")
	p := center(t, g, handler)
	g.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: p}})
	if g.Hovered() != handler {
		t.Fatalf("hovering at %v gives node %d, want newHandler %d", p, g.Hovered(), handler)
	}
	if info := u.HoverText(); !strings.Contains(info, "main.newHandler") || !strings.Contains(info, "→") || !strings.Contains(info, "of later total") {
		t.Errorf("hover text %q", info)
	}
	g.Tapped(&fyne.PointEvent{Position: p})
	if got := g.View().Zoom.Current(); got != handler {
		t.Fatalf("zoomed to %d, want newHandler", got)
	}
	if crumbs := u.Breadcrumbs(); !strings.Contains(strings.Join(crumbs, " "), "main.newHandler") {
		t.Errorf("breadcrumb %q lacks the zoomed frame", crumbs)
	}
	u.Back()
	if got := g.View().Zoom.Current(); got != flame.Root {
		t.Errorf("Esc left the zoom at %d", got)
	}
	g.MouseOut()
	if g.Hovered() != -1 || u.HoverText() != "" {
		t.Error("leaving the graph keeps the hover")
	}
}

func TestSearchHighlights(t *testing.T) {
	u, _ := open(t)
	u.SetSearch("NewClient|DefaultCache")
	u.Wait()
	v := u.Graph().View()
	if v.Match == nil || v.Match.Count < 2 || v.Match.Value.Later <= 0 {
		t.Fatalf("search matched %+v", v.Match)
	}
	if !strings.Contains(u.StatusText(), "/NewClient|DefaultCache/") {
		t.Errorf("status %q does not show the search share", u.StatusText())
	}
	u.SetSearch("(")
	if u.Graph().View().Match != nil {
		t.Error("a bad regexp still highlights")
	}
	if strings.Contains(u.StatusText(), "/NewClient|DefaultCache/") {
		t.Errorf("after a bad regexp the status keeps the old search's share: %q", u.StatusText())
	}
	if !strings.Contains(u.HoverText(), "search: ") {
		t.Errorf("the bad regexp is not explained: %q", u.HoverText())
	}
}

func TestSelectingASiteRetargetsTheGraph(t *testing.T) {
	u, _ := open(t)
	heapRoot := u.Graph().View().Tree.Nodes[flame.Root].Total
	u.ActivateSite(0)
	u.Wait()
	v := u.Graph().View()
	if !strings.Contains(v.Title, "goroutines spawned at main.") {
		t.Fatalf("title %q", v.Title)
	}
	tot := v.Tree.Nodes[flame.Root].Total
	if tot == heapRoot || tot.Later <= tot.Base || v.Tree.SampleType.Type != "goroutine" {
		t.Errorf("the graph shows %+v of %s, not the site's goroutines", tot, v.Tree.SampleType.Type)
	}
	if crumbs := strings.Join(u.Breadcrumbs(), " "); !strings.Contains(crumbs, "Back to inuse_space profile") {
		t.Errorf("no way back: %q", crumbs)
	}
	if u.SelectedSiteRow() != 0 {
		t.Errorf("the shown site's row is not selected: %d", u.SelectedSiteRow())
	}
	u.BackToProfile()
	u.Wait()
	if got := u.Graph().View().Tree.Nodes[flame.Root].Total; got != heapRoot {
		t.Errorf("back shows %+v, want the heap profile %+v", got, heapRoot)
	}
	if r := u.SelectedSiteRow(); r != -1 {
		t.Errorf("after Back to profile row %d still looks selected", r)
	}
}

// copyDemo copies demo dumps to names with spaces and non-ASCII letters.
func copyDemo(t *testing.T, names map[string]string) map[string]string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dumps från prod")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string)
	for src, dst := range names {
		b, err := os.ReadFile(demo + src)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, dst)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out[src] = p
	}
	return out
}

func TestDropTwoThenFour(t *testing.T) {
	u, _ := open(t)
	files := copyDemo(t, map[string]string{
		"goroutine-base.txt": "goroutines före.txt", "goroutine-later.txt": "goroutines efter.txt",
		"heap-base.pb.gz": "heap 1.pb.gz", "heap-later.pb.gz": "heap 2.pb.gz",
	})
	uris := func(names ...string) []fyne.URI {
		var out []fyne.URI
		for _, n := range names {
			out = append(out, storage.NewFileURI(files[n]))
		}
		return out
	}
	// Two goroutine dumps (without timestamps: kept in the order given)
	// replace the goroutine pair; the heap pair stays.
	u.Dropped(uris("goroutine-base.txt", "goroutine-later.txt"))
	u.Wait()
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	base, later := u.Files()
	if !strings.HasSuffix(base[1], "goroutines före.txt") || !strings.HasSuffix(later[1], "goroutines efter.txt") {
		t.Errorf("goroutine pair %q → %q", base[1], later[1])
	}
	if rows := u.SiteRows(); len(rows) == 0 || !strings.Contains(rows[0], "(entry function)") {
		t.Errorf("debug=1 dumps should group by entry function: %q", rows)
	}
	// Four files fill both pairs.
	u.Dropped(uris("heap-base.pb.gz", "goroutine-base.txt", "heap-later.pb.gz", "goroutine-later.txt"))
	u.Wait()
	base, later = u.Files()
	if !strings.HasSuffix(base[0], "heap 1.pb.gz") || !strings.HasSuffix(later[0], "heap 2.pb.gz") {
		t.Errorf("heap pair %q → %q", base[0], later[0])
	}
	if u.DemoBannerShown() {
		t.Error("the demo banner stays after opening files")
	}
}

func TestOneFileFillsTheEmptySide(t *testing.T) {
	files := copyDemo(t, map[string]string{"heap-later.pb.gz": "later.pb.gz", "heap-base.pb.gz": "base.pb.gz"})
	u, _ := open(t, files["heap-later.pb.gz"])
	if v := u.Graph().View(); v == nil || v.Tree.HasBase() {
		t.Fatal("one file should show alone")
	}
	u.Dropped([]fyne.URI{storage.NewFileURI(files["heap-base.pb.gz"])})
	u.Wait()
	base, later := u.Files()
	if !strings.HasSuffix(base[0], "base.pb.gz") || !strings.HasSuffix(later[0], "later.pb.gz") {
		t.Errorf("pair %q → %q: the older dump should become the base", base[0], later[0])
	}
	u.Swap()
	base, later = u.Files()
	if !strings.HasSuffix(base[0], "later.pb.gz") {
		t.Errorf("swap gave %q → %q", base[0], later[0])
	}
}

func TestCorruptFileKeepsTheComparison(t *testing.T) {
	u, _ := open(t)
	before := u.Graph().View()
	bad := filepath.Join(t.TempDir(), "broken heap.pb.gz")
	if err := os.WriteFile(bad, []byte{0x1f, 0x8b, 8, 0, 1, 2, 3}, 0o644); err != nil {
		t.Fatal(err)
	}
	u.Open([]string{bad})
	u.Wait()
	err := u.LastError()
	if err == nil || !strings.HasPrefix(err.Error(), bad+": ") {
		t.Fatalf("error %v does not name the file", err)
	}
	if u.Graph().View() != before {
		t.Error("the previous comparison was replaced")
	}
	// A heap profile against a goroutine dump of another kind: also refused.
	u.Open([]string{demo + "goroutine-later.pb.gz", demo + "heap-later.pb.gz"})
	u.Wait()
	if u.Graph().View() == before {
		t.Log("two dumps of different kinds fill different pairs")
	}
}

// TestTruncatedDumpWarns opens a goroutine dump cut short: the goroutines
// that could be read are shown, and a banner says what was left out.
func TestTruncatedDumpWarns(t *testing.T) {
	b, err := os.ReadFile(demo + "goroutines-later.txt")
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "goroutines cut.txt")
	if err := os.WriteFile(cut, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	u, _ := open(t, demo+"goroutines-base.txt", cut)
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	if rows := u.SiteRows(); len(rows) == 0 {
		t.Error("no spawn sites from the part that could be read")
	}
	want := "goroutines cut.txt: the dump ends inside a goroutine; 1 incomplete goroutine left out"
	if got := u.BannerText(); !strings.HasSuffix(got, "\n"+want) {
		t.Errorf("banner %q, want its last row %q", got, want)
	}
	for strings.Contains(u.BannerText(), want) {
		u.DismissBannerRow(0)
	}
	// Opening whole dumps clears the warning.
	u.Open([]string{demo + "goroutines-base.txt", demo + "goroutines-later.txt"})
	u.Wait()
	if got := u.BannerText(); strings.Contains(got, "left out") {
		t.Errorf("banner %q for whole dumps", got)
	}
}

func TestExportWritesTheView(t *testing.T) {
	u, _ := open(t)
	u.SetSearch("NewClient")
	u.Wait()
	out := filepath.Join(t.TempDir(), "export ü.png")
	want := u.ExportView().Image(900, 0, 1, nil)
	u.Export(out, 900, 0, 1)
	// A click while the export draws must not change what it writes.
	u.Graph().ZoomTo(find(t, u.Graph().View().Tree, "main.NewClient"))
	u.Wait()
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 900 {
		t.Errorf("width %d", img.Bounds().Dx())
	}
	if img.Bounds() != want.Bounds() {
		t.Fatalf("exported %v, the view on screen was %v", img.Bounds(), want.Bounds())
	}
	for y := 0; y < want.Rect.Dy(); y++ {
		for x := 0; x < want.Rect.Dx(); x++ {
			r1, g1, b1, _ := img.At(x, y).RGBA()
			r2, g2, b2, _ := want.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				t.Fatalf("the export differs from the view at Export time at (%d, %d)", x, y)
			}
		}
	}
	if !strings.Contains(u.StatusText(), "Exported") {
		t.Errorf("status %q", u.StatusText())
	}
}

func TestRecentComparisons(t *testing.T) {
	files := copyDemo(t, map[string]string{"heap-later.pb.gz": "l.pb.gz", "heap-base.pb.gz": "b.pb.gz"})
	u, _ := open(t, files["heap-base.pb.gz"], files["heap-later.pb.gz"])
	r := u.Recent()
	if len(r) != 1 || !strings.Contains(r[0], "b.pb.gz") || !strings.Contains(r[0], "l.pb.gz") {
		t.Errorf("recent %q", r)
	}
}

func TestFlameWidgetRenders(t *testing.T) {
	u, _ := open(t)
	g := views.NewFlameGraph("")
	g.SetView(u.Graph().View())
	w := test.NewTempWindow(t, g)
	w.Resize(fyne.NewSize(640, 260))
	matchGolden(t, "flamegraph.png", w.Canvas().Capture())
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// matchGolden compares img with testdata/name, allowing a few pixels of
// anti-aliasing difference; a mismatch is written to testdata/failed/, or
// with -update to testdata/name (a match leaves the file as it is).
func matchGolden(t *testing.T, name string, img image.Image) {
	t.Helper()
	path := filepath.Join("testdata", name)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	diff, err := pixelsOff(path, img)
	b := img.Bounds()
	if err == nil && diff <= b.Dx()*b.Dy()/1000 {
		return
	}
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	os.MkdirAll(filepath.Join("testdata", "failed"), 0o755)
	os.WriteFile(filepath.Join("testdata", "failed", name), buf.Bytes(), 0o644)
	t.Errorf("%d pixels differ from %s; see testdata/failed/%s (-update to accept)", diff, path, name)
}

// pixelsOff counts the pixels of img that differ from the PNG at path by
// more than anti-aliasing does; all of them when the sizes differ.
func pixelsOff(path string, img image.Image) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		return 0, fmt.Errorf("decoding %s: %w", path, err)
	}
	b := img.Bounds()
	if want.Bounds() != b {
		return b.Dx() * b.Dy(), nil
	}
	diff := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, _ := img.At(x, y).RGBA()
			r2, g2, b2, _ := want.At(x, y).RGBA()
			if far(r1, r2) || far(g1, g2) || far(b1, b2) {
				diff++
			}
		}
	}
	return diff, nil
}

func far(a, b uint32) bool { return a > b+8<<8 || b > a+8<<8 }

// TestJemallocDumpAsksForBinary opens a jemalloc dump whose program is not
// at its recorded path: the window asks for it, and loading again with a
// binary keeps working.
func TestJemallocDumpAsksForBinary(t *testing.T) {
	dump := filepath.Join(t.TempDir(), "prod.heap")
	text := "heap_v2/524288\n  t*: 1: 512 [1: 512]\n@ 0x1000 0x2000\n  t*: 1: 512 [1: 512]\n\nMAPPED_LIBRARIES:\n" +
		"00001000-00005000 r-xp 00000000 fe:00 1   /srv/app/server\n"
	if err := os.WriteFile(dump, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	u, _ := open(t, dump)
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	if m := u.MissingBinaries(); len(m) != 1 || m[0] != "/srv/app/server" {
		t.Fatalf("missing %v", m)
	}
	if v := u.Graph().View(); v == nil || !strings.HasPrefix(v.Tree.Nodes[1].Name, "0x") {
		t.Error("the dump should show with raw addresses meanwhile")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	u.UseBinary(self)
	u.Wait()
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	// Read again with the binary, the dump replaces itself: it is still
	// shown alone, not compared with its raw copy.
	base, later := u.Files()
	if base[0] != "" || later[0] != dump {
		t.Errorf("after choosing the binary the pair is %q → %q, want the dump alone", base[0], later[0])
	}
	if v := u.Graph().View(); v == nil || v.Tree.HasBase() {
		t.Error("the reloaded dump is not shown alone")
	}
	if len(u.MissingBinaries()) != 0 {
		t.Errorf("still missing %v", u.MissingBinaries())
	}
}

// TestDropOneOnAFullPairAsks drops one more heap dump when both sides are
// open: a dialog asks which side it replaces.
func TestDropOneOnAFullPairAsks(t *testing.T) {
	files := copyDemo(t, map[string]string{"heap-later.pb.gz": "third.pb.gz"})
	u, w := open(t, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	u.Dropped([]fyne.URI{storage.NewFileURI(files["heap-later.pb.gz"])})
	u.Wait()
	if w.Canvas().Overlays().Top() == nil || !u.DialogShown() {
		t.Fatal("no dialog asks which side the dump replaces")
	}
	base, later := u.Files()
	if strings.Contains(base[0]+later[0], "third.pb.gz") {
		t.Error("the pair changed before the user chose a side")
	}
	// Esc dismisses the dialog, keeping both.
	u.Escape()
	u.Wait()
	if u.DialogShown() {
		t.Error("Esc did not close the dialog")
	}
	if b, l := u.Files(); b != base || l != later {
		t.Errorf("dismissing changed the pair to %q → %q", b, l)
	}
}

// TestGraphBelowTheToolbar: when the banner and the goroutine chips appear
// after loading, the graph moves down with them instead of sliding under the
// search row.
func TestGraphBelowTheToolbar(t *testing.T) {
	u, _ := open(t)
	d := fyne.CurrentApp().Driver()
	for _, step := range []string{"after loading", "after dismissing the banner"} {
		g, s := d.AbsolutePositionForObject(u.Graph()), d.AbsolutePositionForObject(u.SearchEntry())
		if bottom := s.Y + u.SearchEntry().Size().Height; g.Y < bottom {
			t.Errorf("%s the graph starts at y=%v, under the search row that ends at y=%v", step, g.Y, bottom)
		}
		if step == "after loading" {
			u.DismissBannerRow(0)
		}
	}
}

// TestLaterFirstGoroutinePair: debug=2 dumps record no time and their
// names carry no numbers, and goroutine IDs never decide: given later
// first, the pair stays as given, and the banner says that nothing tells
// and to use Swap.
func TestLaterFirstGoroutinePair(t *testing.T) {
	u, _ := open(t, demo+"goroutines-later.txt", demo+"goroutines-base.txt")
	base, later := u.Files()
	if !strings.HasSuffix(base[1], "goroutines-later.txt") || !strings.HasSuffix(later[1], "goroutines-base.txt") {
		t.Errorf("pair %q → %q, want the order given", base[1], later[1])
	}
	b := u.BannerText()
	for _, want := range []string{"do not tell", "Use Swap"} {
		if !strings.Contains(b, want) {
			t.Errorf("banner %q lacks %q", b, want)
		}
	}
}

// TestBinariesBeforeTheFirstLoad: binaries given at start (--binary) are
// used by the first load, so no dialog asks for them.
func TestBinariesBeforeTheFirstLoad(t *testing.T) {
	dump := filepath.Join(t.TempDir(), "prod.heap")
	text := "heap_v2/524288\n  t*: 1: 512 [1: 512]\n@ 0x1000 0x2000\n  t*: 1: 512 [1: 512]\n\nMAPPED_LIBRARIES:\n" +
		"00001000-00005000 r-xp 00000000 fe:00 1   /srv/app/server\n"
	if err := os.WriteFile(dump, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	w := a.NewWindow("Leakscope")
	u := app.CreateForTest(a, w, app.Options{Files: []string{dump}, Binaries: []string{self}})
	u.Wait()
	t.Cleanup(func() { u.Close(); w.Close() })
	if m := u.MissingBinaries(); len(m) != 0 {
		t.Errorf("the first load did not use the binary: missing %v", m)
	}
	// The test binary is stripped of DWARF and symbols: the dialog on
	// screen, if any, offers symbol sources for it, and asks for no binary.
	if u.DialogShown() && !slices.Contains(u.StrippedObjects(), self) {
		t.Error("a dialog asks for a binary that was given")
	}
}

// TestIconButtonsHaveTooltips: every icon-only button of the toolbar and
// the banner has a tooltip, and hovering shows it.
func TestIconButtonsHaveTooltips(t *testing.T) {
	u, _ := open(t)
	withTip, without := u.IconOnlyButtons()
	if without != 0 || withTip < 3 {
		t.Errorf("%d icon-only buttons with a tooltip, %d without", withTip, without)
	}
	tip := "Swap base and later (Ctrl+Shift+S)"
	u.HoverTip(tip)
	if got := u.TipText(); got != tip {
		t.Errorf("hovering the swap button shows %q", got)
	}
}

// TestModeAndPaletteKeepTheTree: width mode, palette and orientation only
// lay out and draw again; the tree is not rebuilt.
func TestModeAndPaletteKeepTheTree(t *testing.T) {
	u, _ := open(t)
	tree := u.Graph().View().Tree
	u.SetMode(flame.WidthMax)
	u.SetPalette(flame.PaletteByName("colorblind"))
	u.ToggleOrientation()
	if u.Worker().Busy(session.LaneView) {
		t.Error("a mode change started a computation")
	}
	u.Wait()
	v := u.Graph().View()
	if v.Tree != tree || v.Mode != flame.WidthMax || !v.Flame || v.Palette.Name != "colorblind" {
		t.Errorf("view %+v after mode, palette and orientation changes", v)
	}
}

// TestCancelKeepsTheComparison: Cancel during a load keeps what is on screen.
func TestCancelKeepsTheComparison(t *testing.T) {
	u, _ := open(t)
	before := u.Graph().View()
	p := filepath.Join(t.TempDir(), "slow.pb.gz")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skip(err)
	}
	u.Open([]string{p})
	if u.ProgressText() == "" {
		t.Error("no loading bar")
	}
	u.CancelLoad()
	u.Wait()
	if u.Graph().View() != before || u.ProgressText() != "" || !strings.Contains(u.StatusText(), "cancelled") {
		t.Errorf("after Cancel: status %q, bar %q", u.StatusText(), u.ProgressText())
	}
}

func TestTruncateKeepsLetters(t *testing.T) {
	for _, s := range []string{strings.Repeat("å", 60), "heap-" + strings.Repeat("日本", 30) + ".pb.gz"} {
		got := app.Truncate(s, 32)
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) != 32 || !strings.HasSuffix(got, "…") {
			t.Errorf("truncate(%q) = %q", s, got)
		}
	}
}

// TestDropIncompatibleRefusedFirst: a dump that cannot be compared with the
// pair (a jemalloc heap dump on a Go heap pair) is refused with the reason,
// without first asking which side it would replace.
func TestDropIncompatibleRefusedFirst(t *testing.T) {
	dump := filepath.Join(t.TempDir(), "prod.heap")
	text := "heap_v2/524288\n  t*: 1: 512 [1: 512]\n@ 0x1000 0x2000\n  t*: 1: 512 [1: 512]\n\nMAPPED_LIBRARIES:\n" +
		"00001000-00005000 r-xp 00000000 fe:00 1   /srv/app/server\n"
	if err := os.WriteFile(dump, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	u, _ := open(t, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	u.Dropped([]fyne.URI{storage.NewFileURI(dump)})
	u.Wait()
	err := u.LastError()
	if err == nil || !strings.Contains(err.Error(), "only dumps of one allocator compare") {
		t.Errorf("error %v, want the pair refused", err)
	}
	if base, later := u.Files(); strings.Contains(base[0]+later[0], "prod.heap") {
		t.Errorf("the pair changed: %q → %q", base[0], later[0])
	}
}
