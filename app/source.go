package app

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/app/session"
	views "github.com/leakscope/leakscope/app/widget"
	"github.com/leakscope/leakscope/assets"
	"github.com/leakscope/leakscope/diff"
)

// sourceDirsKey is the preference that lists the folders searched for
// source files, besides the paths in the dumps, GOROOT and the module cache.
const sourceDirsKey = "sourceDirs"

// maxSourceBytes is the largest source file shown.
const maxSourceBytes = 4 << 20

// srcLine is one line of the source view.
type srcLine struct {
	n         int
	text      string
	flat, cum diff.Delta
	hasValue  bool
	hasBase   bool
	unit      string
}

// sourcePanel shows a function's source file with each line's change in
// the gutter, or says where it looked when the file is not found.
type sourcePanel struct {
	u     *UI
	title *widget.Label
	table *widget.Table // the gutter, and the text
	lines []srcLine
	box   fyne.CanvasObject
	path  string // the file shown, "" for none
	chose int    // the line chosen in the Lines table, marked ">"; 0 for none
}

// sourceHint is the source panel's title while no function is chosen.
const sourceHint = "Select a function to see its lines and source."

// clear empties the panel: no function is chosen.
func (p *sourcePanel) clear() {
	p.lines, p.path = nil, ""
	p.title.SetText(sourceHint)
	p.refresh()
}

func newSourcePanel(u *UI) *sourcePanel {
	p := &sourcePanel{u: u, title: widget.NewLabel(sourceHint)}
	p.title.Wrapping = fyne.TextWrapWord
	// Two columns: the gutter (each line's change, and its number), which
	// stays put, and the text, as wide as the widest line, which scrolls
	// sideways under it.
	p.table = widget.NewTable(func() (int, int) { return len(p.lines), 2 },
		func() fyne.CanvasObject {
			// Plain text, one line high: a source file reads densely.
			t := canvas.NewText("", theme.Color(theme.ColorNameForeground))
			t.TextStyle = fyne.TextStyle{Monospace: true}
			return t
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			t := o.(*canvas.Text)
			if id.Row >= len(p.lines) {
				t.Text = ""
				t.Refresh()
				return
			}
			s := &p.lines[id.Row]
			t.Color = theme.Color(theme.ColorNameForeground)
			if s.hasValue && s.cum.Diff() > 0 {
				t.Color = theme.Color(theme.ColorNameError)
			} else if s.hasValue && s.cum.Diff() < 0 {
				t.Color = theme.Color(theme.ColorNamePrimary)
			}
			if id.Col == 1 {
				t.Text = s.text
				t.Refresh()
				return
			}
			gutter := strings.Repeat(" ", 21)
			if s.hasValue {
				if s.hasBase {
					gutter = fmt.Sprintf("%10s %10s", diff.FormatDelta(s.flat.Diff(), s.unit), diff.FormatDelta(s.cum.Diff(), s.unit))
				} else {
					gutter = fmt.Sprintf("%10s %10s", diff.FormatValue(s.flat.Later, s.unit), diff.FormatValue(s.cum.Later, s.unit))
				}
			}
			num := strconv.Itoa(s.n)
			if s.n == p.chose {
				num = ">" + num // the line chosen in the Lines table
			}
			t.Text = fmt.Sprintf("%s %5s", gutter, num)
			t.Refresh()
		})
	p.table.StickyColumnCount = 1
	p.table.OnSelected = func(widget.TableCellID) { p.table.UnselectAll() }
	p.setWidths()
	add := views.NewTipButton(u.tips, "", theme.FolderNewIcon(), "Add source folder…: where to look for source files", p.addFolder)
	p.box = container.NewBorder(container.NewBorder(nil, nil, nil, add, views.Capped(p.title, 2)), nil, nil, nil, p.table)
	return p
}

