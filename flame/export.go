package flame

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/leakscope/leakscope/diff"
)

// View is what the user looks at: the tree with its width mode, zoom,
// search, hidden frames and palette. The app's widget and the PNG export
// draw the same View.
type View struct {
	Tree    *Tree
	Mode    WidthMode
	Zoom    ZoomStack
	Match   *Match // nil for no search
	Query   string // the search's text, for the header
	Palette *Palette
	Flame   bool               // root at the bottom
	Hidden  func(n int32) bool // frames hidden by the user; nil for none
	Title   string             // a note for the header, e.g. the selected spawn site
	// Colors says what a frame's colour stands for.
	Colors ColorMode
	// Scores are the nodes' leak scores over a series, for Colors Steady;
	// nil otherwise.
	Scores []float32
	// Filter leaves out the noise; call Refilter after changing it or Mode.
	Filter Filter
	// Expanded shows every ancestor of the zoomed node, instead of folding
	// all but the nearest FoldAbove into one row.
	Expanded bool
	// Notes are more header lines for an image, such as the findings.
	Notes []string
	// Panels are tables an image draws beside the graph, such as the top
	// spawn sites and functions (SitePanels, FunctionPanel).
	Panels []Panel
	// RootLabel names the root's box, such as "Callers of F"; "all" when "".
	RootLabel string
	// Runtime, when not nil, reports the functions outside the program
	// (such as findings.Outside): runs of their frames fold into one row
	// each (Options.Runtime), so that the program's own frames come first.
	// nil shows every frame.
	Runtime func(function string) bool

	runs    map[int32]bool // the runs the user expanded, by first node
	runtime []int8         // Runtime of each node, once asked: 1 yes, 2 no

	weights []int64 // Filter's widths in Mode; nil without a filter
	hidden  Hidden
}

// FoldAbove is how many ancestors of the zoomed node a view keeps on their
// own rows before folding the rest into one.
const FoldAbove = 3

// Refilter computes the widths that Filter leaves in Mode. Call it after
// changing either; it takes time linear in the tree.
func (v *View) Refilter() {
	v.weights, v.hidden = nil, Hidden{}
	if v.Filter.Active() {
		v.weights, v.hidden = v.Tree.Filtered(v.Filter, v.Mode)
	}
}

// FilterHidden returns what the filter leaves out.
func (v *View) FilterHidden() Hidden { return v.hidden }

// Visible reports whether node n is left in by the filter.
func (v *View) Visible(n int32) bool { return v.weights == nil || v.weights[n] > 0 }

// Snapshot returns a copy of v that later changes to v (zoom, search,
// palette, …) do not reach, for drawing on another goroutine. The tree and
// the match are shared: both are immutable.
func (v *View) Snapshot() *View {
	s := *v
	s.Zoom = v.Zoom.Clone()
	s.runs = maps.Clone(v.runs)
	s.runtime = nil // filled again by the copy's own goroutine
	return &s
}

// ExpandRun shows the frames of the folded run of runtime frames that box
// b of a layout of v draws, each on its row again.
func (v *View) ExpandRun(b Box) {
	if b.Run == 0 {
		return
	}
	if v.runs == nil {
		v.runs = map[int32]bool{}
	}
	for n := b.Run; n >= 0; n = v.Tree.Nodes[n].Parent {
		v.runs[n] = true
		if n == b.Node {
			break
		}
	}
}

// isRuntime reports whether node n's function is outside the program.
func (v *View) isRuntime(n int32) bool {
	if len(v.runtime) != len(v.Tree.Nodes) {
		v.runtime = make([]int8, len(v.Tree.Nodes))
	}
	if v.runtime[n] == 0 {
		v.runtime[n] = 2
		if n != Root && v.Runtime(v.Tree.Nodes[n].Name) {
			v.runtime[n] = 1
		}
	}
	return v.runtime[n] == 1
}

