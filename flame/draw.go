package flame

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/rust"
)

// Style says how to draw a layout.
type Style struct {
	Face      *Face    // label font; GoFace(12*Scale) when nil
	Scale     float64  // device pixels per logical pixel (HiDPI); 1 when 0
	RowHeight int      // row height in logical pixels; 18 when 0
	Palette   *Palette // Diverging when nil
	Flame     bool     // root at the bottom (flame) instead of the top (icicle)
	Match     *Match   // search result to highlight; nil for none
	Hover     int32    // node to outline; -1 for none
	// Cursor is the node the keyboard is on, drawn with a thick outline;
	// -1 (or Root with no keyboard use) for none.
	Cursor int32
	// Colors says what a frame's colour stands for in a comparison.
	Colors ColorMode
	// Scores are the nodes' leak scores, for Colors Steady.
	Scores []float32
	// FirstRow is the first row drawn at the edge (top for an icicle,
	// bottom for a flame): the rows before it are scrolled out of view.
	FirstRow int
	// Background fills the area; white when zero.
	Background color.RGBA
	// Stop, when not nil, is asked between rows: once it returns true,
	// drawing ends (an export cancelled).
	Stop func() bool
	// RootLabel names the root's box; "all" when "".
	RootLabel string
	// HoverName, when not "", outlines every frame of that function
	// (the one under the pointer), thinner than Hover's outline.
	HoverName string
	// Static draws for an image, which has no clicks: labels do not
	// offer them.
	Static bool
}

// withDefaults returns s with its zero fields set: scale 1, 18 px rows,
// the diverging palette, Go's font at 12 px, a white background.
func (s *Style) withDefaults() Style {
	o := s.sized()
	if o.Palette == nil {
		o.Palette = Diverging
	}
	if o.Face == nil {
		o.Face = GoFace(12 * o.Scale)
	}
	if o.Background == (color.RGBA{}) {
		o.Background = color.RGBA{0xff, 0xff, 0xff, 0xff}
	}
	return o
}

// sized returns s with its zero scale and row height set (1, 18 px).
func (s *Style) sized() Style {
	o := *s
	if o.Scale <= 0 {
		o.Scale = 1
	}
	if o.RowHeight <= 0 {
		o.RowHeight = 18
	}
	return o
}

// RowPixels returns the height of a row in device pixels.
func (s *Style) RowPixels() int {
	o := s.sized()
	return int(math.Round(float64(o.RowHeight) * o.Scale))
}

// Draw draws l into the rectangle r of dst. Rows that do not fit are cut off.
func Draw(dst *image.RGBA, r image.Rectangle, l *Layout, style *Style) {
	s := style.withDefaults()
	r = r.Intersect(dst.Rect)
	fill(dst, r, s.Background)
	rh := s.RowPixels()
	width := float64(r.Dx())
	t := l.Tree
	for depth, row := range l.Rows {
		if s.Stop != nil && s.Stop() {
			return
		}
		y0 := r.Min.Y + (depth-s.FirstRow)*rh
		if s.Flame {
			y0 = r.Max.Y - (depth-s.FirstRow+1)*rh
		}
		if y0 >= r.Max.Y || y0+rh <= r.Min.Y {
			continue
		}
		for _, b := range row {
			x0 := r.Min.X + int(math.Round(b.X*width))
			x1 := r.Min.X + int(math.Round((b.X+b.W)*width))
			if x1 <= x0 {
				x1 = x0 + 1
			}
			box := image.Rect(x0, y0, x1, y0+rh).Intersect(r)
			drawBox(dst, box, t, b, &s)
		}
	}
}

