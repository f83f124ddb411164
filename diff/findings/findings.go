package findings

import (
	"bufio"
	"cmp"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/goroutines"
	"github.com/leakscope/leakscope/diff/rust"
	"github.com/leakscope/leakscope/diff/series"
	"github.com/leakscope/leakscope/diff/tokio"
)

// The kinds of finding.
const (
	SpawnSite  = "spawn_site" // goroutines or tokio tasks by the call that started them
	Allocation = "allocation" // memory by the frame that allocated it
)

// The patterns a path can show.
const (
	// DefaultImpl: a Default impl spawns the task or goroutine, reached
	// from a struct literal's ..Default::default().
	DefaultImpl = "default-impl"
	// Constructor: a constructor (New…, new) or a Default-like helper
	// (Default…) starts it, so every value built starts one more.
	Constructor = "constructor"
)

// Step is one function on the path from the program's entry to a site,
// with the file and line of the call it makes toward the site (for the
// last step, the site's own line).
type Step struct {
	Function string
	File     string
	Line     int64
	// Source is the text of that line, when its file is found; "".
	Source string
}

// Finding is one suspect, stated as a person would.
type Finding struct {
	Kind    string // SpawnSite or Allocation
	Runtime string // "go", "tokio", or "native" for an allocation of a C or Rust program
	// Function, File and Line are the site: the go statement or the
	// spawn call, or the frame that allocated.
	Function string
	File     string
	Line     int64
	// Unit is "count" for spawn sites, the sample type's unit otherwise.
	Unit  string
	Value diff.Delta
	// Path runs from the program's entry to the site, the program's own
	// frames only (Outside leaves the rest out); nil when nothing tells.
	Path []Step
	// Holds says what the tasks or goroutines hold: memory allocated by and
	// inside them, their states and how long they wait; "" when unknown.
	Holds string
	// Pattern is DefaultImpl, Constructor or "".
	Pattern string
	// Trend is the site's count at each snapshot of a series, with its
	// rate and leak score; nil for a pair.
	Trend *series.Trend
	// Summary is one sentence a person would write.
	Summary string
	// otherCallers are the functions besides the path's through which an
	// allocation site grew (net), most growth first.
	otherCallers []caller
	callerGrew   int64 // the net growth through the path's caller
}

// caller is a function that called an allocation site, and the growth
// through it.
type caller struct {
	function string
	grew     int64
}

// Input is what the findings are drawn from; any part may be nil.
type Input struct {
	// Goroutines groups a goroutine pair by spawn site.
	Goroutines *goroutines.Comparison
	// Tasks groups the tokio tasks of a jemalloc pair by spawn site.
	Tasks *tokio.Comparison
	// Profile compares a heap pair: the allocation sites, and the callers
	// of a goroutine spawn site (its stacks through the site's function).
	Profile *diff.Comparison
	// Outside tells the runtime's frames; nil for Outside.
	Outside func(function string) bool
	// KeepRuntime keeps the runtime's frames in the paths.
	KeepRuntime bool
	// SiteTrends, over a series, are the goroutine spawn sites' trends:
	// the sites then rank by leak score (steady growth), not by growth
	// between the two dumps; nil for a pair.
	SiteTrends map[goroutines.Site]*series.SiteTrend
	// FunctionTrends, over a heap series, are the functions' trends by
	// name: allocation sites then rank by the leak score of their flat
	// value (steady growth), not by growth between the two dumps; nil for
	// a pair.
	FunctionTrends map[string]*series.FunctionTrend
	// ReadLines, when set, reads the source files the paths name (nil
	// for one it cannot read) instead of the file system: the built-in
	// demo serves its service's source as its dumps knew it.
	ReadLines func(path string) []string
}

// Max is how many findings of each kind Find returns at most.
const Max = 3