// Layout lays out the view for a graph width pixels wide.
func (v *View) Layout(width int, maxDepth int) *Layout {
	fold := FoldAbove
	if v.Expanded {
		fold = 0
	}
	o := Options{Mode: v.Mode, Zoom: v.Zoom.Current(), MinWidth: 1 / float64(max(width, 1)),
		MaxDepth: maxDepth, Hidden: v.Hidden, Weights: v.weights, FoldAbove: fold}
	if v.Runtime != nil {
		o.Runtime = v.isRuntime
		o.Expanded = func(n int32) bool { return v.runs[n] }
	}
	return v.Tree.Layout(o)
}

// Header returns the header lines: the files and sample type, then the
// totals, the zoom and the search.
func (v *View) Header() []string {
	t := v.Tree
	unit := t.SampleType.Unit
	tot := t.Nodes[Root].Total
	var first, second string
	if t.HasBase() {
		first = fmt.Sprintf("%s → %s · %s", filepath.Base(t.BaseName), filepath.Base(t.LaterName), t.SampleType.Type)
		second = fmt.Sprintf("total %s → %s (%s%s)", diff.FormatValue(tot.Base, unit), diff.FormatValue(tot.Later, unit),
			diff.FormatDelta(tot.Diff(), unit), percent(tot))
	} else {
		first = fmt.Sprintf("%s · %s", filepath.Base(t.LaterName), t.SampleType.Type)
		second = "total " + diff.FormatValue(tot.Later, unit)
	}
	if v.Title != "" {
		first += " · " + v.Title
	}
	if t.HasBase() && v.Mode == WidthLater && t.Weight(Root, WidthLater) == 0 && tot.Base > 0 {
		// Frames are as wide as their later value: nothing would show.
		second += " · the later side is empty: try width base"
	}
	if z := v.Zoom.Current(); z != Root {
		var names []string
		for _, n := range t.Path(z)[1:] {
			names = append(names, ShortName(t.Nodes[n].Name))
		}
		second += " · zoom: " + strings.Join(names, " › ")
	}
	if v.weights != nil && v.hidden.Frames > 0 {
		h := v.hidden.Value
		second += fmt.Sprintf(" · noise filter hid %d frames (%s → %s)", v.hidden.Frames,
			diff.FormatValue(h.Base, unit), diff.FormatValue(h.Later, unit))
	}
	if v.Match != nil {
		m := v.Match.Value
		if t.HasBase() {
			second += fmt.Sprintf(" · /%s/: %s → %s (%s)", v.Query, diff.FormatValue(m.Base, unit),
				diff.FormatValue(m.Later, unit), diff.FormatDelta(m.Diff(), unit))
		} else {
			second += fmt.Sprintf(" · /%s/: %s (%.1f%%)", v.Query, diff.FormatValue(m.Later, unit), share(m.Later, tot.Later))
		}
	}
	return []string{first, second}
}

func percent(d diff.Delta) string {
	if c, ok := d.Change(); ok {
		return fmt.Sprintf(", %+.1f%%", c)
	}
	return ""
}

func share(v, total int64) float64 {
	s, _ := diff.Share(v, total)
	return s
}

// Limits of an exported image. A full-height export of a very deep graph
// would otherwise ask for gigabytes.
const (
	MaxImageSide   = 16384     // pixels, either side
	MaxImagePixels = 256 << 20 // pixels in all (1 GiB of RGBA)
	MinScale       = 0.25      // device pixels per logical pixel, at least
	MaxScale       = 4         // and at most
)

// CheckScale returns an error unless scale is a finite number from MinScale
// to MaxScale.
func CheckScale(scale float64) error {
	if math.IsNaN(scale) || scale < MinScale || scale > MaxScale {
		return fmt.Errorf("scale %v is not between %v and %v", scale, MinScale, MaxScale)
	}
	return nil
}

