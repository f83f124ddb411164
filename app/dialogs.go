package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff"
)

// dialogHandle is the dialog on screen, so that Esc can dismiss it.
type dialogHandle struct{ d dialog.Dialog }

// dismiss closes the dialog as its dismiss button does, and reports
// whether there was one.
func (h *dialogHandle) dismiss() bool {
	if h.d == nil {
		return false
	}
	d := h.d
	h.d = nil
	d.Dismiss()
	return true
}

// visible reports whether a dialog is on screen.
func (h *dialogHandle) visible() bool { return h.d != nil }

// submitOnEnter makes Enter in each of entries submit the form d, as its
// confirm button does (not while the form is invalid).
func submitOnEnter(d *dialog.FormDialog, entries ...*widget.Entry) {
	for _, e := range entries {
		e.OnSubmitted = func(string) { d.Submit() }
	}
}

// showDialog shows d and makes it the one Esc dismisses.
func (u *UI) showDialog(d dialog.Dialog) {
	d.SetOnClosed(func() {
		if u.top.d == d {
			u.top.d = nil
			if u.asking != nil { // dismissed: keep both, ask the next
				u.asking = nil
				u.askNext()
			}
		}
	})
	u.top.d = d
	d.Show()
}

// newErrorDialog shows err's message as it is: Fyne's own error dialog
// capitalises its first letter, which turns a path such as junk/notes.txt
// into one that does not exist.
func newErrorDialog(err error, w fyne.Window) dialog.Dialog {
	msg := widget.NewLabel(err.Error())
	msg.Wrapping = fyne.TextWrapWord
	icon := widget.NewIcon(theme.ErrorIcon())
	content := container.NewBorder(nil, nil, container.NewVBox(icon), nil, msg)
	d := dialog.NewCustom("Error", "OK", content, w)
	d.Resize(fyne.NewSize(min(w.Canvas().Size().Width*0.8, 640), 0))
	return d
}

// askSide asks which side of a full pair q's dump replaces.
func (u *UI) askSide(q session.Question) {
	msg := widget.NewLabel(q.Text())
	msg.Wrapping = fyne.TextWrapWord
	var dlg dialog.Dialog
	choose := func(side session.Side) func() {
		return func() {
			u.top.d, u.asking = nil, nil
			dlg.Hide()
			u.place(q, side)
		}
	}
	buttons := container.NewHBox(widget.NewButton("Base", choose(session.Base)), widget.NewButton("Later", choose(session.Later)))
	dlg = dialog.NewCustom("Replace which side?", "Keep both as they are", container.NewVBox(msg, buttons), u.win)
	dlg.Resize(fyne.NewSize(520, 200))
	u.asking = &q
	u.showDialog(dlg)
}

// askForBinaries offers, once per binary, to pick the program a jemalloc
// dump was taken from when the file it records is not here; the dumps are
// then read again in place.
func (u *UI) askForBinaries() {
	var missing []string
	for _, m := range u.sess.MissingBinaries() {
		if !u.asked[m] {
			missing = append(missing, m)
			u.asked[m] = true
		}
	}
	if len(missing) == 0 {
		u.askForSymbols()
		return
	}
	msg := widget.NewLabel(fmt.Sprintf("The dump was taken from %s, which is not on this machine, so its frames "+
		"show as raw addresses. Choose that program (or a copy of it) to see function names; "+
		"Symbol sources names the folders and debuginfod servers of its debug files.", strings.Join(missing, ", ")))
	msg.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	choose := widget.NewButton("Choose binary…", func() {
		d.Hide()
		fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				return
			}
			path := r.URI().Path()
			r.Close()
			u.UseBinary(path)
		}, u.win)
		fd.Resize(fyne.NewSize(900, 600))
		u.showDialog(fd)
	})
	choose.Importance = widget.HighImportance
	d = dialog.NewCustomWithoutButtons("Binary not found", msg, u.win)
	d.SetButtons([]fyne.CanvasObject{
		widget.NewButton("Keep addresses", func() { d.Hide() }),
		widget.NewButton("Symbol sources…", func() { d.Hide(); u.ShowSymbolsDialog() }),
		choose,
	})
	d.Resize(fyne.NewSize(600, 240))
	u.showDialog(d)
}

// dumpLine describes a dump for the files dialogs: its path, its format
// (which names its kind) and when it was taken.
func dumpLine(side string, d *diff.Dump) string {
	when := ", no time recorded"
	if !d.Time.IsZero() {
		when = ", taken " + d.Time.Format("2006-01-02 15:04:05")
	}
	return fmt.Sprintf("%s: %s\n%s%s", side, d.Path, d.Format, when)
}

// showFiles shows the paths and times of the dumps on one side.
func (u *UI) showFiles(side session.Side) {
	var lines []string
	for _, p := range []session.Pair{u.sess.Profile, u.sess.Goroutines} {
		d, name := p.Later, "later"
		if side == session.Base {
			d, name = p.Base, "base"
		}
		if d != nil {
			lines = append(lines, dumpLine(name, d))
		}
	}
	if len(lines) == 0 {
		return
	}
	title := "Later"
	if side == session.Base {
		title = "Base"
	}
	u.showDialog(dialog.NewInformation(title, strings.Join(lines, "\n\n"), u.win))
}

