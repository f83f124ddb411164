package app

import (
	"fmt"
	"path/filepath"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/flame"
)

// funcColumn is one column of the function table.
type funcColumn struct {
	title string
	width float32
	text  func(f *diff.Function, unit string) string
	key   func(f *diff.Function) float64 // sort key; nil sorts by name
	left  bool
}

func pct(d diff.Delta) string {
	c, ok := d.Change()
	switch {
	case d.Diff() == 0:
		return "0%" // unchanged, as a row of zeros reads
	case ok:
		return fmt.Sprintf("%+.1f%%", c)
	case d.Later == 0:
		return "0%"
	}
	return "new"
}

func pctKey(d diff.Delta) float64 {
	c, ok := d.Change()
	switch {
	case ok:
		return c / 100
	case d.Later == 0:
		return 0
	}
	return 1e18
}

func mark(f *diff.Function) string {
	switch flame.ChangeOf(f.Cum.Base, f.Cum.Later) {
	case flame.New:
		return "new"
	case flame.Gone:
		return "gone"
	}
	return ""
}

// displayName is a row's function (with its file:line, for a line) as the
// tables show it: a Rust name in its short form (diff.ShortName).
func displayName(f *diff.Function) string {
	fr := f.Frame
	if fr.Function == "" { // a row made without its frame
		return flame.ShortName(f.Name)
	}
	fr.Function = flame.ShortName(fr.Function)
	return fr.String()
}

var diffFuncColumns = []funcColumn{
	{"Function", 150, func(f *diff.Function, _ string) string { return displayName(f) }, nil, true},
	{"Flat base", 84, func(f *diff.Function, u string) string { return diff.FormatValue(f.Flat.Base, u) }, func(f *diff.Function) float64 { return float64(f.Flat.Base) }, false},
	{"Flat later", 84, func(f *diff.Function, u string) string { return diff.FormatValue(f.Flat.Later, u) }, func(f *diff.Function) float64 { return float64(f.Flat.Later) }, false},
	{"Flat Δ", 80, func(f *diff.Function, u string) string { return diff.FormatDelta(f.Flat.Diff(), u) }, func(f *diff.Function) float64 { return float64(f.Flat.Diff()) }, false},
	{"Flat Δ%", 70, func(f *diff.Function, _ string) string { return pct(f.Flat) }, func(f *diff.Function) float64 { return pctKey(f.Flat) }, false},
	{"Cum base", 84, func(f *diff.Function, u string) string { return diff.FormatValue(f.Cum.Base, u) }, func(f *diff.Function) float64 { return float64(f.Cum.Base) }, false},
	{"Cum later", 84, func(f *diff.Function, u string) string { return diff.FormatValue(f.Cum.Later, u) }, func(f *diff.Function) float64 { return float64(f.Cum.Later) }, false},
	{"Cum Δ", 84, func(f *diff.Function, u string) string { return diff.FormatDelta(f.Cum.Diff(), u) }, func(f *diff.Function) float64 { return float64(f.Cum.Diff()) }, false},
	{"Cum Δ%", 70, func(f *diff.Function, _ string) string { return pct(f.Cum) }, func(f *diff.Function) float64 { return pctKey(f.Cum) }, false},
	{"", 48, func(f *diff.Function, _ string) string { return mark(f) }, func(f *diff.Function) float64 { return float64(len(mark(f))) }, true},
}

var singleFuncColumns = []funcColumn{
	{"Function", 230, func(f *diff.Function, _ string) string { return displayName(f) }, nil, true},
	{"Flat", 90, func(f *diff.Function, u string) string { return diff.FormatValue(f.Flat.Later, u) }, func(f *diff.Function) float64 { return float64(f.Flat.Later) }, false},
	{"Cum", 90, func(f *diff.Function, u string) string { return diff.FormatValue(f.Cum.Later, u) }, func(f *diff.Function) float64 { return float64(f.Cum.Later) }, false},
}

// lineWhereColumn is the Lines table's file:line.
var lineWhereColumn = funcColumn{"Where", 120, func(f *diff.Function, _ string) string {
	if f.Frame.File == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", sourcePath(f.Frame.File), f.Frame.Line)
}, nil, true}

// sourcePath is a source file's folder and name, "my src/main.go", enough to
// tell main.go of one package from another's; the whole path shows on hover.
func sourcePath(file string) string {
	dir := filepath.Base(filepath.Dir(file))
	if dir == "." || dir == "/" || dir == "" {
		return filepath.Base(file)
	}
	return dir + "/" + filepath.Base(file)
}

func (c funcColumn) Heading() (string, float32) { return c.title, c.width }
