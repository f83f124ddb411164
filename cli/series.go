package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/findings"
	"github.com/leakscope/leakscope/diff/goroutines"
	"github.com/leakscope/leakscope/diff/rust"
	"github.com/leakscope/leakscope/diff/series"
)

// ExitGrowing is the exit code of `report --fail-if-growing` when the top
// leak suspect grew in every interval at --min-rate or faster.
const ExitGrowing = 3

// SeriesReport is the "series" member of `leakscope report --json` given
// three or more dumps of a kind. Its field names are a contract.
type SeriesReport struct {
	Files      []string  `json:"files"`
	Times      []*string `json:"times"` // RFC 3339; null when a dump records no time
	SampleType string    `json:"sample_type"`
	Unit       string    `json:"unit"`
	Totals     []int64   `json:"totals"`
	// Goroutines is the goroutine count at each snapshot of the goroutine
	// dumps of the series, when there are any.
	// GoroutineFiles[i] is the goroutine dump of the moment of Files[i]
	// and Goroutines[i] its count; null where that moment has none.
	Goroutines     []*int64        `json:"goroutines,omitempty"`
	GoroutineFiles []*string       `json:"goroutine_files,omitempty"`
	OrderedBy      string          `json:"ordered_by"`
	Suspects       []SuspectReport `json:"suspects"`
}

// SuspectReport is one leak suspect: a function, by its flat values, or a
// spawn site, by its goroutine count.
type SuspectReport struct {
	Kind     string  `json:"kind"` // "function" or "spawn_site"
	Name     string  `json:"name,omitempty"`
	Function string  `json:"function,omitempty"`
	File     string  `json:"file,omitempty"`
	Line     int64   `json:"line,omitempty"`
	Unit     string  `json:"unit"`
	Values   []int64 `json:"values"`
	Grew     int     `json:"grew"`
	// Intervals is the number of pairs of consecutive snapshots.
	Intervals int `json:"intervals"`
	// RatePerHour is null when the dumps do not record their times.
	RatePerHour     *float64 `json:"rate_per_hour"`
	RatePerInterval float64  `json:"rate_per_interval"`
	Fit             float64  `json:"fit"`
	Score           float64  `json:"score"`
	// Runtime is "tokio" for the spawn sites of a tokio service's tasks
	// (their values are live tasks), and Estimated says whether a dump
	// sampled them; both are left out for goroutines.
	Runtime   string `json:"runtime,omitempty"`
	Estimated bool   `json:"estimated,omitempty"`
}

// NewSeriesReport returns the JSON form of a, keeping the first top
// suspects (20 when top <= 0).
func NewSeriesReport(a *series.Analysis, top int) *SeriesReport {
	m := a.Main
	r := &SeriesReport{
		Files: m.Paths(), SampleType: m.SampleTypes[a.SampleIndex].Type, Unit: a.Unit(),
		Totals: m.Totals(a.SampleIndex), OrderedBy: m.OrderedBy, Suspects: []SuspectReport{},
	}
	if r.OrderedBy == "" {
		r.OrderedBy = "given"
	}
	for _, sn := range m.Snapshots {
		if sn.Time.IsZero() {
			r.Times = append(r.Times, nil)
			continue
		}
		s := sn.Time.UTC().Format(time.RFC3339Nano)
		r.Times = append(r.Times, &s)
	}
	if g := a.Goroutines; g != nil {
		idx := make([]int, m.Len())
		for i := range idx {
			idx[i] = i
		}
		if g != m {
			idx, _ = m.Match(g)
		}
		counts, paths := g.Goroutines(), g.Paths()
		for _, j := range idx {
			if j < 0 {
				r.Goroutines, r.GoroutineFiles = append(r.Goroutines, nil), append(r.GoroutineFiles, nil)
				continue
			}
			r.Goroutines, r.GoroutineFiles = append(r.Goroutines, &counts[j]), append(r.GoroutineFiles, &paths[j])
		}
	}
	if top <= 0 {
		top = 20
	}
	for i := range a.Suspects {
		if i == top {
			break
		}
		s := &a.Suspects[i]
		sr := SuspectReport{
			Kind: s.Kind, Unit: a.SuspectUnit(s), Values: s.Values, Grew: s.Grew, Intervals: s.Intervals,
			Fit: round(s.Fit, 4), Score: round(s.Score, 4),
		}
		if s.Kind == "function" {
			sr.Name = s.Function
		} else {
			sr.Function, sr.File, sr.Line = s.Site.Function, s.Site.File, s.Site.Line
			if a.Tasks() {
				sr.Runtime, sr.Estimated = "tokio", m.Estimated
			}
		}
		if s.PerHour {
			rate := round(s.Rate, 1)
			sr.RatePerHour = &rate
			if s.Intervals > 0 {
				sr.RatePerInterval = round(s.Growth/float64(s.Intervals), 1)
			}
		} else {
			sr.RatePerInterval = round(s.Rate, 1)
		}
		r.Suspects = append(r.Suspects, sr)
	}
	return r
}

