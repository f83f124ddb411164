package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/debuginfod"
	"github.com/leakscope/leakscope/diff/findings"
	"github.com/leakscope/leakscope/diff/goroutines"
	"github.com/leakscope/leakscope/diff/jemalloc" // reads jemalloc heap_v2 dumps
	"github.com/leakscope/leakscope/diff/rust"
	"github.com/leakscope/leakscope/diff/tokio"
)

// Report is the JSON document of `leakscope report --json`. Its field names
// are a contract with users' scripts.
type Report struct {
	Base       *string          `json:"base"` // null when one dump is shown alone
	Later      string           `json:"later"`
	SampleType string           `json:"sample_type"`
	Unit       string           `json:"unit"`
	Total      Values           `json:"total"`
	Functions  []FunctionReport `json:"functions"`
	// SpawnSites is present for goroutine dumps: goroutines grouped by the
	// go statement that started them, ranked by growth; and for jemalloc
	// heap dumps of a tokio service: its tasks grouped by the call that
	// spawned them (runtime "tokio").
	SpawnSites []SpawnSiteReport `json:"spawn_sites,omitempty"`
	// GroupedBy says what spawn_sites are: "creator" (the go statement; from
	// debug=2 dumps; or the function that called tokio's spawn API) or
	// "entry_function" (dumps without creation sites).
	GroupedBy string `json:"grouped_by,omitempty"`
	// Series is present given three or more dumps of a kind: the value of
	// each leak suspect at every snapshot, ranked by steady growth. The
	// members above then compare the first snapshot with the last.
	Series *SeriesReport `json:"series,omitempty"`
	// Findings are the top suspects, most important first, each with the
	// path of the program's frames that reaches it (package findings);
	// absent when nothing grew.
	Findings []FindingReport `json:"findings,omitempty"`
}

// FindingReport is one finding: what grew, where, how the program reaches
// it and the pattern that shows.
type FindingReport struct {
	Kind     string `json:"kind"`    // "spawn_site" or "allocation"
	Runtime  string `json:"runtime"` // "go", "tokio" or "native"
	Function string `json:"function"`
	File     string `json:"file"`
	Line     int64  `json:"line"`
	Unit     string `json:"unit"`
	Base     int64  `json:"base"`
	Later    int64  `json:"later"`
	Delta    int64  `json:"delta"`
	// Path runs from the program's entry to the site: each step's line is
	// that of the call it makes toward the site (the last, the site's).
	Path    []StepReport `json:"path"`
	Pattern *string      `json:"pattern"` // "default-impl", "constructor" or null
	Holds   string       `json:"holds,omitempty"`
	// Rate (per hour when the snapshots carry times, else per interval)
	// and Score (the leak score, 0 to 1), over a series; absent for a pair.
	Rate    *float64 `json:"rate,omitempty"`
	PerHour bool     `json:"per_hour,omitempty"`
	Score   *float64 `json:"score,omitempty"`
	Summary string   `json:"summary"`
}

// StepReport is one function on a finding's path.
type StepReport struct {
	Function string `json:"function"`
	File     string `json:"file"`
	Line     int64  `json:"line"`
	Source   string `json:"source,omitempty"` // the line's text, when its file is found
}

// AddFindings sets r's findings from fs.
func (r *Report) AddFindings(fs []findings.Finding) {
	r.Findings = nil
	for _, f := range fs {
		fr := FindingReport{Kind: f.Kind, Runtime: f.Runtime, Function: f.Function, File: f.File, Line: f.Line,
			Unit: f.Unit, Base: f.Value.Base, Later: f.Value.Later, Delta: f.Value.Diff(), Holds: f.Holds, Summary: f.Summary,
			Path: []StepReport{}}
		if f.Pattern != "" {
			p := f.Pattern
			fr.Pattern = &p
		}
		if t := f.Trend; t != nil {
			rate, score := round(t.Rate, 3), round(t.Score, 3)
			fr.Rate, fr.Score, fr.PerHour = &rate, &score, t.PerHour
		}
		for _, s := range f.Path {
			fr.Path = append(fr.Path, StepReport{Function: s.Function, File: s.File, Line: s.Line, Source: s.Source})
		}
		r.Findings = append(r.Findings, fr)
	}
}

