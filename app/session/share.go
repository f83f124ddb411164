package session

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/flame"
	"github.com/leakscope/leakscope/flame/page"
)

// Page returns what a shared HTML file of r shows: the graph as v shows it
// (v.Tree is r's tree), r's functions, its site panel and, for a series,
// the timeline. notes (the session's, such as how the pair was ordered)
// come first in the header; version names the writer.
func (r *Result) Page(v *flame.View, notes []string, version string) *page.Page {
	p := &page.Page{Version: version, View: v, Title: r.Title, Functions: r.Functions,
		Notes: append(slices.Clone(notes), r.Notes...), Findings: r.Findings}
	if s := r.Shown; s != nil {
		p.Later = s.Later.Path
		if s.Base != nil {
			p.Base = s.Base.Path
		}
	}
	p.Sites = r.pageSites()
	if tr := r.Trends; tr != nil && tr.Series != nil && tr.Series.Main != nil {
		m := tr.Series.Main
		s := &page.Series{Totals: tr.Totals, Base: tr.Series.Base, Later: tr.Series.Later}
		for _, path := range m.Paths() {
			s.Names = append(s.Names, filepath.Base(path))
		}
		if tr.SampleIndex >= 0 && tr.SampleIndex < len(m.SampleTypes) {
			s.Unit = m.SampleTypes[tr.SampleIndex].Unit
		}
		p.Series = s
	}
	return p
}

// pageSites are the rows of the site panel, as the window lists them.
func (r *Result) pageSites() *page.Sites {
	switch {
	case r.Sites != nil:
		s := &page.Sites{Title: "Spawn sites (goroutines)", Unit: "count",
			Note: "Goroutines by the go statement that started them, ranked by growth. Click a row for a goroutine's stack."}
		if r.Sites.ByEntry {
			s.Note = "These dumps record no creation sites, so goroutines are grouped by entry function."
		}
		for i := range r.Sites.Sites {
			x := &r.Sites.Sites[i]
			row := page.Site{Function: x.Function, Value: diff.Delta{Base: x.Base, Later: x.Later}, Stack: x.Stack, Score: math.NaN()}
			if !x.NoCreator && !x.ByEntry {
				row.File, row.Line = x.File, x.Line
			}
			var detail []string
			if st := x.MainState(); st != "" {
				detail = append(detail, st)
			}
			if x.MaxWait > 0 {
				detail = append(detail, "waiting up to "+diff.FormatMinutes(int64(x.MaxWait)))
			}
			if x.Survivors > 0 {
				detail = append(detail, fmt.Sprintf("%d alive in both dumps", x.Survivors))
			}
			if x.Leaked > 0 {
				detail = append(detail, fmt.Sprintf("%d leaked", x.Leaked))
			}
			row.Detail = strings.Join(detail, " · ")
			if r.Trends != nil && r.Trends.Sites != nil {
				if t := r.Trends.Sites[x.Site]; t != nil {
					row.Trend, row.Score = t.Values, t.Score
				}
			}
			s.Rows = append(s.Rows, row)
		}
		return s
	case r.Tasks != nil:
		s := &page.Sites{Title: "Spawn sites (tokio tasks)", Unit: "count",
			Note: "Live tokio tasks by the spawn call that started them, ranked by growth. Click a row for its spawn stack."}
		for i := range r.Tasks.Sites {
			x := &r.Tasks.Sites[i]
			row := page.Site{Function: x.Function, File: x.File, Line: x.Line, Value: x.Live, Stack: x.Stack, Score: math.NaN()}
			var detail []string
			if x.CellBytes.Later != 0 {
				detail = append(detail, "task cells "+diff.FormatValue(x.CellBytes.Later, "bytes"))
			}
			if x.Inside.Later != 0 {
				detail = append(detail, "allocated inside "+diff.FormatValue(x.Inside.Later, "bytes"))
			}
			row.Detail = strings.Join(detail, " · ")
			s.Rows = append(s.Rows, row)
		}
		return s
	case r.Profile != nil && len(r.Allocations) > 0:
		what := strings.ReplaceAll(r.Profile.SampleType.Type, "_", " ")
		s := &page.Sites{Title: "Allocation sites", Unit: r.Profile.SampleType.Unit,
			Note: "The frames that allocated, ranked by growth in " + what + "."}
		rows := make([]page.Site, 0, len(r.Allocations))
		for _, a := range r.Allocations {
			rows = append(rows, page.Site{Function: a.Function, File: a.Frame.File, Line: a.Frame.Line, Value: a.Value, Score: math.NaN()})
		}
		sort.SliceStable(rows, func(i, j int) bool {
			di, dj := rows[i].Value.Diff(), rows[j].Value.Diff()
			if di != dj {
				return di > dj
			}
			return rows[i].Value.Later > rows[j].Value.Later
		})
		s.Rows = rows[:min(len(rows), 200)]
		return s
	}
	return nil
}

// DefaultColors is what a frame's colour stands for when a comparison
// opens: the relative change for CPU and contention profiles, else the
// absolute one.
func DefaultColors(c *diff.Comparison) flame.ColorMode {
	if c != nil && (c.Later.Kind == diff.KindCPU || c.Later.Kind == diff.KindContention) {
		return flame.Relative
	}
	return flame.Absolute
}
