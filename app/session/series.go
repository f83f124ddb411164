package session

import (
	"context"
	"fmt"
	"sync"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/goroutines"
	"github.com/leakscope/leakscope/diff/series"
	"github.com/leakscope/leakscope/flame"
)

// MinSeries is the number of dumps of one kind that make a series rather
// than a pair.
const MinSeries = 3

// Series is the series on screen: the memory (or other profile) series and
// the goroutine series beside it, each of MinSeries or more snapshots, and
// the two snapshots of Main the pairs show. It is immutable: changes make a
// new one.
type Series struct {
	Main, Goroutines *series.Series // Main is Goroutines when only goroutine dumps were given
	Base, Later      int            // snapshots of Main in the pair
	// Follow is set while the later snapshot is the last and should stay
	// the last as a watch adds snapshots.
	Follow bool
}

// NewSeries returns the series of all, the first and last snapshots picked;
// nil when no series has MinSeries snapshots.
func NewSeries(all []*series.Series) *Series {
	s := &Series{}
	for _, x := range all {
		if x.Len() < MinSeries {
			continue
		}
		if x.Kind == diff.KindGoroutine {
			s.Goroutines = x
		} else if s.Main == nil {
			s.Main = x
		}
	}
	if s.Main == nil {
		s.Main = s.Goroutines
	}
	if s.Main == nil {
		return nil
	}
	s.Later, s.Follow = s.Main.Len()-1, true
	return s
}

// Pick returns a copy of s showing snapshots base and later of Main.
func (s *Series) Pick(base, later int) *Series {
	c := *s
	c.Base, c.Later = base, later
	c.Follow = later == s.Main.Len()-1
	return &c
}

// GoroutinePick returns the snapshots of the goroutine series that go with
// the picked ones of Main: those of the same moments (series.Match: the
// same watch sequence number, the same number in the name, else the
// nearest time), else first and last.
func (s *Series) GoroutinePick() (base, later int, ok bool) {
	g := s.Goroutines
	if g == nil {
		return 0, 0, false
	}
	if g == s.Main {
		return s.Base, s.Later, true
	}
	idx, _ := s.Main.Match(g)
	b, l := idx[s.Base], idx[s.Later]
	if b < 0 || l < 0 || b == l {
		return 0, g.Len() - 1, true
	}
	return b, l, true
}

// Paths returns the files of the picked pairs: the main pair, then the
// goroutine pair when it is another series.
func (s *Series) Paths() []string {
	m := s.Main.Snapshots
	out := []string{m[s.Base].Path, m[s.Later].Path}
	if b, l, ok := s.GoroutinePick(); ok && s.Goroutines != s.Main {
		g := s.Goroutines.Snapshots
		out = append(out, g[b].Path, g[l].Path)
	}
	return out
}

// Loaded is what a load read: the dumps for the pairs, and the series of
// the kinds given MinSeries or more dumps of.
type Loaded struct {
	Dumps  []*diff.Dump
	Series []*series.Series
}

// LoadAll reads srcs as Load does, except that the files of a kind given
// MinSeries or more times are read into a series, which keeps only their
// values; only the first and last of each series are read again as dumps
// for the pair. The dumps come first to last.
func LoadAll(ctx context.Context, srcs []Source, sym *Symbols, p *diff.Progress) (*Loaded, error) {
	return LoadAllWith(ctx, srcs, sym.Options(p))
}

// LoadAllWith is LoadAll with the options of each load given whole, as
// the command line sets them (limits, symbol sources). opts.Progress names
// the phases.
func LoadAllWith(ctx context.Context, srcs []Source, opts *diff.Options) (*Loaded, error) {
	p := opts.Progress
	if len(srcs) < MinSeries || srcs[0].Demo {
		dumps, err := loadWith(ctx, srcs, opts)
		if err != nil {
			return nil, err
		}
		return &Loaded{Dumps: dumps}, nil
	}
	paths := make([]string, len(srcs))
	for i, s := range srcs {
		paths[i] = s.Path
	}
	thin := opts.SkipZero
	o := *opts
	o.SkipZero = false // a series keeps every sample type's values
	all, err := series.Load(ctx, paths, &o, false)
	if err != nil {
		return nil, err
	}
	out := &Loaded{}
	var again []Source
	for _, s := range all {
		if s.Len() < MinSeries {
			again = append(again, Files(s.Paths())...)
			continue
		}
		out.Series = append(out.Series, s)
		again = append(again, Source{Path: s.Snapshots[0].Path}, Source{Path: s.Snapshots[s.Len()-1].Path})
	}
	p.SetPhase("reading the first and last snapshots")
	o.SkipZero = thin
	if out.Dumps, err = loadWith(ctx, again, &o); err != nil {
		return nil, err
	}
	return out, nil
}

// SetSeries makes s the series on screen (nil for none). Notes say what it is.
func (sess *Session) SetSeries(s *Series) {
	sess.Series = s
	if s == nil {
		return
	}
	sess.Notes = nil // the pairs' order notes: the series' order says it all
	what := fmt.Sprintf("A series of %d %s dumps", s.Main.Len(), s.Main.Kind)
	if g := s.Goroutines; g != nil && g != s.Main {
		what += fmt.Sprintf(" (and %d goroutine dumps)", g.Len())
	}
	sess.Notes = append(sess.Notes, what+": pick the base and the later snapshot on the timeline; suspects rank by steady growth.")
	if n := s.Main.Note(); n != "" {
		sess.Notes = append(sess.Notes, n)
	}
	if g := s.Goroutines; g != nil && g != s.Main {
		if n := g.Note(); n != "" {
			sess.Notes = append(sess.Notes, "Goroutine dumps: "+n)
		}
	}
}

