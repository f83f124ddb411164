package goroutines

import (
	"fmt"
	"strings"

	"github.com/leakscope/leakscope/diff"
)

// Snapshot is the goroutines of one dump, grouped by site.
type Snapshot struct {
	Dump *diff.Dump // the goroutine dump; one stack per goroutine for debug=2
	// HasCreators reports whether the dump records creation sites (debug=2).
	// Without them, goroutines group by entry function; take a debug=2 dump
	// (/debug/pprof/goroutine?debug=2) for true spawn sites.
	HasCreators bool

	det     *detail // nil without creators
	siteOf  []int32 // stack index -> site index
	sites   []Site
	count   []int64 // goroutines per stack
	ids     map[int64]int32
	leakAll bool // a goroutineleak profile: every goroutine in it leaked
}

// FromDump groups the goroutines of d by site. d must be a goroutine dump:
// a debug=2 dump read by diff.Open, or a goroutine or goroutineleak profile.
func FromDump(d *diff.Dump) (*Snapshot, error) {
	if d.Kind != diff.KindGoroutine {
		return nil, &diff.Error{Path: d.Path, Err: fmt.Errorf("is a %s profile, not a goroutine dump", d.Kind)}
	}
	s := &Snapshot{Dump: d, count: make([]int64, d.NumStacks())}
	for i := range s.count {
		s.count[i] = d.Values(i)[0]
	}
	if det, ok := d.Detail.(*detail); ok {
		s.HasCreators, s.det, s.sites = true, det, det.sites
		s.siteOf = make([]int32, len(det.meta))
		s.ids = make(map[int64]int32, len(det.meta))
		for i, m := range det.meta {
			s.siteOf[i] = m.site
			s.ids[m.id] = m.site
		}
		return s, nil
	}
	s.leakAll = d.SampleTypes[0].Type == "goroutineleak"
	index := make(map[Site]int32)
	s.siteOf = make([]int32, d.NumStacks())
	for i := range s.siteOf {
		site := Site{Function: entryFunction(d, i), ByEntry: true}
		j, ok := index[site]
		if !ok {
			j = int32(len(s.sites))
			s.sites = append(s.sites, site)
			index[site] = j
		}
		s.siteOf[i] = j
	}
	return s, nil
}

// entryFunction returns the outermost frame's function, passing over
// runtime.goexit and runtime.main, which debug=2 dumps do not show.
func entryFunction(d *diff.Dump, i int) string {
	stack := d.Stack(i)
	for j := len(stack) - 1; j >= 0; j-- {
		if f := d.Frame(stack[j]).Function; (f != "runtime.goexit" && f != "runtime.main") || j == 0 {
			return f
		}
	}
	return "?"
}

// Total returns the number of goroutines.
func (s *Snapshot) Total() int64 { return s.Dump.Total(0) }

// SiteDelta is one site's goroutines in the base and the later dump.
type SiteDelta struct {
	Site
	Base, Later int64
	// Survivors counts the later dump's goroutines whose IDs are also in the
	// base dump: alive across the whole interval, the strongest leak signal.
	// Zero when the dumps carry no goroutine IDs.
	Survivors int64
	Leaked    int64            // later goroutines marked "(leaked)" (or all of a goroutineleak profile)
	States    map[string]int64 // later goroutines by state, e.g. "chan receive"
	Wait      WaitBuckets      // later goroutines by how long they have been blocked
	MaxWait   int32            // longest wait in the later dump, in minutes
	Labels    map[string]int64 // later goroutines by label set, "k=v,k2=v2"
	// Stack is a representative stack (leaf first): a later goroutine's,
	// or a base one's when the site is gone.
	Stack []diff.Frame
}

// Delta returns Later - Base.
func (s *SiteDelta) Delta() int64 { return s.Later - s.Base }

// MainState returns the most common state among the later goroutines, or "".
func (s *SiteDelta) MainState() string {
	best, n := "", int64(0)
	for st, c := range s.States {
		if c > n || (c == n && st < best) {
			best, n = st, c
		}
	}
	return best
}

// WaitBuckets counts goroutines by wait time, as the runtime prints it: it
// shows no wait below one minute.
type WaitBuckets struct {
	Under1m, Under10m, Under1h, Over1h int64
}

func (w *WaitBuckets) add(minutes int32, n int64) {
	switch {
	case minutes < 1:
		w.Under1m += n
	case minutes < 10:
		w.Under10m += n
	case minutes < 60:
		w.Under1h += n
	default:
		w.Over1h += n
	}
}

