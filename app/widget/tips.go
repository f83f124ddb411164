package widget

import (
	"image/color"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// TipLayer draws one tooltip above the window's content. It sits on top of
// the content in a stack but takes no events, so the pointer still reaches
// what is below it.
type TipLayer struct {
	widget.BaseWidget
	text string
	at   fyne.Position // top left of the tip, in the layer's coordinates
}

var _ fyne.Widget = (*TipLayer)(nil)

// NewTipLayer returns a layer that shows no tip yet.
func NewTipLayer() *TipLayer {
	t := &TipLayer{}
	t.ExtendBaseWidget(t)
	return t
}

// Tip puts text below the object o, or hides the tip for "".
func (t *TipLayer) Tip(text string, o fyne.CanvasObject) {
	t.text = text
	if text != "" {
		d := fyne.CurrentApp().Driver()
		p := d.AbsolutePositionForObject(o).Subtract(d.AbsolutePositionForObject(t))
		t.at = p.AddXY(0, o.Size().Height+2)
	}
	t.Refresh()
}

// TipAt puts text at pos, a position in object o (such as the pointer's),
// or hides the tip for "".
func (t *TipLayer) TipAt(text string, o fyne.CanvasObject, pos fyne.Position) {
	t.text = text
	if text != "" {
		d := fyne.CurrentApp().Driver()
		t.at = d.AbsolutePositionForObject(o).Subtract(d.AbsolutePositionForObject(t)).Add(pos)
	}
	t.Refresh()
}

// Text returns the tip shown, or "".
func (t *TipLayer) Text() string { return t.text }

// CreateRenderer implements fyne.Widget.
func (t *TipLayer) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(opaque(theme.Color(theme.ColorNameInputBackground)))
	bg.StrokeColor = theme.Color(theme.ColorNamePrimary)
	bg.StrokeWidth = 1
	bg.CornerRadius = 3
	bg.Hidden = t.text == "" // no empty box before the first tip
	return &tipRenderer{t: t, bg: bg}
}

// tipRenderer draws the tip: a box with a line of text for each line of
// the tip's text.
type tipRenderer struct {
	t     *TipLayer
	bg    *canvas.Rectangle
	lines []*canvas.Text
}

func (r *tipRenderer) Layout(size fyne.Size) {
	pad := theme.Padding()
	var ts fyne.Size
	for _, l := range r.lines {
		m := l.MinSize()
		ts.Width, ts.Height = max(ts.Width, m.Width), ts.Height+m.Height
	}
	box := fyne.NewSize(ts.Width+2*pad, ts.Height+pad)
	at := r.t.at
	// Keep the tip inside the window.
	if at.X+box.Width > size.Width {
		at.X = max(size.Width-box.Width, 0)
	}
	if at.Y+box.Height > size.Height {
		at.Y = max(at.Y-box.Height-40, 0)
	}
	r.bg.Move(at)
	r.bg.Resize(box)
	y := at.Y + pad/2
	for _, l := range r.lines {
		m := l.MinSize()
		l.Move(fyne.NewPos(at.X+pad, y))
		l.Resize(m)
		y += m.Height
	}
}

func (r *tipRenderer) MinSize() fyne.Size { return fyne.NewSize(0, 0) }

func (r *tipRenderer) Refresh() {
	var texts []string
	if r.t.text != "" {
		texts = strings.Split(r.t.text, "\n")
	}
	for len(r.lines) < len(texts) {
		l := canvas.NewText("", theme.Color(theme.ColorNameForeground))
		l.TextSize = theme.TextSize() * 0.9
		r.lines = append(r.lines, l)
	}
	r.lines = r.lines[:len(texts)]
	for i, l := range r.lines {
		l.Text, l.Color = texts[i], theme.Color(theme.ColorNameForeground)
		l.Refresh()
	}
	r.bg.Hidden = r.t.text == ""
	r.bg.FillColor = opaque(theme.Color(theme.ColorNameInputBackground))
	r.Layout(r.t.Size())
	r.bg.Refresh()
}

func (r *tipRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.bg}
	for _, l := range r.lines {
		objs = append(objs, l)
	}
	return objs
}

func (r *tipRenderer) Destroy() {}

