package app

import (
	"fmt"
	"image/color"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	views "github.com/leakscope/leakscope/app/widget"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/flame"
)

func (u *UI) updateStatus() {
	v := u.graph.View()
	if v == nil {
		return
	}
	u.setStatus(strings.Join(v.Header(), " · "))
}

func (u *UI) setStatus(s string) { u.status.SetText(s) }

// setHover says what is under the pointer (or the keyboard cursor) in the
// status line's place; "" brings the status line back.
func (u *UI) setHover(s string) {
	u.hoverInfo.SetText(s)
	u.showBottom()
}

// showBottom shows one of the lines that share the bottom row: the loading
// bar while work runs, else what is under the pointer, else the status.
func (u *UI) showBottom() {
	bar := u.tb != nil && u.tb.progress && u.watch == nil
	hover := !bar && u.hoverInfo.Text != ""
	for _, o := range []struct {
		obj  fyne.CanvasObject
		show bool
	}{{u.tb.loadBar, bar}, {u.hoverInfo, hover}, {u.status, !bar && !hover}} {
		if o.show && !o.obj.Visible() {
			o.obj.Show()
		} else if !o.show && o.obj.Visible() {
			o.obj.Hide()
		}
	}
}

func (u *UI) hovered(g *views.FlameGraph, n int32) {
	v := g.View()
	if n < 0 || v == nil {
		u.setHover("")
		u.tips.TipAt("", g, fyne.Position{})
		return
	}
	text := describe(v.Tree, n, v.Tree.Nodes[n].Self)
	if run, self := g.RunLabel(); run != "" {
		// The run's first frame holds the run's total: name the run, with
		// the self of all its frames.
		if _, values, ok := strings.Cut(describe(v.Tree, n, self), " · "); ok {
			text = run + " · " + values
		}
	}
	u.setHover(text)
	// A tip at the pointer says the same, where the eye is.
	u.tips.TipAt(strings.ReplaceAll(text, " · ", "\n"), g, g.TipAt())
}

// describe says what a frame is: name, file:line, base → later, delta,
// share, and self.
func describe(t *flame.Tree, n int32, self diff.Delta) string {
	node := &t.Nodes[n]
	unit := t.SampleType.Unit
	where := ""
	if node.File != "" {
		where = " " + node.File
		if node.Line > 0 {
			where += fmt.Sprintf(":%d", node.Line)
		} else {
			where += " (calls from several lines)" // merged frames of one function
		}
	}
	total := t.Nodes[flame.Root].Total
	share := func(v, of int64) string {
		if s, ok := diff.Share(v, of); ok {
			return fmt.Sprintf("%.1f%%", s)
		}
		return "–"
	}
	if !t.HasBase() {
		return fmt.Sprintf("%s%s · %s (%s of total) · self %s", node.Name, where,
			diff.FormatValue(node.Total.Later, unit), share(node.Total.Later, total.Later), diff.FormatValue(self.Later, unit))
	}
	return fmt.Sprintf("%s%s · %s → %s (%s) · %s of later total · self %s → %s", node.Name, where,
		diff.FormatValue(node.Total.Base, unit), diff.FormatValue(node.Total.Later, unit),
		diff.FormatDelta(node.Total.Diff(), unit), share(node.Total.Later, total.Later),
		diff.FormatValue(self.Base, unit), diff.FormatValue(self.Later, unit))
}

