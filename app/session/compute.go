package session

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/leakscope/leakscope/assets"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/findings"
	"github.com/leakscope/leakscope/diff/goroutines"
	"github.com/leakscope/leakscope/diff/jemalloc"
	"github.com/leakscope/leakscope/diff/rust"
	"github.com/leakscope/leakscope/diff/tokio"
	"github.com/leakscope/leakscope/flame"
)

// Result is what the window shows of a Snapshot: the comparisons, the call
// tree of the graph and the rows of the site panel. It is immutable.
type Result struct {
	// Profile compares the profile pair for Sample; nil without one.
	Profile *diff.Comparison
	// Sample is the sample type compared: the one asked for when the later
	// profile has it, else its default.
	Sample string
	// GoroutineDiff compares the goroutine pair's stacks; Sites groups them
	// by spawn site. Both are nil without goroutine dumps.
	GoroutineDiff *diff.Comparison
	Sites         *goroutines.Comparison
	// Tasks groups the tokio tasks of a jemalloc heap pair by spawn site;
	// nil when the profile pair holds none.
	Tasks *tokio.Comparison
	// Allocations are the leaf frames of Profile by growth, for the panel
	// when there are no goroutine dumps.
	Allocations []AllocationSite
	// Shown is the comparison the graph draws (a site's goroutines, focus
	// applied) and Tree its call tree, without the hidden functions. Both
	// are nil when nothing is open.
	Shown *diff.Comparison
	Tree  *flame.Tree
	// Callers is, in the sandwich view, the inverted tree of the
	// function's callers; Tree then holds its callees. nil otherwise.
	Callers *flame.Tree
	// Title says what is shown when it is not the whole profile.
	Title string
	// Functions are the flat and cum values of every function of Shown,
	// as `leakscope report` lists them.
	Functions []diff.Function
	// Trends, when a series is open, holds every value at each snapshot.
	Trends *Trends
	// Notes say how the dumps of a pair were made to line up
	// (diff.LineUp), for the user.
	Notes []string
	// Findings are the top suspects with the paths that reach them
	// (package findings), most important first.
	Findings []findings.Finding

	in Snapshot // what the result was computed from

	profileNote, goroutineNote string // diff.LineUp's, kept with the comparisons
	found                      bool   // Findings are computed
}

// AllocationSite is a leaf frame of a profile comparison and its values.
type AllocationSite struct {
	Function, Where string // Where is "file.go:line", or ""
	Frame           diff.Frame
	Value           diff.Delta
}

// Compute computes the Result of snap. Parts of prev that snap does not
// change are reused: choosing a site, focusing or hiding rebuilds only the
// tree, and swapping or a sample type change leaves the other pair alone.
// It names its phases in p (which may be nil) and stops with ctx's error
// soon after ctx is done.
func Compute(ctx context.Context, snap Snapshot, prev *Result, p *diff.Progress) (*Result, error) {
	if prev == nil {
		prev = &Result{}
	}
	r, err := compute(ctx, snap, prev, p)
	if err != nil || snap.Series == nil {
		return r, err
	}
	p.SetPhase("ranking the series")
	r.Trends = trendsOf(snap, prev, r)
	if t := r.Trends; t != nil && (t.Sites != nil || t.Functions != nil && t.Shown != nil && t.Shown.Kind == diff.KindHeap) {
		// Over a series, spawn and allocation sites rank by steady growth.
		in := findings.Input{Goroutines: r.Sites, Tasks: r.Tasks, Profile: r.Profile, SiteTrends: t.Sites,
			Outside: snap.Rule().Func(), ReadLines: snap.readLines(ctx)}
		if t.Shown != nil && t.Shown.Kind == diff.KindHeap {
			in.FunctionTrends = t.Functions
		}
		r.Findings = findings.Find(in)
	}
	return r, ctx.Err()
}