// TipButton is a button that shows a tooltip while the pointer is over it.
type TipButton struct {
	widget.Button
	tip   string
	layer *TipLayer
	full  string // with SetFitText, the text the button cuts to its width
	least int    // and how many of its letters the minimum width holds
}

var _ desktop.Hoverable = (*TipButton)(nil)

// TipText returns the button's tooltip.
func (b *TipButton) TipText() string { return b.tip }

// NewTipButton returns a button with a label (may be empty), an icon (may be
// nil), a tooltip and an action.
func NewTipButton(layer *TipLayer, label string, icon fyne.Resource, tip string, tapped func()) *TipButton {
	b := &TipButton{tip: tip, layer: layer}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// SetFitText shows text on the button, cut in the middle with "…" when
// the button is narrower than the whole text needs. The button's minimum
// width holds least letters of it; in an Elastic row it widens up to the
// whole text as the row has room.
func (b *TipButton) SetFitText(text string, least int) {
	b.full, b.least = text, least
	if b.Text == "" { // sizeFor measures against a label
		b.Text = text
		b.Refresh()
	}
	b.fit(b.Size().Width)
}

// MinSize implements fyne.Widget: with SetFitText, the width of least
// letters of the text.
func (b *TipButton) MinSize() fyne.Size {
	if b.full == "" {
		return b.Button.MinSize()
	}
	return b.sizeFor(CutMiddle(b.full, b.least))
}

// WantWidth implements Wanter: the width of the whole text.
func (b *TipButton) WantWidth() float32 {
	if b.full == "" {
		return b.Button.MinSize().Width
	}
	return b.sizeFor(b.full).Width
}

// Resize implements fyne.Widget: a text set with SetFitText is cut to the
// new width.
func (b *TipButton) Resize(size fyne.Size) {
	b.Button.Resize(size)
	b.fit(size.Width)
}

// fit sets the button's text to as much of the full text as width holds
// (all of it before the button has a width).
func (b *TipButton) fit(width float32) {
	if b.full == "" {
		return
	}
	text := b.full
	if width > 0 && b.sizeFor(text).Width > width {
		lo, hi := b.least, utf8.RuneCountInString(b.full)-1 // the most letters that fit
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if b.sizeFor(CutMiddle(b.full, mid)).Width <= width {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		text = CutMiddle(b.full, lo)
	}
	if text != b.Text {
		b.Text = text
		b.Refresh()
	}
}

// sizeFor is the button's minimum size with text s: its size with its
// (non-empty) text, less the text's width, plus s's (button text is bold).
func (b *TipButton) sizeFor(s string) fyne.Size {
	m := b.Button.MinSize()
	measure := func(t string) float32 {
		return fyne.MeasureText(t, theme.TextSize(), fyne.TextStyle{Bold: true}).Width
	}
	return fyne.NewSize(m.Width-measure(b.Text)+measure(s), m.Height)
}

// CutMiddle cuts s to n letters, one of them an "…" in the middle, so that
// its start and end (a file's name and its extension) show. It returns s
// as it is when s has at most n letters or n is under 3.
func CutMiddle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n || n < 3 {
		return s
	}
	head := n / 2
	tail := n - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// MouseIn implements desktop.Hoverable.
func (b *TipButton) MouseIn(e *desktop.MouseEvent) {
	b.Button.MouseIn(e)
	b.layer.Tip(b.tip, b)
}

// MouseMoved implements desktop.Hoverable.
func (b *TipButton) MouseMoved(e *desktop.MouseEvent) { b.Button.MouseMoved(e) }

// MouseOut implements desktop.Hoverable.
func (b *TipButton) MouseOut() {
	b.Button.MouseOut()
	b.layer.Tip("", b)
}

// Tapped implements fyne.Tappable: the tip goes away as the button acts.
func (b *TipButton) Tapped(e *fyne.PointEvent) {
	b.layer.Tip("", b)
	b.Button.Tapped(e)
}

// opaque drops a colour's transparency, so that a tip hides what is under it.
func opaque(c color.Color) color.Color {
	r := color.RGBAModel.Convert(c).(color.RGBA)
	r.A = 0xff
	return r
}
