package app

import (
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/flame"
)

// dumpSuffixes are the file names the open dialog shows. Files without a
// dot are shown too: `curl -o heap …` is a common way to take a dump.
var dumpSuffixes = []string{".pb.gz", ".pprof", ".prof", ".heap", ".txt", ".gz", ".pb"}

// suffixFilter matches file names by suffix; storage.NewExtensionFileFilter
// sees only the last extension and cannot match ".pb.gz".
type suffixFilter struct{ suffixes []string }

// Matches reports whether the URI's name ends in one of the suffixes or has no dot.
func (f suffixFilter) Matches(u fyne.URI) bool {
	name := strings.ToLower(u.Name())
	if !strings.Contains(name, ".") {
		return true
	}
	for _, s := range f.suffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

var _ storage.FileFilter = suffixFilter{}

// ShowOpenDialog lets the user pick a dump; it joins the comparison.
func (u *UI) ShowOpenDialog() { u.showOpen(true) }

// showOpen shows the file dialog, filtered to dump names or showing all files.
func (u *UI) showOpen(filtered bool) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		u.Open([]string{path})
	}, u.win)
	if filtered {
		d.SetFilter(suffixFilter{dumpSuffixes})
	}
	d.SetConfirmText("Open")
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// Dropped opens dropped files: two compare them, four fill both pairs, and
// one fills the empty side or asks which side it replaces.
func (u *UI) Dropped(uris []fyne.URI) {
	var files []string
	for _, uri := range uris {
		if uri.Scheme() != "file" {
			u.showError(fmt.Errorf("%s: only local files can be opened", uri.String()))
			return
		}
		files = append(files, uri.Path())
	}
	if len(files) > 0 {
		u.Open(files)
	}
}

// recentKey is the preference that lists recent comparisons, newest first,
// each as its paths joined by newlines.
const recentKey = "recent"

func (u *UI) recent() []string { return u.app.Preferences().StringList(recentKey) }

func (u *UI) addRecent(paths []string) {
	abs := make([]string, 0, len(paths))
	for _, p := range paths {
		if a, err := filepath.Abs(p); err == nil {
			p = a
		}
		abs = append(abs, p)
	}
	entry := strings.Join(abs, "\n")
	list := []string{entry}
	for _, e := range u.recent() {
		if e != entry && len(list) < 10 {
			list = append(list, e)
		}
	}
	u.app.Preferences().SetStringList(recentKey, list)
	u.setMenus()
}

func (u *UI) recentItems() []*fyne.MenuItem {
	var items []*fyne.MenuItem
	for _, e := range u.recent() {
		paths := strings.Split(e, "\n")
		var names []string
		for _, p := range paths {
			names = append(names, filepath.Base(p))
		}
		items = append(items, fyne.NewMenuItem(strings.Join(names, " → "), func() { u.Open(paths) }))
	}
	items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem("Open Any File…", func() { u.showOpen(false) }))
	return items
}

// exportSize is a preset of the export dialog.
type exportSize struct {
	name          string
	width, height int // 0, 0: the window's graph size
	scale         float64
}

var exportSizes = []exportSize{
	{"As on screen", 0, 0, 1},
	{"1600 × 900", 1600, 900, 1},
	{"1920 × 1080", 1920, 1080, 1},
	{"3840 × 2160 (HiDPI, 2×)", 3840, 2160, 2},
	{"4000 × 2000", 4000, 2000, 1},
	{"1600 wide, full height", 1600, 0, 1},
}

// ShowExportDialog asks for a size and a file, then writes the current view
// (zoom, search, selected site) as PNG.
func (u *UI) ShowExportDialog() {
	if u.graph.View() == nil {
		dialog.ShowInformation("Export PNG", "Open a comparison first.", u.win)
		return
	}
	var names []string
	for _, s := range exportSizes {
		names = append(names, s.name)
	}
	size := widget.NewSelect(names, nil)
	size.SetSelectedIndex(0)
	dialog.ShowForm("Export PNG", "Choose file…", "Cancel", []*widget.FormItem{widget.NewFormItem("Size", size)}, func(ok bool) {
		if !ok {
			return
		}
		preset := exportSizes[size.SelectedIndex()]
		save := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			if err != nil {
				u.showError(err)
				return
			}
			if w == nil {
				return
			}
			path := w.URI().Path()
			w.Close()
			u.Export(path, preset.width, preset.height, preset.scale)
		}, u.win)
		save.SetFileName("leakscope.png")
		save.SetFilter(suffixFilter{[]string{".png"}})
		save.Resize(fyne.NewSize(900, 600))
		save.Show()
	}, u.win)
}

// Export writes the current view to path as a PNG of width×height pixels
// (0, 0: the size of the graph on screen) in the background.
func (u *UI) Export(path string, width, height int, scale float64) {
	v := u.graph.View()
	if v == nil {
		return
	}
	if width <= 0 {
		s := u.graph.Size()
		width, height = max(int(s.Width), 400), max(int(s.Height), 300)
	}
	snapshot := *v // the tree is immutable; the copy keeps the zoom and search as they are now
	u.wg.Go(func() {
		img := snapshot.Image(width, height, scale, nil)
		err := flame.SavePNG(path, img)
		fyne.Do(func() {
			if err != nil {
				u.showError(fmt.Errorf("%s: %w", path, err))
				return
			}
			u.setStatus(fmt.Sprintf("Exported %s (%d × %d).", path, width, img.Rect.Dy()))
		})
	})
}
