package app_test

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/leakscope/leakscope/app"
	views "github.com/leakscope/leakscope/app/widget"
	"github.com/leakscope/leakscope/diff/reftest"
)

// goldenSizes are the window sizes the views are drawn at: a 1024 × 768
// screen's window (what the window opens at there) and a maximised 1080p one.
var goldenSizes = []fyne.Size{{Width: 992, Height: 704}, {Width: 1920, Height: 1080}}

// TestViewGoldens draws each view of the window at each size on Fyne's test
// driver and compares it with its image in testdata/ (-update rewrites
// them; look at them after). What they show: the findings, spawn sites,
// functions, lines with their source, callers and callees, and a series.
func TestViewGoldens(t *testing.T) {
	views := []struct {
		name  string
		files func(t *testing.T) []string
		show  func(u *app.UI)
	}{
		{"findings", nil, func(u *app.UI) {}},
		{"sites", nil, func(u *app.UI) { u.SelectTab("Spawn sites") }},
		{"functions", nil, func(u *app.UI) { u.SelectTab("Functions") }},
		{"lines", nil, func(u *app.UI) {
			u.AddSourceFolder("../assets/demo/leakyd")
			u.MarkFunction("main.NewClient")
			u.ShowLinesTab()
		}},
		{"callers", nil, func(u *app.UI) { u.ShowSandwich("main.NewClient") }},
		{"series", func(t *testing.T) []string {
			paths, err := reftest.SyntheticSeries(t.TempDir(), 7)
			if err != nil {
				t.Fatal(err)
			}
			return paths
		}, func(u *app.UI) { u.SelectTab("Functions") }},
	}
	for _, v := range views {
		for _, size := range goldenSizes {
			name := fmt.Sprintf("view-%s-%dx%d.png", v.name, int(size.Width), int(size.Height))
			t.Run(name, func(t *testing.T) {
				var files []string
				if v.files != nil {
					files = v.files(t)
				}
				u, w := open(t, files...)
				w.Resize(size)
				v.show(u)
				u.Wait()
				if err := u.LastError(); err != nil {
					t.Fatal(err)
				}
				matchGolden(t, name, w.Canvas().Capture())
			})
		}
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