// Find returns the top suspects of in, most important first: the spawn
// sites that grew, by growth in live goroutines or tasks, then the
// allocation sites that hold a tenth or more of the profile's growth and
// are not a spawn site's function, by flat growth.
func Find(in Input) []Finding {
	if in.Outside == nil {
		in.Outside = Outside
	}
	src := &sources{files: map[string][]string{}, read: in.ReadLines}
	if src.read == nil {
		src.read = ReadLines
	}
	var out []Finding
	spawned := map[string]bool{}
	if t := in.Tasks; t != nil && t.Base != nil {
		for i := range t.Sites {
			s := &t.Sites[i]
			if s.Delta() <= 0 || len(out) >= Max {
				break
			}
			f := Finding{Kind: SpawnSite, Runtime: "tokio", Function: s.Function, File: s.File, Line: s.Line,
				Unit: "count", Value: s.Live}
			f.Path = in.path(s.Stack, func(fr diff.Frame) bool { return fr.Function == s.Function && fr.Line == s.Line }, src)
			var holds []string
			if s.CellBytes.Later != 0 {
				holds = append(holds, diff.FormatValue(s.CellBytes.Later, "bytes")+" in task cells")
			}
			if s.Inside.Later != 0 {
				holds = append(holds, diff.FormatValue(s.Inside.Later, "bytes")+" allocated inside the tasks")
			}
			f.Holds = strings.Join(holds, ", ")
			out = append(out, f)
			spawned[s.Function] = true
		}
	}
	// The profile's flat values by function, summed once for all sites.
	var flats map[string]diff.Delta
	flat := func(fn string) (diff.Delta, bool) {
		if flats == nil {
			flats = map[string]diff.Delta{}
			for _, f := range in.Profile.Functions() {
				flats[f.Name] = f.Flat
			}
		}
		d, ok := flats[fn]
		return d, ok
	}
	if g := in.Goroutines; g != nil && g.Base != nil && !g.ByEntry {
		byGrowth := make([]int, len(g.Sites)) // the sites' own order
		for i := range byGrowth {
			byGrowth[i] = i
		}
		score := func(i int) float64 {
			if t := in.SiteTrends[g.Sites[i].Site]; t != nil {
				return t.Score
			}
			return 0
		}
		order, byScore := byGrowth, in.SiteTrends != nil
		if byScore {
			order = slices.Clone(byGrowth)
			sort.SliceStable(order, func(a, b int) bool { return score(order[a]) > score(order[b]) })
			if len(order) == 0 || score(order[0]) <= 0 {
				// No site grew steadily over the series (a leak that
				// stopped, a warm-up): the sites that grew between the
				// two snapshots are the suspects, with their trends.
				order, byScore = byGrowth, false
			}
		}
		n := 0
		for _, i := range order {
			s := &g.Sites[i]
			if n >= Max || !byScore && s.Delta() <= 0 || byScore && score(i) <= 0 {
				break
			}
			if s.NoCreator {
				continue
			}
			n++
			f := Finding{Kind: SpawnSite, Runtime: "go", Function: s.Function, File: s.File, Line: s.Line,
				Unit: "count", Value: diff.Delta{Base: s.Base, Later: s.Later}}
			f.Path = in.callers(s.Function, s.File, s.Line, src)
			f.Holds = goroutineHolds(s, in.Profile, flat)
			if t := in.SiteTrends[s.Site]; t != nil {
				tr := t.Trend
				f.Trend = &tr
			}
			out = append(out, f)
			spawned[s.Function] = true
		}
	}
	out = append(out, in.allocations(spawned, src)...)
	out = dropInside(out)
	for i := range out {
		src.check(&out[i])
	}
	for i := range out {
		f := &out[i]
		f.Pattern = pattern(f.Path, f.Function)
		f.Summary = summary(f)
	}
	return out
}

// path returns the program's frames of stack (leaf first), from the root
// down to the frame isSite picks (the leaf when none does).
func (in Input) path(stack []diff.Frame, isSite func(diff.Frame) bool, src *sources) []Step {
	end := 0
	for i, fr := range stack {
		if isSite(fr) {
			end = i
			break
		}
	}
	var steps []Step
	for i := len(stack) - 1; i >= end; i-- {
		fr := stack[i]
		if i != end && !in.KeepRuntime && in.Outside(fr.Function) {
			continue
		}
		steps = append(steps, Step{Function: fr.Function, File: fr.File, Line: fr.Line, Source: src.line(fr.File, fr.Line)})
	}
	return steps
}