// SpawnSiteReport is one spawn site of a goroutine comparison.
type SpawnSiteReport struct {
	Function       string           `json:"function"`
	File           string           `json:"file"`
	Line           int64            `json:"line"`
	NoCreator      bool             `json:"no_creator,omitempty"`
	Base           int64            `json:"base"`
	Later          int64            `json:"later"`
	Delta          int64            `json:"delta"`
	Survivors      int64            `json:"survivors"`
	Leaked         int64            `json:"leaked"`
	States         map[string]int64 `json:"states"`
	MaxWaitMinutes int32            `json:"max_wait_minutes"`
	Wait           WaitReport       `json:"wait"`
	Labels         map[string]int64 `json:"labels,omitempty"`
	Stack          []string         `json:"stack"`

	// The fields below are present for tokio tasks only. Base, Later and
	// Delta then count live tasks (task cells in use), and Function is the
	// full demangled name of the function that called the spawn API.
	//
	// Runtime is "tokio".
	Runtime string `json:"runtime,omitempty"`
	// Estimated is true when the dumps sampled allocations, so that the
	// counts are unbiased estimates, and false when they are exact.
	Estimated *bool `json:"estimated,omitempty"`
	// ShortName is Function as the window shows it (RegionCache::default).
	ShortName string `json:"short_name,omitempty"`
	// Spawned counts the tasks ever spawned there; absent without
	// prof_accum counts.
	Spawned *Values `json:"spawned,omitempty"`
	// CellBytes is the memory of the live tasks' cells, in bytes.
	CellBytes *Values `json:"cell_bytes,omitempty"`
	// InsideBytes is the memory in use allocated inside those tasks.
	InsideBytes *Values `json:"inside_bytes,omitempty"`
}

// WaitReport counts a site's later goroutines by how long they have waited.
type WaitReport struct {
	Under1m  int64 `json:"under_1m"`
	Under10m int64 `json:"1m_to_10m"`
	Under1h  int64 `json:"10m_to_1h"`
	Over1h   int64 `json:"over_1h"`
}

// Values is a value in the base dump, in the later dump, and their difference.
type Values struct {
	Base  int64 `json:"base"`
	Later int64 `json:"later"`
	Delta int64 `json:"delta"`
}

// FunctionReport is one function's flat and cum values.
type FunctionReport struct {
	// Name is the full demangled name (C++ template arguments and
	// parameters, Rust generic arguments, as c++filt gives them), or, where
	// several instantiations share the name jeprof shows, that name.
	Name string `json:"name"`
	// Short is the name as the window shows it (RegionCache::default).
	Short string `json:"short"`
	Flat  Values `json:"flat"`
	Cum   Values `json:"cum"`
}

func values(d diff.Delta) Values { return Values{Base: d.Base, Later: d.Later, Delta: d.Diff()} }

