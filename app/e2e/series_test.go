package e2e_test

import (
	"fmt"
	"image"
	"image/color"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leakscope/leakscope/diff/reftest"
)

// word is a word tesseract read off a screenshot, at its centre in screen
// pixels.
type word struct {
	text string
	x, y int
}

// ocrWords reads the words of a screenshot with their places.
func ocrWords(t *testing.T, s *session, shot string) []word {
	t.Helper()
	out, err := exec.Command("tesseract", enlarged(t, shot), "-", "tsv").Output()
	if err != nil {
		t.Fatalf("tesseract: %v", err)
	}
	var words []word
	for _, line := range strings.Split(string(out), "\n")[1:] {
		f := strings.Split(line, "\t")
		if len(f) < 12 || strings.TrimSpace(f[11]) == "" {
			continue
		}
		n := make([]int, 4)
		for i := range n {
			n[i], _ = strconv.Atoi(f[6+i])
		}
		words = append(words, word{text: f[11], x: (n[0] + n[2]/2) * 2 / 5, y: (n[1] + n[3]/2) * 2 / 5})
	}
	return words
}

// ocrBox reads one line of text in rectangle r of screenshot shot (in
// screen pixels). Read alone, a cell or a toolbar row is not merged with a
// drawing next to it, as it can be when the whole screen is read at once.
func ocrBox(t *testing.T, shot string, r image.Rectangle) string {
	t.Helper()
	need(t, "tesseract", "convert")
	big := filepath.Join(t.TempDir(), "box.png")
	geometry := fmt.Sprintf("%dx%d+%d+%d", r.Dx(), r.Dy(), r.Min.X, r.Min.Y)
	if out, err := exec.Command("convert", filepath.Join(artifacts(t), shot), "-crop", geometry, "+repage", "-resize", "250%", "-colorspace", "Gray", big).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v\n%s", err, out)
	}
	out, err := exec.Command("tesseract", big, "-", "--psm", "7").Output()
	if err != nil {
		t.Fatalf("tesseract: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// findWord returns the first word that starts with prefix.
func findWord(words []word, prefix string) (word, bool) {
	for _, w := range words {
		if strings.HasPrefix(w.text, prefix) {
			return w, true
		}
	}
	return word{}, false
}

// readTab returns the words read, as one text, and the first word that
// starts with tab (a tab's title, to click).
func readTab(words []word, tab string) (string, word) {
	var text []string
	found := word{}
	for _, w := range words {
		text = append(text, w.text)
		if strings.HasPrefix(w.text, tab) && found.text == "" {
			found = w
		}
	}
	return strings.Join(text, " "), found
}

// TestSeriesWindow opens a folder of four snapshots of this test process
// in the real window: the timeline and the series columns are on screen,
// and a click on the timeline's second snapshot makes it the base.
func TestSeriesWindow(t *testing.T) {
	dir := t.TempDir()
	l := reftest.NewLeaker()
	defer l.Close()
	if _, err := reftest.WriteSeries(dir, 4, l); err != nil {
		t.Fatal(err)
	}
	s := start(t, dir)
	waitFor(t, "the graph", 30*time.Second, func() bool { return strings.Contains(s.log.String(), "DEBUG first draw") })
	s.settled("9-series-findings.png")
	// The series opens on its findings, coloured by steadiness, with the
	// leak first; a click on the Spawn sites tab shows the series columns.
	words := ocrWords(t, s, "9-series-findings.png")
	text, tab := readTab(words, "Spawn") // OCR may read "Spawnsites" as one word
	for _, want := range []string{"Leaker).Grow", "leak", "score"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q is not on screen; it reads:\n%s", want, text)
		}
	}
	// The colour choice sits in the toolbar row that starts with the
	// search field; that row is read alone.
	if search, ok := findWord(words, "search"); !ok {
		t.Errorf("no search field on screen; it reads:\n%s", text)
	} else if row := ocrBox(t, "9-series-findings.png", image.Rect(0, search.y-14, 1280, search.y+14)); !strings.Contains(row, "steadiness") {
		t.Errorf("the colour choice does not read steadiness; the search field's row reads %q", row)
	}
	if tab.text == "" {
		t.Fatalf("no Spawn sites tab on screen; it reads:\n%s", text)
	}
	s.run("xdotool", "mousemove", strconv.Itoa(tab.x), strconv.Itoa(tab.y), "click", "1")
	img := s.settled("9-series.png")
	words = ocrWords(t, s, "9-series.png")
	var all []string
	for _, w := range words {
		all = append(all, w.text)
	}
	text = strings.Join(all, " ")
	for _, want := range []string{"snapshots", "Score", "Trend"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q is not on screen; it reads:\n%s", want, text)
		}
	}
	// The shaded span of the timeline runs from the base mark (the first
	// snapshot) to the later one (the last).
	// The timeline's light ground: the rows with a long run of its colour.
	bg := color.RGBA{0xf6, 0xf6, 0xf4, 0xff}
	var ground image.Rectangle
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		if x0, n := longestRun(img, y, bg); n > 300 {
			r := image.Rect(x0, y, x0+n, y+1)
			if ground.Empty() {
				ground = r
			} else {
				ground = ground.Union(r)
			}
		}
	}
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok || ground.Dx() < 200 {
		t.Fatalf("no timeline on screen (%v)", ground)
	}
	span, n := find(sub.SubImage(ground), color.RGBA{0xff, 0xe2, 0xd6, 0xff})
	if n < 1000 || span.Dx() < 200 {
		t.Fatalf("no timeline span on screen (%v, %d pixels)", span, n)
	}
	x, y := span.Min.X+span.Dx()/3, span.Min.Y+span.Dy()/2
	s.run("xdotool", "mousemove", strconv.Itoa(x), strconv.Itoa(y), "click", "1") // the screenshot is of the root window
	waitFor(t, "the pick", 20*time.Second, func() bool {
		return countLines(s.log.String(), "DEBUG shown ") >= 2
	})
	s.settled("10-series-picked.png")
	if got := ocr(t, s, "10-series-picked.png"); !strings.Contains(got, "heap-0002-") {
		t.Errorf("after a click on the second snapshot, heap-0002 is not on screen as the base; it reads:\n%s", got)
	}
}