// PickDumps puts dumps read for s's picked snapshots (as Series.Paths
// lists them) in the pairs.
func (sess *Session) PickDumps(s *Series, dumps []*diff.Dump) {
	sess.Series = s
	sess.Profile = Pair{Base: dumps[0], Later: dumps[1]}
	sess.ProfileOrder = Order{Base: dumps[0], Later: dumps[1], By: ByUser}
	if s.Main.Kind == diff.KindGoroutine {
		sess.Profile, sess.ProfileOrder = Pair{}, Order{}
		sess.Goroutines = Pair{Base: dumps[0], Later: dumps[1]}
		sess.GoroutineOrder = Order{Base: dumps[0], Later: dumps[1], By: ByUser}
	} else if len(dumps) == 4 {
		sess.Goroutines = Pair{Base: dumps[2], Later: dumps[3]}
		sess.GoroutineOrder = Order{Base: dumps[2], Later: dumps[3], By: ByUser}
	}
	sess.Site = -1
}

// Trends is what a Result shows of a series: every value at each snapshot.
type Trends struct {
	Series      *Series
	SampleIndex int
	// Totals is Main's total of the sample type at each snapshot; Goroutines
	// the goroutine count, when there is a goroutine series.
	Totals, Goroutines []int64
	// Functions are the trends of the functions of the series whose kind
	// the graph shows, by name; Sites those of the spawn sites.
	Functions map[string]*series.FunctionTrend
	Sites     map[goroutines.Site]*series.SiteTrend
	// Scores are the leak scores of Result.Tree's nodes; nil when the tree
	// is not rooted as the series' stacks are (merged, inverted, a site's
	// goroutines, a tag or focus), where scores mean nothing.
	Scores []float32
	// Shown is the series the graph and the function table show.
	Shown *series.Series
	// Suspects ranks the functions of Shown and the spawn sites.
	Suspects []series.Suspect

	cache *trendCache
}

// trendCache keeps what does not change while the series and the sample
// type stay: the trends per series.
type trendCache struct {
	mu  sync.Mutex
	fns map[*series.Series]map[int][]series.FunctionTrend
}

func (c *trendCache) functions(s *series.Series, t int) []series.FunctionTrend {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fns == nil {
		c.fns = map[*series.Series]map[int][]series.FunctionTrend{}
	}
	if c.fns[s] == nil {
		c.fns[s] = map[int][]series.FunctionTrend{}
	}
	fns, ok := c.fns[s][t]
	if !ok {
		fns = s.Functions(t)
		c.fns[s][t] = fns
	}
	return fns
}

// trendsOf computes the series part of r.
func trendsOf(snap Snapshot, prev *Result, r *Result) *Trends {
	s := snap.Series
	if s == nil || r.Shown == nil {
		return nil
	}
	tr := &Trends{Series: s, cache: &trendCache{}}
	if p := prev.Trends; p != nil && p.Series.Main == s.Main && p.Series.Goroutines == s.Goroutines {
		tr.cache = p.cache
	}
	shown := s.Main
	if r.Shown.Later.Kind == diff.KindGoroutine && s.Goroutines != nil {
		shown = s.Goroutines
	}
	tr.Shown = shown
	t := 0
	if i, err := shown.SampleIndex(r.Shown.SampleType.Type); err == nil {
		t = i
	}
	tr.SampleIndex = t
	mt := t
	if shown != s.Main {
		mt = 0
		if i, err := s.Main.SampleIndex(r.Sample); err == nil {
			mt = i
		}
	}
	tr.Totals = s.Main.Totals(mt)
	if s.Goroutines != nil {
		tr.Goroutines = s.Goroutines.Goroutines()
	}
	fns := tr.cache.functions(shown, t)
	tr.Functions = make(map[string]*series.FunctionTrend, len(fns))
	for i := range fns {
		tr.Functions[fns[i].Name] = &fns[i]
	}
	var sites []series.SiteTrend
	if g := s.Goroutines; g != nil || s.Main.Tasks {
		if g == nil {
			g = s.Main // a tokio service's tasks, by spawn site
		}
		sites = g.Sites()
		tr.Sites = make(map[goroutines.Site]*series.SiteTrend, len(sites))
		for i := range sites {
			tr.Sites[sites[i].Site] = &sites[i]
		}
	}
	tr.Suspects = series.Suspects(fns, sites)
	plain := snap.Site < 0 && snap.View == View{} && snap.Tag == "" && snap.Focus == ""
	if r.Tree != nil && plain && shown == s.Main {
		if p := prev.Trends; p != nil && prev.Tree == r.Tree && p.Scores != nil && p.Series == s {
			tr.Scores = p.Scores
		} else {
			var skip func(string) bool
			if len(snap.Hidden) > 0 {
				skip = func(fn string) bool { return snap.Hidden[fn] }
			}
			tr.Scores = flame.NodeScores(r.Tree, shown, t, skip)
		}
	}
	return tr
}
