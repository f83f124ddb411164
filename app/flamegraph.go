package app

import (
	"image"
	"image/color"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/flame"
)

// FlameGraph is an interactive flame graph. It draws a flame.View through
// package flame, so the screen shows exactly what the PNG export writes.
// Hovering reports the frame under the pointer, a click zooms into it, and a
// right click offers focus, hide and copy. All methods run on the UI goroutine.
type FlameGraph struct {
	widget.BaseWidget

	// OnHover is called with the node under the pointer, or -1.
	OnHover func(node int32)
	// OnZoom is called after the zoom changed.
	OnZoom func()
	// OnFocus and OnHide are called from the context menu with a function name.
	OnFocus, OnHide func(function string)

	view  *flame.View
	hover int32
	empty string // message shown without a view

	// Drawing state, owned by the raster's generator.
	img    *image.RGBA
	layout *flame.Layout
	scale  float64
	face   *flame.Face
	drawn  bool // a view has been drawn once
}

var (
	_ fyne.Widget            = (*FlameGraph)(nil)
	_ fyne.Tappable          = (*FlameGraph)(nil)
	_ fyne.SecondaryTappable = (*FlameGraph)(nil)
	_ desktop.Hoverable      = (*FlameGraph)(nil)
)

// rowHeight is a row's height in logical pixels.
const rowHeight = 18

// NewFlameGraph returns an empty flame graph that shows message until SetView.
func NewFlameGraph(message string) *FlameGraph {
	f := &FlameGraph{hover: -1, empty: message}
	f.ExtendBaseWidget(f)
	return f
}

// SetView shows v (nil for the empty message).
func (f *FlameGraph) SetView(v *flame.View) {
	f.view, f.hover, f.layout = v, -1, nil
	f.Refresh()
}

// Relayout lays the view out again after its width mode changed.
func (f *FlameGraph) Relayout() {
	f.layout = nil
	f.Refresh()
}

// View returns the view shown, or nil.
func (f *FlameGraph) View() *flame.View { return f.view }

// Hovered returns the node under the pointer, or -1.
func (f *FlameGraph) Hovered() int32 { return f.hover }

// CreateRenderer implements fyne.Widget.
func (f *FlameGraph) CreateRenderer() fyne.WidgetRenderer {
	r := &flameRenderer{f: f, msg: widget.NewLabel(f.empty)}
	r.msg.Alignment = fyne.TextAlignCenter
	r.msg.Wrapping = fyne.TextWrapWord
	r.raster = canvas.NewRaster(f.draw)
	r.raster.ScaleMode = canvas.ImageScalePixels
	return r
}

func (f *FlameGraph) style() *flame.Style {
	bg := color.RGBAModel.Convert(theme.Color(theme.ColorNameBackground)).(color.RGBA)
	bg.A = 0xff
	return &flame.Style{Face: f.face, Scale: f.scale, RowHeight: rowHeight, Palette: f.view.Palette,
		Flame: f.view.Flame, Match: f.view.Match, Hover: f.hover, Background: bg}
}

