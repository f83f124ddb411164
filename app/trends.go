package app

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/series"
)

// sparkWidth is the most characters a sparkline takes; longer series are
// drawn by their bucket means.
const sparkWidth = 16

// sparkline draws values as block characters, lowest to highest, in at most
// sparkWidth characters. The table shows it in a monospaced font, which has
// the block glyphs.
func sparkline(values []int64) string {
	if len(values) == 0 {
		return ""
	}
	vs := make([]float64, 0, sparkWidth)
	if len(values) <= sparkWidth {
		for _, v := range values {
			vs = append(vs, float64(v))
		}
	} else {
		for b := range sparkWidth {
			lo, hi := b*len(values)/sparkWidth, (b+1)*len(values)/sparkWidth
			var sum float64
			for _, v := range values[lo:hi] {
				sum += float64(v)
			}
			vs = append(vs, sum/float64(hi-lo))
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		lo, hi = min(lo, v), max(hi, v)
	}
	bars := []rune("▁▂▃▄▅▆▇█")
	var b strings.Builder
	for _, v := range vs {
		k := 0
		if hi > lo {
			k = int((v - lo) / (hi - lo) * 7.999)
		}
		b.WriteRune(bars[k])
	}
	return b.String()
}

// rateText formats a trend's rate: "+1.2MB/h", "-3/interval".
func rateText(t *series.Trend, unit string) string {
	per := "/interval"
	if t.PerHour {
		per = "/h"
	}
	return diff.FormatDelta(int64(math.Round(t.Rate)), unit) + per
}

func grewText(t *series.Trend) string { return fmt.Sprintf("%d/%d", t.Grew, t.Intervals) }

func scoreText(t *series.Trend) string { return fmt.Sprintf("%.2f", t.Score) }

// seriesFuncColumns are the function table's columns for a series: the flat
// trend of each function first (score, intervals it grew in, sparkline,
// rate), then the values of the picked pair. Grew comes before the
// sparkline so that a narrow pane still shows it.
func (t *funcTable) seriesFuncColumns() []funcColumn {
	trend := func(f *diff.Function) *series.Trend {
		if ft := t.trends[f.Name]; ft != nil {
			return &ft.Flat
		}
		return nil
	}
	text := func(s func(*series.Trend) string) func(f *diff.Function, _ string) string {
		return func(f *diff.Function, _ string) string {
			if tr := trend(f); tr != nil {
				return s(tr)
			}
			return ""
		}
	}
	key := func(k func(*series.Trend) float64) func(f *diff.Function) float64 {
		return func(f *diff.Function) float64 {
			if tr := trend(f); tr != nil {
				return k(tr)
			}
			return math.Inf(-1)
		}
	}
	cols := []funcColumn{
		diffFuncColumns[0],
		{"Score", 64, text(scoreText), key(func(t *series.Trend) float64 { return t.Score }), false},
		{"Grew", 48, text(grewText), key(func(t *series.Trend) float64 { return float64(t.Grew) }), false},
		{"Flat trend", 120, text(func(tr *series.Trend) string { return sparkline(tr.Values) }), key(func(t *series.Trend) float64 { return t.Growth }), true},
		{"Rate", 96, func(f *diff.Function, u string) string {
			if tr := trend(f); tr != nil {
				return rateText(tr, u)
			}
			return ""
		}, key(func(t *series.Trend) float64 { return t.Rate }), false},
	}
	return append(cols, diffFuncColumns[1:]...)
}

// seriesSiteColumns are the spawn-site panel's columns for a series.
var seriesSiteColumns = func() []column {
	has := func(r *siteRow) bool { return r.trend != nil }
	num := func(r *siteRow, k func(*series.Trend) float64) float64 {
		if !has(r) {
			return math.Inf(-1)
		}
		return k(&r.trend.Trend)
	}
	cols := []column{
		goroutineColumns[0],
		{"Score", 64, func(r *siteRow, _ string) string {
			if !has(r) {
				return ""
			}
			return scoreText(&r.trend.Trend)
		}, func(a, b *siteRow) bool {
			return num(a, func(t *series.Trend) float64 { return t.Score }) > num(b, func(t *series.Trend) float64 { return t.Score })
		}},
		{"Grew", 48, func(r *siteRow, _ string) string {
			if !has(r) {
				return ""
			}
			return grewText(&r.trend.Trend)
		}, func(a, b *siteRow) bool {
			return num(a, func(t *series.Trend) float64 { return float64(t.Grew) }) > num(b, func(t *series.Trend) float64 { return float64(t.Grew) })
		}},
		{"Trend", 120, func(r *siteRow, _ string) string {
			if !has(r) {
				return ""
			}
			return sparkline(r.trend.Values)
		}, func(a, b *siteRow) bool {
			return num(a, func(t *series.Trend) float64 { return t.Growth }) > num(b, func(t *series.Trend) float64 { return t.Growth })
		}},
		{"Rate", 84, func(r *siteRow, _ string) string {
			if !has(r) {
				return ""
			}
			return rateText(&r.trend.Trend, "count")
		}, func(a, b *siteRow) bool {
			return num(a, func(t *series.Trend) float64 { return t.Rate }) > num(b, func(t *series.Trend) float64 { return t.Rate })
		}},
	}
	return append(cols, goroutineColumns[1:]...)
}()

// monoColumn reports whether a column holds sparklines, drawn in the
// monospaced font.
func monoColumn(title string) bool { return strings.HasSuffix(title, "rend") }

// functionTrends returns r's function trends, or nil without a series.
func functionTrends(r *session.Result) map[string]*series.FunctionTrend {
	if r.Trends == nil {
		return nil
	}
	return r.Trends.Functions
}

// sameTrends reports whether two results show the same series values.
func sameTrends(a, b *session.Trends) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Series.Main == b.Series.Main && a.Series.Goroutines == b.Series.Goroutines && a.SampleIndex == b.SampleIndex && a.Shown == b.Shown
}

