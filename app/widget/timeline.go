package widget

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/series"
)

// Timeline draws a series: the total of the sample type at each snapshot
// and, when goroutine dumps are loaded, the goroutine count, each on its
// own scale. The picked base and later snapshots are marked; a click moves
// the nearer mark to the snapshot under the pointer, a drag picks both ends.
type Timeline struct {
	widget.BaseWidget

	// OnPick is called with the snapshots the user picked, base < later.
	OnPick func(base, later int)

	main        *series.Series
	totals      []int64
	unit, what  string
	gors        []int64
	base, later int
	hover       int // snapshot under the pointer, or -1
	dragFrom    int // snapshot a drag started on, or -1
	dragTo      int
}

// timelineHeight is the timeline's height.
const timelineHeight = 92

// NewTimeline returns an empty timeline.
func NewTimeline() *Timeline {
	t := &Timeline{hover: -1, dragFrom: -1}
	t.ExtendBaseWidget(t)
	return t
}

// Set shows totals (in unit, of the sample type what) and goroutine counts
// gors (nil for none) of s, with snapshots base and later picked. The
// snapshot hovered before is no longer shown: the pointer may have left.
func (t *Timeline) Set(s *series.Series, totals []int64, unit, what string, gors []int64, base, later int) {
	t.main, t.totals, t.unit, t.what, t.gors, t.base, t.later = s, totals, unit, what, gors, base, later
	t.hover = -1
	t.Refresh()
}

// Picked returns the picked snapshots.
func (t *Timeline) Picked() (base, later int) { return t.base, t.later }

// MinSize implements fyne.Widget.
func (t *Timeline) MinSize() fyne.Size { return fyne.NewSize(200, timelineHeight) }

// plot is the area the lines are drawn in.
func (t *Timeline) plot() (x0, y0, w, h float32) {
	s := t.Size()
	return 124, 18, max(s.Width-124-40, 10), max(s.Height-18-18, 10)
}

// xOf returns the x of snapshot i.
func (t *Timeline) xOf(i int) float32 {
	x0, _, w, _ := t.plot()
	n := len(t.totals)
	if n < 2 {
		return x0 + w/2
	}
	return x0 + w*float32(i)/float32(n-1)
}

// indexAt returns the snapshot nearest to x.
func (t *Timeline) indexAt(x float32) int {
	n := len(t.totals)
	if n == 0 {
		return -1
	}
	x0, _, w, _ := t.plot()
	if n == 1 {
		return 0
	}
	i := int(math.Round(float64((x - x0) / w * float32(n-1))))
	return min(max(i, 0), n-1)
}

// Tapped moves the nearer mark to the snapshot tapped.
func (t *Timeline) Tapped(e *fyne.PointEvent) {
	i := t.indexAt(e.Position.X)
	if i < 0 {
		return
	}
	b, l := t.base, t.later
	switch {
	case i < b:
		b = i
	case i > l:
		l = i
	case i == b || i == l:
		return
	case i-b <= l-i:
		b = i
	default:
		l = i
	}
	t.pick(b, l)
}

// TappedSecondary makes the snapshot tapped the base.
func (t *Timeline) TappedSecondary(e *fyne.PointEvent) {
	if i := t.indexAt(e.Position.X); i >= 0 && i < t.later {
		t.pick(i, t.later)
	}
}

// Dragged picks the range dragged over.
func (t *Timeline) Dragged(e *fyne.DragEvent) {
	i := t.indexAt(e.Position.X)
	if t.dragFrom < 0 {
		t.dragFrom = t.indexAt(e.Position.X - e.Dragged.DX)
	}
	t.dragTo, t.hover = i, i // the readout follows the drag
	t.Refresh()
}

// DragEnd picks the range dragged over. The pointer may end anywhere: the
// readout waits for it to move over the timeline again.
func (t *Timeline) DragEnd() {
	a, b := t.dragFrom, t.dragTo
	t.dragFrom, t.hover = -1, -1
	t.Refresh()
	if a >= 0 && b >= 0 && a != b {
		t.pick(min(a, b), max(a, b))
	}
}

func (t *Timeline) pick(b, l int) {
	if b == t.base && l == t.later {
		return
	}
	t.base, t.later = b, l
	t.Refresh()
	if t.OnPick != nil {
		t.OnPick(b, l)
	}
}

// MouseIn implements desktop.Hoverable.
func (t *Timeline) MouseIn(e *desktop.MouseEvent) { t.MouseMoved(e) }

// MouseMoved shows the snapshot under the pointer.
func (t *Timeline) MouseMoved(e *desktop.MouseEvent) {
	if i := t.indexAt(e.Position.X); i != t.hover {
		t.hover = i
		t.Refresh()
	}
}

// MouseOut hides it.
func (t *Timeline) MouseOut() {
	t.hover = -1
	t.Refresh()
}