// Comparison ranks the sites of two goroutine dumps.
type Comparison struct {
	Base, Later *Snapshot // Base is nil when one dump is shown alone
	// ByEntry reports that a dump has no creation sites, so sites are entry
	// functions; the UI should suggest taking debug=2 dumps.
	ByEntry bool
	Sites   []SiteDelta // ranked by delta, then survivors, then later count

	stacks diff.SiteStacks // per site: base and later stack indices
}

// Compare groups base and later by site and ranks the sites by growth.
// base may be nil. When either dump lacks creation sites, both group by
// entry function so that their sites match.
func Compare(base, later *Snapshot) *Comparison {
	c := &Comparison{Base: base, Later: later}
	c.ByEntry = !later.HasCreators || (base != nil && !base.HasCreators)
	index := make(map[Site]int)
	siteIndex := func(s Site) int {
		if i, ok := index[s]; ok {
			return i
		}
		i := len(c.Sites)
		c.Sites = append(c.Sites, SiteDelta{Site: s, States: map[string]int64{}, Labels: map[string]int64{}})
		c.stacks[0] = append(c.stacks[0], nil)
		c.stacks[1] = append(c.stacks[1], nil)
		index[s] = i
		return i
	}
	for side, snap := range []*Snapshot{base, later} {
		if snap == nil {
			continue
		}
		d := snap.Dump
		for i := 0; i < d.NumStacks(); i++ {
			site := snap.sites[snap.siteOf[i]]
			if c.ByEntry && !site.ByEntry {
				site = Site{Function: entryFunction(d, i), ByEntry: true}
			}
			k := siteIndex(site)
			sd := &c.Sites[k]
			n := snap.count[i]
			c.stacks[side][k] = append(c.stacks[side][k], i)
			if side == 0 {
				sd.Base += n
				continue
			}
			sd.Later += n
			c.addLater(sd, snap, i, n)
		}
	}
	for k := range c.Sites {
		sd := &c.Sites[k]
		i, snap := -1, later
		if l := c.stacks[1][k]; len(l) > 0 {
			i = l[0]
		} else if b := c.stacks[0][k]; len(b) > 0 {
			i, snap = b[0], base
		}
		if i >= 0 {
			for _, f := range snap.Dump.Stack(i) {
				sd.Stack = append(sd.Stack, snap.Dump.Frame(f))
			}
		}
	}
	c.Sites, c.stacks = diff.SortSites(c.Sites, c.stacks, func(x, y *SiteDelta) bool {
		if x.Delta() != y.Delta() {
			return x.Delta() > y.Delta()
		}
		if x.Survivors != y.Survivors {
			return x.Survivors > y.Survivors
		}
		if x.Later != y.Later {
			return x.Later > y.Later
		}
		return x.Site.String() < y.Site.String()
	})
	return c
}

// addLater records the later dump's details of stack i (n goroutines).
func (c *Comparison) addLater(sd *SiteDelta, snap *Snapshot, i int, n int64) {
	if snap.leakAll {
		sd.Leaked += n
	}
	if snap.det == nil {
		// Profiles (debug=0) keep their pprof labels per stack.
		if l := snap.Dump.Labels(i); len(l) > 0 {
			sd.Labels[l.String()] += n
		}
		return
	}
	m := snap.det.meta[i]
	sd.States[m.state] += n
	sd.Wait.add(m.wait, n)
	sd.MaxWait = max(sd.MaxWait, m.wait)
	if m.leaked {
		sd.Leaked += n
	}
	if m.labels != "" {
		sd.Labels[m.labels] += n
	}
	if c.Base != nil && c.Base.ids != nil {
		if _, ok := c.Base.ids[m.id]; ok {
			sd.Survivors += n
		}
	}
}

// Profile returns the stacks of site k's goroutines, base against later,
// weighted by goroutine count, for a flame graph.
func (c *Comparison) Profile(k int) (*diff.Comparison, error) {
	var base *diff.Dump
	if c.Base != nil {
		base = c.Base.Dump
	}
	return diff.SiteProfile(base, c.Later.Dump, c.stacks, k, "")
}

// Find returns the index of the first site that matches query, or -1. A query
// is a function name, or FILE:LINE where FILE is the path as written in the
// dump or its last element ("main.go:69").
func (c *Comparison) Find(query string) int {
	for i, s := range c.Sites {
		if s.Function == query {
			return i
		}
		file, line, ok := strings.Cut(query, ":")
		if !ok || s.File == "" || fmt.Sprint(s.Line) != line {
			continue
		}
		if s.File == file || strings.HasSuffix(s.File, "/"+file) {
			return i
		}
	}
	return -1
}
