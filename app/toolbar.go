package app

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	views "github.com/leakscope/leakscope/app/widget"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/flame"
)

// toolbar is the row of controls above the graph, the search field, and
// the loading bar that takes the status line's place.
type toolbar struct {
	u          *UI
	row        fyne.CanvasObject
	baseChip   *views.TipButton
	laterChip  *views.TipButton
	gorChips   *fyne.Container // the goroutine pair's files, when both pairs are open
	sampleSel  *widget.Select
	modeSel    *widget.Select
	paletteSel *widget.Select
	colorSel   *widget.Select
	search     *widget.Entry
	searchBox  fyne.CanvasObject
	matches    *widget.Label
	minDelta   *widget.Entry
	noiseBox   *fyne.Container // sizes minDelta to its placeholder
	tagSel     *widget.Select
	growth     *widget.Check
	changed    *widget.Check
	row2       fyne.CanvasObject
	wrap       *views.Wrap // row2's layout

	loadBar  *fyne.Container
	phase    *widget.Label
	bar      *widget.ProgressBar
	progress bool // the loading bar is on screen
}

var widthModes = []struct {
	label string
	mode  flame.WidthMode
}{{"width: later", flame.WidthLater}, {"width: base", flame.WidthBase}, {"width: max", flame.WidthMax}}

func (u *UI) newToolbar() *toolbar {
	t := &toolbar{u: u}
	t.baseChip = views.NewTipButton(u.tips, "base: –", theme.DocumentIcon(), "The base dump: click for its path and time", func() { u.showFiles(session.Base) })
	t.laterChip = views.NewTipButton(u.tips, "later: –", theme.DocumentIcon(), "The later dump: click for its path and time", func() { u.showFiles(session.Later) })
	t.gorChips = container.NewHBox()
	t.sampleSel = widget.NewSelect(nil, func(s string) { u.SetSample(s) })
	t.sampleSel.PlaceHolder = "sample type"
	var modes []string
	for _, m := range widthModes {
		modes = append(modes, m.label)
	}
	t.modeSel = widget.NewSelect(modes, func(s string) {
		for _, m := range widthModes {
			if m.label == s {
				u.SetMode(m.mode)
			}
		}
	})
	t.modeSel.Selected = widthModes[0].label
	var names []string
	for _, p := range flame.Palettes {
		names = append(names, p.Name)
	}
	t.paletteSel = widget.NewSelect(names, func(s string) { u.SetPalette(flame.PaletteByName(s)) })
	t.paletteSel.Selected = flame.Diverging.Name
	var colors []string
	for _, m := range flame.ColorModes {
		colors = append(colors, m.String())
	}
	t.colorSel = widget.NewSelect(colors, func(s string) {
		for _, m := range append(flame.ColorModes, flame.Steady) {
			if m.String() == s && m != u.colors {
				u.chosenColors = true
				u.SetColors(m)
			}
		}
	})
	t.colorSel.Selected = flame.Absolute.String()
	t.search = widget.NewEntry()
	t.search.SetPlaceHolder("search (regexp)  Ctrl+F")
	t.search.OnChanged = u.setQuery
	t.matches = widget.NewLabel("")
	t.matches.Alignment = fyne.TextAlignTrailing
	// The count sits in the field, at its end, in a width that "12345
	// matches" fits: typing moves nothing.
	countWidth := fyne.MeasureText("12345 matches", theme.TextSize(), fyne.TextStyle{}).Width + 2*theme.InnerPadding()
	t.search.ActionItem = container.NewGridWrap(fyne.NewSize(countWidth, t.matches.MinSize().Height), t.matches)
	t.searchBox = container.NewGridWrap(fyne.NewSize(300, t.search.MinSize().Height), t.search)
	t.minDelta = widget.NewEntry()
	t.minDelta.SetPlaceHolder(minDeltaHint("bytes"))
	t.minDelta.OnChanged = func(string) { t.applyFilter() }
	// What cannot be read is marked in the field, and said on Enter.
	t.minDelta.Validator = func(s string) error {
		_, err := parseMinDelta(s, t.unit(), 1)
		return err
	}
	t.minDelta.OnSubmitted = func(s string) {
		if err := t.minDelta.Validator(s); err != nil {
			t.u.setStatus("Noise filter: " + err.Error())
		}
	}
	t.tagSel = widget.NewSelect(nil, func(s string) {
		if s == allLabels {
			s = ""
		}
		u.SetTag(s)
	})
	t.tagSel.PlaceHolder = "labels"
	t.tagSel.Hide()
	t.growth = widget.NewCheck("growth only", func(bool) { t.applyFilter() })
	t.changed = widget.NewCheck("hide unchanged", func(bool) { t.applyFilter() })

	t.phase = widget.NewLabel("Loading…")
	t.bar = widget.NewProgressBar()
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), u.CancelLoad)
	t.loadBar = container.NewBorder(nil, nil, t.phase, cancel, t.bar)
	t.loadBar.Hide()

	// The file chips share the row's free width and cut their names to it.
	left := container.New(views.Elastic{},
		widget.NewButtonWithIcon("Open", theme.FolderOpenIcon(), u.ShowOpenDialog),
		t.baseChip,
		views.NewTipButton(u.tips, "", theme.NewThemedResource(swapIcon), "Swap base and later (Ctrl+Shift+S)", u.Swap),
		t.laterChip,
		widget.NewSeparator(),
		t.sampleSel,
	)
	t.noiseBox = container.NewGridWrap(noiseFieldSize(t.minDelta), t.minDelta)
	// The second row wraps, in groups, where the window is too narrow for
	// it: each control stays whole and in reach.
	t.wrap = &views.Wrap{}
	t.row2 = container.New(t.wrap,
		container.NewHBox(t.searchBox,
			views.NewTipButton(u.tips, "", theme.MoveUpIcon(), "Previous match (Ctrl+Shift+G)", func() { u.NextMatch(false) }),
			views.NewTipButton(u.tips, "", theme.MoveDownIcon(), "Next match (Ctrl+G)", func() { u.NextMatch(true) })),
		container.NewHBox(t.modeSel, t.colorSel, t.paletteSel),
		container.NewHBox(t.noiseBox, t.growth, t.changed),
		t.tagSel,
	)
	right := container.NewHBox(
		views.NewTipButton(u.tips, "", theme.ZoomFitIcon(), "Reset zoom (Home); Esc goes back one step", u.ResetZoom),
		views.NewTipButton(u.tips, "PNG", theme.DocumentSaveIcon(), "Export the graph as PNG (Ctrl+E)", u.ShowExportDialog),
	)
	t.row = container.NewBorder(nil, nil, nil, right, left)
	return t
}

