package app

import (
	"fmt"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/series"
	"github.com/leakscope/leakscope/flame"
)

// siteRow is one row of the spawn-site panel: a spawn site of a goroutine
// comparison or of tokio tasks, or an allocation site (leaf frame) of a
// profile comparison.
type siteRow struct {
	name, where       string // function (its full name); file:line
	base, later       int64
	survivors, leaked int64
	state             string
	labels            string // the label sets of the later goroutines, most common first
	wait              int32
	site              int               // index in goroutines.Comparison.Sites (or tokio.Comparison.Sites); -1 for allocation sites
	trend             *series.SiteTrend // the site over the series; nil without one

	// For tokio tasks: tasks ever spawned, base and later (when known),
	// the bytes of the live cells and the memory inside the tasks.
	spawned, cell, inside diff.Delta
	hasSpawned            bool
	approx                string // "≈" when the counts are estimates
}

func (r *siteRow) delta() int64 { return r.later - r.base }

// column describes one column of the panel.
type column struct {
	title string
	width float32
	text  func(r *siteRow, unit string) string
	less  func(a, b *siteRow) bool // sorts descending by default
}

// The columns put Delta, which ranks the sites, right after the site, so
// that it stays in view in a narrow window.
var goroutineColumns = []column{
	{"Spawn site", 150, func(r *siteRow, _ string) string { return siteText(r) }, func(a, b *siteRow) bool { return a.name < b.name }},
	{"Delta", 62, func(r *siteRow, _ string) string { return fmt.Sprintf("%+d", r.delta()) }, func(a, b *siteRow) bool { return a.delta() > b.delta() }},
	{"Base", 56, func(r *siteRow, _ string) string { return fmt.Sprint(r.base) }, func(a, b *siteRow) bool { return a.base > b.base }},
	{"Later", 56, func(r *siteRow, _ string) string { return fmt.Sprint(r.later) }, func(a, b *siteRow) bool { return a.later > b.later }},
	{"Survivors", 80, func(r *siteRow, _ string) string { return fmt.Sprint(r.survivors) }, func(a, b *siteRow) bool { return a.survivors > b.survivors }},
	{"Leaked", 64, func(r *siteRow, _ string) string { return fmt.Sprint(r.leaked) }, func(a, b *siteRow) bool { return a.leaked > b.leaked }},
	{"Main state", 120, func(r *siteRow, _ string) string { return r.state }, func(a, b *siteRow) bool { return a.state < b.state }},
	{"Longest wait", 96, func(r *siteRow, _ string) string { return waitText(r.wait) }, func(a, b *siteRow) bool { return a.wait > b.wait }},
	{"Labels", 160, func(r *siteRow, _ string) string { return r.labels }, func(a, b *siteRow) bool { return a.labels < b.labels }},
}

// taskColumns are the columns of tokio task sites; the counts are live
// task cells.
var taskColumns = []column{
	{"Spawn site", 150, func(r *siteRow, _ string) string { return siteText(r) }, func(a, b *siteRow) bool { return a.name < b.name }},
	{"Delta", 70, func(r *siteRow, _ string) string { return fmt.Sprintf("%s%+d", r.approx, r.delta()) }, func(a, b *siteRow) bool { return a.delta() > b.delta() }},
	{"Base", 62, func(r *siteRow, _ string) string { return r.approx + fmt.Sprint(r.base) }, func(a, b *siteRow) bool { return a.base > b.base }},
	{"Later", 62, func(r *siteRow, _ string) string { return r.approx + fmt.Sprint(r.later) }, func(a, b *siteRow) bool { return a.later > b.later }},
	{"Spawned", 110, func(r *siteRow, _ string) string {
		if !r.hasSpawned {
			return "-"
		}
		return fmt.Sprintf("%s%d → %d", r.approx, r.spawned.Base, r.spawned.Later)
	}, func(a, b *siteRow) bool { return a.spawned.Diff() > b.spawned.Diff() }},
	{"Cell bytes", 84, func(r *siteRow, _ string) string { return diff.FormatValue(r.cell.Later, "bytes") }, func(a, b *siteRow) bool { return a.cell.Later > b.cell.Later }},
	{"Inside tasks", 150, func(r *siteRow, _ string) string {
		return diff.FormatValue(r.inside.Base, "bytes") + " → " + diff.FormatValue(r.inside.Later, "bytes")
	}, func(a, b *siteRow) bool { return a.inside.Diff() > b.inside.Diff() }},
}

var singleTaskColumns = []column{
	taskColumns[0],
	{"Live tasks", 80, func(r *siteRow, _ string) string { return r.approx + fmt.Sprint(r.later) }, func(a, b *siteRow) bool { return a.later > b.later }},
	{"Spawned", 80, func(r *siteRow, _ string) string {
		if !r.hasSpawned {
			return "-"
		}
		return r.approx + fmt.Sprint(r.spawned.Later)
	}, func(a, b *siteRow) bool { return a.spawned.Later > b.spawned.Later }},
	taskColumns[5],
	{"Inside tasks", 90, func(r *siteRow, _ string) string { return diff.FormatValue(r.inside.Later, "bytes") }, func(a, b *siteRow) bool { return a.inside.Later > b.inside.Later }},
}

var allocColumns = []column{
	{"Allocation site", 150, func(r *siteRow, _ string) string { return siteText(r) }, func(a, b *siteRow) bool { return a.name < b.name }},
	{"Delta", 80, func(r *siteRow, u string) string { return diff.FormatDelta(r.delta(), u) }, func(a, b *siteRow) bool { return a.delta() > b.delta() }},
	{"Base", 76, func(r *siteRow, u string) string { return diff.FormatValue(r.base, u) }, func(a, b *siteRow) bool { return a.base > b.base }},
	{"Later", 76, func(r *siteRow, u string) string { return diff.FormatValue(r.later, u) }, func(a, b *siteRow) bool { return a.later > b.later }},
}

// The columns of a single dump: no base, no delta.
var singleGoroutineColumns = []column{
	goroutineColumns[0],
	{"Goroutines", 90, func(r *siteRow, _ string) string { return fmt.Sprint(r.later) }, func(a, b *siteRow) bool { return a.later > b.later }},
	goroutineColumns[5], goroutineColumns[6], goroutineColumns[7], goroutineColumns[8],
}

var singleAllocColumns = []column{
	allocColumns[0],
	{"Value", 90, func(r *siteRow, u string) string { return diff.FormatValue(r.later, u) }, func(a, b *siteRow) bool { return a.later > b.later }},
}

// leftAligned reports whether column i, c, holds text rather than
// numbers. The first column is always the sites' names.
func leftAligned(i int, c column) bool {
	return i == 0 || c.title == "Main state" || c.title == "Labels" || c.title == "Inside tasks" || c.title == "Where" || monoColumn(c.title)
}

// siteText is a site as the panel shows it: a Rust name in its short form
// (diff.ShortName), then where.
func siteText(r *siteRow) string { return flame.ShortName(r.name) }

// fullSiteText is siteText with the full function name, for its tip.
func fullSiteText(r *siteRow) string {
	if r.where == "" {
		return r.name
	}
	return r.name + "  " + r.where
}

func waitText(m int32) string {
	if m <= 0 {
		return "< 1 min"
	}
	return diff.FormatMinutes(int64(m))
}

// whereColumn gives a site's file:line in a column of its own, so that the
// name's truncation never cuts it.
var whereColumn = column{"Where", 96, func(r *siteRow, _ string) string { return r.where },
	func(a, b *siteRow) bool { return a.where < b.where }}

func (c column) Heading() (string, float32) { return c.title, c.width }