// callers returns the path to a goroutine spawn site in function fn: the
// heaviest stack of the heap profile through fn (by later value), down to
// fn, whose step takes the go statement's line. Without a profile, or
// when no stack passes through fn, the path is the site alone.
func (in Input) callers(fn, file string, line int64, src *sources) []Step {
	site := []Step{{Function: fn, File: file, Line: line, Source: src.line(file, line)}}
	c := in.Profile
	if c == nil {
		return site
	}
	best, bestValue := -1, int64(0)
	for s := 0; s < c.NumStacks(); s++ {
		v := c.Value(s).Later
		if v <= bestValue {
			continue
		}
		for _, id := range c.Stack(s) {
			if c.Frame(id).Function == fn {
				best, bestValue = s, v
				break
			}
		}
	}
	if best < 0 {
		return site
	}
	var stack []diff.Frame
	for _, id := range c.Stack(best) {
		stack = append(stack, c.Frame(id))
	}
	steps := in.path(stack, func(fr diff.Frame) bool { return fr.Function == fn }, src)
	steps[len(steps)-1] = site[0]
	return steps
}

// allocations returns the allocation findings of in.Profile.
func (in Input) allocations(spawned map[string]bool, src *sources) []Finding {
	c := in.Profile
	if c == nil || c.Base == nil || c.Later.Kind != diff.KindHeap {
		return nil
	}
	growth := c.Total().Diff()
	if growth <= 0 && in.FunctionTrends == nil { // over a series, a leak hides under a pool that emptied
		return nil
	}
	type site struct {
		frame   diff.Frame
		value   diff.Delta
		heavy   int              // the stack with the largest later value
		callers map[string]int64 // net growth through each function of the program that called it
	}
	index := map[diff.Frame]int{}
	var sites []site
	for s := 0; s < c.NumStacks(); s++ {
		st := c.Stack(s)
		if len(st) == 0 {
			continue
		}
		leaf := 0
		for leaf < len(st) && !in.KeepRuntime && in.Outside(c.Frame(st[leaf]).Function) {
			leaf++ // runtime.mallocgc and such: the program's frame allocated
		}
		if leaf == len(st) {
			leaf = 0 // no frame of the program: the allocator's own
		}
		fr := c.Frame(st[leaf])
		i, ok := index[fr]
		if !ok {
			i = len(sites)
			index[fr] = i
			sites = append(sites, site{frame: fr, heavy: s})
		}
		v := c.Value(s)
		sites[i].value.Base += v.Base
		sites[i].value.Later += v.Later
		if v.Later > c.Value(sites[i].heavy).Later {
			sites[i].heavy = s
		}
		if d := v.Diff(); d != 0 {
			// The caller as a path shows it: the next frame of the program.
			// Its change is net, as the site's: what grew less what shrank.
			for j := leaf + 1; j < len(st); j++ {
				if fn := c.Frame(st[j]).Function; in.KeepRuntime || !in.Outside(fn) {
					if sites[i].callers == nil {
						sites[i].callers = map[string]int64{}
					}
					sites[i].callers[fn] += d
					break
				}
			}
		}
	}
	// Over a series, a site ranks by its function's leak score, and any
	// that grew steadily is a suspect; over a pair, by growth, from a tenth
	// of the profile's.
	score := func(i int) float64 {
		if t := in.FunctionTrends[sites[i].frame.Function]; t != nil {
			return t.Flat.Score
		}
		return 0
	}
	// pick picks by leak score (over a series) when byScore is set, else
	// by growth, from a tenth of the profile's.
	pick := func(byScore bool) []Finding {
		better := func(i, j int) bool {
			if byScore && score(i) != score(j) {
				return score(i) > score(j)
			}
			return sites[i].value.Diff() > sites[j].value.Diff()
		}
		taken := make([]bool, len(sites))
		var out []Finding
		for len(out) < Max {
			best := -1
			for i := range sites {
				suspect := sites[i].value.Diff() > 0 && sites[i].value.Diff()*10 >= growth
				if byScore {
					suspect = score(i) > 0 && sites[i].value.Diff() > 0
				}
				if suspect && !taken[i] && !spawned[sites[i].frame.Function] && (best < 0 || better(i, best)) {
					best = i
				}
			}
			if best < 0 {
				break
			}
			s := sites[best]
			taken[best] = true
			runtime := "go"
			if strings.Contains(c.Later.Format, "jemalloc") {
				runtime = "native"
			}
			var stack []diff.Frame
			for _, id := range c.Stack(s.heavy) {
				stack = append(stack, c.Frame(id))
			}
			f := Finding{Kind: Allocation, Runtime: runtime, Function: s.frame.Function, File: s.frame.File, Line: s.frame.Line,
				Unit: c.SampleType.Unit, Value: s.value}
			f.Path = in.path(stack, func(fr diff.Frame) bool { return fr == s.frame }, src)
			if n := len(f.Path); n >= 2 {
				f.callerGrew = s.callers[f.Path[n-2].Function]
				for fn, grew := range s.callers {
					if fn != f.Path[n-2].Function && grew > 0 {
						f.otherCallers = append(f.otherCallers, caller{fn, grew})
					}
				}
				slices.SortFunc(f.otherCallers, func(a, b caller) int {
					return cmp.Or(cmp.Compare(b.grew, a.grew), strings.Compare(a.function, b.function))
				})
			}
			if t := in.FunctionTrends[s.frame.Function]; t != nil {
				tr := t.Flat
				f.Trend = &tr
			}
			out = append(out, f)
		}
		return out
	}
	if out := pick(in.FunctionTrends != nil); len(out) > 0 || in.FunctionTrends == nil || growth <= 0 {
		return out
	}
	// No function grew steadily over the series: the sites that hold a
	// tenth of the growth between the two snapshots, with their trends.
	return pick(false)
}