// NewReport summarises c, keeping the first top functions and spawn sites
// (all when top <= 0). g, when not nil, is the spawn-site comparison of the
// same goroutine dumps.
func NewReport(c *diff.Comparison, g *goroutines.Comparison, top int) *Report {
	r := &Report{
		Later:      c.Later.Path,
		SampleType: c.SampleType.Type,
		Unit:       c.SampleType.Unit,
		Total:      values(c.Total()),
		Functions:  []FunctionReport{},
	}
	if c.Base != nil {
		r.Base = &c.Base.Path
	}
	fns := c.Functions()
	if top > 0 && len(fns) > top {
		fns = fns[:top]
	}
	for _, f := range fns {
		full := c.Later.FullName(f.Name)
		if full == f.Name {
			full = c.Base.FullName(f.Name)
		}
		r.Functions = append(r.Functions, FunctionReport{Name: full, Short: rust.ShortName(f.Name), Flat: values(f.Flat), Cum: values(f.Cum)})
	}
	if g != nil {
		r.GroupedBy = "creator"
		if g.ByEntry {
			r.GroupedBy = "entry_function"
		}
		r.SpawnSites = []SpawnSiteReport{}
		sites := g.Sites
		if top > 0 && len(sites) > top {
			sites = sites[:top]
		}
		for _, s := range sites {
			sr := SpawnSiteReport{
				Function: s.Function, File: s.File, Line: s.Line, NoCreator: s.NoCreator,
				Base: s.Base, Later: s.Later, Delta: s.Delta(), Survivors: s.Survivors, Leaked: s.Leaked,
				States: s.States, MaxWaitMinutes: s.MaxWait, Labels: s.Labels,
				Wait:  WaitReport{s.Wait.Under1m, s.Wait.Under10m, s.Wait.Under1h, s.Wait.Over1h},
				Stack: []string{},
			}
			if len(sr.Labels) == 0 {
				sr.Labels = nil
			}
			for _, f := range s.Stack {
				sr.Stack = append(sr.Stack, f.String())
			}
			r.SpawnSites = append(r.SpawnSites, sr)
		}
	}
	return r
}

// AddTasks adds the spawn sites of t's tokio tasks to r (the first top
// when top > 0), unless r already lists goroutine spawn sites. t may be nil.
func (r *Report) AddTasks(t *tokio.Comparison, top int) {
	if t == nil || r.SpawnSites != nil {
		return
	}
	r.GroupedBy = "creator"
	r.SpawnSites = []SpawnSiteReport{}
	sites := t.Sites
	if top > 0 && len(sites) > top {
		sites = sites[:top]
	}
	for _, s := range sites {
		est := t.Estimated
		cell, inside := values(s.CellBytes), values(s.Inside)
		sr := SpawnSiteReport{
			Function: s.Function, File: s.File, Line: s.Line,
			Base: s.Live.Base, Later: s.Live.Later, Delta: s.Delta(),
			States: map[string]int64{}, Stack: []string{},
			Runtime: "tokio", Estimated: &est, ShortName: rust.ShortName(s.Function),
			CellBytes: &cell, InsideBytes: &inside,
		}
		if t.HasSpawned {
			sp := values(s.Spawned)
			sr.Spawned = &sp
		}
		for _, f := range s.Stack {
			sr.Stack = append(sr.Stack, f.String())
		}
		r.SpawnSites = append(r.SpawnSites, sr)
	}
}