// showTimeline shows r's series on the timeline, or hides it.
func (u *UI) showTimeline(r *session.Result) {
	tr := r.Trends
	if tr == nil {
		if u.timeline.Visible() {
			u.timeline.Hide()
			u.relayout()
		}
		return
	}
	s := tr.Series
	gors := tr.Goroutines
	if len(gors) != len(tr.Totals) {
		gors = nil
	}
	what := s.Main.SampleTypes[0].Type
	unit := s.Main.SampleTypes[0].Unit
	if i, err := s.Main.SampleIndex(r.Sample); err == nil {
		what, unit = s.Main.SampleTypes[i].Type, s.Main.SampleTypes[i].Unit
	}
	u.timeline.Set(s.Main, tr.Totals, unit, what, gors, s.Base, s.Later)
	if !u.timeline.Visible() {
		u.timeline.Show()
		u.relayout()
	}
}

// PickSnapshots compares snapshots base and later of the series on screen:
// it reads their dumps in the background and shows them.
func (u *UI) PickSnapshots(base, later int) {
	s := u.sess.Series
	if s == nil || base < 0 || later >= s.Main.Len() || base >= later {
		return
	}
	next := s.Pick(base, later)
	paths := next.Paths()
	sym := u.sess.Symbols.Clone()
	sym.Sample = u.sess.Sample
	p := &diff.Progress{}
	u.tb.startProgress()
	u.worker.Submit(session.Job{
		Lane: session.LaneLoad, Progress: p, OnProgress: u.tb.showProgress,
		Run: func(ctx context.Context) func() {
			dumps, err := session.Load(ctx, session.Files(paths), sym, p)
			if session.IsCanceled(err) {
				return nil
			}
			return func() {
				if err != nil {
					u.tb.stopProgress()
					u.showError(err)
					return
				}
				u.begin()
				u.sess.PickDumps(next, dumps)
				u.recompute()
			}
		},
	})
}