// CheckImageSize returns an error unless a width×height image is within
// MaxImageSide and MaxImagePixels. The error gives the size that would fit
// at that width (or the widest that fits).
func CheckImageSize(width, height int) error {
	if width < 1 || height < 1 {
		return fmt.Errorf("an image of %d × %d pixels is empty", width, height)
	}
	if width <= MaxImageSide && height <= MaxImageSide && int64(width)*int64(height) <= MaxImagePixels {
		return nil
	}
	fw := min(width, MaxImageSide)
	fh := min(height, MaxImageSide, MaxImagePixels/fw)
	return fmt.Errorf("an image of %d × %d pixels is too large (at most %d pixels a side and %d Mpx); %d × %d would fit",
		width, height, MaxImageSide, MaxImagePixels>>20, fw, fh)
}

// ImageSize returns the size in device pixels of the image Image draws for
// these arguments: height 0 becomes the height the whole graph (and the
// panels beside it) needs. scale is clamped as Image clamps it.
func (v *View) ImageSize(width, height int, scale float64) (int, int) {
	if height > 0 {
		return width, height
	}
	m := v.metrics(width, clampScale(scale), nil)
	l := v.Layout(m.graphW, 0)
	return width, m.fullHeight(drawnRows(l, m.graphW))
}

// hairline is the width in pixels below which a box is a hairline: rows
// of hairlines only say nothing an image can show.
const hairline = 3

// drawnRows returns how many rows of l, at width pixels, an image as tall
// as its graph draws: down to the deepest row with a box wider than a
// hairline. The rows below are deep stacks too narrow to read.
func drawnRows(l *Layout, width int) int {
	n := 0
	for d, row := range l.Rows {
		for _, b := range row {
			if b.W*float64(width) >= hairline {
				n = d + 1
				break
			}
		}
	}
	return n
}

// fullHeight is the height that shows rows of the graph and every panel.
func (m metrics) fullHeight(rows int) int {
	h := satHeight(m.headerH, rows, m.rowH, m.pad)
	return max(h, m.headerH+m.panelsH+m.pad)
}

// satHeight is headerH + rows*rowH + pad, or MaxInt32 when that is larger.
func satHeight(headerH, rows, rowH, pad int) int {
	h := int64(headerH) + int64(rows)*int64(rowH) + int64(pad)
	return int(min(h, math.MaxInt32))
}

// ImageChecked is Image that first checks scale (CheckScale) and the size of
// the image (CheckImageSize, with height 0 resolved as Image resolves it),
// and returns an error instead of drawing what does not fit.
func (v *View) ImageChecked(width, height int, scale float64, face *Face) (*image.RGBA, error) {
	return v.ImageContext(context.Background(), width, height, scale, face)
}

// ImageContext is ImageChecked that stops soon after ctx is done, between
// rows of the graph, with ctx's error.
func (v *View) ImageContext(ctx context.Context, width, height int, scale float64, face *Face) (*image.RGBA, error) {
	if err := CheckScale(scale); err != nil {
		return nil, err
	}
	w, h := v.ImageSize(width, height, scale)
	if err := CheckImageSize(w, h); err != nil {
		return nil, err
	}
	img := v.image(w, h, scale, face, func() bool { return ctx.Err() != nil })
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return img, nil
}

type metrics struct {
	face                *Face
	pad, lineH, headerH int
	rowH                int
	style               *Style
	legendLines         int
	graphW, sideW       int // the graph's width, and the panels' (0: none)
	panelsH             int // the panels' height
}

func clampScale(scale float64) float64 {
	if math.IsNaN(scale) || math.IsInf(scale, 0) || scale <= 0 {
		return 1
	}
	return min(max(scale, MinScale), MaxScale)
}