// draw is the raster's generator: it lays out and draws the view at w×h
// device pixels, reusing its image.
func (f *FlameGraph) draw(w, h int) image.Image {
	if f.view == nil || w <= 0 || h <= 0 {
		return image.NewRGBA(image.Rect(0, 0, 1, 1))
	}
	size := f.Size()
	scale := 1.0
	if size.Width > 0 {
		scale = float64(w) / float64(size.Width)
	}
	if f.face == nil || scale != f.scale {
		f.scale = scale
		face, err := flame.NewFace(theme.TextFont().Content(), float64(theme.TextSize())*0.92*scale)
		if err != nil {
			face = flame.GoFace(12 * scale)
		}
		f.face = face
	}
	if f.img == nil || f.img.Rect.Dx() != w || f.img.Rect.Dy() != h {
		f.img = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	st := f.style()
	f.layout = f.view.Layout(w, h/st.RowPixels()+1)
	flame.Draw(f.img, f.img.Rect, f.layout, st)
	if !f.drawn {
		f.drawn = true
		slog.Debug("first draw", "boxes", f.layout.NumBoxes(), "width", w, "height", h)
	}
	return f.img
}

// NodeAt returns the node at a position in the widget, or -1. A merged "…"
// box gives its parent.
func (f *FlameGraph) NodeAt(p fyne.Position) int32 {
	if f.view == nil {
		return -1
	}
	size := f.Size()
	if size.Width <= 0 || p.X < 0 || p.Y < 0 || p.X >= size.Width || p.Y >= size.Height {
		return -1
	}
	l := f.layout
	if l == nil {
		l = f.view.Layout(int(size.Width), int(size.Height)/rowHeight+1)
	}
	row := int(p.Y) / rowHeight
	if f.view.Flame {
		row = int(size.Height-p.Y) / rowHeight
	}
	b, ok := l.HitTest(float64(p.X)/float64(size.Width), row)
	if !ok {
		return -1
	}
	if b.Merged > 0 {
		return f.view.Tree.Nodes[b.Node].Parent
	}
	return b.Node
}

// MouseIn implements desktop.Hoverable.
func (f *FlameGraph) MouseIn(e *desktop.MouseEvent) { f.MouseMoved(e) }

// MouseMoved implements desktop.Hoverable.
func (f *FlameGraph) MouseMoved(e *desktop.MouseEvent) { f.setHover(f.NodeAt(e.Position)) }

// MouseOut implements desktop.Hoverable.
func (f *FlameGraph) MouseOut() { f.setHover(-1) }

func (f *FlameGraph) setHover(n int32) {
	if n == f.hover {
		return
	}
	f.hover = n
	f.Refresh()
	if f.OnHover != nil {
		f.OnHover(n)
	}
}

// Tapped zooms into the frame under the pointer; clicking an ancestor of the
// zoomed frame zooms back out to it.
func (f *FlameGraph) Tapped(e *fyne.PointEvent) {
	n := f.NodeAt(e.Position)
	if n < 0 {
		return
	}
	f.ZoomTo(n)
}

// ZoomTo zooms into node n; the root resets the zoom.
func (f *FlameGraph) ZoomTo(n int32) {
	if f.view == nil {
		return
	}
	if n == flame.Root {
		f.view.Zoom.Reset()
	} else {
		f.view.Zoom.Push(n)
	}
	f.zoomed()
}

// Back undoes the last zoom and reports whether there was one.
func (f *FlameGraph) Back() bool {
	if f.view == nil || !f.view.Zoom.Pop() {
		return false
	}
	f.zoomed()
	return true
}

func (f *FlameGraph) zoomed() {
	f.layout = nil
	f.Refresh()
	if f.OnZoom != nil {
		f.OnZoom()
	}
}

// TappedSecondary shows the frame's context menu.
func (f *FlameGraph) TappedSecondary(e *fyne.PointEvent) {
	n := f.NodeAt(e.Position)
	if n <= flame.Root {
		return
	}
	name := f.view.Tree.Nodes[n].Name
	items := []*fyne.MenuItem{
		fyne.NewMenuItem("Focus on this function", func() {
			if f.OnFocus != nil {
				f.OnFocus(name)
			}
		}),
		fyne.NewMenuItem("Hide this function", func() {
			if f.OnHide != nil {
				f.OnHide(name)
			}
		}),
		fyne.NewMenuItem("Copy name", func() { fyne.CurrentApp().Clipboard().SetContent(name) }),
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(f)
	if c == nil {
		return
	}
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), c, e.AbsolutePosition)
}

type flameRenderer struct {
	f      *FlameGraph
	raster *canvas.Raster
	msg    *widget.Label
}

func (r *flameRenderer) Layout(size fyne.Size) {
	r.raster.Resize(size)
	r.msg.Resize(size)
}

func (r *flameRenderer) MinSize() fyne.Size { return fyne.NewSize(200, 4*rowHeight) }

func (r *flameRenderer) Refresh() {
	r.msg.SetText(r.f.empty)
	r.msg.Hidden = r.f.view != nil
	r.raster.Hidden = r.f.view == nil
	r.raster.Refresh()
}

func (r *flameRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.raster, r.msg} }

func (r *flameRenderer) Destroy() {}
