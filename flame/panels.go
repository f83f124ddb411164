package flame

import (
	"cmp"
	"fmt"
	"image"
	"image/color"
	"path/filepath"
	"slices"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/goroutines"
	"github.com/leakscope/leakscope/diff/tokio"
)

// A Panel is a small table that an image draws beside its graph: a title,
// a header row, and rows whose first cell is a name (cut short to fit) and
// whose other cells are numbers, aligned right.
type Panel struct {
	Title string
	Head  []string
	Rows  [][]string
}

// PanelRows is how many rows the panels of an exported image show.
const PanelRows = 8

// SitePanels returns the top n spawn sites of g (goroutines by go
// statement) and of t (tokio tasks by spawn call) as panels, ranked as
// they rank them; either may be nil, and a comparison with no site gives
// no panel.
func SitePanels(g *goroutines.Comparison, t *tokio.Comparison, n int) []Panel {
	var out []Panel
	if g != nil && len(g.Sites) > 0 {
		p := Panel{Title: "Top goroutine spawn sites", Head: []string{"spawn site", "base", "later", "Δ"}}
		for _, s := range g.Sites[:min(n, len(g.Sites))] {
			p.Rows = append(p.Rows, []string{site(s.Function, s.File, s.Line),
				fmt.Sprint(s.Base), fmt.Sprint(s.Later), fmt.Sprintf("%+d", s.Delta())})
		}
		if g.Base == nil {
			p.Head, p.Title = []string{"spawn site", "goroutines"}, "Goroutine spawn sites"
			for i, r := range p.Rows {
				p.Rows[i] = []string{r[0], r[2]}
			}
		}
		out = append(out, p)
	}
	if t != nil && len(t.Sites) > 0 {
		p := Panel{Title: "Top tokio task spawn sites", Head: []string{"spawn site", "base", "later", "Δ live"}}
		for _, s := range t.Sites[:min(n, len(t.Sites))] {
			p.Rows = append(p.Rows, []string{site(s.Function, s.File, s.Line),
				fmt.Sprint(s.Live.Base), fmt.Sprint(s.Live.Later), fmt.Sprintf("%+d", s.Delta())})
		}
		out = append(out, p)
	}
	return out
}

// site names a spawn site as the tables do: the short function name and
// the file's base name with the line.
func site(fn, file string, line int64) string {
	s := ShortName(fn)
	if file != "" {
		s += fmt.Sprintf("  %s:%d", filepath.Base(file), line)
	}
	return s
}

// FunctionPanel returns the n functions of v's tree whose own (flat) value
// changed most, or that hold the most with one dump, as a panel.
func (v *View) FunctionPanel(n int) Panel {
	t := v.Tree
	type fn struct {
		name string
		self diff.Delta
	}
	index := map[string]int{}
	var fns []fn
	for i := 1; i < len(t.Nodes); i++ {
		nd := &t.Nodes[i]
		if nd.Self == (diff.Delta{}) {
			continue
		}
		k, ok := index[nd.Name]
		if !ok {
			k = len(fns)
			index[nd.Name] = k
			fns = append(fns, fn{name: nd.Name})
		}
		fns[k].self = addDelta(fns[k].self, nd.Self)
	}
	key := func(f fn) int64 {
		if t.HasBase() {
			return abs64(f.self.Diff())
		}
		return f.self.Later
	}
	slices.SortStableFunc(fns, func(a, b fn) int { return cmp.Or(cmp.Compare(key(b), key(a)), cmp.Compare(a.name, b.name)) })
	unit := t.SampleType.Unit
	p := Panel{Title: "Top functions by change in flat " + t.SampleType.Type, Head: []string{"function", "later", "Δ flat"}}
	if !t.HasBase() {
		p.Title, p.Head = "Top functions by flat "+t.SampleType.Type, []string{"function", "flat"}
	}
	for _, f := range fns[:min(n, len(fns))] {
		if t.HasBase() {
			p.Rows = append(p.Rows, []string{ShortName(f.name), diff.FormatValue(f.self.Later, unit), diff.FormatDelta(f.self.Diff(), unit)})
		} else {
			p.Rows = append(p.Rows, []string{ShortName(f.name), diff.FormatValue(f.self.Later, unit)})
		}
	}
	return p
}

// panelsHeight returns the height in pixels that panels take, lineH a row.
func panelsHeight(panels []Panel, lineH, gap int) int {
	h := 0
	for _, p := range panels {
		h += (2+len(p.Rows))*lineH + gap
	}
	return h
}

// drawPanels draws panels down r, one under the other, as far as r goes.
func drawPanels(img *image.RGBA, r image.Rectangle, panels []Panel, face *Face, lineH, gap int, ink, faint color.RGBA) {
	y := r.Min.Y
	for _, p := range panels {
		if y+lineH > r.Max.Y {
			return
		}
		face.Draw(img, r.Min.X, y+face.Ascent, face.Fit(p.Title, r.Dx()), ink, r)
		y += lineH
		// The number columns take what their widest cell needs, from the
		// right; the name takes the rest.
		cols := len(p.Head)
		widths := make([]int, cols)
		for _, row := range append([][]string{p.Head}, p.Rows...) {
			for c := 1; c < cols && c < len(row); c++ {
				widths[c] = max(widths[c], face.Width(row[c]))
			}
		}
		colGap := face.Width("  ")
		right := make([]int, cols) // each number column's right edge
		x := r.Max.X
		for c := cols - 1; c >= 1; c-- {
			right[c] = x
			x -= widths[c] + colGap
		}
		nameW := x - r.Min.X
		for i, row := range append([][]string{p.Head}, p.Rows...) {
			if y+lineH > r.Max.Y {
				return
			}
			c := ink
			if i == 0 {
				c = faint
			}
			base := y + face.Ascent
			if len(row) > 0 {
				face.Draw(img, r.Min.X, base, face.Fit(row[0], nameW), c, r)
			}
			for k := 1; k < cols && k < len(row); k++ {
				face.Draw(img, right[k]-face.Width(row[k]), base, row[k], c, r)
			}
			y += lineH
		}
		y += gap
	}
}