// setWidths sizes the gutter to its 27 characters and the text column to
// the widest line shown.
func (p *sourcePanel) setWidths() {
	ch := fyne.MeasureText("0", theme.TextSize(), fyne.TextStyle{Monospace: true}).Width
	pad := 2 * theme.Padding()
	p.table.SetColumnWidth(0, 27*ch+pad)
	widest := 40
	for i := range p.lines {
		widest = max(widest, utf8.RuneCountInString(p.lines[i].text))
	}
	p.table.SetColumnWidth(1, float32(widest)*ch+pad)
}

// refresh shows the lines held.
func (p *sourcePanel) refresh() {
	p.setWidths()
	p.table.Refresh()
}

// show shows the source of function fn, whose rows in the lines table are
// lines ("fn file:line"), scrolled to line focus (0: to the line that
// changed most).
func (p *sourcePanel) show(fn string, lines []diff.Function, unit string, hasBase bool, focus int64) {
	p.lines, p.path = nil, ""
	byLine := map[int]diff.Function{}
	file, best := "", int64(-1)
	for _, l := range lines {
		f, n := l.Frame.File, int(l.Frame.Line)
		if f == "" || n == 0 {
			continue
		}
		if w := abs64(l.Cum.Diff()) + abs64(l.Cum.Later); w > best {
			file, best = f, w
		}
		if f == file {
			byLine[n] = l
		}
	}
	for _, l := range lines { // the lines of the chosen file only
		if l.Frame.File == file && l.Frame.Line != 0 {
			byLine[int(l.Frame.Line)] = l
		}
	}
	if len(lines) == 0 {
		// Not in this comparison: a label or sample type left it out.
		p.title.SetText(fmt.Sprintf("%s: no stack of this comparison reaches it.", fn))
		p.refresh()
		return
	}
	if file == "" {
		p.title.SetText(fmt.Sprintf("%s: the dumps record no source file for it.", fn))
		p.refresh()
		return
	}
	p.title.SetText(fmt.Sprintf("%s: looking for %s…", fn, file))
	p.refresh()
	folders := p.u.app.Preferences().StringList(sourceDirsKey)
	// Finding and reading the file runs in the background: it may ask the
	// go command for GOROOT, or read a large file.
	demo := p.u.sess.Demo && file == assets.DemoSourcePath
	p.u.worker.Submit(session.Job{Lane: session.LaneSource, Run: func(ctx context.Context) func() {
		if demo { // the demo's source as its dumps knew it, on any machine
			lines, err := scanSource(ctx, bytes.NewReader(assets.DemoSource()), byLine, unit, hasBase)
			return func() { p.shown(fn, "demo/leakyd/main.go", nil, lines, err, hasBase, focus) }
		}
		found, tried := session.FindSource(ctx, file, folders)
		lines, err := readSource(ctx, found, byLine, unit, hasBase)
		if ctx.Err() != nil {
			return nil
		}
		return func() { p.shown(fn, found, tried, lines, err, hasBase, focus) }
	}})
}

// readSource reads file into lines, with the values of byLine.
func readSource(ctx context.Context, file string, byLine map[int]diff.Function, unit string, hasBase bool) ([]srcLine, error) {
	if file == "" {
		return nil, nil
	}
	// Non-blocking, then checked: a FIFO put where the file was found must
	// not be waited on.
	f, err := os.OpenFile(file, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", file)
	}
	if st.Size() > maxSourceBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxSourceBytes)
	}
	// Read no further than the size allowed, should the file grow meanwhile.
	return scanSource(ctx, io.LimitReader(f, maxSourceBytes), byLine, unit, hasBase)
}

// scanSource reads r's lines, with the values of byLine.
func scanSource(ctx context.Context, r io.Reader, byLine map[int]diff.Function, unit string, hasBase bool) ([]srcLine, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var lines []srcLine
	for n := 1; sc.Scan(); n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s := srcLine{n: n, text: strings.ReplaceAll(sc.Text(), "\t", "    "), unit: unit, hasBase: hasBase}
		if l, ok := byLine[n]; ok {
			s.flat, s.cum, s.hasValue = l.Flat, l.Cum, true
		}
		lines = append(lines, s)
	}
	return lines, sc.Err()
}