func runReport(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("report", stderr)
	sample := fs.String("sample", "", "sample type to compare (default: the dump's default)")
	asJSON := fs.Bool("json", false, "print JSON")
	top := fs.Int("top", 0, "print only the first N functions")
	tag := fs.String("tag", "", "keep only the stacks labelled key=value (pprof labels, goroutine labels), as pprof's -tagfocus")
	failIfGrowing := fs.Bool("fail-if-growing", false, "given a series, exit 3 when the top leak suspect grew in every interval at --min-rate or faster")
	minRate := fs.String("min-rate", "", "with --fail-if-growing: the slowest growth that fails, such as 1MiB/h, 100/h or 5/interval (default: any)")
	keepRuntime := fs.Bool("keep-runtime-frames", false, "keep the runtime's frames (Go's runtime, Rust's std, core, alloc and tokio, glibc) in the findings' paths")
	runtimeCrates := runtimeFlag(fs)
	keep := fs.Bool("keep-alloc-frames", false, "keep Rust's allocation frames (GlobalAlloc, __rust_alloc, alloc::…) and C++ operator new at the leaves of jemalloc stacks, instead of folding them into their callers")
	lim := limitFlags(fs)
	files, err := parseFlags(fs, args)
	if err == nil {
		err = lim.check()
	}
	if err == nil {
		var xerr error
		if files, xerr = session.Expand(files); xerr != nil { // a folder stands for the dumps in it
			return fail(stderr, xerr)
		}
	}
	if err == nil && len(files) < 1 {
		err = usagef("report takes BASE [LATER], or three or more dumps of a series, got no files")
	}
	o := reportOptions{sample: *sample, asJSON: *asJSON, top: *top, failIfGrowing: *failIfGrowing, keepAllocFrames: *keep}
	if err == nil && *minRate != "" {
		if o.minRate, err = ParseRate(*minRate); err != nil {
			err = usagef("--min-rate: %v", err)
		} else if !*failIfGrowing {
			err = usagef("--min-rate goes with --fail-if-growing")
		}
	}
	if err == nil && *failIfGrowing && len(files) < 3 {
		err = usagef("--fail-if-growing needs a series: three or more dumps, got %d", len(files))
	}
	if err == nil && *tag != "" && len(files) > 2 {
		err = usagef("--tag works on a pair of dumps, not on a series")
	}
	if err == nil && *top < 0 {
		err = usagef("--top must be positive")
	}
	if k, _, ok := strings.Cut(*tag, "="); err == nil && *tag != "" && (!ok || k == "") {
		err = usagef("--tag takes key=value, got %q", *tag)
	}
	if err != nil {
		return fail(stderr, err)
	}
	if len(files) > 2 {
		o.opts = lim.options()
		return runSeriesReport(files, o, stdout, stderr)
	}
	opts := lim.options()
	// The report shows the compared sample type only: a heap profile's
	// stacks without a value of it need not be kept. A tag looks at every
	// stack's labels.
	opts.SkipZero, opts.Sample = *tag == "", *sample
	c, err := loadTagged(files, *sample, *tag, !*keep, opts, stderr, nil)
	if err != nil {
		return fail(stderr, err)
	}
	g, err := SpawnSites(c)
	if err != nil {
		return fail(stderr, err)
	}
	fo := findOptions{keep: *keepRuntime, rule: findings.Rule{Crates: *runtimeCrates}}
	if err := writePair(c, g, *top, *asJSON, fo, stdout); err != nil {
		return fail(stderr, fmt.Errorf("writing report: %w", err))
	}
	return ExitOK
}

// writePair writes the report of comparison c, with the spawn sites g (nil
// for none) and the tokio tasks of a jemalloc pair, as a table or as JSON:
// report's output, and watch's when it took too few snapshots to rank.
func writePair(c *diff.Comparison, g *goroutines.Comparison, top int, asJSON bool, fo findOptions, stdout io.Writer) error {
	r := NewReport(c, g, top)
	t := tokio.Compare(c.Base, c.Later)
	r.AddTasks(t, top)
	in := findings.Input{Goroutines: g, Tasks: t, KeepRuntime: fo.keep, Outside: fo.rule.Func()}
	if c.Later.Kind != diff.KindGoroutine {
		in.Profile = c
	}
	r.AddFindings(findings.Find(in))
	if asJSON {
		return encodeJSON(stdout, r)
	}
	// The table is written cell by cell: one write to stdout, not thousands.
	bw := bufio.NewWriter(stdout)
	if err := writeReport(bw, r, baseWhen(c), when(c.Later.Time), g, t); err != nil {
		return err
	}
	return bw.Flush()
}

// loadComparison opens one or two dumps in parallel and compares them,
// ordering the pair as the window does (session.OrderOf): by the dumps' own
// times, goroutine IDs or jemalloc sequence numbers. Notes go to stderr.
// The allocation plumbing of jemalloc stacks is folded into its callers
// (jemalloc.FoldAllocFrames).
func loadComparison(files []string, sample string, opts *diff.Options, stderr io.Writer) (*diff.Comparison, error) {
	return loadTagged(files, sample, "", true, opts, stderr, nil)
}

