package app

import (
	"fmt"
	views "github.com/leakscope/leakscope/app/widget"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/diff"
)

// lastDirKey is the preference that remembers the folder dumps were last
// opened from.
const lastDirKey = "lastDir"

// openPicker is the Open dialog: the dumps of one folder, any number of
// which can be ticked and opened together (a base and a later heap dump and
// their goroutine dumps, say), which Fyne's file dialog cannot do.
type openPicker struct {
	u       *UI
	dir     string
	path    *widget.Entry
	list    *widget.List
	files   []string
	checked map[string]bool
	all     *widget.Check
	open    *widget.Button
	dlg     dialog.Dialog
}

// ShowOpenDialog lets the user tick several dumps of a folder; they join
// the comparison.
func (u *UI) ShowOpenDialog() {
	dir := u.app.Preferences().String(lastDirKey)
	if st, err := os.Stat(dir); dir == "" || err != nil || !st.IsDir() {
		dir, _ = os.UserHomeDir()
	}
	p := &openPicker{u: u, checked: map[string]bool{}}
	p.path = widget.NewEntry()
	p.path.OnSubmitted = func(s string) { p.cd(s) }
	p.all = widget.NewCheck("show all files", func(bool) { p.cd(p.dir) })
	p.list = widget.NewList(func() int { return len(p.files) },
		func() fyne.CanvasObject { return widget.NewCheck("", nil) },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*widget.Check)
			name := p.files[i]
			c.OnChanged = nil
			c.Text = filepath.Base(name)
			if strings.HasSuffix(name, string(filepath.Separator)) {
				c.Text = filepath.Base(strings.TrimSuffix(name, string(filepath.Separator))) + "/"
			}
			c.SetChecked(p.checked[name])
			c.OnChanged = func(on bool) { p.tick(name, on) }
			c.Refresh()
		})
	up := views.NewTipButton(u.tips, "", theme.MoveUpIcon(), "Parent folder", func() { p.cd(filepath.Dir(p.dir)) })
	p.open = widget.NewButtonWithIcon("Open", theme.FolderOpenIcon(), p.openChecked)
	p.open.Importance = widget.HighImportance
	p.open.Disable()
	other := widget.NewButton("Other dialog…", func() { p.dlg.Hide(); u.showOpen(true) })
	top := container.NewBorder(nil, nil, up, nil, p.path)
	bottom := container.NewBorder(nil, nil, p.all, container.NewHBox(other, p.open))
	content := container.NewBorder(top, bottom, nil, nil, p.list)
	p.dlg = dialog.NewCustom("Open dumps: tick one or more", "Cancel", content, u.win)
	p.dlg.Resize(fyne.NewSize(760, 560))
	p.cd(dir)
	u.picker = p
	u.showDialog(p.dlg)
}

// cd lists folder dir: its folders first (a tick on one enters it), then
// its dumps, or all its files.
func (p *openPicker) cd(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		p.path.SetValidationError(fmt.Errorf("%s: %w", dir, diff.WithoutPath(err)))
		return
	}
	p.dir = dir
	p.path.SetText(dir)
	p.files = p.files[:0]
	var files []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		full := filepath.Join(dir, name)
		if e.IsDir() {
			p.files = append(p.files, full+string(filepath.Separator))
			continue
		}
		if p.all.Checked || (suffixFilter{diff.Suffixes()}).Matches(storage.NewFileURI(full)) {
			files = append(files, full)
		}
	}
	sort.Strings(files)
	p.files = append(p.files, files...)
	p.list.Refresh()
	p.list.ScrollToTop()
}

func (p *openPicker) tick(name string, on bool) {
	if strings.HasSuffix(name, string(filepath.Separator)) {
		p.cd(strings.TrimSuffix(name, string(filepath.Separator)))
		return
	}
	p.checked[name] = on
	n := 0
	for _, c := range p.checked {
		if c {
			n++
		}
	}
	p.open.SetText(fmt.Sprintf("Open %d", n))
	if n == 0 {
		p.open.SetText("Open")
		p.open.Disable()
	} else {
		p.open.Enable()
	}
}

// openChecked opens the ticked files, in the order of their names.
func (p *openPicker) openChecked() {
	var files []string
	for f, on := range p.checked {
		if on {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		return
	}
	p.u.app.Preferences().SetString(lastDirKey, filepath.Dir(files[0]))
	p.u.top.d = nil
	p.dlg.Hide()
	p.u.Open(files)
}