// chipLetters is how many letters of "base: name" a file chip shows at the
// least: the toolbar's first row then fits a 1024 px screen.
const chipLetters = 20

// pairLetters is how many letters of each name the goroutine pair's chip
// shows: enough for a watch snapshot's number and time.
const pairLetters = 30

// swapIcon is two arrows, one each way.
var swapIcon = fyne.NewStaticResource("swap.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">`+
	`<path fill="#000" d="M7 4 3 8l4 4V9h10V7H7zm10 8v3H7v2h10v3l4-4z"/></svg>`))

// refresh shows the session's files and sample types.
func (t *toolbar) refresh() {
	s := t.u.sess
	p := s.Profile
	if p.Empty() {
		p = s.Goroutines
	}
	path := func(d *diff.Dump) string {
		if d == nil {
			return ""
		}
		return d.Path
	}
	label := func(side, name string) string {
		if name == "" {
			return side + ": –"
		}
		return side + ": " + name
	}
	bn, ln := pairNames(path(p.Base), path(p.Later))
	t.baseChip.SetFitText(label("base", bn), chipLetters)
	t.laterChip.SetFitText(label("later", ln), chipLetters)
	t.gorChips.RemoveAll()
	if !s.Profile.Empty() && !s.Goroutines.Empty() {
		gb, gl := pairNames(path(s.Goroutines.Base), path(s.Goroutines.Later))
		g := views.CutMiddle(gl, pairLetters)
		if gb != "" {
			g = views.CutMiddle(gb, pairLetters) + " → " + g
		}
		t.gorChips.Add(views.NewTipButton(t.u.tips, g, theme.ListIcon(), "The goroutine pair: click for the paths", t.u.showGoroutinePair))
	}
	t.u.relayout()
	var opts []string
	if s.Profile.Later != nil {
		for _, st := range s.Profile.Later.SampleTypes {
			opts = append(opts, st.Type)
		}
	}
	t.sampleSel.Options = opts
	// A goroutine pair alone has one kind of value: no menu that opens on
	// nothing.
	if len(opts) == 0 {
		t.sampleSel.Hide()
	} else {
		t.sampleSel.Show()
	}
	if u := t.unit(); u != "" {
		t.minDelta.SetPlaceHolder(minDeltaHint(u))
		t.noiseBox.Layout = layout.NewGridWrapLayout(noiseFieldSize(t.minDelta))
		t.noiseBox.Refresh()
	}
	t.sampleSel.Selected = s.Sample
	t.sampleSel.Refresh()
	if labels := s.Labels(); len(labels) > 0 {
		t.tagSel.Options = append([]string{allLabels}, labels...)
		// A Select is as wide as its placeholder: the widest choice, so
		// that the one shown is whole, up to tagLetters letters.
		widest, most := "", float32(0)
		for _, o := range t.tagSel.Options {
			o = truncate(o, tagLetters)
			if w := fyne.MeasureText(o, theme.TextSize(), fyne.TextStyle{}).Width; w > most {
				widest, most = o, w
			}
		}
		t.tagSel.PlaceHolder = widest
		t.tagSel.Selected = s.Tag
		if s.Tag == "" {
			t.tagSel.Selected = allLabels
		}
		t.tagSel.Show()
		t.tagSel.Refresh()
	} else {
		t.tagSel.Hide()
	}
}

// startProgress shows the loading bar, empty, in the status line's place;
// during a watch, the watch's line says what is being done instead.
func (t *toolbar) startProgress() {
	if !t.progress {
		t.progress = true
		t.bar.SetValue(0)
		t.phase.SetText("Loading…")
		if t.u.watch != nil {
			t.u.showWatchInfo()
		}
		t.u.showBottom()
	}
}

// stopProgress hides the loading bar.
func (t *toolbar) stopProgress() {
	t.progress = false
	t.u.showBottom()
	if t.u.watch != nil {
		t.u.showWatchInfo()
	}
}

// phaseStops place the phases after reading on the bar, which never
// reads 100 % while work remains. The bar does not animate: on a machine
// without a GPU an animation would take the CPU the work needs.
var phaseStops = map[string]float64{
	"decompressing": 0.45, "symbolizing": 0.55, "comparing": 0.7,
	"grouping goroutines": 0.8, "building the call tree": 0.85,
}

// showProgress shows the bytes read of the bytes expected while files are
// read, then the phase of the work.
func (t *toolbar) showProgress(phase string, read, total int64) {
	if !t.progress {
		return
	}
	v := t.bar.Value
	switch {
	case (phase == "reading" || phase == "") && total > 0:
		t.phase.SetText(fmt.Sprintf("Reading %s of %s", diff.FormatValue(read, "bytes"), diff.FormatValue(total, "bytes")))
		v = 0.4 * float64(read) / float64(total)
	case phase == "" || phase == "reading" && read == 0:
		t.phase.SetText("Waiting for data…") // a pipe or FIFO with nothing written yet
	case phase == "reading":
		t.phase.SetText("Reading " + diff.FormatValue(read, "bytes") + "…")
	default:
		t.phase.SetText(strings.ToUpper(phase[:1]) + phase[1:] + "…")
		if stop, ok := phaseStops[phase]; ok {
			v = stop
		} else if strings.HasPrefix(phase, "parsing") {
			v = 0.5
		}
	}
	if v = min(max(v, t.bar.Value), 0.95); v != t.bar.Value {
		t.bar.SetValue(v)
	}
	if t.u.watch != nil {
		t.u.showWatchInfo()
	}
}

// Phase returns the text of the loading bar, or "" when it is hidden.
func (t *toolbar) Phase() string {
	if !t.progress {
		return ""
	}
	return t.phase.Text
}

// showQuery puts q, a function's mark, in the search field without
// searching again (the caller has): the mark marks the graph and leaves
// the tables whole until the field is edited.
func (t *toolbar) showQuery(q string) {
	on := t.search.OnChanged
	t.search.OnChanged = nil
	t.search.SetText(q)
	t.search.OnChanged = on
	t.u.query, t.u.marked = q, true
}

// allLabels is the label choice that keeps every stack.
const allLabels = "all labels"

// tagLetters is how many letters of a label the label menu makes room for.
const tagLetters = 32

// setMatches shows how many frames the search matches.
func (t *toolbar) setMatches(m *flame.Match) {
	switch {
	case m == nil:
		t.matches.SetText("")
	case m.Count == 1:
		t.matches.SetText("1 match")
	default:
		t.matches.SetText(fmt.Sprintf("%d matches", m.Count))
	}
}

// unit is the unit of the values on screen ("" before any).
func (t *toolbar) unit() string {
	if r := t.u.result; r != nil && r.Shown != nil {
		return r.Shown.SampleType.Unit
	}
	return ""
}

// applyFilter reads the noise controls into the window's filter.
func (t *toolbar) applyFilter() {
	f := flame.Filter{GrowthOnly: t.growth.Checked, HideUnchanged: t.changed.Checked}
	var total int64
	if v := t.u.graph.View(); v != nil {
		root := v.Tree.Nodes[flame.Root].Total
		total = max(root.Base, root.Later)
	}
	min, err := parseMinDelta(t.minDelta.Text, t.unit(), total)
	if err != nil {
		return // the field's validator marks it
	}
	f.MinDelta = min
	t.u.SetFilter(f)
}

// parseMinDelta reads a minimum change in unit as the window shows values
// (diff.ParseAtLeast: "1.34MB" keeps every change the window shows as
// 1.34MB), or a percentage of total. "" is no minimum; a sign is ignored.
func parseMinDelta(s, unit string, total int64) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err == nil && (f > 100 || strings.ContainsAny(p, "+-")) {
			return 0, fmt.Errorf("%q is a Δ%% (change from the base); the field takes a size (%s) or a share of the total (1%%)", s, diff.Example(unit))
		}
		if err != nil || f < 0 || math.IsNaN(f) {
			return 0, fmt.Errorf("%q is not a percentage from 0 to 100", s)
		}
		return int64(math.Ceil(f / 100 * float64(total))), nil
	}
	v, err := diff.ParseAtLeast(s, unit)
	if err != nil {
		return 0, fmt.Errorf("%q is not a change such as %s or 1%%", s, diff.Example(unit))
	}
	return v, nil
}

// noiseFieldSize is the noise field's size: its placeholder whole, with
// room for the mark that says whether it reads what is typed.
func noiseFieldSize(e *widget.Entry) fyne.Size {
	w := fyne.MeasureText(e.PlaceHolder, theme.TextSize(), fyne.TextStyle{}).Width
	return fyne.NewSize(max(176, w+4*theme.InnerPadding()+theme.IconInlineSize()), e.MinSize().Height)
}

// minDeltaHint is the noise field's placeholder for values in unit.
func minDeltaHint(unit string) string { return "min |Δ|: " + diff.Example(unit) + ", 1%" }

// CancelLoad stops loading and comparing; the comparison on screen stays.
func (u *UI) CancelLoad() {
	u.worker.Cancel(session.LaneLoad)
	u.worker.Cancel(session.LaneView)
	if u.restore != nil {
		u.sess, u.restore = u.restore, nil
	}
	u.pending = nil
	u.tb.stopProgress()
	u.setStatus("Loading cancelled.")
}

// setColorModes offers colouring by steadiness while a series is open.
func (t *toolbar) setColorModes(series bool) {
	var names []string
	for _, m := range flame.ColorModes {
		names = append(names, m.String())
	}
	if series {
		names = append(names, flame.Steady.String())
	}
	if len(names) != len(t.colorSel.Options) {
		t.colorSel.SetOptions(names)
	}
}