var (
	_ fyne.Tappable          = (*Timeline)(nil)
	_ fyne.SecondaryTappable = (*Timeline)(nil)
	_ fyne.Draggable         = (*Timeline)(nil)
	_ desktop.Hoverable      = (*Timeline)(nil)
)

// CreateRenderer implements fyne.Widget.
func (t *Timeline) CreateRenderer() fyne.WidgetRenderer {
	r := &timelineRenderer{t: t, bg: canvas.NewRectangle(color.RGBA{0xf6, 0xf6, 0xf4, 0xff}),
		span: canvas.NewRectangle(color.RGBA{0xff, 0xe2, 0xd6, 0xff})}
	for _, txt := range []**canvas.Text{&r.top, &r.bottom, &r.gTop, &r.first, &r.last, &r.info} {
		*txt = canvas.NewText("", totalInk) // on the timeline's own light ground, whatever the theme
		(*txt).TextSize = theme.CaptionTextSize()
	}
	r.gTop.Color = goroutineInk
	r.gTop.Alignment = fyne.TextAlignTrailing
	for _, m := range []**canvas.Line{&r.baseMark, &r.laterMark} {
		*m = canvas.NewLine(color.Black)
		(*m).StrokeWidth = 2
	}
	r.baseMark.StrokeColor, r.laterMark.StrokeColor = baseInk, laterInk
	r.baseLabel = canvas.NewText("base", baseInk)
	r.laterLabel = canvas.NewText("later", laterInk)
	for _, l := range []*canvas.Text{r.baseLabel, r.laterLabel} {
		l.TextSize, l.TextStyle = theme.CaptionTextSize(), fyne.TextStyle{Bold: true}
	}
	return r
}

var (
	totalInk     = color.RGBA{0x30, 0x30, 0x30, 0xff}
	goroutineInk = color.RGBA{0x2a, 0x6f, 0xb0, 0xff}
	baseInk      = color.RGBA{0x3b, 0x6e, 0xc4, 0xff}
	laterInk     = color.RGBA{0xc8, 0x3c, 0x28, 0xff}
)

type timelineRenderer struct {
	t                              *Timeline
	bg, span                       *canvas.Rectangle
	top, bottom, gTop, first, last *canvas.Text
	info                           *canvas.Text
	baseMark, laterMark            *canvas.Line
	baseLabel, laterLabel          *canvas.Text
	lines, gLines                  []*canvas.Line
	dots                           []*canvas.Circle
	objects                        []fyne.CanvasObject
}

func (r *timelineRenderer) Destroy()                     {}
func (r *timelineRenderer) MinSize() fyne.Size           { return r.t.MinSize() }
func (r *timelineRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *timelineRenderer) Layout(fyne.Size)             { r.Refresh() }

// polyline places lines through the points of vs, scaled to the plot.
func (r *timelineRenderer) polyline(lines []*canvas.Line, vs []int64, ink color.Color, width float32) []*canvas.Line {
	t := r.t
	_, y0, _, h := t.plot()
	for len(lines) < max(len(vs)-1, 0) {
		l := canvas.NewLine(ink)
		l.StrokeWidth = width
		lines = append(lines, l)
	}
	lines = lines[:max(len(vs)-1, 0)]
	top := maxValue(vs)
	y := func(v int64) float32 {
		if top <= 0 {
			return y0 + h
		}
		return y0 + h - h*float32(float64(v)/float64(top))
	}
	for i, l := range lines {
		l.StrokeColor = ink
		l.Position1 = fyne.NewPos(t.xOf(i), y(vs[i]))
		l.Position2 = fyne.NewPos(t.xOf(i+1), y(vs[i+1]))
	}
	return lines
}

func maxValue(vs []int64) int64 {
	var m int64
	for _, v := range vs {
		m = max(m, v)
	}
	return m
}

