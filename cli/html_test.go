package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/leakscope/leakscope/cli"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/reftest"
)

// pageData is the data a page embeds, as the tests read it back.
type pageData struct {
	Strings []string `json:"strings"`
	Nodes   struct {
		Name  []int32 `json:"name"`
		Base  []int64 `json:"base"`
		Later []int64 `json:"later"`
	} `json:"nodes"`
}

func readPageData(t *testing.T, path string) pageData {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<script id="data" type="application/json">(.*?)</script>`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s holds no data", path)
	}
	var d pageData
	if err := json.Unmarshal(m[1], &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// artifact is where a test's screenshot goes: LEAKSCOPE_ARTIFACTS (CI
// prints what is there), else the test's temporary folder.
func artifact(t *testing.T, name string) string {
	dir := os.Getenv("LEAKSCOPE_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name)
}

// exportPage runs `leakscope export --html` and returns the page's path.
func exportPage(t *testing.T, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "leak.html")
	code, _, errs := run(append([]string{"export", "--html", "-o", out}, args...)...)
	if code != 0 {
		t.Fatalf("export --html %v: exit %d: %s", args, code, errs)
	}
	return out
}

// checkPage is what every page must do in a real browser, as a user tries
// it: say the totals, list rows, zoom on a click with a breadcrumb, count
// search matches, show a tooltip on hover; with no console error and no
// request but the file itself.
type pageCheck struct {
	path        string
	frame       string // a frame to click and hover
	search      string // a search, and the frames it must count
	wantText    []string
	wantSiteTop string // the first site row's function; "" for no check
}

func checkPage(t *testing.T, c pageCheck, shot string) *reftest.Browser {
	t.Helper()
	b := reftest.OpenPage(t, c.path, 1280, 900)
	body := reftest.Eval[string](t, b, `document.body.innerText`)
	for _, w := range c.wantText {
		if !strings.Contains(body, w) {
			t.Errorf("the page does not say %q", w)
		}
	}
	if n := reftest.Eval[int](t, b, `document.querySelectorAll('#functions tbody tr').length`); n == 0 {
		t.Error("the function table has no rows")
	}
	if c.wantSiteTop != "" {
		top := reftest.Eval[string](t, b, `(document.querySelector('#sites tbody tr td') || {}).textContent || ''`)
		if top != c.wantSiteTop {
			t.Errorf("first site %q, want %q", top, c.wantSiteTop)
		}
	}

	// Click a frame: the graph zooms to it and the breadcrumb ends with it.
	b.Do(t, "scrolling to the graph", chromedp.Evaluate[chromedp.Void](`document.getElementById('graph').scrollIntoView()`))
	type box struct{ X, Y, W, H float64 }
	at := reftest.Eval[*box](t, b, fmt.Sprintf(`leakscope.box(%q)`, c.frame))
	if at == nil {
		t.Fatalf("%s is not drawn", c.frame)
	}
	x, y := at.X+min(at.W/2, 40), at.Y+at.H/2
	b.Do(t, "clicking "+c.frame, chromedp.MouseClickXY(x, y))
	if z := reftest.Eval[string](t, b, `leakscope.zoomed()`); z != c.frame {
		t.Errorf("clicked %s, zoomed to %s", c.frame, z)
	}
	crumb := reftest.Eval[string](t, b, `[...document.querySelectorAll('#crumbs button')].pop().title`)
	if crumb != c.frame {
		t.Errorf("breadcrumb ends with %q, want %q", crumb, c.frame)
	}

	// Hover: a tooltip at the pointer with base → later, Δ and share.
	at = reftest.Eval[*box](t, b, fmt.Sprintf(`leakscope.box(%q)`, c.frame))
	b.Do(t, "hovering", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, at.X+min(at.W/2, 40), at.Y+at.H/2))
	tip := reftest.Eval[string](t, b, `document.getElementById('tip').hidden ? '' : document.getElementById('tip').innerText`)
	for _, w := range []string{c.frame, "→", "Δ", "share"} {
		if !strings.Contains(tip, w) {
			t.Errorf("tooltip %q lacks %q", tip, w)
		}
	}

	// Search: the count is that of the frames in the data whose name matches.
	d := readPageData(t, c.path)
	re := regexp.MustCompile(c.search)
	want := 0
	for i, n := range d.Nodes.Name {
		if i > 0 && re.MatchString(d.Strings[n]) {
			want++
		}
	}
	b.Do(t, "searching", chromedp.SendKeys(chromedp.CSS("#search"), c.search+"\r"))
	got := reftest.Eval[string](t, b, `document.getElementById('matches').textContent`)
	if !strings.HasPrefix(got, fmt.Sprintf("%d frame", want)) || want == 0 {
		t.Errorf("search %q: %q, want %d frames", c.search, got, want)
	}

	b.Screenshot(t, artifact(t, shot))
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("the page logged errors: %q", errs)
	}
	page := "file://" + mustAbs(t, c.path)
	for _, r := range b.Requests() {
		if r != page && r != "about:blank" {
			t.Errorf("the page requested %s", r)
		}
	}
	return b
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestHTMLGoDemo: the demo's heap and goroutine pairs as one page.
func TestHTMLGoDemo(t *testing.T) {
	reftest.Reference(t)
	files := []string{demo + "heap-base.pb.gz", demo + "heap-later.pb.gz", demo + "goroutines-base.txt", demo + "goroutines-later.txt"}
	code, out, errs := run("report", "--json", files[0], files[1])
	if code != 0 {
		t.Fatal(errs)
	}
	var heap cli.Report
	if err := json.Unmarshal([]byte(out), &heap); err != nil {
		t.Fatal(err)
	}
	code, out, errs = run("report", "--json", files[2], files[3])
	if code != 0 {
		t.Fatal(errs)
	}
	var gor cli.Report
	if err := json.Unmarshal([]byte(out), &gor); err != nil {
		t.Fatal(err)
	}
	path := exportPage(t, files...)
	checkPage(t, pageCheck{path: path, frame: "main.NewClient", search: "Client",
		wantText: []string{"heap-base.pb.gz → ", "heap-later.pb.gz",
			"base " + diff.FormatValue(heap.Total.Base, heap.Unit) + " → later " + diff.FormatValue(heap.Total.Later, heap.Unit),
			"Spawn sites (goroutines)", "Written by Leakscope"},
		wantSiteTop: gor.SpawnSites[0].Function}, "html-go-demo.png")
}

// TestHTMLTokio: the tokio test service's pair, its tasks by spawn site.
func TestHTMLTokio(t *testing.T) {
	reftest.Reference(t)
	reftest.NeedRust(t)
	ts, err := reftest.TaskyDumps(0, 1000, 2000)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := run("report", "--json", "--binary", ts.Bin, ts.Base, ts.Later)
	if code != 0 {
		t.Fatal(errs)
	}
	var r cli.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	path := exportPage(t, "--binary", ts.Bin, ts.Base, ts.Later)
	d := readPageData(t, path)
	frame := ""
	for i, n := range d.Nodes.Name {
		if name := d.Strings[n]; strings.Contains(name, "handle_request") && d.Nodes.Later[i] > 0 {
			frame = name
			break
		}
	}
	if frame == "" {
		t.Fatal("no handle_request frame in the page's data")
	}
	b := checkPage(t, pageCheck{path: path, frame: frame, search: "Default",
		wantText: []string{"Spawn sites (tokio tasks)", "base " + diff.FormatValue(r.Total.Base, r.Unit),
			"Findings", r.Findings[0].Summary, "..Default::default()"},
		wantSiteTop: r.SpawnSites[0].Function}, "html-tokio.png")
	// A click on the finding zooms the graph to its site.
	b.Do(t, "clicking the finding", chromedp.Click(chromedp.CSS("#findings .finding")))
	if z := reftest.Eval[string](t, b, `leakscope.zoomed()`); z != r.Findings[0].Function {
		t.Errorf("the finding's click zoomed to %s, want %s", z, r.Findings[0].Function)
	}
}

// TestHTMLSeries: seven snapshots of a leaking process make a page with the
// timeline, the sites' sparklines and scores, coloured by steadiness.
func TestHTMLSeries(t *testing.T) {
	reftest.Reference(t)
	dir := t.TempDir()
	l := reftest.NewLeaker()
	defer l.Close()
	paths, err := reftest.WriteSeries(dir, 7, l)
	if err != nil {
		t.Fatal(err)
	}
	path := exportPage(t, paths...)
	d := readPageData(t, path)
	frame := ""
	for _, n := range d.Nodes.Name {
		if strings.Contains(d.Strings[n], "reftest.(*Leaker).Grow") {
			frame = d.Strings[n]
			break
		}
	}
	if frame == "" {
		t.Fatal("no frame of the leaker in the page's data")
	}
	b := checkPage(t, pageCheck{path: path, frame: frame, search: "Leaker",
		wantText: []string{"A series of 7", "Colour: steadiness", "Trend", "Score", "7 snapshots", "Findings", "Leaker).Grow", "leak score"}}, "html-series.png")
	if n := reftest.Eval[int](t, b, `document.querySelectorAll('#timeline circle').length`); n != 7 {
		t.Errorf("the timeline has %d points, want 7", n)
	}
	if n := reftest.Eval[int](t, b, `document.querySelectorAll('#sites svg.spark').length`); n == 0 {
		t.Error("no site has a sparkline")
	}
}

// TestHTMLInjection: names that are markup show as text and run nothing.
func TestHTMLInjection(t *testing.T) {
	reftest.Reference(t)
	dir := t.TempDir()
	const fn = `main.</script><svg/onload=window.pwned=1>.func1`
	const creator = `main.</script><img/src=x/onerror=window.pwned=2>`
	g := func(id int) string {
		return fmt.Sprintf("goroutine %d [chan receive]:\n%s()\n\t/src/<img src=x onerror=pwned=3>.go:20 +0x25\ncreated by %s in goroutine 1\n\t/src/main.go:12 +0x4f\n\n", id, fn, creator)
	}
	head := "goroutine 1 [running]:\nmain.main()\n\t/src/main.go:10 +0x1d\n\n"
	base, later := filepath.Join(dir, "base.txt"), filepath.Join(dir, "later.txt")
	if err := os.WriteFile(base, []byte(head+g(5)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(later, []byte(head+g(5)+g(6)), 0o644); err != nil {
		t.Fatal(err)
	}
	path := exportPage(t, base, later)
	b := checkPage(t, pageCheck{path: path, frame: fn, search: "svg", wantText: []string{fn, creator},
		wantSiteTop: creator}, "html-injection.png")
	// A click on the site shows its stack, file names as they are.
	b.Do(t, "opening the site", chromedp.Click(chromedp.CSS("#sites tbody tr.site")))
	stack := reftest.Eval[string](t, b, `document.querySelector('#sites tr.stack').innerText`)
	if !strings.Contains(stack, "/src/<img src=x onerror=pwned=3>.go:20") || !strings.Contains(stack, fn) {
		t.Errorf("the site's stack reads %q", stack)
	}
	if v := reftest.Eval[string](t, b, `String(window.pwned)`); v != "undefined" {
		t.Errorf("a name ran as script: window.pwned = %s", v)
	}
	if n := reftest.Eval[int](t, b, `document.querySelectorAll('img, svg[onload], [onerror]').length`); n != 0 {
		t.Errorf("%d elements came from names", n)
	}
}