func drawBox(dst *image.RGBA, box image.Rectangle, t *Tree, b Box, s *Style) {
	n := &t.Nodes[b.Node]
	var c color.RGBA
	var label string
	change := Unchanged
	switch {
	case b.Folded > 0:
		c = color.RGBA{0xd8, 0xd8, 0xd4, 0xff}
		label = fmt.Sprintf("… %d frames (click to show)", b.Folded)
		if s.Static {
			label = fmt.Sprintf("… %d frames", b.Folded)
		}
	case b.Merged > 0:
		c = color.RGBA{0xe4, 0xe4, 0xe0, 0xff}
		label = "…"
	case b.Run != 0:
		c = color.RGBA{0xd8, 0xd8, 0xd4, 0xff}
		label = RunLabel(t, b)
	case t.HasBase():
		c = s.Palette.ModeColor(t, b.Node, s.Colors, s.Scores)
		change = ChangeOf(n.Total.Base, n.Total.Later)
		label = rust.ShortName(n.Name)
	default:
		c = SingleColor(n.Name)
		label = rust.ShortName(n.Name)
	}
	if b.Node == Root && b.Plain() {
		label = "all"
		if s.RootLabel != "" {
			label = s.RootLabel
		}
	}
	plain := b.Plain()
	if s.Match != nil && plain && !s.Match.Nodes[b.Node] {
		c = mix(c, color.RGBA{0xf4, 0xf4, 0xf4, 0xff}, 0.72)
	}
	// One device pixel of gap right and below separates boxes.
	inner := box
	if inner.Dx() > 2 {
		inner.Max.X--
	}
	if inner.Dy() > 2 {
		inner.Max.Y--
	}
	fill(dst, inner, c)
	gap := max(1, int(s.Scale))
	switch change {
	case New:
		// A dark bar on the left edge marks frames new in the later dump.
		bar := inner
		bar.Max.X = min(bar.Max.X, bar.Min.X+3*gap)
		fill(dst, bar, mix(c, color.RGBA{0x40, 0, 0, 0xff}, 0.6))
	case Gone:
		hatch(dst, inner, mix(c, color.RGBA{0xff, 0xff, 0xff, 0xff}, 0.55), 4*gap)
	}
	if s.Match != nil && plain && s.Match.Nodes[b.Node] {
		outline(dst, inner, color.RGBA{0x6a, 0x1b, 0x9a, 0xff}, gap)
	}
	if b.Node == s.Hover && plain {
		outline(dst, inner, color.RGBA{0x10, 0x10, 0x10, 0xff}, gap)
	} else if s.HoverName != "" && plain && t.Nodes[b.Node].Name == s.HoverName {
		outline(dst, inner, color.RGBA{0x50, 0x50, 0x50, 0xff}, gap)
	}
	if b.Node == s.Cursor && plain && s.Cursor > Root {
		outline(dst, inner, color.RGBA{0x00, 0x5f, 0xd0, 0xff}, 2*gap)
	}
	pad := int(3 * s.Scale)
	if change == New {
		pad += 3 * gap
	}
	avail := inner.Dx() - 2*pad
	if avail < s.Face.Height/2 {
		return
	}
	text := s.Face.Fit(label, avail)
	if text != label {
		// Try the name without its package path before cutting it.
		if short := shortName(label); short != label {
			text = s.Face.Fit(short, avail)
		}
	}
	if text == "" {
		return
	}
	y := inner.Min.Y + (inner.Dy()-s.Face.Height)/2 + s.Face.Ascent
	s.Face.Draw(dst, inner.Min.X+pad, y, text, textColor(c), inner)
}

// RunLabel is the label of a folded run of runtime frames: "… 23 runtime
// frames (clone3 … poll_future)".
func RunLabel(t *Tree, b Box) string {
	return fmt.Sprintf("… %d runtime frames (%s … %s)", b.RunLen,
		shortName(rust.ShortName(t.Nodes[b.Node].Name)), shortName(rust.ShortName(t.Nodes[b.Run].Name)))
}

// RunSelf returns the self value of a folded run of frames b: the sum of
// its frames' own values, where its first node holds only its own.
func RunSelf(t *Tree, b Box) diff.Delta {
	var self diff.Delta
	for i := b.Run; i >= 0; i = t.Nodes[i].Parent {
		self = addDelta(self, t.Nodes[i].Self)
		if i == b.Node {
			break
		}
	}
	return self
}

// ShortName is a function's name as the tables and labels show it: a Rust
// (or C++) name in its short form (rust.ShortName), a Go name without its
// package path ("github.com/x/y/cache.(*LRU).Get" → "cache.(*LRU).Get"), as
// pprof shortens names. The full name stays the frame's identity.
func ShortName(name string) string {
	if strings.Contains(name, "::") {
		return rust.ShortName(name)
	}
	return shortName(name)
}

// shortName drops the package path of a Go function name:
// "net/http.(*conn).serve" -> "http.(*conn).serve".
func shortName(name string) string {
	paren := strings.IndexByte(name, '(')
	head := name
	if paren >= 0 {
		head = name[:paren]
	}
	if i := strings.LastIndexByte(head, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

func textColor(bg color.RGBA) color.RGBA {
	lum := 0.2126*float64(bg.R) + 0.7152*float64(bg.G) + 0.0722*float64(bg.B)
	if lum < 110 {
		return color.RGBA{0xff, 0xff, 0xff, 0xff}
	}
	return color.RGBA{0x1a, 0x1a, 0x1a, 0xff}
}

// fill paints r with c.
func fill(dst *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(dst.Rect)
	if r.Empty() {
		return
	}
	first := dst.Pix[dst.PixOffset(r.Min.X, r.Min.Y):]
	row := first[:r.Dx()*4]
	for i := 0; i < len(row); i += 4 {
		row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, c.A
	}
	for y := r.Min.Y + 1; y < r.Max.Y; y++ {
		copy(dst.Pix[dst.PixOffset(r.Min.X, y):], row)
	}
}

func outline(dst *image.RGBA, r image.Rectangle, c color.RGBA, w int) {
	fill(dst, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+w), c)
	fill(dst, image.Rect(r.Min.X, r.Max.Y-w, r.Max.X, r.Max.Y), c)
	fill(dst, image.Rect(r.Min.X, r.Min.Y, r.Min.X+w, r.Max.Y), c)
	fill(dst, image.Rect(r.Max.X-w, r.Min.Y, r.Max.X, r.Max.Y), c)
}

// hatch draws diagonal lines every period pixels: the mark of frames that are gone.
func hatch(dst *image.RGBA, r image.Rectangle, c color.RGBA, period int) {
	r = r.Intersect(dst.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if (x+y)%period == 0 {
				i := dst.PixOffset(x, y)
				dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2] = c.R, c.G, c.B
			}
		}
	}
}