func (r *timelineRenderer) Refresh() {
	t := r.t
	size := t.Size()
	r.bg.Resize(size)
	x0, y0, w, h := t.plot()
	r.objects = []fyne.CanvasObject{r.bg}
	n := len(t.totals)
	if n == 0 {
		canvas.Refresh(t)
		return
	}
	b, l := t.base, t.later
	if t.dragFrom >= 0 {
		b, l = min(t.dragFrom, t.dragTo), max(t.dragFrom, t.dragTo)
	}
	r.span.Move(fyne.NewPos(t.xOf(b), y0))
	r.span.Resize(fyne.NewSize(t.xOf(l)-t.xOf(b), h))
	r.objects = append(r.objects, r.span)

	r.lines = r.polyline(r.lines, t.totals, totalInk, 2)
	for _, ln := range r.lines {
		r.objects = append(r.objects, ln)
	}
	if t.gors != nil {
		r.gLines = r.polyline(r.gLines, t.gors, goroutineInk, 1.5)
		for _, ln := range r.gLines {
			r.objects = append(r.objects, ln)
		}
	}
	for len(r.dots) < n {
		c := canvas.NewCircle(totalInk)
		r.dots = append(r.dots, c)
	}
	top := maxValue(t.totals)
	for i, v := range t.totals {
		y := y0 + h
		if top > 0 {
			y -= h * float32(float64(v)/float64(top))
		}
		d := float32(6)
		if i == t.hover {
			d = 10
		}
		c := r.dots[i]
		c.FillColor = totalInk
		if i == b {
			c.FillColor = baseInk
		} else if i == l {
			c.FillColor = laterInk
		}
		c.Move(fyne.NewPos(t.xOf(i)-d/2, y-d/2))
		c.Resize(fyne.NewSize(d, d))
		r.objects = append(r.objects, c)
	}
	for _, m := range []struct {
		line  *canvas.Line
		label *canvas.Text
		i     int
	}{{r.baseMark, r.baseLabel, b}, {r.laterMark, r.laterLabel, l}} {
		x := t.xOf(m.i)
		m.line.Position1, m.line.Position2 = fyne.NewPos(x, y0-2), fyne.NewPos(x, y0+h+2)
		ls := m.label.MinSize()
		m.label.Move(fyne.NewPos(min(max(x-ls.Width/2, 0), size.Width-ls.Width), y0+h+1))
		r.objects = append(r.objects, m.line, m.label)
	}

	// The scales, at the left: the top of each line.
	r.top.Text = "max " + diff.FormatValue(top, t.unit)
	r.top.Move(fyne.NewPos(4, y0-4))
	r.bottom.Text = t.what
	r.bottom.Move(fyne.NewPos(4, y0+10))
	r.objects = append(r.objects, r.top, r.bottom)
	if t.gors != nil {
		r.gTop.Text = fmt.Sprintf("max %d goroutines", maxValue(t.gors))
		r.gTop.Alignment = fyne.TextAlignLeading
		r.gTop.Move(fyne.NewPos(4, y0+30))
		r.objects = append(r.objects, r.gTop)
	}
	r.first.Text, r.last.Text = t.snapshotLabel(0), t.snapshotLabel(n-1)
	r.first.Move(fyne.NewPos(x0-20, 1))
	ls := r.last.MinSize()
	r.last.Move(fyne.NewPos(x0+w+20-ls.Width, 1))
	// In a narrow pane the last time would print over the first: it goes,
	// and the first too when even it does not fit.
	r.last.Hidden = x0-20+r.first.MinSize().Width+8 > x0+w+20-ls.Width
	r.first.Hidden = x0-20+r.first.MinSize().Width > size.Width
	r.objects = append(r.objects, r.first, r.last)
	// The note between the first and the last time: the longest that fits.
	notes := []string{fmt.Sprintf("%d snapshots — click to move the nearer mark, drag to pick both", n),
		fmt.Sprintf("%d snapshots — click: nearer mark; drag: both", n), fmt.Sprintf("%d snapshots", n)}
	if i := t.hover; i >= 0 && i < n {
		info := fmt.Sprintf("#%d %s: %s", i+1, filepath.Base(t.main.Snapshots[i].Path), diff.FormatValue(t.totals[i], t.unit))
		if t.gors != nil && i < len(t.gors) {
			info += fmt.Sprintf(", %d goroutines", t.gors[i])
		}
		notes = []string{info, fmt.Sprintf("#%d: %s", i+1, diff.FormatValue(t.totals[i], t.unit))}
	}
	gap := float32(12)
	left, right := x0-20+r.first.MinSize().Width+gap, x0+w+20-ls.Width-gap
	for _, note := range notes {
		r.info.Text = note
		if r.info.MinSize().Width <= right-left {
			break
		}
	}
	is := r.info.MinSize()
	r.info.Hidden = is.Width > right-left // not even the shortest fits
	r.info.Move(fyne.NewPos(max(left, min(x0+(w-is.Width)/2, right-is.Width)), 1))
	r.objects = append(r.objects, r.info)
	canvas.Refresh(t)
}

// snapshotLabel names snapshot i: its time when known, else its number.
func (t *Timeline) snapshotLabel(i int) string {
	if t.main == nil || i >= t.main.Len() {
		return ""
	}
	if at := t.main.Snapshots[i].Time; !at.IsZero() {
		first, last := t.main.Snapshots[0].Time, t.main.Snapshots[t.main.Len()-1].Time
		switch span := last.Sub(first); {
		case span < time.Minute:
			return at.Local().Format("15:04:05.000")
		case span > 24*time.Hour:
			return at.Local().Format("Jan 2 15:04")
		}
		return at.Local().Format("15:04:05")
	}
	return fmt.Sprintf("#%d", i+1)
}