// shown puts a source file read in the background on screen, scrolled to
// line focus, or to the line that changed most.
func (p *sourcePanel) shown(fn, found string, tried []string, lines []srcLine, err error, hasBase bool, focus int64) {
	switch {
	case found == "":
		p.title.SetText(fmt.Sprintf("%s: source not found; looked in %s. Add the folder that holds it.", fn, strings.Join(tried, ", ")))
		p.lines = nil
	case err != nil:
		p.title.SetText(fmt.Sprintf("%s: %v", found, err))
		p.lines = nil
	default:
		head := "Δ flat, Δ cum"
		if !hasBase {
			head = "flat, cum"
		}
		p.title.SetText(fmt.Sprintf("%s in %s (gutter: %s)", fn, tailPath(found, 2), head))
		p.lines, p.path = lines, found
	}
	p.chose = int(focus)
	p.refresh()
	if i := focusRow(p.lines, focus, hasBase); i >= 0 {
		// From below, ScrollTo puts the line near the top. The first
		// scroll after the rows changed is measured against the old rows
		// and leaves the cells drawn out of view: scroll twice.
		for range 2 {
			p.table.ScrollToBottom()
			p.table.ScrollTo(widget.TableCellID{Row: max(i-2, 0)})
		}
	}
}

// focusRow returns the row of line focus, or, for 0 (or a line past the
// file's end), of the line whose cum changed most (whose cum is largest,
// without a base), the first of equals; -1 when no line has a value.
func focusRow(lines []srcLine, focus int64, hasBase bool) int {
	if focus > 0 && focus <= int64(len(lines)) {
		return int(focus - 1)
	}
	best, weight := -1, int64(-1)
	for i := range lines {
		l := &lines[i]
		if !l.hasValue {
			continue
		}
		w := abs64(l.cum.Later)
		if hasBase {
			w = abs64(l.cum.Diff())
		}
		if w > weight {
			best, weight = i, w
		}
	}
	return best
}

// addFolder asks for a folder to look for source files in: typed or
// pasted as a path, or chosen with the folder chooser.
func (p *sourcePanel) addFolder() {
	path := widget.NewEntry()
	path.SetPlaceHolder("/home/me/src/service")
	path.Validator = func(s string) error {
		if st, err := os.Stat(strings.TrimSpace(s)); err != nil || !st.IsDir() {
			return fmt.Errorf("not a folder")
		}
		return nil
	}
	browse := widget.NewButton("Choose…", func() {
		d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
			if err == nil && dir != nil {
				path.SetText(dir.Path())
			}
		}, p.u.win)
		d.Resize(fyne.NewSize(900, 600))
		p.u.showDialog(d)
	})
	items := []*widget.FormItem{widget.NewFormItem("Folder", container.NewBorder(nil, nil, nil, browse, path))}
	d := dialog.NewForm("Add source folder", "Add", "Cancel", items, func(ok bool) {
		if ok {
			p.AddFolder(strings.TrimSpace(path.Text))
		}
	}, p.u.win)
	submitOnEnter(d, path)
	d.Resize(fyne.NewSize(640, 0))
	p.u.showDialog(d)
	p.u.win.Canvas().Focus(path)
}

// AddFolder adds dir to the folders source files are looked for in, kept
// between runs, and looks again.
func (p *sourcePanel) AddFolder(dir string) {
	prefs := p.u.app.Preferences()
	if dirs := prefs.StringList(sourceDirsKey); !slices.Contains(dirs, dir) {
		prefs.SetStringList(sourceDirsKey, append(dirs, dir))
	}
	p.u.showLinesOf(p.u.lines.only)
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// tailPath returns the last n elements of path, after "…/" when there are
// more: the file and its folder say which file it is; the whole path is in
// the Lines table's Where column.
func tailPath(path string, n int) string {
	parts := strings.Split(filepath.ToSlash(path), "/")
	if len(parts) <= n {
		return path
	}
	return "…/" + strings.Join(parts[len(parts)-n:], "/")
}
