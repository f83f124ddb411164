package widget

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Card shows its content on a panel that a click (or Enter, when it has
// the keyboard) acts on, such as a finding that shows its site.
type Card struct {
	widget.BaseWidget
	content  fyne.CanvasObject
	OnTapped func()
	hovered  bool
}

var (
	_ fyne.Tappable      = (*Card)(nil)
	_ desktop.Hoverable  = (*Card)(nil)
	_ desktop.Cursorable = (*Card)(nil)
)

// NewCard returns a card of content that calls onTapped when clicked.
func NewCard(content fyne.CanvasObject, onTapped func()) *Card {
	c := &Card{content: content, OnTapped: onTapped}
	c.ExtendBaseWidget(c)
	return c
}

// Tapped calls OnTapped.
func (c *Card) Tapped(*fyne.PointEvent) {
	if c.OnTapped != nil {
		c.OnTapped()
	}
}

// Cursor shows a pointing hand: the card acts on a click.
func (c *Card) Cursor() desktop.Cursor { return desktop.PointerCursor }

// MouseIn implements desktop.Hoverable.
func (c *Card) MouseIn(*desktop.MouseEvent) { c.hovered = true; c.Refresh() }

// MouseMoved implements desktop.Hoverable.
func (c *Card) MouseMoved(*desktop.MouseEvent) {}

// MouseOut implements desktop.Hoverable.
func (c *Card) MouseOut() { c.hovered = false; c.Refresh() }

// CreateRenderer implements fyne.Widget.
func (c *Card) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.CornerRadius = theme.InputRadiusSize()
	return &cardRenderer{c: c, bg: bg}
}

type cardRenderer struct {
	c  *Card
	bg *canvas.Rectangle
}

const cardPad = 8

func (r *cardRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	r.c.content.Move(fyne.NewPos(cardPad, cardPad))
	r.c.content.Resize(size.SubtractWidthHeight(2*cardPad, 2*cardPad))
}

func (r *cardRenderer) MinSize() fyne.Size {
	return r.c.content.MinSize().AddWidthHeight(2*cardPad, 2*cardPad)
}

func (r *cardRenderer) Refresh() {
	r.bg.FillColor = theme.Color(theme.ColorNameInputBackground)
	if r.c.hovered {
		r.bg.FillColor = theme.Color(theme.ColorNameHover)
	}
	r.bg.Refresh()
	r.c.content.Refresh()
}

func (r *cardRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.c.content} }

func (r *cardRenderer) Destroy() {}