func compute(ctx context.Context, snap Snapshot, prev *Result, p *diff.Progress) (*Result, error) {
	r := &Result{in: snap}
	var err error
	tagged := func(p Pair) Pair { return p }
	if snap.Tag != "" {
		key, value, _ := strings.Cut(snap.Tag, "=")
		tagged = func(p Pair) Pair { return TaggedPair(p, key, value) }
	}
	sameTag := prev.in.Tag == snap.Tag && prev.in.KeepAllocFrames == snap.KeepAllocFrames
	if pp := snap.Profile; !pp.Empty() {
		sample := snap.Sample
		if sample != "" {
			if _, err := pp.Later.SampleIndex(sample); err != nil {
				sample = ""
			}
		}
		want := ""
		if i, err := pp.Later.SampleIndex(sample); err == nil {
			want = pp.Later.SampleTypes[i].Type
		}
		if prev.Profile != nil && prev.in.Profile == pp && prev.Sample == want && sameTag {
			r.Profile, r.Sample, r.Allocations, r.Tasks = prev.Profile, prev.Sample, prev.Allocations, prev.Tasks
			r.profileNote = prev.profileNote
		} else {
			pp := tagged(pp)
			pp.Base, pp.Later, r.profileNote = diff.LineUp(pp.Base, pp.Later)
			if !snap.KeepAllocFrames {
				pp = Pair{Base: jemalloc.FoldAllocFrames(pp.Base), Later: jemalloc.FoldAllocFrames(pp.Later)}
			}
			p.SetPhase("comparing")
			cp, err := compareAndBuild(ctx, pp, sample, snap.plain())
			if err != nil {
				return nil, err
			}
			r.Profile, r.Allocations = cp.c, cp.allocations
			r.Tasks = tokio.Compare(pp.Base, pp.Later)
			r.Sample = r.Profile.SampleType.Type
			if cp.tree != nil {
				r.Shown, r.Tree = r.Profile, cp.tree
				r.Functions = cp.functions
			}
		}
	}
	if g := snap.Goroutines; !g.Empty() {
		if prev.Sites != nil && prev.in.Goroutines == g && sameTag {
			r.GoroutineDiff, r.Sites = prev.GoroutineDiff, prev.Sites
			r.goroutineNote = prev.goroutineNote
		} else {
			p.SetPhase("grouping goroutines")
			g := tagged(g)
			g.Base, g.Later, r.goroutineNote = diff.LineUp(g.Base, g.Later)
			if r.GoroutineDiff, r.Sites, err = compareGoroutines(ctx, g); err != nil {
				return nil, err
			}
		}
	}
	for _, n := range []string{r.profileNote, r.goroutineNote} {
		if n != "" {
			r.Notes = append(r.Notes, strings.ToUpper(n[:1])+n[1:]+".")
		}
	}
	if prev.found && prev.Profile == r.Profile && prev.Sites == r.Sites && prev.Tasks == r.Tasks && prev.in.Runtime == snap.Runtime {
		r.Findings = prev.Findings
	} else {
		p.SetPhase("finding the suspects")
		r.Findings = findings.Find(findings.Input{Goroutines: r.Sites, Tasks: r.Tasks, Profile: r.Profile, Outside: snap.Rule().Func(),
			ReadLines: snap.readLines(ctx)})
	}
	r.found = true
	if r.Tree != nil {
		return r, nil // the profile's tree, built beside its comparison
	}
	r.Shown, r.Title = r.shown(snap.Site)
	if r.Shown == nil {
		return r, nil
	}
	if snap.Tag != "" {
		r.Title = joinTitle(r.Title, "tag "+snap.Tag)
	}
	if snap.Focus != "" {
		r.Shown = focus(r.Shown, snap.Focus)
		r.Title = joinTitle(r.Title, "focus: "+snap.Focus)
	}
	sameShown := prev.Shown != nil && prev.in.Profile == snap.Profile && prev.in.Goroutines == snap.Goroutines && sameTag &&
		prev.Sample == r.Sample && prev.in.Site == snap.Site && prev.in.Focus == snap.Focus
	if sameShown {
		r.Shown, r.Functions = prev.Shown, prev.Functions
		if prev.in.View == snap.View && hiddenKey(prev.in.Hidden) == hiddenKey(snap.Hidden) {
			r.Tree, r.Callers = prev.Tree, prev.Callers
			r.Title = prev.Title
			return r, nil
		}
	} else {
		p.SetPhase("summing functions")
		r.Functions = r.Shown.Functions()
	}
	switch v := snap.View; v.Mode {
	case CallersMode:
		p.SetPhase("building the call tree")
		// The two halves build side by side.
		var callersErr error
		var wg sync.WaitGroup
		wg.Go(func() { r.Callers, callersErr = flame.BuildCallers(ctx, r.Shown, v.Function) })
		r.Tree, err = flame.BuildRooted(ctx, r.Shown, v.Function)
		wg.Wait()
		if err == nil {
			err = callersErr
		}
		if err != nil {
			return nil, err
		}
		r.Title = joinTitle(r.Title, v.String())
		return r, nil
	case InvertedMode:
		p.SetPhase("building the call tree")
		if r.Tree, err = flame.BuildInverted(ctx, r.Shown); err != nil {
			return nil, err
		}
		r.Title = joinTitle(r.Title, v.String())
		return r, nil
	case MergedMode:
		p.SetPhase("building the call tree")
		if r.Tree, err = flame.BuildRooted(ctx, r.Shown, v.Function); err != nil {
			return nil, err
		}
		r.Title = joinTitle(r.Title, v.String())
		return r, nil
	}
	var skip func(string) bool
	if len(snap.Hidden) > 0 {
		skip = func(fn string) bool { return snap.Hidden[fn] }
	}
	p.SetPhase("building the call tree")
	if r.Tree, err = flame.BuildContext(ctx, r.Shown, skip); err != nil {
		return nil, err
	}
	return r, nil
}