// checkSource drops the source lines of f's path that do not make the call
// the path says they make (the file changed since the dump was taken, or
// is another file of that name): a step's line must name the next step's
// function (or the type whose method it is, or be where a closure of the
// step's own function is defined), and a spawn site's line must start a
// goroutine or spawn a task.
func (src *sources) check(f *Finding) {
	for i := range f.Path {
		s := &f.Path[i]
		if s.Source == "" {
			continue
		}
		ok := true
		switch {
		case i+1 < len(f.Path):
			next := f.Path[i+1].Function
			self, _ := rust.RustImpl(next)
			ok = strings.HasPrefix(next, s.Function+"::{") || strings.HasPrefix(next, s.Function+".func") ||
				strings.Contains(s.Source, callName(next)) ||
				self != "" && strings.Contains(s.Source, lastName(strings.TrimSuffix(self, ">")))
		case f.Kind == SpawnSite && f.Runtime == "go":
			ok = strings.Contains(s.Source, "go ")
		case f.Kind == SpawnSite:
			ok = strings.Contains(s.Source, "spawn")
		}
		if !ok || !src.inGoFunc(s.File, s.Line, s.Function) {
			s.Source = ""
		}
	}
}

// callName is the name a call of fn writes: its own name, without the
// closures it is in ("f::{{closure}}", "f.func1" → "f").
func callName(fn string) string {
	for {
		if t, ok := strings.CutSuffix(fn, "::{{closure}}"); ok {
			fn = t
			continue
		}
		if i := strings.LastIndex(fn, "::{"); i >= 0 && strings.HasSuffix(fn, "}") {
			fn = fn[:i]
			continue
		}
		if m := goClosure.FindStringIndex(fn); m != nil {
			fn = fn[:m[0]]
			continue
		}
		return lastName(fn)
	}
}

var goClosure = regexp.MustCompile(`\.func\d+(\.\d+)*$`)

// inGoFunc reports whether line n of a Go file lies in Go function fn: the
// nearest "func" line above it names fn. It is true for other languages
// and when the file is not found.
func (s *sources) inGoFunc(file string, n int64, fn string) bool {
	if !strings.HasSuffix(file, ".go") || strings.Contains(fn, "::") {
		return true
	}
	lines := s.files[file]
	for i := int(n) - 1; i >= 0 && i < len(lines); i-- {
		if strings.HasPrefix(lines[i], "func ") {
			return strings.Contains(lines[i], callName(fn)+"(") || strings.Contains(lines[i], callName(fn)+"[")
		}
	}
	return false
}

// dropInside leaves out the allocation findings made inside the tasks or
// goroutines of a spawn-site finding (their path passes through a closure
// of the site's function): that finding says what its tasks hold.
func dropInside(fs []Finding) []Finding {
	out := fs[:0]
	for _, f := range fs {
		inside := false
		if f.Kind == Allocation {
			for _, g := range fs {
				if g.Kind != SpawnSite {
					continue
				}
				for _, s := range f.Path {
					inside = inside || strings.HasPrefix(s.Function, g.Function+"::{") || strings.HasPrefix(s.Function, g.Function+".func")
				}
			}
		}
		if !inside {
			out = append(out, f)
		}
	}
	return out
}

