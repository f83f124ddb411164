package app

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff/debuginfod"
)

// The settings that say where symbols come from, kept between runs.
const (
	prefDebugDirs  = "symbols.debugDirs"
	prefServers    = "symbols.debuginfod"
	prefServersSet = "symbols.debuginfodSet" // the servers were chosen in the window, even as none
)

// StartupSymbols returns how a window reads its dumps: where jemalloc
// dumps are symbolized from (o's binaries; o's debug folders, else those
// of the settings; o's debuginfod servers, else those of the settings,
// else DEBUGINFOD_URLS), and heap pairs thinned to the sample type shown.
// main calls it to start reading the files before the window is built.
func StartupSymbols(a fyne.App, o Options) *session.Symbols {
	p := a.Preferences()
	y := &session.Symbols{Binaries: slices.Clone(o.Binaries), DebugDirs: slices.Clone(o.DebugDirs), Servers: slices.Clone(o.Servers),
		Thin: true}
	if len(y.DebugDirs) == 0 {
		y.DebugDirs = p.StringList(prefDebugDirs)
	}
	if len(y.Servers) == 0 {
		if p.Bool(prefServersSet) {
			y.Servers = p.StringList(prefServers)
		} else {
			y.Servers = debuginfod.Servers()
		}
	}
	return y
}

// UseSymbolSources sets the debug folders and debuginfod servers, keeps
// them in the settings, and reads the jemalloc dumps on screen again with them.
func (u *UI) UseSymbolSources(dirs, servers []string) {
	p := u.app.Preferences()
	p.SetStringList(prefDebugDirs, dirs)
	p.SetStringList(prefServers, servers)
	p.SetBool(prefServersSet, true)
	u.reread(u.sess.SetSymbolSources(dirs, servers))
}

// lines splits a text field into its non-empty lines, trimmed.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// checkSymbolSources says what is wrong with the folders and servers typed,
// or "" when nothing is.
func checkSymbolSources(dirs, servers []string) string {
	for _, d := range dirs {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return fmt.Sprintf("%s is not a folder.", d)
		}
	}
	for _, s := range servers {
		if p, err := url.Parse(s); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return fmt.Sprintf("%s is not an http:// or https:// address.", s)
		}
	}
	return ""
}

// ShowSymbolsDialog shows the symbol sources of stripped programs: folders
// of debug files and debuginfod servers, one per line, each editable as
// text, with a folder chooser beside.
func (u *UI) ShowSymbolsDialog() {
	dirs := widget.NewMultiLineEntry()
	dirs.SetText(strings.Join(u.sess.DebugDirs, "\n"))
	dirs.SetPlaceHolder("/srv/debug\n(one folder per line; files by build ID, .build-id/xx/yyyy.debug, or by name)")
	dirs.SetMinRowsVisible(3)
	servers := widget.NewMultiLineEntry()
	servers.SetText(strings.Join(u.sess.Servers, "\n"))
	servers.SetPlaceHolder("https://debuginfod.example.com\n(one address per line; none: nothing is fetched)")
	servers.SetMinRowsVisible(3)
	problem := widget.NewLabel("")
	problem.Wrapping = fyne.TextWrapWord
	problem.Importance = widget.DangerImportance
	addDir := widget.NewButton("Add folder…", func() {
		fd := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
			if err != nil || l == nil {
				return
			}
			text := strings.TrimRight(dirs.Text, "\n")
			if text != "" {
				text += "\n"
			}
			dirs.SetText(text + l.Path())
		}, u.win)
		fd.Resize(fyne.NewSize(900, 600))
		u.showDialog(fd)
	})
	help := widget.NewLabel("Stripped programs and libraries are named from their debug files, found by build ID: " +
		"in the folders below, in /usr/lib/debug, in the debuginfod cache, then on the debuginfod servers below. " +
		"Nothing is fetched unless a server is set.")
	help.Wrapping = fyne.TextWrapWord
	form := container.NewVBox(help,
		widget.NewLabel("Debug folders"), container.NewBorder(nil, nil, nil, addDir, dirs),
		widget.NewLabel("debuginfod servers"), servers, problem)
	var dlg *dialog.CustomDialog
	apply := widget.NewButton("Use and read again", func() {
		d, s := lines(dirs.Text), lines(servers.Text)
		if why := checkSymbolSources(d, s); why != "" {
			problem.SetText(why)
			return
		}
		dlg.Hide()
		u.UseSymbolSources(d, s)
	})
	apply.Importance = widget.HighImportance
	dlg = dialog.NewCustomWithoutButtons("Symbol Sources", form, u.win)
	dlg.SetButtons([]fyne.CanvasObject{widget.NewButton("Cancel", func() { dlg.Hide() }), apply})
	dlg.Resize(fyne.NewSize(640, 480))
	u.showDialog(dlg)
}

// askForSymbols offers, once per object, the symbol sources when a
// stripped object's debug file was found nowhere.
func (u *UI) askForSymbols() {
	var stripped []string
	for _, m := range u.sess.StrippedObjects() {
		if !u.asked["stripped:"+m] {
			stripped = append(stripped, m)
			u.asked["stripped:"+m] = true
		}
	}
	if len(stripped) == 0 {
		return
	}
	msg := widget.NewLabel(fmt.Sprintf("%s is stripped, and its debug file was not found, so its frames show as raw addresses. "+
		"A folder of debug files or a debuginfod server can name them.", strings.Join(stripped, ", ")))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Symbols not found", "Symbol sources…", "Keep addresses", msg, func(ok bool) {
		if ok {
			u.ShowSymbolsDialog()
		}
	}, u.win)
	d.Resize(fyne.NewSize(560, 220))
	u.showDialog(d)
}