// updateCrumbs shows the zoom path as buttons, and the way back from a site.
func (u *UI) updateCrumbs() {
	u.crumbs.RemoveAll()
	if u.sess.Site >= 0 && u.result != nil {
		u.crumbs.Add(widget.NewButtonWithIcon("Back to "+u.result.BackLabel(), theme.NavigateBackIcon(), u.BackToProfile))
	}
	if u.sess.Focus != "" || u.sess.View.About() != "" || len(u.sess.Hidden) > 0 {
		u.crumbs.Add(widget.NewButtonWithIcon("Show all frames", theme.VisibilityIcon(), u.ShowAllFrames))
	}
	if v := u.graph.View(); v != nil {
		path := v.Tree.Path(v.Zoom.Current())
		for i, n := range path {
			// A deep zoom keeps the root and the last few frames; the
			// folded row of the graph holds the ones between.
			skip := len(path) - maxCrumbs
			if i >= 1 && i <= skip {
				if i == 1 {
					u.crumbs.Add(widget.NewLabel(fmt.Sprintf("› … %d ›", skip)))
				}
				continue
			}
			if i > 0 && i != skip+1 || i > 0 && skip <= 0 {
				u.crumbs.Add(widget.NewLabel("›"))
			}
			node := n
			u.crumbs.Add(widget.NewButton(shorten(flame.ShortName(v.Tree.Nodes[n].Name)), func() { u.graph.ZoomTo(node) }))
		}
	}
	u.crumbs.Refresh()
	// The frame just zoomed into is the last crumb: keep it in view.
	if s := u.crumbScroll; s != nil {
		s.Offset.X = max(0, u.crumbs.MinSize().Width-s.Size().Width)
		s.Refresh()
	}
}

// crumbRow is the row of the goroutine pair's chip and the breadcrumb. It
// is as tall as a button with an icon, which it holds at times ("Show all
// frames"), so that the graph under it never moves when one comes or goes.
func (u *UI) crumbRow() fyne.CanvasObject {
	strut := canvas.NewRectangle(color.Transparent)
	strut.SetMinSize(fyne.NewSize(0, widget.NewButtonWithIcon("x", theme.VisibilityIcon(), nil).MinSize().Height))
	return container.NewBorder(nil, nil, container.NewStack(strut, u.tb.gorChips), nil, u.crumbScroll)
}

// maxCrumbs is how many frames of the zoom path the breadcrumb shows.
const maxCrumbs = 5

// shorten drops a function name's package path and cuts it to 48 letters.
func shorten(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 && i < len(name)-1 {
		name = name[i+1:]
	}
	return truncate(name, 48)
}

// baseName is a path's last element.
func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		p = p[i+1:]
	}
	return p
}

// pairNames names two dumps by their file names, with as many of their
// folders as it takes to tell them apart when their names are the same
// (run1/heap.pb.gz, run2/heap.pb.gz). Either may be "". The names are
// whole: the chips that show them cut them to their width.
func pairNames(a, b string) (string, string) {
	if a == "" || b == "" || filepath.Base(a) != filepath.Base(b) || a == b {
		return baseName(a), baseName(b)
	}
	pa := strings.Split(filepath.ToSlash(filepath.Clean(a)), "/")
	pb := strings.Split(filepath.ToSlash(filepath.Clean(b)), "/")
	for k := 2; k <= max(len(pa), len(pb)); k++ {
		ta, tb := tail(pa, k), tail(pb, k)
		if ta != tb {
			return ta, tb
		}
	}
	return baseName(a), baseName(b)
}

// tail joins the last k elements of a path.
func tail(p []string, k int) string { return strings.Join(p[max(len(p)-k, 0):], "/") }

// truncate cuts s to n letters, the last being "…"; it never splits a letter.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n-1]) + "…"
}

// refreshBanner shows, above the toolbar, the demo note, the session's
// notes (how the order was inferred) and the warnings of the dumps on
// screen. Each row can be dismissed.
func (u *UI) refreshBanner() {
	u.banner.RemoveAll()
	u.bannerText = nil
	if u.sess.Demo {
		u.addBannerRow(theme.InfoIcon(), widget.HighImportance, demoNote)
	}
	notes := append(slices.Clone(u.sess.Notes), u.sess.LoadNotes()...)
	if u.result != nil {
		notes = append(notes, u.result.Notes...)
	}
	if len(notes) > 0 && !u.sess.Demo {
		u.addBannerRow(theme.InfoIcon(), widget.MediumImportance, strings.Join(notes, "\n"))
	}
	if w := u.warnings(); w != "" {
		u.addBannerRow(theme.WarningIcon(), widget.WarningImportance, w)
	}
	if d := u.sess.Details(); len(d) > 0 {
		// One quiet line; what it sums up is behind "more…".
		u.addBannerRow(theme.InfoIcon(), widget.MediumImportance,
			"Details about how the dumps were read (nothing to do)\n"+strings.Join(d, "\n"))
	}
	u.banner.Hidden = len(u.banner.Objects) == 0
	u.banner.Refresh()
	u.relayout()
}