// loadTagged is loadComparison keeping only the stacks whose labels hold
// tag ("key=value", as pprof's -tagfocus); "" keeps all. fold says whether
// to fold allocation plumbing into its callers. The notes printed on
// stderr (how the pair was put in order) are added to notes when it is not
// nil.
func loadTagged(files []string, sample, tag string, fold bool, opts *diff.Options, stderr io.Writer, notes *[]string) (*diff.Comparison, error) {
	dumps, err := diff.OpenAll(context.Background(), opts, files...)
	if err != nil {
		return nil, err
	}
	// What loading decompressed and decoded is garbage now: collected, its
	// memory serves the comparison, instead of fresh pages, each a fault.
	// On the Go compiler's heap pair that is 30 MB less peak RSS and a
	// tenth less CPU time.
	runtime.GC()
	seen := map[string]bool{}
	for _, d := range dumps {
		printWarnings(stderr, d, seen)
	}
	// The order is read from the whole dumps; the tag narrows them after.
	var o session.Order
	lineUp := ""
	if len(dumps) == 2 {
		o = session.OrderOf(dumps[0], dumps[1])
		var b, l *diff.Dump
		b, l, lineUp = diff.LineUp(o.Base, o.Later)
		dumps = []*diff.Dump{b, l}
	}
	if fold {
		for i, d := range dumps {
			dumps[i] = jemalloc.FoldAllocFrames(d)
		}
	}
	if key, value, ok := strings.Cut(tag, "="); ok {
		labelled, kept := false, 0
		var values []string // of key, in the dumps
		for i, d := range dumps {
			labelled = labelled || d.HasLabels()
			values = append(values, d.LabelKeys()[key]...)
			dumps[i] = d.Tagged(key, value)
			kept += dumps[i].NumStacks()
		}
		if !labelled {
			return nil, &diff.Error{Path: dumps[len(dumps)-1].Path, Err: fmt.Errorf("no stack carries labels, so --tag %s keeps nothing", tag)}
		}
		if kept == 0 {
			has := "no stack carries the label " + printable(key)
			if slices.Sort(values); len(values) > 0 {
				has = fmt.Sprintf("%s takes %s", printable(key), printable(strings.Join(slices.Compact(values), ", ")))
			}
			fmt.Fprintf(stderr, "leakscope: warning: no stack carries %s (%s): the comparison is empty\n", printable(tag), has)
		}
	}
	if len(dumps) == 1 {
		c, err := diff.Compare(nil, dumps[0], sample)
		if err == nil {
			warnSaturated(c, stderr)
		}
		return c, err
	}
	c, err := diff.Compare(dumps[0], dumps[1], sample)
	if err != nil {
		return nil, err
	}
	for _, n := range []string{o.Note(), lineUp} {
		if n != "" {
			fmt.Fprintf(stderr, "leakscope: note: %s\n", printable(n))
			if notes != nil {
				*notes = append(*notes, n)
			}
		}
	}
	warnSaturated(c, stderr)
	return c, nil
}

func warnSaturated(c *diff.Comparison, stderr io.Writer) {
	if c.Saturated() {
		fmt.Fprintf(stderr, "leakscope: warning: the %s values add up to more than %d: sums are held at that bound and are not exact\n",
			printable(c.SampleType.Type), int64(math.MaxInt64))
	}
}

// SpawnSites groups the goroutines of a goroutine comparison by spawn site;
// it returns nil for other kinds of dump.
func SpawnSites(c *diff.Comparison) (*goroutines.Comparison, error) {
	if c.Later.Kind != diff.KindGoroutine {
		return nil, nil
	}
	later, err := goroutines.FromDump(c.Later)
	if err != nil {
		return nil, err
	}
	var base *goroutines.Snapshot
	if c.Base != nil {
		if base, err = goroutines.FromDump(c.Base); err != nil {
			return nil, err
		}
	}
	return goroutines.Compare(base, later), nil
}

// WriteReport writes c as a text table like `pprof -top`, keeping the first
// top functions and sites (all when top <= 0). g, when not nil, is printed
// first as a table of spawn sites.
func WriteReport(w io.Writer, c *diff.Comparison, g *goroutines.Comparison, top int) error {
	return writeReport(w, NewReport(c, g, top), baseWhen(c), when(c.Later.Time), g, nil)
}

