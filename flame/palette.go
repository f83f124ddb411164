package flame

import (
	"hash/fnv"
	"image/color"
	"math"
	"strings"
)

// Palette colours frames. In a comparison, growth is warm and shrinkage
// cool, with saturation following the relative change on a log scale, so
// that +5 % and +500 % look different; unchanged frames are neutral. A single
// dump gets a classic warm palette whose hue is stable per package.
type Palette struct {
	Name        string
	Description string
	grow, cut   [3]float64 // hue (degrees), saturation, lightness at full change
	neutral     color.RGBA
}

// The palettes. Diverging is the default; ColorBlind uses orange against
// blue, which stays apart for the common forms of colour blindness.
var (
	Diverging = &Palette{
		Name:        "diverging",
		Description: "red: grew, blue: shrank",
		grow:        [3]float64{4, 0.78, 0.52},
		cut:         [3]float64{214, 0.72, 0.50},
		neutral:     color.RGBA{0xc8, 0xc8, 0xc4, 0xff},
	}
	ColorBlind = &Palette{
		Name:        "colorblind",
		Description: "orange: grew, blue: shrank (colour-blind safe)",
		grow:        [3]float64{32, 0.95, 0.50},
		cut:         [3]float64{208, 0.85, 0.42},
		neutral:     color.RGBA{0xcc, 0xcc, 0xcc, 0xff},
	}
)

// Palettes lists the palettes by name.
var Palettes = []*Palette{Diverging, ColorBlind}

// PaletteByName returns the named palette, or nil.
func PaletteByName(name string) *Palette {
	for _, p := range Palettes {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Change classifies a frame of a comparison.
type Change int

// The kinds of change a frame can show.
const (
	Unchanged Change = iota
	Grew
	Shrank
	New  // absent from the base dump
	Gone // absent from the later dump
)

// ChangeOf classifies a base and later value.
func ChangeOf(base, later int64) Change {
	switch {
	case base == later:
		return Unchanged
	case base <= 0 && later > 0:
		return New
	case later <= 0 && base > 0:
		return Gone
	case later > base:
		return Grew
	}
	return Shrank
}

// Intensity returns how strongly a change shows, in [0, 1]: the square root
// of |log2(later/base)| over 4 (a 16-fold change saturates), at least 0.12
// for any change, and 1 for frames that are new or gone.
func Intensity(base, later int64) float64 {
	switch ChangeOf(base, later) {
	case Unchanged:
		return 0
	case New, Gone:
		return 1
	}
	r := math.Abs(math.Log2(float64(later) / float64(base)))
	return max(math.Sqrt(min(r, 4)/4), 0.12)
}

// DiffColor returns the colour of a frame with these values.
func (p *Palette) DiffColor(base, later int64) color.RGBA {
	c := ChangeOf(base, later)
	if c == Unchanged {
		return p.neutral
	}
	hsl := p.grow
	if c == Shrank || c == Gone {
		hsl = p.cut
	}
	k := Intensity(base, later)
	// Blend from the neutral grey towards the full colour.
	full := hslToRGB(hsl[0], hsl[1], hsl[2])
	return mix(p.neutral, full, k)
}

// SingleColor returns the classic warm colour of a function in a single dump:
// a hue from red to yellow, stable for the function's package.
func SingleColor(name string) color.RGBA {
	h := fnv.New32a()
	h.Write([]byte(packageOf(name)))
	v := h.Sum32()
	hue := float64(v%55) + 2
	light := 0.55 + float64((v>>8)%10)/100
	return hslToRGB(hue, 0.85, light)
}

// packageOf returns the package path part of a Go function name
// ("net/http.(*Server).Serve" -> "net/http"), or the name up to its first
// "::" or "." for other languages.
func packageOf(name string) string {
	slash := strings.LastIndexByte(name, '/')
	if i := strings.IndexByte(name[slash+1:], '.'); i >= 0 {
		return name[:slash+1+i]
	}
	if i := strings.Index(name, "::"); i >= 0 {
		return name[:i]
	}
	return name
}

func mix(a, b color.RGBA, k float64) color.RGBA {
	f := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-k) + float64(y)*k)) }
	return color.RGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), 0xff}
}

func hslToRGB(h, s, l float64) color.RGBA {
	c := (1 - math.Abs(2*l-1)) * s
	hp := math.Mod(h, 360) / 60
	x := c * (1 - math.Abs(math.Mod(hp, 2)-1))
	var r, g, b float64
	switch {
	case hp < 1:
		r, g = c, x
	case hp < 2:
		r, g = x, c
	case hp < 3:
		g, b = c, x
	case hp < 4:
		g, b = x, c
	case hp < 5:
		r, b = x, c
	default:
		r, b = c, x
	}
	m := l - c/2
	u := func(v float64) uint8 { return uint8(math.Round((v + m) * 255)) }
	return color.RGBA{u(r), u(g), u(b), 0xff}
}

// LegendEntry is one swatch of a legend.
type LegendEntry struct {
	Color color.RGBA
	Label string
	Mark  Change // New and Gone entries are drawn with their marks
}