// compared is a profile pair compared, with what is computed from it.
type compared struct {
	c           *diff.Comparison
	allocations []AllocationSite
	tree        *flame.Tree     // when built
	functions   []diff.Function // when the tree was built
}

// compareAndBuild compares the profile pair and, when build is set, builds
// its call tree from the dumps at the same time, on another core, and then
// sums its functions and lines while the tree is still being built.
func compareAndBuild(ctx context.Context, pp Pair, sample string, build bool) (*compared, error) {
	if !build {
		c, err := diff.CompareContext(ctx, pp.Base, pp.Later, sample)
		if err != nil {
			return nil, err
		}
		return &compared{c: c, allocations: AllocationSites(c)}, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var tree *flame.Tree
	var treeErr error
	var wg sync.WaitGroup
	if li, err := pp.Later.SampleIndex(sample); err == nil {
		bi, ok := 0, true
		if pp.Base != nil {
			bi, ok = sampleIndexByName(pp.Base, pp.Later.SampleTypes[li])
		}
		if ok {
			wg.Go(func() { tree, treeErr = flame.BuildDumps(ctx, pp.Base, pp.Later, bi, li) })
		}
	}
	c, err := diff.CompareContext(ctx, pp.Base, pp.Later, sample)
	if err != nil {
		cancel()
		wg.Wait()
		return nil, err
	}
	out := &compared{c: c}
	out.functions, out.allocations = c.Functions(), AllocationSites(c)
	wg.Wait()
	if treeErr != nil {
		return nil, treeErr
	}
	out.tree = tree
	if tree == nil { // no matching sample type: Compare said why, or built nothing
		out.functions = nil
	}
	return out, nil
}

// sampleIndexByName finds st in d's sample types, as Compare matches them.
func sampleIndexByName(d *diff.Dump, st diff.SampleType) (int, bool) {
	for i, t := range d.SampleTypes {
		if t == st {
			return i, true
		}
	}
	return 0, false
}

func compareGoroutines(ctx context.Context, g Pair) (*diff.Comparison, *goroutines.Comparison, error) {
	gd, err := diff.CompareContext(ctx, g.Base, g.Later, "")
	if err != nil {
		return nil, nil, err
	}
	later, err := goroutines.FromDump(g.Later)
	if err != nil {
		return nil, nil, err
	}
	var base *goroutines.Snapshot
	if g.Base != nil {
		if base, err = goroutines.FromDump(g.Base); err != nil {
			return nil, nil, err
		}
	}
	return gd, goroutines.Compare(base, later), nil
}

// shown picks what the graph draws: the selected site's goroutines, else the
// profile, else all goroutines.
func (r *Result) shown(site int) (*diff.Comparison, string) {
	if site >= 0 && r.Sites != nil && site < len(r.Sites.Sites) {
		if c, err := r.Sites.Profile(site); err == nil {
			return c, "goroutines spawned at " + r.Sites.Sites[site].Site.String()
		}
	}
	if site >= 0 && r.Sites == nil && r.Tasks != nil && site < len(r.Tasks.Sites) {
		if c, err := r.Tasks.Profile(site, r.Sample); err == nil {
			s := r.Tasks.Sites[site]
			return c, "tokio tasks spawned at " + rust.ShortName(s.Function) + " " + filepath.Base(s.File) + fmt.Sprintf(":%d", s.Line)
		}
	}
	if r.Profile != nil {
		return r.Profile, ""
	}
	return r.GoroutineDiff, ""
}

// BackLabel names what "Back to …" returns to from a selected site.
func (r *Result) BackLabel() string {
	if r.Profile != nil {
		return r.Profile.SampleType.Type + " profile"
	}
	return "all goroutines"
}

func joinTitle(a, b string) string {
	if a == "" {
		return b
	}
	return a + " · " + b
}

// focus keeps the stacks of c that pass through function fn.
func focus(c *diff.Comparison, fn string) *diff.Comparison {
	return c.Subset(func(s int) bool {
		for _, f := range c.Stack(s) {
			if c.Frame(f).Function == fn {
				return true
			}
		}
		return false
	})
}

// AllocationSites sums c's values by leaf frame (function, file and line),
// in the order the frames are first met.
func AllocationSites(c *diff.Comparison) []AllocationSite {
	type key struct {
		fn, file string
		line     int64
	}
	index := make(map[key]int)
	var out []AllocationSite
	for s := 0; s < c.NumStacks(); s++ {
		st := c.Stack(s)
		if len(st) == 0 {
			continue
		}
		f := c.Frame(st[0])
		k := key{f.Function, f.File, f.Line}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			a := AllocationSite{Function: f.Function, Frame: f}
			if f.File != "" {
				a.Where = fmt.Sprintf("%s:%d", filepath.Base(f.File), f.Line)
			}
			out = append(out, a)
		}
		v := c.Value(s)
		out[i].Value.Base += v.Base
		out[i].Value.Later += v.Later
	}
	return out
}