const demoNote = "This is a built-in demo: two heap profiles and two goroutine dumps of a small service that leaks. " +
	"Open your own dumps with Ctrl+O, by dropping them on this window, or by double-clicking a dump file."

// maxWarnings is how many warning lines the banner shows before "and N more".
const maxWarnings = 4

// warnings lists the warnings of the dumps on screen, one line each,
// naming the file.
func (u *UI) warnings() string {
	lines := u.sess.Warnings()
	if n := len(lines) - maxWarnings; n > 0 {
		lines = append(lines[:maxWarnings], fmt.Sprintf("… and %d more (run with LEAKSCOPE_DEBUG=1 to log them all)", n))
	}
	return strings.Join(lines, "\n")
}

// addBannerRow adds a row to the banner: one line, cut with "…" when it is
// longer, and a "more…" button that shows all of it (and "less" again),
// so that the banner takes a line per row until the user asks for more.
func (u *UI) addBannerRow(icon fyne.Resource, imp widget.Importance, text string) {
	first, _, multi := strings.Cut(text, "\n")
	msg := widget.NewLabel(first)
	msg.Truncation = fyne.TextTruncateEllipsis
	msg.Importance = imp
	var row *fyne.Container
	dismiss := views.NewTipButton(u.tips, "", theme.CancelIcon(), "Dismiss", func() {
		u.banner.Remove(row)
		delete(u.bannerText, row)
		u.banner.Hidden = len(u.banner.Objects) == 0
		u.banner.Refresh()
		u.relayout()
	})
	right := container.NewHBox(dismiss)
	more := widget.NewButton("more…", nil)
	more.Importance = widget.LowImportance
	more.OnTapped = func() {
		if msg.Wrapping == fyne.TextWrapOff {
			msg.Text, msg.Wrapping, msg.Truncation = text, fyne.TextWrapWord, fyne.TextTruncateOff
			more.SetText("less")
		} else {
			msg.Text, msg.Wrapping, msg.Truncation = first, fyne.TextWrapOff, fyne.TextTruncateEllipsis
			more.SetText("more…")
		}
		msg.Refresh()
		u.banner.Refresh()
		u.relayout()
	}
	if multi || len(first) > 120 {
		right.Objects = append([]fyne.CanvasObject{more}, right.Objects...)
	}
	// Expanded, a long text scrolls in at most 8 lines: the window never
	// grows past the screen.
	row = container.NewBorder(nil, nil, widget.NewIcon(icon), right, views.UpTo(msg, 8))
	if u.bannerText == nil {
		u.bannerText = map[*fyne.Container]string{}
	}
	u.bannerText[row] = text
	u.banner.Add(row)
}

// rowMenu shows, at the pointer, the menu of a table row: copy its full
// name, or the whole row (tab-separated, the name whole).
func (u *UI) rowMenu(at fyne.Position, name, row string) {
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", rowMenuItems(u.app, name, row)...), u.win.Canvas(), at)
}

// rowMenuItems are a table row's menu items.
func rowMenuItems(a fyne.App, name, row string) []*fyne.MenuItem {
	return []*fyne.MenuItem{
		fyne.NewMenuItem("Copy name", func() { a.Clipboard().SetContent(name) }),
		fyne.NewMenuItem("Copy row", func() { a.Clipboard().SetContent(row) }),
	}
}