// metrics lays an image width pixels wide out: the header (two lines, the
// notes and the legend), then the graph, with the panels beside it on its
// right when the image is wide enough for both.
func (v *View) metrics(width int, scale float64, face *Face) metrics {
	if face == nil {
		face = GoFace(12 * scale)
	}
	m := metrics{face: face, pad: int(8 * scale), lineH: face.Height + int(4*scale)}
	width = min(max(width, 2*m.pad+1), MaxImageSide)
	inner := width - 2*m.pad
	m.legendLines = v.LegendLines(inner, face, scale)
	m.headerH = m.pad + (2+len(v.Notes))*m.lineH + m.legendLines*m.lineH + m.pad
	m.graphW = inner
	if len(v.Panels) > 0 && float64(width) >= 900*scale {
		m.sideW = min(max(width*3/10, int(320*scale)), int(560*scale))
		m.graphW = inner - m.sideW - 2*m.pad
		m.panelsH = panelsHeight(v.Panels, m.lineH, m.pad)
	}
	m.style = &Style{Face: face, Scale: scale, Palette: v.palette(), Flame: v.Flame, Match: v.Match, Hover: -1, Colors: v.Colors, Scores: v.Scores, RootLabel: v.RootLabel,
		Static: true}
	m.rowH = max(m.style.RowPixels(), 1)
	return m
}

// Image renders the view with its header and legend at width×height device
// pixels (scale device pixels per logical pixel). height 0 makes the image as
// tall as the graph needs. face may be nil for the Go font. Image does not
// fail: a scale outside MinScale to MaxScale (or not finite) is brought into
// that range, and an image larger than CheckImageSize allows is cut to the
// rows that fit, so that the result never exceeds the limits; callers that
// want an error instead call ImageChecked.
func (v *View) Image(width, height int, scale float64, face *Face) *image.RGBA {
	return v.image(width, height, scale, face, nil)
}

func (v *View) image(width, height int, scale float64, face *Face, stop func() bool) *image.RGBA {
	scale = clampScale(scale)
	m := v.metrics(width, scale, face)
	m.style.Stop = stop
	face, pad, lineH, headerH, style := m.face, m.pad, m.lineH, m.headerH, m.style
	width = min(max(width, 2*pad+1), MaxImageSide)
	if height <= 0 {
		height = m.fullHeight(drawnRows(v.Layout(m.graphW, 0), m.graphW))
	}
	height = min(max(height, 1), MaxImageSide, MaxImagePixels/width)
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	fill(img, img.Rect, color.RGBA{0xff, 0xff, 0xff, 0xff})
	ink := color.RGBA{0x20, 0x20, 0x20, 0xff}
	lines := append(v.Header(), v.Notes...)
	for i, line := range lines {
		face.Draw(img, pad, pad+i*lineH+face.Ascent, face.Fit(line, width-2*pad), ink, img.Rect)
	}
	n := len(lines)
	v.drawLegend(img, image.Rect(pad, pad+n*lineH, width-pad, headerH-pad), face, scale)
	graph := image.Rect(pad, headerH, pad+m.graphW, max(height-pad, headerH))
	if m.sideW > 0 {
		side := image.Rect(width-pad-m.sideW, headerH, width-pad, max(height-pad, headerH))
		fill(img, image.Rect(side.Min.X-pad-max(int(scale), 1), headerH, side.Min.X-pad, side.Max.Y), color.RGBA{0xd8, 0xd8, 0xd8, 0xff})
		drawPanels(img, side, v.Panels, face, lineH, pad, ink, color.RGBA{0x70, 0x70, 0x70, 0xff})
	}
	maxDepth := graph.Dy()/m.rowH + 1
	Draw(img, graph, v.Layout(graph.Dx(), maxDepth), style)
	return img
}

func (v *View) palette() *Palette {
	if v.Palette == nil {
		return Diverging
	}
	return v.Palette
}

// DrawLegendOn draws the legend of v (what the colours and widths stand
// for) into r of img, its text in ink, on as many lines as r's width needs
// and its height holds (LegendLines).
func (v *View) DrawLegendOn(img *image.RGBA, r image.Rectangle, face *Face, scale float64, ink color.RGBA) {
	v.legend(img, r, face, scale, ink)
}

