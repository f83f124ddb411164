package widget

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/flame"
)

// Legend shows, under the graph, what its colours and widths stand
// for in the current colour mode and palette: the legend of the PNG export,
// drawn by the same code.
type Legend struct {
	widget.BaseWidget
	view *flame.View
	// OnLines, when set, is called after a resize changed the lines the
	// legend takes (it wraps in a narrow graph), so that the window can
	// lay out again around its new height.
	OnLines func()
	lines   int         // lines at the width laid out
	face    *flame.Face // at one device pixel a logical one, for counting lines
}

var _ fyne.Widget = (*Legend)(nil)

// NewLegend returns an empty legend; SetView gives it a view.
func NewLegend() *Legend {
	l := &Legend{}
	l.ExtendBaseWidget(l)
	return l
}

// SetView shows v's legend (nil for none).
func (l *Legend) SetView(v *flame.View) {
	l.view = v
	l.count(l.Size().Width)
	l.Refresh()
}

// Resize counts the legend's lines at its new width.
func (l *Legend) Resize(size fyne.Size) {
	l.BaseWidget.Resize(size)
	if l.count(size.Width) && l.OnLines != nil {
		l.OnLines()
	}
}

// count counts the lines of the legend at width, and reports whether they changed.
func (l *Legend) count(width float32) bool {
	n := 1
	if l.view != nil && width > 1 {
		if l.face == nil {
			l.face = legendFace(1)
		}
		n = l.view.LegendLines(int(width)-2*legendPad, l.face, 1)
	}
	changed := n != l.lines
	l.lines = n
	return changed
}

// legendPad is the space left and right of the legend, in logical pixels.
const legendPad = 4

// legendFace is the legend's font at scale device pixels a logical one.
func legendFace(scale float64) *flame.Face {
	face, err := flame.NewFace(theme.TextFont().Content(), float64(theme.TextSize())*0.85*scale)
	if err != nil {
		face = flame.GoFace(11 * scale)
	}
	return face
}

// CreateRenderer implements fyne.Widget.
func (l *Legend) CreateRenderer() fyne.WidgetRenderer {
	r := &legendRenderer{l: l}
	r.raster = canvas.NewRaster(r.draw)
	r.raster.ScaleMode = canvas.ImageScalePixels
	return r
}

type legendRenderer struct {
	l      *Legend
	raster *canvas.Raster
	face   *flame.Face
	scale  float64
}

func (r *legendRenderer) draw(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, max(w, 1), max(h, 1)))
	v := r.l.view
	if v == nil || w <= 1 {
		return img
	}
	scale := float64(w) / float64(max(r.l.Size().Width, 1))
	if r.face == nil || scale != r.scale {
		r.scale = scale
		r.face = legendFace(scale)
	}
	bg := color.RGBAModel.Convert(theme.Color(theme.ColorNameBackground)).(color.RGBA)
	bg.A = 0xff
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = bg.R, bg.G, bg.B, 0xff
	}
	pad := int(legendPad * scale)
	lines := v.LegendLines(w-2*pad, r.face, scale)
	used := lines*r.face.Height + (lines-1)*int(4*scale)
	v.DrawLegendOn(img, image.Rect(pad, max((h-used)/2, 0), w-pad, h), r.face, scale, textInk())
	return img
}

// textInk is the theme's text colour, opaque.
func textInk() color.RGBA {
	c := color.RGBAModel.Convert(theme.Color(theme.ColorNameForeground)).(color.RGBA)
	c.A = 0xff
	return c
}

func (r *legendRenderer) Layout(size fyne.Size) { r.raster.Resize(size) }
func (r *legendRenderer) MinSize() fyne.Size {
	extra := float32(0) // lines past the first
	if l := r.l; l.lines > 1 && l.face != nil {
		extra = float32(l.lines-1) * float32(l.face.Height+4)
	}
	return fyne.NewSize(100, 22+extra)
}
func (r *legendRenderer) Refresh()                     { r.raster.Hidden = r.l.view == nil; r.raster.Refresh() }
func (r *legendRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.raster} }
func (r *legendRenderer) Destroy()                     {}
