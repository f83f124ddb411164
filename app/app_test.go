package app_test

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	views "github.com/leakscope/leakscope/app/widget"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
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

func TestTruncateKeepsLetters(t *testing.T) {
	for _, s := range []string{strings.Repeat("å", 60), "heap-" + strings.Repeat("日本", 30) + ".pb.gz"} {
		got := app.Truncate(s, 32)
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) != 32 || !strings.HasSuffix(got, "…") {
			t.Errorf("truncate(%q) = %q", s, got)
		}
	}
}
