package widget

import (
	"image"
	"image/color"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/diff"
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
	// OnSandwich is called from the context menu with a function name, to
	// show its callers and callees.
	OnSandwich func(function string)
	// OnKey is called with the keys the graph does not use itself.
	OnKey func(*fyne.KeyEvent)

	view    *flame.View
	hover   int32
	pointer fyne.Position // where the pointer was last over the graph
	cursor  int32         // the frame the keyboard is on; Root for none
	scroll  int           // rows scrolled out of view at the root's edge
	empty   string        // message shown without a view
	focused bool
	dragY   float32 // drag distance not yet turned into rows

	// Drawing state, owned by the raster's generator.
	img      *image.RGBA
	layout   *flame.Layout
	scale    float64
	face     *flame.Face
	drawn    bool // a view has been drawn once
	keyboard bool // the keyboard moved the cursor last, not the pointer
}

var (
	_ fyne.Widget            = (*FlameGraph)(nil)
	_ fyne.Tappable          = (*FlameGraph)(nil)
	_ fyne.SecondaryTappable = (*FlameGraph)(nil)
	_ fyne.Scrollable        = (*FlameGraph)(nil)
	_ fyne.Draggable         = (*FlameGraph)(nil)
	_ fyne.Focusable         = (*FlameGraph)(nil)
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

// SetView shows v (nil for the empty message), scrolled to the root. A
// frame hovered in the old view is no longer: OnHover hears -1.
func (f *FlameGraph) SetView(v *flame.View) {
	hovered := f.hover >= 0
	f.view, f.hover, f.cursor, f.scroll, f.layout = v, -1, flame.Root, 0, nil
	f.Refresh()
	if hovered && f.OnHover != nil {
		f.OnHover(-1)
	}
}

// Scroll returns how many rows are scrolled out of view.
func (f *FlameGraph) Scroll() int { return f.scroll }

// Cursor returns the frame the keyboard is on (Root for none).
func (f *FlameGraph) Cursor() int32 { return f.cursor }

// VisibleRows returns how many rows of the graph fit in its height.
func (f *FlameGraph) VisibleRows() int { return max(int(f.Size().Height)/rowHeight, 1) }

// CurrentLayout returns the layout for the widget's width, making it when
// the drawing has not.
func (f *FlameGraph) CurrentLayout() *flame.Layout {
	if f.layout == nil && f.view != nil {
		f.layout = f.view.Layout(max(int(f.Size().Width), 1), 0)
	}
	return f.layout
}

// ScrollBy scrolls by rows (positive: away from the root), within the graph.
func (f *FlameGraph) ScrollBy(rows int) {
	if f.view == nil {
		return
	}
	l := f.CurrentLayout()
	limit := max(len(l.Rows)-f.VisibleRows()+1, 0)
	s := min(max(f.scroll+rows, 0), limit)
	if s != f.scroll {
		f.scroll = s
		f.Refresh()
	}
}

// Reveal puts the keyboard on node n, zooming to its caller first when n
// is not laid out (too narrow to see, or outside the zoom).
func (f *FlameGraph) Reveal(n int32) {
	if f.view == nil {
		return
	}
	if _, b, ok := f.CurrentLayout().Row(n); !ok || b.W*float64(f.Size().Width) < 40 {
		p := f.view.Tree.Nodes[n].Parent
		if p < 0 {
			p = flame.Root
		}
		f.ZoomTo(p)
	}
	f.moveCursor(n)
}

// Expand shows every ancestor of the zoomed frame instead of folding them.
func (f *FlameGraph) Expand() {
	if f.view != nil && !f.view.Expanded {
		f.view.Expanded = true
		f.layout = nil
		f.Refresh()
	}
}

// ExpandRun shows the frames of the folded run of runtime frames that box
// b draws.
func (f *FlameGraph) ExpandRun(b flame.Box) {
	if f.view != nil {
		f.view.ExpandRun(b)
		f.layout = nil
		f.Refresh()
	}
}

// Relayout lays the view out again after its width mode changed.
func (f *FlameGraph) Relayout() {
	f.layout = nil
	// The keyboard cursor never stays on a frame the filter now hides.
	f.cursor = f.shown(f.cursor)
	f.Refresh()
}

// shown returns n, or its nearest ancestor that is laid out when n is not
// (hidden by the noise filter, folded into a run, or too narrow).
func (f *FlameGraph) shown(n int32) int32 {
	l := f.CurrentLayout()
	if l == nil {
		return n
	}
	for m := n; m >= 0; m = f.view.Tree.Nodes[m].Parent {
		if _, _, ok := l.Row(m); ok {
			return m
		}
	}
	return flame.Root
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
	r.raster = canvas.NewRaster(f.Draw)
	r.raster.ScaleMode = canvas.ImageScalePixels
	return r
}

func (f *FlameGraph) style() *flame.Style {
	bg := color.RGBAModel.Convert(theme.Color(theme.ColorNameBackground)).(color.RGBA)
	bg.A = 0xff
	cursor := f.cursor // drawn once the keyboard has moved it off the root
	return &flame.Style{Face: f.face, Scale: f.scale, RowHeight: rowHeight, Palette: f.view.Palette,
		Flame: f.view.Flame, Match: f.view.Match, Hover: f.hover, Background: bg,
		Colors: f.view.Colors, Scores: f.view.Scores, Cursor: cursor, FirstRow: f.scroll, RootLabel: f.view.RootLabel,
		HoverName: f.hoverName()}
}

// Draw is the raster's generator: it lays out and draws the view at w×h
// device pixels, reusing its image.
func (f *FlameGraph) Draw(w, h int) image.Image {
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
	f.layout = f.view.Layout(int(size.Width), 0)
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
	b, ok := f.boxAt(p)
	if !ok {
		return -1
	}
	if b.Merged > 0 {
		return f.view.Tree.Nodes[b.Node].Parent
	}
	return b.Node
}

// RunLabel returns the label of the folded run of runtime frames under the
// pointer ("… 56 runtime frames (clone3 … poll)") and the run's self value
// (flame.RunSelf); "" when the pointer is over another box or the keyboard
// moved last. The hovered node is then the run's first.
func (f *FlameGraph) RunLabel() (string, diff.Delta) {
	if f.keyboard {
		return "", diff.Delta{}
	}
	b, ok := f.boxAt(f.pointer)
	if !ok || b.Run == 0 {
		return "", diff.Delta{}
	}
	return flame.RunLabel(f.view.Tree, b), flame.RunSelf(f.view.Tree, b)
}

// boxAt returns the box at a position in the widget.
func (f *FlameGraph) boxAt(p fyne.Position) (flame.Box, bool) {
	size := f.Size()
	if f.view == nil || size.Width <= 0 || p.X < 0 || p.Y < 0 || p.X >= size.Width || p.Y >= size.Height {
		return flame.Box{}, false
	}
	row := int(p.Y) / rowHeight
	if f.view.Flame {
		row = int(size.Height-p.Y) / rowHeight
	}
	return f.CurrentLayout().HitTest(float64(p.X)/float64(size.Width), row+f.scroll)
}

// hoverName is the function of the frame under the pointer, whose other
// frames are outlined too; "" for none.
func (f *FlameGraph) hoverName() string {
	if f.view == nil || f.hover <= flame.Root || int(f.hover) >= len(f.view.Tree.Nodes) {
		return ""
	}
	return f.view.Tree.Nodes[f.hover].Name
}

// Pointer returns where the pointer was last over the graph.
func (f *FlameGraph) Pointer() fyne.Position { return f.pointer }

// TipAt returns where a tip about the hovered frame goes: by the pointer,
// or under the keyboard cursor's box when the keyboard moved last.
func (f *FlameGraph) TipAt() fyne.Position {
	if !f.keyboard || f.view == nil {
		return f.pointer.AddXY(14, 18)
	}
	d, b, ok := f.CurrentLayout().Row(f.cursor)
	if !ok {
		return f.pointer.AddXY(14, 18)
	}
	y := float32(d-f.scroll+1) * rowHeight
	if f.view.Flame {
		y = f.Size().Height - float32(d-f.scroll)*rowHeight
	}
	return fyne.NewPos(float32(b.X)*f.Size().Width+8, y+4)
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
	f.view.Expanded = false
	f.scroll = 0
	f.zoomed()
}

// Back undoes the last zoom and reports whether there was one.
func (f *FlameGraph) Back() bool {
	if f.view == nil || !f.view.Zoom.Pop() {
		return false
	}
	f.view.Expanded, f.scroll = false, 0
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
