package app_test

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/leakscope/leakscope/app"
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
