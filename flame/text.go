package flame

import (
	"fmt"
	"image"
	"image/color"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Face draws text with a glyph cache, so that labels cost a copy per glyph.
// A Face is not safe for concurrent use.
type Face struct {
	face    font.Face
	glyphs  map[rune]*glyph
	Ascent  int // pixels above the baseline
	Height  int // line height in pixels
	ellipse int // width of "…"
}

type glyph struct {
	mask *image.Alpha // nil for blank glyphs
	off  image.Point  // mask origin relative to the pen on the baseline
	adv  int          // advance in pixels
}

// NewFace makes a face of an OpenType or TrueType font (such as Fyne's
// bundled font) at size pixels.
func NewFace(ttf []byte, size float64) (*Face, error) {
	f, err := opentype.Parse(ttf)
	if err != nil {
		return nil, fmt.Errorf("parsing font: %w", err)
	}
	ff, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("making font face: %w", err)
	}
	m := ff.Metrics()
	t := &Face{face: ff, glyphs: make(map[rune]*glyph), Ascent: m.Ascent.Ceil(), Height: m.Height.Ceil()}
	t.ellipse = t.glyph('…').adv
	return t, nil
}

// GoFace returns a face of the Go font at size pixels.
func GoFace(size float64) *Face {
	f, err := NewFace(goregular.TTF, size)
	if err != nil {
		panic(err) // the embedded Go font always parses
	}
	return f
}

func (t *Face) glyph(r rune) *glyph {
	if g, ok := t.glyphs[r]; ok {
		return g
	}
	dr, mask, mp, adv, ok := t.face.Glyph(fixed.Point26_6{}, r)
	g := &glyph{adv: adv.Round()}
	if ok && !dr.Empty() {
		a := image.NewAlpha(image.Rect(0, 0, dr.Dx(), dr.Dy()))
		for y := 0; y < dr.Dy(); y++ {
			for x := 0; x < dr.Dx(); x++ {
				_, _, _, al := mask.At(mp.X+x, mp.Y+y).RGBA()
				a.Pix[y*a.Stride+x] = uint8(al >> 8)
			}
		}
		g.mask, g.off = a, dr.Min
	}
	t.glyphs[r] = g
	return g
}

// Width returns the width of s in pixels.
func (t *Face) Width(s string) int {
	w := 0
	for _, r := range s {
		w += t.glyph(r).adv
	}
	return w
}

// Fit returns s, or its longest prefix that fits in width pixels followed by
// "…", or "" when not even one character and the ellipsis fit.
func (t *Face) Fit(s string, width int) string {
	if t.Width(s) <= width {
		return s
	}
	w := t.ellipse
	for i, r := range s {
		w += t.glyph(r).adv
		if w > width {
			if i == 0 {
				return ""
			}
			return s[:i] + "…"
		}
	}
	return s
}

// Draw draws s with its baseline at (x, y), clipped to clip.
func (t *Face) Draw(dst *image.RGBA, x, y int, s string, c color.RGBA, clip image.Rectangle) {
	clip = clip.Intersect(dst.Rect)
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		g := t.glyph(r)
		if g.mask != nil {
			blendMask(dst, g.mask, image.Pt(x+g.off.X, y+g.off.Y), c, clip)
		}
		x += g.adv
		if x >= clip.Max.X {
			return
		}
	}
}

// blendMask paints colour c through mask at p, inside clip.
func blendMask(dst *image.RGBA, mask *image.Alpha, p image.Point, c color.RGBA, clip image.Rectangle) {
	r := mask.Rect.Add(p).Intersect(clip)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		mrow := mask.Pix[(y-p.Y)*mask.Stride:]
		drow := dst.Pix[(y-dst.Rect.Min.Y)*dst.Stride:]
		for x := r.Min.X; x < r.Max.X; x++ {
			a := uint32(mrow[x-p.X])
			if a == 0 {
				continue
			}
			i := (x - dst.Rect.Min.X) * 4
			d := drow[i : i+4 : i+4]
			d[0] = uint8((uint32(d[0])*(255-a) + uint32(c.R)*a) / 255)
			d[1] = uint8((uint32(d[1])*(255-a) + uint32(c.G)*a) / 255)
			d[2] = uint8((uint32(d[2])*(255-a) + uint32(c.B)*a) / 255)
			d[3] = 255
		}
	}
}