// IsCanceled reports whether err comes from a cancelled or superseded job.
func IsCanceled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// plain reports whether the snapshot shows the whole profile, top-down, so
// that its tree can be built from the dumps beside the comparison.
func (s Snapshot) plain() bool {
	return s.Tag == "" && s.Focus == "" && s.View == View{} && len(s.Hidden) == 0 && s.Site < 0
}

// TaggedPair keeps the stacks of both dumps whose labels hold key=value, as
// pprof's -tagfocus=key=value does.
func TaggedPair(p Pair, key, value string) Pair {
	var out Pair
	if p.Base != nil {
		out.Base = p.Base.Tagged(key, value)
	}
	if p.Later != nil {
		out.Later = p.Later.Tagged(key, value)
	}
	return out
}

// Labels lists the "key=value" labels of the dumps on screen, sorted.
func (s *Session) Labels() []string {
	seen := map[string]bool{}
	for _, d := range s.dumps() {
		for k, vs := range d.LabelKeys() {
			for _, v := range vs {
				seen[k+"="+v] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for kv := range seen {
		out = append(out, kv)
	}
	sort.Strings(out)
	return out
}

// readLines reads source files for the findings where FindSource finds
// them, and the built-in demo's service's source as it was when its dumps
// were taken.
func (s Snapshot) readLines(ctx context.Context) func(string) []string {
	return func(path string) []string {
		if s.Demo && path == assets.DemoSourcePath {
			return strings.Split(string(assets.DemoSource()), "\n")
		}
		// Where the Lines tab finds it: as recorded, in GOROOT, in the
		// module cache, by import path for a -trimpath build.
		if found, _ := FindSource(ctx, path, nil); found != "" {
			return findings.ReadLines(found)
		}
		return nil
	}
}
