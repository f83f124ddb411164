// Package page writes a comparison as one self-contained, interactive HTML
// file: the diff flame graph with zoom, breadcrumb, search and tooltips,
// the function table, the spawn sites with their stacks and, for a series,
// the timeline. The file makes no network request: its script, style and
// data are inline, so it opens from disk in any current browser and can be
// attached to a bug report.
//
// Every name from a dump reaches the page as JSON data (with <, > and &
// escaped) and is shown as text, never as markup.
//
// The package imports no GUI toolkit and runs without cgo.
package page

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/findings"
	"github.com/leakscope/leakscope/diff/rust"
	"github.com/leakscope/leakscope/flame"
)

// Page is what a shared file shows.
type Page struct {
	// Version names the Leakscope that wrote the file.
	Version string
	// Base and Later are the compared files' names; Base is "" for a
	// single dump. Title, when set, says what the graph shows when it is
	// not the whole profile (a spawn site's goroutines, a focus).
	Base, Later, Title string
	// Notes say how the dumps were lined up or ordered, for the header.
	Notes []string
	// View is the graph as it is shown: tree, width mode, zoom, search,
	// palette and colour mode (with its scores).
	View *flame.View
	// Functions are the rows of the function table.
	Functions []diff.Function
	// Sites are the rows of the site panel; nil for none.
	Sites *Sites
	// Series is the timeline of a series; nil for a pair.
	Series *Series
	// Findings are the top suspects, shown first.
	Findings []findings.Finding
}

// Sites is the site panel: spawn sites of goroutines or tasks, or
// allocation sites, ranked as the window ranks them.
type Sites struct {
	Title string // e.g. "Spawn sites (goroutines)"
	Note  string // how to read the rows
	Unit  string // unit of the values: "count", "bytes"
	Rows  []Site
}

// Site is one row of the site panel.
type Site struct {
	Function, File string
	Line           int64
	Value          diff.Delta
	// Detail is more about the row, such as the goroutines' main state.
	Detail string
	// Stack is a representative stack, leaf first; nil for none.
	Stack []diff.Frame
	// Trend holds the value at each snapshot of a series, and Score its
	// leak score; nil and NaN without a series.
	Trend []int64
	Score float64
}

// Series is the timeline of a series of snapshots.
type Series struct {
	Names  []string `json:"names"`  // the snapshots' file names, first to last
	Totals []int64  `json:"totals"` // the graph's sample type summed at each snapshot
	Unit   string   `json:"unit"`
	Base   int      `json:"base"` // the two snapshots compared
	Later  int      `json:"later"`
}

// MaxNodes is the most frames a page holds, which keeps a page of a large
// profile near 6 MB and quick to draw. A larger tree leaves out its
// smallest frames, each a tiny fraction of a pixel wide at full width:
// their values stay in their callers' totals, so every total stays exact,
// and the page says how many frames and how much value were left out.
const MaxNodes = 200_000

//go:embed page.html
var pageHTML string

//go:embed page.js
var pageJS string

//go:embed page.css
var pageCSS string

var tmpl = template.Must(template.New("page").Parse(pageHTML))