// LegendLines returns how many lines of face the legend takes at width
// device pixels.
func (v *View) LegendLines(width int, face *Face, scale float64) int {
	return v.legend(nil, image.Rect(0, 0, width, math.MaxInt32/2), face, scale, color.RGBA{})
}

func (v *View) drawLegend(img *image.RGBA, r image.Rectangle, face *Face, scale float64) {
	v.legend(img, r, face, scale, color.RGBA{0x40, 0x40, 0x40, 0xff})
}

// legend lays out the legend in r, an entry (a swatch and its label) or the
// closing note at a time, starting a new line where one does not fit, and
// draws it when img is not nil. It returns the lines used.
func (v *View) legend(img *image.RGBA, r image.Rectangle, face *Face, scale float64, ink color.RGBA) int {
	x, line := r.Min.X, 0
	lineH := face.Height + int(4*scale) // as the image's lines
	// place returns where an item w pixels wide goes, on a new line when
	// it does not fit on this one, and false when no line of r is left.
	place := func(w int) (int, int, bool) {
		if x > r.Min.X && x+w > r.Max.X {
			x, line = r.Min.X, line+1
		}
		y := r.Min.Y + line*lineH
		return x, y, y+face.Height <= r.Max.Y
	}
	if !v.Tree.HasBase() {
		if _, y, ok := place(0); ok && img != nil {
			face.Draw(img, x, y+face.Ascent, face.Fit("one dump: width is its value; colours group packages", r.Dx()), ink, r)
		}
		return 1
	}
	sw := int(math.Round(22 * scale))
	gap := int(math.Round(6 * scale))
	for _, e := range v.palette().LegendFor(v.Colors) {
		w := sw + gap/2 + face.Width(e.Label)
		ex, y, ok := place(w)
		if ok && img != nil {
			box := image.Rect(ex, y, ex+sw, y+face.Height)
			fill(img, box, e.Color)
			switch e.Mark {
			case New:
				bar := box
				bar.Max.X = bar.Min.X + int(3*scale)
				fill(img, bar, mix(e.Color, color.RGBA{0x40, 0, 0, 0xff}, 0.6))
			case Gone:
				hatch(img, box, mix(e.Color, color.RGBA{0xff, 0xff, 0xff, 0xff}, 0.55), max(int(4*scale), 2))
			}
			face.Draw(img, ex+sw+gap/2, y+face.Ascent, e.Label, ink, r)
		}
		x = ex + w + gap*2
	}
	note := fmt.Sprintf("colour: %s change · width: %s value", v.Colors, v.Mode)
	if v.Colors == Steady {
		note = fmt.Sprintf("colour: leak score over the series · width: %s value", v.Mode)
	}
	nx, y, ok := place(min(face.Width(note), r.Dx()))
	if ok && img != nil {
		face.Draw(img, nx, y+face.Ascent, face.Fit(note, r.Max.X-nx), ink, r)
	}
	return line + 1
}

// WritePNG encodes img as PNG.
func WritePNG(w io.Writer, img image.Image) error {
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return enc.Encode(w, img)
}

// SavePNG writes img to the file at path as PNG. The error does not repeat
// the path, so that callers can put it first.
func SavePNG(path string, img image.Image) error {
	return SavePNGContext(context.Background(), path, img)
}

// SavePNGContext is SavePNG that stops soon after ctx is done, with ctx's
// error, and then leaves no file behind.
func SavePNGContext(ctx context.Context, path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		if pe, ok := err.(*os.PathError); ok {
			return pe.Err
		}
		return err
	}
	bw := bufio.NewWriter(ctxWriter{ctx, f})
	err = WritePNG(bw, img)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return err
}

// ctxWriter fails its writes once ctx is done.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