// goroutineHolds says what a spawn site's goroutines hold: their main
// state and longest wait, and the memory allocated in the site's function.
func goroutineHolds(s *goroutines.SiteDelta, c *diff.Comparison, flat func(string) (diff.Delta, bool)) string {
	var parts []string
	if st := s.MainState(); st != "" {
		parts = append(parts, fmt.Sprintf("%d of %d in %s", s.States[st], s.Later, st))
	}
	if s.MaxWait > 0 {
		var waits []string
		for _, b := range []struct {
			n    int64
			what string
		}{{s.Wait.Under1m, "under 1 min"}, {s.Wait.Under10m, "1-10 min"}, {s.Wait.Under1h, "10-60 min"}, {s.Wait.Over1h, "over 1 h"}} {
			if b.n > 0 {
				waits = append(waits, fmt.Sprintf("%d %s", b.n, b.what))
			}
		}
		parts = append(parts, fmt.Sprintf("blocked %s (longest %s)", strings.Join(waits, ", "), diff.FormatMinutes(int64(s.MaxWait))))
	}
	if s.Survivors > 0 {
		parts = append(parts, fmt.Sprintf("%d alive in both dumps", s.Survivors))
	}
	if c != nil && c.Base != nil && c.SampleType.Unit == "bytes" {
		if d, ok := flat(s.Function); ok && d.Later != 0 {
			parts = append(parts, fmt.Sprintf("%s allocated in %s (%s)", diff.FormatValue(d.Later, "bytes"),
				shortName(s.Function), diff.FormatDelta(d.Diff(), "bytes")))
		}
	}
	return strings.Join(parts, ", ")
}

var (
	// ctorName is a constructor or a Default-like helper: New, NewX, new,
	// new_x, DefaultX (Go), default_x.
	ctorName = regexp.MustCompile(`^(New([A-Z_0-9].*)?|new(_.*)?|Default[A-Z_0-9].*|default_.*)$`)
)

// pattern names what the path shows: a Default impl spawns (reached from
// a struct literal's ..Default::default()), or a constructor does.
func pattern(path []Step, site string) string {
	for _, s := range path {
		if _, trait := rust.RustImpl(s.Function); trait == "core::default::Default" || strings.Contains(s.Source, "..Default::default()") {
			return DefaultImpl
		}
	}
	for i := len(path) - 1; i >= 0; i-- {
		if ctorName.MatchString(lastName(path[i].Function)) {
			return Constructor
		}
	}
	if len(path) == 0 && ctorName.MatchString(lastName(site)) {
		return Constructor
	}
	return ""
}

// lastName is a function's own name: "main.NewClient" → "NewClient",
// "tasky::Client::new" → "new", "(*T).NewX" → "NewX".
func lastName(fn string) string {
	if i := strings.LastIndex(fn, "::"); i >= 0 && !strings.HasSuffix(fn, ">") {
		return fn[i+2:]
	}
	if i := strings.LastIndexByte(fn, '.'); i >= 0 {
		return fn[i+1:]
	}
	return fn
}

// shortName is the name to write in a sentence.
func shortName(fn string) string {
	s := rust.ShortName(fn)
	if !strings.Contains(fn, "::") {
		if i := strings.LastIndexByte(s, '/'); i >= 0 {
			s = s[i+1:]
		}
	}
	return s
}

func where(file string, line int64) string {
	if file == "" {
		return ""
	}
	if line == 0 {
		return filepath.Base(file)
	}
	return fmt.Sprintf("%s:%d", filepath.Base(file), line)
}