// showGoroutinePair shows the paths and times of the goroutine pair.
func (u *UI) showGoroutinePair() {
	g := u.sess.Goroutines
	var lines []string
	if g.Base != nil {
		lines = append(lines, dumpLine("base", g.Base))
	}
	if g.Later != nil {
		lines = append(lines, dumpLine("later", g.Later))
	}
	if len(lines) == 0 {
		return
	}
	u.showDialog(dialog.NewInformation("Goroutine pair", strings.Join(lines, "\n\n"), u.win))
}

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
		d.SetFilter(suffixFilter{diff.Suffixes()})
	}
	d.SetConfirmText("Open")
	d.Resize(fyne.NewSize(900, 600))
	u.showDialog(d)
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

// exportSize is a preset of the export dialog.
type exportSize struct {
	name          string
	width, height int // 0, 0: the window's graph size
	scale         float64
}

var exportSizes = []exportSize{
	{"1920 wide, as tall as the graph", 1920, 0, 1},
	{"1600 wide, as tall as the graph", 1600, 0, 1},
	{"3840 wide, as tall as the graph (HiDPI, 2×)", 3840, 0, 2},
	{"1920 × 1080", 1920, 1080, 1},
	{"As on screen", 0, 0, 1},
}

// ShowExportDialog asks for a size and a file, then writes the current view
// (zoom, search, selected site), as it is when the file is chosen, as PNG.
func (u *UI) ShowExportDialog() {
	if u.graph.View() == nil {
		u.showDialog(dialog.NewInformation("Export PNG", "Open a comparison first.", u.win))
		return
	}
	var names []string
	for _, s := range exportSizes {
		names = append(names, s.name)
	}
	size := widget.NewSelect(names, nil)
	size.SetSelectedIndex(0)
	form := dialog.NewForm("Export PNG", "Choose file…", "Cancel", []*widget.FormItem{widget.NewFormItem("Size", size)}, func(ok bool) {
		if !ok {
			return
		}
		preset := exportSizes[size.SelectedIndex()]
		u.askSavePath(u.exportName(".png"), ".png", func(path string) {
			u.Export(path, preset.width, preset.height, preset.scale)
		})
	}, u.win)
	form.Resize(fyne.NewSize(520, 0)) // the sizes' names whole
	u.showDialog(form)
}

// ShowHTMLDialog asks for a file, then writes the comparison on screen
// (zoom, search, selected site, colours) as one interactive HTML page.
func (u *UI) ShowHTMLDialog() {
	if u.graph.View() == nil || u.result == nil {
		u.showDialog(dialog.NewInformation("Export HTML", "Open a comparison first.", u.win))
		return
	}
	u.askSavePath(u.exportName(".html"), ".html", u.ExportHTML)
}

// prefExportFolder is the folder the last export was saved in.
const prefExportFolder = "export.folder"

// exportFolder is where an export is saved by default: the folder the last
// one went to, else the later dump's folder (not the demo's), else the home
// folder, the first that can be written (not a read-only mount, not gone);
// "" when none is known.
func (u *UI) exportFolder() string {
	var dirs []string
	if d := u.app.Preferences().String(prefExportFolder); d != "" {
		dirs = append(dirs, d)
	}
	if r := u.result; r != nil && r.Shown != nil && !u.sess.Demo {
		dirs = append(dirs, filepath.Dir(r.Shown.Later.Path))
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, home)
	}
	for _, d := range dirs {
		if writable(d) {
			return d
		}
	}
	return ""
}

// writable reports whether a file can be made in folder dir.
func writable(dir string) bool {
	f, err := os.CreateTemp(dir, ".leakscope-write-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// exportName is a file name for an export of the comparison on screen,
// made from the later dump's name: "heap-later.html".
func (u *UI) exportName(suffix string) string {
	name := "leakscope"
	if r := u.result; r != nil && r.Shown != nil {
		name = filepath.Base(r.Shown.Later.Path)
		for _, ext := range []string{".gz", ".pb", ".pprof", ".prof", ".heap", ".txt"} {
			name = strings.TrimSuffix(name, ext)
		}
	}
	return name + suffix
}

// ShowFunctions brings the function table forward.
func (u *UI) ShowFunctions() { u.selectTab("Functions") }

// selectTab brings the tab of that name forward.
func (u *UI) selectTab(name string) {
	for _, t := range u.tabs.Items {
		if t.Text == name {
			u.tabs.Select(t)
			return
		}
	}
}

// ShowCSVDialog asks for a file and writes the function table to it as CSV,
// filtered and sorted as on screen.
func (u *UI) ShowCSVDialog() {
	if u.result == nil || len(u.funcs.all) == 0 {
		u.showDialog(dialog.NewInformation("Export CSV", "Open a comparison first.", u.win))
		return
	}
	u.askSavePath("functions.csv", ".csv", u.ExportCSV)
}

// askSavePath asks where to save a file named name (ending in suffix), and
// calls save with the path chosen.
func (u *UI) askSavePath(name, suffix string, save func(path string)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		if w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		u.app.Preferences().SetString(prefExportFolder, filepath.Dir(path)) // offered first next time
		save(path)
	}, u.win)
	d.SetFileName(name)
	if dir := u.exportFolder(); dir != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
			d.SetLocation(l)
		}
	}
	d.SetFilter(suffixFilter{[]string{suffix}})
	d.Resize(fyne.NewSize(900, 600))
	u.showDialog(d)
}

// ExportCSV writes the function table, as on screen, to path.
func (u *UI) ExportCSV(path string) {
	data := u.funcs.CSV()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		u.showError(fmt.Errorf("%s: %w", path, err))
		return
	}
	u.setStatus(fmt.Sprintf("Exported %d functions to %s.", len(u.funcs.rows), path))
}