// writeReport writes r as WriteReport does, with g's spawn sites or t's
// tokio tasks (either may be nil); baseWhen and laterWhen say when the
// dumps were taken.
func writeReport(w io.Writer, r *Report, baseWhen, laterWhen string, g *goroutines.Comparison, t *tokio.Comparison) error {
	unit := r.Unit
	f := func(v int64) string { return diff.FormatValue(v, unit) }
	fd := func(v int64) string { return diff.FormatDelta(v, unit) }
	var b strings.Builder
	if r.Base != nil {
		fmt.Fprintf(&b, "Base:  %s%s\n", printable(*r.Base), baseWhen)
	}
	fmt.Fprintf(&b, "Later: %s%s\n", printable(r.Later), laterWhen)
	fmt.Fprintf(&b, "Type:  %s (%s)\n", printable(r.SampleType), printable(r.Unit))
	if r.Base != nil {
		fmt.Fprintf(&b, "Total: %s -> %s (%s%s)\n", f(r.Total.Base), f(r.Total.Later), fd(r.Total.Delta), percent(r.Total))
	} else {
		fmt.Fprintf(&b, "Total: %s\n", f(r.Total.Later))
	}
	writeFindings(&b, r.Findings)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	switch {
	case g != nil:
		if err := writeSites(w, g, r); err != nil {
			return err
		}
	case t != nil:
		if err := writeTasks(w, t, r); err != nil {
			return err
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if r.Base != nil {
		fmt.Fprintln(tw, "flat base\tflat later\tflat delta\tcum base\tcum later\tcum delta\t\t")
		for _, fn := range r.Functions {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\t%s\n",
				f(fn.Flat.Base), f(fn.Flat.Later), fd(fn.Flat.Delta),
				f(fn.Cum.Base), f(fn.Cum.Later), fd(fn.Cum.Delta), printable(fn.Name))
		}
	} else {
		fmt.Fprintln(tw, "flat\tflat%\tcum\tcum%\t\t")
		for _, fn := range r.Functions {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\t%s\n", f(fn.Flat.Later), share(fn.Flat.Later, r.Total.Later),
				f(fn.Cum.Later), share(fn.Cum.Later, r.Total.Later), printable(fn.Name))
		}
	}
	return tw.Flush()
}

// writeFindings writes the findings as numbered paragraphs: the summary,
// then the path, a step a line, with its source line when found.
func writeFindings(b *strings.Builder, fs []FindingReport) {
	if len(fs) == 0 {
		return
	}
	b.WriteString("\nFindings:\n")
	for i, f := range fs {
		fmt.Fprintf(b, "%2d. %s\n", i+1, printable(f.Summary))
		for j, s := range f.Path {
			at := ""
			if s.File != "" {
				at = fmt.Sprintf("  %s:%d", printable(s.File), s.Line)
			}
			fmt.Fprintf(b, "    %s%s%s\n", strings.Repeat(" ", min(j, 12)), printable(s.Function), at)
			if s.Source != "" {
				fmt.Fprintf(b, "    %s    | %s\n", strings.Repeat(" ", min(j, 12)), printable(s.Source))
			}
		}
		if f.Holds != "" {
			fmt.Fprintf(b, "    holds: %s\n", printable(f.Holds))
		}
	}
}