// Write writes p as one HTML file to w.
func Write(w io.Writer, p *Page) error {
	if p.View == nil || p.View.Tree == nil {
		return fmt.Errorf("nothing to show: no call tree")
	}
	data, err := json.Marshal(encode(p, MaxNodes)) // escapes <, > and & as \u003c…
	if err != nil {
		return fmt.Errorf("encoding the page's data: %w", err)
	}
	title := filepath.Base(p.Later)
	if p.Base != "" {
		title = filepath.Base(p.Base) + " → " + title
	}
	var buf bytes.Buffer
	err = tmpl.Execute(&buf, map[string]any{
		"Title": "Leakscope: " + title,
		"CSS":   template.CSS(pageCSS),
		// The JSON is a script's text: json.Marshal escaped every <, >
		// and &, so no name can end the script element.
		"Data":    template.JS(data),
		"Script":  template.JS(pageJS),
		"Version": p.Version,
	})
	if err != nil {
		return fmt.Errorf("writing the page: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

func jsonOf(d *doc) ([]byte, error) { return json.Marshal(d) }

// Save writes p to the file path, whole or not at all: the page is written
// to a temporary file beside it, which then takes its name.
func Save(path string, p *Page) error {
	var buf bytes.Buffer
	if err := Write(&buf, p); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".leakscope-*.html")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// doc is the page's data as the script reads it. Strings are indices into
// Strings; the nodes are columns, root first, each node after its parent.
type doc struct {
	Version   string       `json:"version"`
	Base      string       `json:"base"`
	Later     string       `json:"later"`
	Title     string       `json:"title"`
	Notes     []string     `json:"notes"`
	Sample    sampleDoc    `json:"sample"`
	Mode      string       `json:"mode"`
	ColorMode string       `json:"colorMode"`
	Palette   string       `json:"palette"`
	Search    string       `json:"search"`
	Zoom      int32        `json:"zoom"`
	Strings   []string     `json:"strings"`
	Nodes     nodes        `json:"nodes"`
	Colors    []string     `json:"colors"`
	Legend    []legend     `json:"legend"`
	Pruned    pruned       `json:"pruned"`
	Functions [][]int64    `json:"functions"` // name, file, line, flat base, flat later, cum base, cum later
	Sites     *sitesDoc    `json:"sites"`
	Findings  []findingDoc `json:"findings"`
	Series    *Series      `json:"series"`
}

type findingDoc struct {
	Title    string    `json:"title"`
	Summary  string    `json:"summary"`
	Function string    `json:"function"`
	Path     []stepDoc `json:"path"`
	Holds    string    `json:"holds"`
}

type stepDoc struct {
	Function string `json:"function"`
	Where    string `json:"where"`
	Source   string `json:"source"`
}

type sampleDoc struct {
	Type string `json:"type"`
	Unit string `json:"unit"`
}

type nodes struct {
	Parent []int32 `json:"parent"` // the node's index less its parent's
	Name   []int32 `json:"name"`
	Short  []int32 `json:"short"` // the name as a frame's label shows it
	File   []int32 `json:"file"`
	Line   []int64 `json:"line"`
	Base   []int64 `json:"base"`  // total in the base dump
	Later  []int64 `json:"later"` // total in the later dump
	Max    []int64 `json:"max"`   // width in the max mode
	Color  []int32 `json:"color"` // index into Colors
	// Runtime marks the frames outside the program (View.Runtime), whose
	// runs the page folds; nil when every frame shows.
	Runtime []int8 `json:"runtime"`
}

type legend struct {
	Color string `json:"color"`
	Label string `json:"label"`
	Mark  string `json:"mark"` // "new", "gone" or ""
}

type pruned struct {
	Below  int64 `json:"below"` // the frames left out are smaller than this
	Frames int   `json:"frames"`
	Base   int64 `json:"base"`
	Later  int64 `json:"later"`
}

type sitesDoc struct {
	Title string    `json:"title"`
	Note  string    `json:"note"`
	Unit  string    `json:"unit"`
	Rows  []siteDoc `json:"rows"`
}

type siteDoc struct {
	Function string   `json:"function"`
	File     string   `json:"file"`
	Line     int64    `json:"line"`
	Base     int64    `json:"base"`
	Later    int64    `json:"later"`
	Detail   string   `json:"detail"`
	Stack    [][]any  `json:"stack"` // [function, file, line], leaf first
	Trend    []int64  `json:"trend"`
	Score    *float64 `json:"score"`
}

// strtab interns strings.
type strtab struct {
	index map[string]int32
	list  []string
}

func (s *strtab) id(v string) int32 {
	if i, ok := s.index[v]; ok {
		return i
	}
	i := int32(len(s.list))
	s.index[v] = i
	s.list = append(s.list, v)
	return i
}

func hex(c interface{ RGBA() (r, g, b, a uint32) }) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// encode makes the page's data, with at most maxNodes frames.
func encode(p *Page, maxNodes int) *doc {
	v := p.View
	t := v.Tree
	pal := v.Palette
	if pal == nil {
		pal = flame.Diverging
	}
	d := &doc{Version: p.Version, Base: p.Base, Later: p.Later, Title: p.Title, Notes: p.Notes,
		Sample: sampleDoc{Type: t.SampleType.Type, Unit: t.SampleType.Unit}, Mode: v.Mode.String(), ColorMode: v.Colors.String(), Palette: pal.Name,
		Search: v.Query, Series: p.Series}
	if !t.HasBase() {
		d.ColorMode = "single"
	}
	st := &strtab{index: map[string]int32{}}
	colors := map[string]int32{}
	limit := cutoff(t, maxNodes)
	d.Pruned.Below = limit
	zoom := v.Zoom.Current()
	keepPath := map[int32]bool{}
	for n := zoom; n >= 0; n = t.Nodes[n].Parent {
		keepPath[n] = true
	}
	newID := make([]int32, len(t.Nodes))
	for i := range newID {
		newID[i] = -1
	}
	// Depth first, children in the order the window draws them, so that
	// the script reads each node's children in order.
	stack := []int32{flame.Root}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := &t.Nodes[i]
		if i != flame.Root {
			small := max(abs(n.Total.Base), abs(n.Total.Later)) < limit
			if (small && !keepPath[i]) || (v.Hidden != nil && v.Hidden(i)) {
				d.Pruned.Frames++
				d.Pruned.Base, _ = diff.AddSaturating(d.Pruned.Base, n.Total.Base)
				d.Pruned.Later, _ = diff.AddSaturating(d.Pruned.Later, n.Total.Later)
				continue
			}
		}
		id := int32(len(d.Nodes.Name))
		newID[i] = id
		parent := int32(0)
		name := "all"
		if i != flame.Root {
			parent = id - newID[n.Parent]
			name = n.Name
		}
		var c string
		if t.HasBase() {
			c = hex(pal.ModeColor(t, i, v.Colors, v.Scores))
		} else {
			c = hex(flame.SingleColor(n.Name))
		}
		ci, ok := colors[c]
		if !ok {
			ci = int32(len(d.Colors))
			colors[c] = ci
			d.Colors = append(d.Colors, c)
		}
		d.Nodes.Parent = append(d.Nodes.Parent, parent)
		d.Nodes.Name = append(d.Nodes.Name, st.id(name))
		d.Nodes.Short = append(d.Nodes.Short, st.id(rust.ShortName(name)))
		d.Nodes.File = append(d.Nodes.File, st.id(n.File))
		d.Nodes.Line = append(d.Nodes.Line, n.Line)
		d.Nodes.Base = append(d.Nodes.Base, n.Total.Base)
		d.Nodes.Later = append(d.Nodes.Later, n.Total.Later)
		d.Nodes.Max = append(d.Nodes.Max, t.Weight(i, flame.WidthMax))
		d.Nodes.Color = append(d.Nodes.Color, ci)
		if v.Runtime != nil {
			var rt int8
			if i != flame.Root && v.Runtime(name) {
				rt = 1
			}
			d.Nodes.Runtime = append(d.Nodes.Runtime, rt)
		}
		kids := t.Children(i)
		for k := len(kids) - 1; k >= 0; k-- {
			stack = append(stack, kids[k])
		}
	}
	d.Zoom = max(newID[zoom], 0)
	if t.HasBase() {
		for _, e := range pal.LegendFor(v.Colors) {
			mark := ""
			switch e.Mark {
			case flame.New:
				mark = "new"
			case flame.Gone:
				mark = "gone"
			}
			d.Legend = append(d.Legend, legend{Color: hex(e.Color), Label: e.Label, Mark: mark})
		}
	}
	for _, f := range p.Functions {
		d.Functions = append(d.Functions, []int64{int64(st.id(f.Frame.Function)), int64(st.id(f.Frame.File)), f.Frame.Line,
			f.Flat.Base, f.Flat.Later, f.Cum.Base, f.Cum.Later})
	}
	if s := p.Sites; s != nil {
		sd := &sitesDoc{Title: s.Title, Note: s.Note, Unit: s.Unit}
		for _, r := range s.Rows {
			row := siteDoc{Function: r.Function, File: r.File, Line: r.Line, Base: r.Value.Base, Later: r.Value.Later,
				Detail: r.Detail, Trend: r.Trend}
			if !math.IsNaN(r.Score) && r.Trend != nil {
				score := r.Score
				row.Score = &score
			}
			for _, f := range r.Stack {
				row.Stack = append(row.Stack, []any{f.Function, f.File, f.Line})
			}
			sd.Rows = append(sd.Rows, row)
		}
		d.Sites = sd
	}
	for _, f := range p.Findings {
		fd := findingDoc{Summary: f.Summary, Function: f.Function, Holds: f.Holds}
		what := "allocations"
		if f.Kind == findings.SpawnSite {
			what = "goroutines"
			if f.Runtime == "tokio" {
				what = "tokio tasks"
			}
		}
		fd.Title = fmt.Sprintf("%s %s at %s", diff.FormatDelta(f.Value.Diff(), f.Unit), what, rust.ShortName(f.Function))
		if f.File != "" {
			fd.Title += fmt.Sprintf("  %s:%d", filepath.Base(f.File), f.Line)
		}
		for _, s := range f.Path {
			w := ""
			if s.File != "" {
				w = fmt.Sprintf("%s:%d", filepath.Base(s.File), s.Line)
			}
			fd.Path = append(fd.Path, stepDoc{Function: rust.ShortName(s.Function), Where: w, Source: s.Source})
		}
		d.Findings = append(d.Findings, fd)
	}
	d.Strings = st.list
	return d
}

// cutoff returns the size below which frames are left out so that at most
// n of t's nodes are kept: 0 (none left out) when t has no more than n.
func cutoff(t *flame.Tree, n int) int64 {
	if len(t.Nodes) <= n {
		return 0
	}
	sizes := make([]int64, len(t.Nodes))
	for i := range t.Nodes {
		sizes[i] = max(abs(t.Nodes[i].Total.Base), abs(t.Nodes[i].Total.Later))
	}
	slices.Sort(sizes)
	c := sizes[len(sizes)-n]
	if sizes[len(sizes)-n-1] == c {
		c++ // the ties at the n-th largest would make more than n
	}
	return c
}

func abs(x int64) int64 {
	if x < 0 {
		if x == math.MinInt64 {
			return math.MaxInt64
		}
		return -x
	}
	return x
}