func round(f float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(f*p) / p
}

// watchSiblings returns, for heap snapshots that leakscope watch named, the
// goroutine dumps it captured with them, when every one has its own; nil
// otherwise.
func watchSiblings(paths []string) []string {
	var out []string
	for _, p := range paths {
		seq, _, ok := series.ParseName(p)
		if !ok || !strings.HasPrefix(filepath.Base(p), "heap-") {
			return nil
		}
		m, _ := filepath.Glob(filepath.Join(filepath.Dir(p), fmt.Sprintf("goroutines-%04d-*.txt", seq)))
		if len(m) != 1 {
			return nil
		}
		out = append(out, m[0])
	}
	return out
}

// runSeriesReport is `leakscope report` on three or more dumps.
func runSeriesReport(files []string, o reportOptions, stdout, stderr io.Writer) int {
	a, err := analyzeFiles(files, o.sample, o.opts, o.keepAllocFrames, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	return writeSeries(a, o, stdout, stderr)
}

// writeSeries writes the report of a: the first snapshot against the last,
// then the suspects; with --fail-if-growing, it returns ExitGrowing when the
// top suspect is growing.
func writeSeries(a *series.Analysis, o reportOptions, stdout, stderr io.Writer) int {
	var g *goroutines.Comparison
	if gs := a.Goroutines; gs != nil {
		first, last := 0, gs.Len()-1
		if gs != a.Main {
			// The goroutine dumps of the first and last moments of Main.
			if idx, _ := a.Main.Match(gs); idx[0] >= 0 && idx[len(idx)-1] > idx[0] {
				first, last = idx[0], idx[len(idx)-1]
			}
		}
		gc, err := loadComparisonOrdered([]string{gs.Snapshots[first].Path, gs.Snapshots[last].Path}, "", o.opts)
		if err != nil {
			return fail(stderr, err)
		}
		if g, err = SpawnSites(gc); err != nil {
			return fail(stderr, err)
		}
	}
	gate, err := o.gate(a)
	if err != nil {
		return fail(stderr, err)
	}
	r := PairReport(a, g, o.top)
	if o.asJSON {
		r.Series = NewSeriesReport(a, o.top)
		err = encodeJSON(stdout, r)
	} else {
		first, last := a.Main.Snapshots[0], a.Main.Snapshots[a.Main.Len()-1]
		err = writeReport(stdout, r, when(first.Time), when(last.Time), g, nil)
		if err == nil {
			err = WriteSuspects(stdout, a, o.top)
		}
	}
	if err != nil {
		return fail(stderr, fmt.Errorf("writing report: %w", err))
	}
	if gate != "" {
		fmt.Fprintf(stderr, "leakscope: growing: %s\n", printable(gate))
		return ExitGrowing
	}
	return ExitOK
}

// analyzeFiles is Analyze with the command line's notes: the order, and the
// goroutine dumps watch captured beside heap snapshots.
func analyzeFiles(files []string, sample string, opts *diff.Options, keepAllocFrames bool, stderr io.Writer) (*series.Analysis, error) {
	if sib := watchSiblings(files); sib != nil {
		fmt.Fprintf(stderr, "leakscope: note: spawn sites from the goroutine dumps captured with these snapshots (%s, …)\n", printable(filepath.Base(sib[0])))
		files = append(append([]string(nil), files...), sib...)
	}
	a, err := series.Analyze(context.Background(), files, sample, opts, keepAllocFrames)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, s := range []*series.Series{a.Main, a.Goroutines} {
		if s == nil || (s == a.Goroutines && s == a.Main) {
			continue
		}
		for _, sn := range s.Snapshots {
			printWarnings(stderr, &diff.Dump{Path: sn.Path, Warnings: sn.Warnings, SymbolWarnings: sn.SymbolWarnings, Details: sn.Details, Notes: sn.Notes}, seen)
		}
	}
	if n := a.Main.Note(); n != "" {
		fmt.Fprintf(stderr, "leakscope: note: %s\n", printable(n))
	}
	return a, nil
}

// PairReport is the report of the first snapshot of a's main series against
// its last, as NewReport makes it from their comparison, made from the
// series' values (which are the dumps'): the dumps are not read again. g,
// when not nil, gives the spawn sites.
func PairReport(a *series.Analysis, g *goroutines.Comparison, top int) *Report {
	m := a.Main
	n := m.Len()
	first, last := m.Snapshots[0], m.Snapshots[n-1]
	t := a.SampleIndex
	r := NewReport(emptyComparison(last.Path, m.SampleTypes[t]), g, top)
	r.Base = &first.Path
	r.Total = Values{Base: first.Total[t], Later: last.Total[t], Delta: last.Total[t] - first.Total[t]}
	r.Functions = []FunctionReport{}
	var fns []FunctionReport
	for _, f := range a.Functions {
		full := f.Name
		for _, sn := range []series.Snapshot{last, first} {
			if fn := sn.FullNames[f.Name]; fn != "" && full == f.Name {
				full = fn
			}
		}
		fr := FunctionReport{Name: full, Short: rust.ShortName(f.Name),
			Flat: Values{Base: f.Flat.Values[0], Later: f.Flat.Values[n-1], Delta: f.Flat.Values[n-1] - f.Flat.Values[0]},
			Cum:  Values{Base: f.Cum.Values[0], Later: f.Cum.Values[n-1], Delta: f.Cum.Values[n-1] - f.Cum.Values[0]}}
		if fr.Flat.Base != 0 || fr.Flat.Later != 0 || fr.Cum.Base != 0 || fr.Cum.Later != 0 {
			fns = append(fns, fr)
		}
	}
	// As diff.Comparison.Functions sorts: by |flat delta|, |cum delta|, name.
	sort.Slice(fns, func(i, j int) bool {
		x, y := fns[i], fns[j]
		if a, b := absDelta(x.Flat.Delta), absDelta(y.Flat.Delta); a != b {
			return a > b
		}
		if a, b := absDelta(x.Cum.Delta), absDelta(y.Cum.Delta); a != b {
			return a > b
		}
		return x.Name < y.Name
	})
	if top > 0 && len(fns) > top {
		fns = fns[:top]
	}
	r.Functions = append(r.Functions, fns...)
	if g != nil {
		trends := map[goroutines.Site]*series.SiteTrend{}
		for i := range a.Sites {
			trends[a.Sites[i].Site] = &a.Sites[i]
		}
		r.AddFindings(findings.Find(findings.Input{Goroutines: g, SiteTrends: trends}))
	}
	return r
}

func absDelta(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// emptyComparison is a comparison with no stacks, for NewReport's header.
func emptyComparison(later string, st diff.SampleType) *diff.Comparison {
	b := diff.NewBuilder([]diff.SampleType{st})
	c, _ := diff.Compare(nil, b.Dump(later), "")
	return c
}

// loadComparisonOrdered compares two dumps already in order.
func loadComparisonOrdered(files []string, sample string, opts *diff.Options) (*diff.Comparison, error) {
	dumps, err := diff.OpenAll(context.Background(), opts, files...)
	if err != nil {
		return nil, err
	}
	return diff.Compare(dumps[0], dumps[1], sample)
}

// Rate is a growth rate given on the command line: Value units (bytes when
// Bytes is set, else any unit) per Per (0 for per interval).
type Rate struct {
	Value float64
	Bytes bool
	Per   time.Duration
}

// ParseRate reads a rate such as 1MiB/h, 512k/m, 100/h or 3/interval.
func ParseRate(s string) (Rate, error) {
	amount, per, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Rate{}, fmt.Errorf("bad rate %q: want an amount per time, such as 1MiB/h, 100/h or 5/interval", s)
	}
	var r Rate
	switch strings.ToLower(strings.TrimSpace(per)) {
	case "s", "sec", "second":
		r.Per = time.Second
	case "m", "min", "minute":
		r.Per = time.Minute
	case "h", "hour":
		r.Per = time.Hour
	case "d", "day":
		r.Per = 24 * time.Hour
	case "interval", "snapshot":
	default:
		return Rate{}, fmt.Errorf("bad rate %q: the time unit must be s, m, h, d or interval", s)
	}
	amount = strings.TrimSpace(amount)
	if f, err := strconv.ParseFloat(amount, 64); err == nil && f >= 0 {
		r.Value = f
		return r, nil
	}
	n, err := diff.ParseSize(amount)
	if err != nil {
		return Rate{}, fmt.Errorf("bad rate %q: %v", s, err)
	}
	r.Value, r.Bytes = float64(n), true
	return r, nil
}

// String formats the rate as it was given.
func (r Rate) String() string {
	per := "interval"
	switch r.Per {
	case time.Second:
		per = "s"
	case time.Minute:
		per = "m"
	case time.Hour:
		per = "h"
	case 24 * time.Hour:
		per = "d"
	}
	if r.Bytes {
		return diff.FormatValue(int64(r.Value), "bytes") + "/" + per
	}
	return strconv.FormatFloat(r.Value, 'g', -1, 64) + "/" + per
}

// Growing returns a description of the top suspect when it grew in every
// interval at rate r or faster, and "" when it did not. A rate in bytes
// looks at the top suspect measured in bytes; another rate at the top
// suspect. It fails when r is per time and the dumps record no times.
func Growing(a *series.Analysis, r Rate) (string, error) {
	if r.Bytes {
		inBytes := a.Unit() == "bytes" && a.Main.Kind != diff.KindGoroutine
		if !inBytes {
			return "", usagef("--min-rate %s is in bytes, and no suspect of these %s dumps is measured in bytes: give a plain rate, such as 100/h", r, a.Main.Kind)
		}
	}
	for i := range a.Suspects {
		s := &a.Suspects[i]
		unit := a.SuspectUnit(s)
		if r.Bytes && unit != "bytes" {
			continue
		}
		rate, per := s.Rate, "interval"
		if s.PerHour {
			per = "h"
		}
		switch {
		case r.Per != 0 && !s.PerHour:
			return "", usagef("--min-rate %s is per time, and these dumps do not all record when they were taken: give it per interval (such as %s/interval)", r, strings.SplitN(r.String(), "/", 2)[0])
		case r.Per != 0:
			rate = s.Rate * r.Per.Hours()
			per = strings.SplitN(r.String(), "/", 2)[1]
		case s.PerHour && s.Intervals > 0:
			rate, per = s.Growth/float64(s.Intervals), "interval"
		}
		if !s.Steady() || rate < r.Value || rate <= 0 {
			return "", nil
		}
		name := s.Function
		switch {
		case s.Kind == "spawn_site" && a.Tasks():
			name = "tokio tasks spawned at " + s.Site.String()
		case s.Kind == "spawn_site":
			name = "goroutines started at " + s.Site.String()
		}
		return fmt.Sprintf("%s grew in %d of %d intervals, at %s/%s (--min-rate %s)",
			name, s.Grew, s.Intervals, diff.FormatValue(int64(math.Round(rate)), unit), per, r), nil
	}
	return "", nil
}

// WriteSuspects writes the leak suspects of a as a table, keeping the first
// top (20 when top <= 0).
func WriteSuspects(w io.Writer, a *series.Analysis, top int) error {
	if top <= 0 {
		top = 20
	}
	m := a.Main
	by := m.OrderedBy
	if by == "" {
		by = "the order given"
	}
	fmt.Fprintf(w, "\nLeak suspects over %d snapshots (in order by %s; score = (grew/intervals)² × fit × size):\n", m.Len(), by)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "score\tgrew\trate\tfit\tvalues\tsuspect")
	for i := range a.Suspects {
		if i == top {
			break
		}
		s := &a.Suspects[i]
		name, rate := a.SuspectText(s)
		fmt.Fprintf(tw, "%.2f\t%d/%d\t%s\t%.2f\t%s\t%s\n", s.Score, s.Grew, s.Intervals, rate, s.Fit, Sparkline(s.Values), printable(name))
	}
	if len(a.Suspects) == 0 {
		fmt.Fprintln(tw, "-\t\t\t\t\tnothing grew")
	}
	return tw.Flush()
}

// Sparkline draws values as a line of block characters, lowest to highest.
func Sparkline(values []int64) string {
	const bars = "▁▂▃▄▅▆▇█"
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, v := range values {
		lo, hi = min(lo, v), max(hi, v)
	}
	var b strings.Builder
	for _, v := range values {
		k := 0
		if hi > lo {
			k = int(float64(v-lo) / float64(hi-lo) * 7.999)
		}
		b.WriteString(string([]rune(bars)[k]))
	}
	return b.String()
}

func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// reportOptions are the flags of `leakscope report`.
type reportOptions struct {
	sample        string
	asJSON        bool
	top           int
	opts          *diff.Options
	failIfGrowing bool
	minRate       Rate
	// keepAllocFrames keeps jemalloc's allocation plumbing (--keep-alloc-frames).
	keepAllocFrames bool
}

// gate returns what --fail-if-growing fails on, or "".
func (o *reportOptions) gate(a *series.Analysis) (string, error) {
	if !o.failIfGrowing {
		return "", nil
	}
	return Growing(a, o.minRate)
}