// Legend returns the swatches that explain the palette for a comparison.
func (p *Palette) Legend() []LegendEntry {
	return []LegendEntry{
		{p.DiffColor(1, 0), "gone", Gone},
		{p.DiffColor(16, 1), "÷16", Shrank},
		{p.DiffColor(2, 1), "÷2", Shrank},
		{p.DiffColor(100, 95), "-5%", Shrank},
		{p.neutral, "unchanged", Unchanged},
		{p.DiffColor(100, 105), "+5%", Grew},
		{p.DiffColor(1, 2), "×2", Grew},
		{p.DiffColor(1, 16), "×16", Grew},
		{p.DiffColor(0, 1), "new", New},
	}
}

// ColorMode says what a frame's colour stands for in a comparison.
type ColorMode int

// The colour modes.
const (
	// Absolute: saturation by the frame's change as a share of the larger
	// of the two totals, so that the frames that hold the growth are the
	// hottest. The default for memory and goroutine dumps.
	Absolute ColorMode = iota
	// Relative: saturation by the ratio later/base on a log scale, so that
	// a small function that doubled looks as hot as a large one.
	Relative
	// Self: as Absolute, but by the frame's own change, not its callees'.
	Self
	// Steady: by how steadily the frame grew over a series of snapshots
	// (its leak score, see package series), not by the change between two;
	// the view's Scores give it.
	Steady
)

// ColorModes lists the colour modes by name.
var ColorModes = []ColorMode{Absolute, Relative, Self}

// String returns "absolute", "relative" or "self".
func (m ColorMode) String() string {
	switch m {
	case Relative:
		return "relative"
	case Self:
		return "self"
	case Steady:
		return "steadiness"
	}
	return "absolute"
}

// absoluteFull is the share of the total at which absolute colours saturate.
const absoluteFull = 0.2

// AbsoluteIntensity returns how strongly a change of delta shows when the
// larger total is total, in [0, 1]: the square root of its share of the
// total over absoluteFull (a change of a fifth of the total saturates), at
// least 0.1 for any change.
func AbsoluteIntensity(delta, total int64) float64 {
	if delta == 0 {
		return 0
	}
	if total <= 0 {
		return 1
	}
	share := float64(abs64(delta)) / float64(total)
	return max(math.Sqrt(min(share/absoluteFull, 1)), 0.1)
}

// AbsoluteColor returns the colour of a frame whose value changed by delta
// when the larger of the two totals is total.
func (p *Palette) AbsoluteColor(delta, total int64) color.RGBA {
	if delta == 0 {
		return p.neutral
	}
	hsl := p.grow
	if delta < 0 {
		hsl = p.cut
	}
	return mix(p.neutral, hslToRGB(hsl[0], hsl[1], hsl[2]), AbsoluteIntensity(delta, total))
}

// SteadyColor returns the colour of a frame whose leak score is score, in
// [0, 1]: neutral for 0 (or NaN: not known), the growth colour at full
// strength for 1.
func (p *Palette) SteadyColor(score float32) color.RGBA {
	if !(score > 0) {
		return p.neutral
	}
	return mix(p.neutral, hslToRGB(p.grow[0], p.grow[1], p.grow[2]), max(math.Sqrt(float64(min(score, 1))), 0.1))
}

// ModeColor returns the colour of node n of t in colour mode m. In mode
// Steady, scores holds each node's score (nil: all neutral).
func (p *Palette) ModeColor(t *Tree, n int32, m ColorMode, scores []float32) color.RGBA {
	if m == Steady {
		if int(n) < len(scores) {
			return p.SteadyColor(scores[n])
		}
		return p.neutral
	}
	node := &t.Nodes[n]
	root := t.Nodes[Root].Total
	total := max(root.Base, root.Later)
	switch m {
	case Relative:
		return p.DiffColor(node.Total.Base, node.Total.Later)
	case Self:
		return p.AbsoluteColor(node.Self.Diff(), total)
	}
	return p.AbsoluteColor(node.Total.Diff(), total)
}

// LegendFor returns the swatches that explain the palette in colour mode m.
func (p *Palette) LegendFor(m ColorMode) []LegendEntry {
	switch m {
	case Relative:
		return p.Legend()
	case Steady:
		return []LegendEntry{
			{p.neutral, "not growing", Unchanged},
			{p.SteadyColor(0.05), "0.05", Grew},
			{p.SteadyColor(0.25), "0.25", Grew},
			{p.SteadyColor(0.5), "0.5", Grew},
			{p.SteadyColor(1), "1: grew in every interval, on a line", Grew},
		}
	}
	const t = 1000
	what := "of total"
	if m == Self {
		what = "self, of total"
	}
	return []LegendEntry{
		{p.DiffColor(1, 0), "gone", Gone},
		{p.AbsoluteColor(-t/5, t), "-20%", Shrank},
		{p.AbsoluteColor(-t/20, t), "-5%", Shrank},
		{p.AbsoluteColor(-t/100, t), "-1%", Shrank},
		{p.neutral, "unchanged", Unchanged},
		{p.AbsoluteColor(t/100, t), "+1%", Grew},
		{p.AbsoluteColor(t/20, t), "+5%", Grew},
		{p.AbsoluteColor(t/5, t), "+20% " + what, Grew},
		{p.DiffColor(0, 1), "new", New},
	}
}