func writeSites(w io.Writer, g *goroutines.Comparison, r *Report) error {
	if g.ByEntry {
		fmt.Fprintln(w, "\nGoroutines by entry function (these dumps record no creation sites;")
		fmt.Fprintln(w, "take /debug/pprof/goroutine?debug=2 dumps to see the go statements):")
	} else {
		fmt.Fprintln(w, "\nGoroutines by spawn site (the go statement that started them):")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	width := len("main state")
	for _, s := range r.SpawnSites {
		width = max(width, utf8.RuneCountInString(mainState(s.States)))
	}
	width = min(width, maxStateWidth)
	fmt.Fprintf(tw, "base\tlater\tdelta\tsurvivors\tleaked\tmax wait\t\t%-*s  site\n", width, "main state")
	for _, s := range r.SpawnSites {
		site := s.Function
		switch {
		case s.NoCreator:
			site += " (no creator)"
		case s.File != "":
			site += " " + s.File + ":" + fmt.Sprint(s.Line)
		}
		site = printable(site)
		state := printable(clip(mainState(s.States), maxStateWidth))
		pad := strings.Repeat(" ", max(width-utf8.RuneCountInString(state), 0))
		fmt.Fprintf(tw, "%d\t%d\t%+d\t%d\t%d\t%dm\t\t%s%s  %s\n", s.Base, s.Later, s.Delta, s.Survivors, s.Leaked, s.MaxWaitMinutes, state, pad, site)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

// writeTasks writes the table of tokio spawn sites of r.
func writeTasks(w io.Writer, t *tokio.Comparison, r *Report) error {
	how := "exact: every allocation was sampled"
	if t.Estimated {
		how = "≈ estimated from sampled allocations"
	}
	fmt.Fprintf(w, "\nTokio tasks by spawn site (live task cells; %s):\n", how)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	approx := ""
	if t.Estimated {
		approx = "≈"
	}
	fmt.Fprintln(tw, "base\tlater\tdelta\tspawned\tcell bytes\tinside base\tinside later\t\tsite")
	for _, s := range r.SpawnSites {
		spawned := "-"
		if s.Spawned != nil {
			spawned = fmt.Sprintf("%s%d → %d", approx, s.Spawned.Base, s.Spawned.Later)
		}
		site := s.ShortName
		if s.File != "" {
			site += " " + s.File + ":" + fmt.Sprint(s.Line)
		}
		fmt.Fprintf(tw, "%s%d\t%s%d\t%s%+d\t%s\t%s\t%s\t%s\t\t%s\n", approx, s.Base, approx, s.Later, approx, s.Delta, spawned,
			diff.FormatValue(s.CellBytes.Later, "bytes"), diff.FormatValue(s.InsideBytes.Base, "bytes"),
			diff.FormatValue(s.InsideBytes.Later, "bytes"), printable(site))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

func mainState(states map[string]int64) string {
	best, n := "-", int64(0)
	for st, c := range states {
		if c > n || (c == n && st < best) {
			best, n = st, c
		}
	}
	if n == 0 {
		return best
	}
	return fmt.Sprintf("%s ×%d", best, n)
}

// baseWhen is when(c's base), or "" for a dump alone.
func baseWhen(c *diff.Comparison) string {
	if c.Base == nil {
		return ""
	}
	return when(c.Base.Time)
}

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return " (" + t.Format("2006-01-02 15:04:05 MST") + ")"
}

func percent(v Values) string {
	if c, ok := (diff.Delta{Base: v.Base, Later: v.Later}).Change(); ok {
		return fmt.Sprintf(", %+.1f%%", c)
	}
	return ""
}

func share(v, total int64) string {
	if s, ok := diff.Share(v, total); ok {
		return fmt.Sprintf("%.2f%%", s)
	}
	return "-"
}

// printWarnings writes a dump's warnings, then its symbol warnings and
// notes that are not in seen yet (the dumps of one program share them),
// adding them to seen.
func printWarnings(stderr io.Writer, d *diff.Dump, seen map[string]bool) {
	for _, w := range d.Warnings {
		fmt.Fprintf(stderr, "leakscope: %s: warning: %s\n", printable(d.Path), printable(w))
	}
	for _, w := range d.SymbolWarnings {
		if !seen["w:"+w] {
			seen["w:"+w] = true
			fmt.Fprintf(stderr, "leakscope: warning: %s\n", printable(w))
		}
	}
	printNotes(stderr, d.Notes, seen)
	printNotes(stderr, d.Details, seen)
}

// printNotes writes the notes of a dump not in seen yet (the base and the
// later dump of one program find its symbols in the same places), and adds
// them to seen.
func printNotes(stderr io.Writer, notes []string, seen map[string]bool) {
	for _, n := range notes {
		if !seen[n] {
			seen[n] = true
			fmt.Fprintf(stderr, "leakscope: note: %s\n", printable(n))
		}
	}
}

// limits are the flags that say how dumps are read, the same for report,
// export and watch: --max-size and --max-memory, and where symbols come
// from: --binary, --debug-dir, --debuginfod and --debuginfod-timeout.
type limits struct {
	fs           *flag.FlagSet
	size, memory sizeFlag
	binaries     stringList
	debugDirs    stringList
	servers      stringList
	timeout      time.Duration
}

func limitFlags(fs *flag.FlagSet) *limits {
	l := &limits{fs: fs}
	fs.Var(&l.binaries, "binary", "program or library file to symbolize jemalloc dumps with (repeatable)")
	fs.Var(&l.size, "max-size", "largest dump after decompression, e.g. 8G (default: a quarter of memory, with a guard against gzip bombs)")
	fs.Var(&l.memory, "max-memory", "memory decoding one dump may take, e.g. 16G (default: 8 times the dump's size plus 64M)")
	fs.Var(&l.debugDirs, "debug-dir", "folder of separate debug files for stripped binaries, by build ID (.build-id/xx/yyyy.debug) or name (repeatable)")
	fs.Var(&l.servers, "debuginfod", "debuginfod server URL to fetch debug files of stripped binaries from by build ID (repeatable; default: $DEBUGINFOD_URLS; none: no network access)")
	fs.DurationVar(&l.timeout, "debuginfod-timeout", 0, "longest wait for one debuginfod request (default: $DEBUGINFOD_TIMEOUT seconds, else 30s)")
	return l
}

// check reports a usage error in the flags.
func (l *limits) check() error {
	set := false
	l.fs.Visit(func(f *flag.Flag) { set = set || f.Name == "debuginfod-timeout" })
	if l.timeout < 0 || set && l.timeout == 0 {
		return usagef("--debuginfod-timeout must be positive")
	}
	if len(l.servers) == 0 {
		if _, err := debuginfod.ParseServers(os.Getenv("DEBUGINFOD_URLS")); err != nil {
			return usagef("DEBUGINFOD_URLS: %v", err)
		}
	}
	return checkSymbolFlags(l.debugDirs, l.servers)
}

// checkSymbolFlags reports a --debug-dir that is not a folder or a
// --debuginfod that is not an http(s) URL.
func checkSymbolFlags(dirs, servers []string) error {
	for _, d := range dirs {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return usagef("--debug-dir %s: not a folder", d)
		}
	}
	for _, u := range servers {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return usagef("--debuginfod %s: not an http(s) URL", u)
		}
	}
	return nil
}

func (l *limits) options() *diff.Options {
	servers := debuginfod.Servers()
	if len(l.servers) > 0 {
		servers = l.servers
	}
	c := debuginfod.New(servers)
	c.Check = jemalloc.CheckDebugFile
	if l.timeout > 0 {
		c.Timeout = l.timeout
	}
	if l.size > 0 { // a debug file is input like a dump
		c.MaxSize = int64(l.size)
	}
	return &diff.Options{Binaries: l.binaries, MaxSize: int64(l.size), MaxMemory: int64(l.memory), Budget: diff.NewBudget(),
		DebugDirs: l.debugDirs, Debuginfod: c}
}

// findOptions say how findings are made: whether their paths keep the
// runtime's frames, and which frames are the runtime's.
type findOptions struct {
	keep bool
	rule findings.Rule
}

// runtimeFlag adds --runtime-crate to fs: more crates or packages whose
// frames count as the runtime's.
func runtimeFlag(fs *flag.FlagSet) *stringList {
	var l stringList
	fs.Var(&l, "runtime-crate", "a Rust crate or Go package whose frames count as the runtime's, beside Go's runtime, std, core, alloc, tokio and glibc: folded in the graph and left off the findings' paths (repeatable)")
	return &l
}

// sizeFlag is a size in bytes given as 512M, 2G, ….
type sizeFlag int64

func (s *sizeFlag) String() string { return strconv.FormatInt(int64(*s), 10) }

func (s *sizeFlag) Set(v string) error {
	n, err := diff.ParseSize(v)
	if err != nil {
		return err
	}
	*s = sizeFlag(n)
	return nil
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}