// TestLongSeriesWindow opens 200 snapshots of a made-up service on a
// 1024 × 768 screen: on the Functions tab, the leak's row reads that it
// grew in 199 of 199 intervals, whole, and its sparkline stays in its cell.
func TestLongSeriesWindow(t *testing.T) {
	dir := t.TempDir()
	if _, err := reftest.SyntheticSeries(dir, 200); err != nil {
		t.Fatal(err)
	}
	s := startOn(t, "1024x768", dir)
	waitFor(t, "the graph", 60*time.Second, func() bool { return strings.Contains(s.log.String(), "DEBUG first draw") })
	s.settled("11-long-series.png")
	_, tab := readTab(ocrWords(t, s, "11-long-series.png"), "Functions")
	if tab.text == "" {
		t.Fatalf("no Functions tab on screen; it reads:\n%s", ocr(t, s, "11-long-series.png"))
	}
	s.run("xdotool", "mousemove", strconv.Itoa(tab.x), strconv.Itoa(tab.y), "click", "1")
	s.settled("11-long-series-functions.png")
	words := ocrWords(t, s, "11-long-series-functions.png")
	var text []string
	for _, w := range words {
		text = append(text, w.text)
	}
	// The Grew cell of the leak's row, read alone: under the column's
	// header, on the row of the table's (rightmost) main.(*Store).put.
	header, ok := findWord(words, "Grew")
	leak := word{}
	for _, w := range words {
		if strings.Contains(w.text, "Store).put") && w.x > leak.x {
			leak = w
		}
	}
	if !ok || leak.text == "" || leak.x >= header.x {
		t.Fatalf("no Grew column or leak row on screen (header %+v, leak %+v); it reads:\n%s", header, leak, strings.Join(text, " "))
	}
	if cell := ocrBox(t, "11-long-series-functions.png", image.Rect(header.x-45, leak.y-12, header.x+45, leak.y+12)); cell != "199/199" {
		t.Errorf("the leak's Grew cell reads %q, not 199/199; the screen reads:\n%s", cell, strings.Join(text, " "))
	}
	for _, want := range []string{"Grew", "Score", "200 heap dumps"} {
		if !strings.Contains(strings.Join(text, " "), want) {
			t.Errorf("%q is not on screen; it reads:\n%s", want, strings.Join(text, " "))
		}
	}
}