// summary is a finding in one sentence.
func summary(f *Finding) string {
	var b strings.Builder
	at := shortName(f.Function)
	if w := where(f.File, f.Line); w != "" {
		at += " (" + w + ")"
	}
	switch f.Kind {
	case SpawnSite:
		what := "goroutines"
		if f.Runtime == "tokio" {
			what = "tokio tasks"
		}
		fmt.Fprintf(&b, "%d more live %s were started at %s (%d → %d)", f.Value.Diff(), what, at, f.Value.Base, f.Value.Later)
	default:
		fmt.Fprintf(&b, "%s more memory is held by allocations at %s (%s → %s)", diff.FormatValue(f.Value.Diff(), f.Unit), at,
			diff.FormatValue(f.Value.Base, f.Unit), diff.FormatValue(f.Value.Later, f.Unit))
	}
	// from is the step of the path that makes the pattern (the caller
	// with ..Default::default(), the constructor), or the site.
	from := len(f.Path) - 1
	switch {
	case f.Kind == Allocation && f.Pattern == DefaultImpl:
		b.WriteString(", under a Default impl")
	case f.Kind == Allocation && f.Pattern == Constructor:
		b.WriteString(", in a constructor")
	case f.Pattern == DefaultImpl:
		caller := -1
		for i, s := range f.Path {
			if strings.Contains(s.Source, "..Default::default()") {
				caller = i
			}
		}
		if caller >= 0 {
			from = caller
			fmt.Fprintf(&b, ": a Default impl starts one for every value that %s (%s) builds with ..Default::default()",
				shortName(f.Path[caller].Function), where(f.Path[caller].File, f.Path[caller].Line))
		} else {
			b.WriteString(": a Default impl starts one for every value built with Default")
		}
	case f.Pattern == Constructor:
		name := f.Function
		for i := len(f.Path) - 1; i >= 0; i-- {
			if ctorName.MatchString(lastName(f.Path[i].Function)) {
				name, from = f.Path[i].Function, i
				break
			}
		}
		fmt.Fprintf(&b, ": the constructor %s starts one for every value it builds", shortName(name))
	}
	if from > 0 {
		c := f.Path[from-1]
		fmt.Fprintf(&b, ", called from %s", shortName(c.Function))
		others := from == len(f.Path)-1 && len(f.otherCallers) > 0 // the site's own callers
		switch w := where(c.File, c.Line); {
		case others && w != "":
			fmt.Fprintf(&b, " (%s; %s)", w, diff.FormatDelta(f.callerGrew, f.Unit))
		case others:
			fmt.Fprintf(&b, " (%s)", diff.FormatDelta(f.callerGrew, f.Unit))
		case w != "":
			fmt.Fprintf(&b, " (%s)", w)
		}
		if others {
			// The path is the heaviest stack's: name the next caller too,
			// with what grew through each.
			next := f.otherCallers[0]
			fmt.Fprintf(&b, " and from %s (%s)", shortName(next.function), diff.FormatDelta(next.grew, f.Unit))
			if n := len(f.otherCallers) - 1; n == 1 {
				b.WriteString(" and 1 other function")
			} else if n > 1 {
				fmt.Fprintf(&b, " and %d other functions", n)
			}
		}
	}
	if t := f.Trend; t != nil {
		unit := "interval"
		if t.PerHour {
			unit = "h"
		}
		rate := fmt.Sprintf("%+.2g", t.Rate)
		if math.Abs(t.Rate) >= 1 {
			rate = diff.FormatDelta(int64(math.Round(t.Rate)), f.Unit)
		}
		fmt.Fprintf(&b, "; it grew in %d of %d intervals, %s/%s (leak score %.2f)", t.Grew, t.Intervals, rate, unit, t.Score)
		if t.Score == 0 {
			b.WriteString(", not as a leak grows: it levelled off, or grew in bursts")
		}
	}
	b.WriteString(".")
	return b.String()
}

// sources reads source lines, each file once.
type sources struct {
	files map[string][]string // nil: not found
	read  func(path string) []string
}

// line returns line n of file, trimmed; "" when the file is not found.
func (s *sources) line(file string, n int64) string {
	if file == "" || n <= 0 {
		return ""
	}
	lines, ok := s.files[file]
	if !ok {
		lines = s.read(file)
		s.files[file] = lines
	}
	if int(n) > len(lines) {
		return ""
	}
	return strings.TrimSpace(lines[n-1])
}

// ReadLines reads a source file of at most 4 MB; nil when it cannot.
func ReadLines(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() || st.Size() > 4<<20 {
		return nil
	}
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// Headlines returns the summaries of the first n findings, numbered, as
// lines for an image's header: "Finding 1: …".
func Headlines(fs []Finding, n int) []string {
	var out []string
	for i, f := range fs[:min(n, len(fs))] {
		out = append(out, fmt.Sprintf("Finding %d: %s", i+1, f.Summary))
	}
	return out
}
