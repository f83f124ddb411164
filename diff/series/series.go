// Package series follows N dumps of one kind taken over time and ranks what
// grows steadily: the leak, as against a cache that warms up, a pool that
// breathes or a burst of work.
//
// A Builder takes the dumps one at a time and keeps, for the union of their
// stacks, one compact column of values per snapshot; the dumps themselves
// can then be dropped, so that memory grows with the union of stacks times
// N, not with N whole dumps. A Series is an immutable view of what was added
// so far, put in order; it gives the value of every function (flat and
// cum), stack and spawn site at each snapshot as a Trend, and ranks them as
// leak suspects.
package series

import (
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/goroutines"
	"github.com/leakscope/leakscope/diff/internal/stackset"
	"github.com/leakscope/leakscope/diff/jemalloc"
	"github.com/leakscope/leakscope/diff/tokio"
)

// Snapshot is one dump of a series.
type Snapshot struct {
	Path string
	// Time is when the dump was taken: the time it records, else the time
	// in its name when Leakscope's watch named it; zero when unknown.
	Time time.Time
	// Total is the dump's total of each sample type.
	Total []int64
	// Goroutines is the number of goroutines of a goroutine dump, else 0.
	Goroutines int64

	// Moment is what the dump told of when it was taken (diff.MomentOf).
	Moment diff.Moment
	// Given is the dump's place in the order the dumps were given: the
	// order of Add, unless AddAt said otherwise.
	Given int
	// Warnings are the dump's load warnings (diff.Dump.Warnings).
	Warnings []string
	// Notes are the dump's load notes (diff.Dump.Notes).
	Notes []string
	// SymbolWarnings are the dump's (diff.Dump.SymbolWarnings).
	SymbolWarnings []string
	// Details are the dump's (diff.Dump.Details).
	Details []string
	// FullNames are the dump's full function names (diff.Dump.FullNames).
	FullNames map[string]string
}

// Builder collects the dumps of a series. Add them in any order; Series puts
// them in order. A Builder is not safe for concurrent use.
type Builder struct {
	// KeepAllocFrames keeps the allocation plumbing at the leaves of
	// jemalloc stacks; by default it is folded into its callers
	// (jemalloc.FoldAllocFrames), as the pair views fold it.
	KeepAllocFrames bool

	kind      diff.Kind
	types     []diff.SampleType
	defType   string
	frames    []diff.Frame
	frameIDs  map[diff.Frame]int32
	pool      pool // the stacks' frame IDs, leaf first
	table     stackset.Table
	snaps     []Snapshot
	cols      []column
	sites     []goroutines.Site
	siteIDs   map[goroutines.Site]int32
	siteVals  [][]int64 // per snapshot: goroutines (or live tokio tasks) per site
	byEntry   bool
	tasks     bool // the sites are tokio tasks of jemalloc dumps
	estimated bool
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{frameIDs: map[diff.Frame]int32{}, table: stackset.New(1024), siteIDs: map[goroutines.Site]int32{}}
}

// Len returns the number of dumps added.
func (b *Builder) Len() int { return len(b.snaps) }

// Add adds d as a snapshot, given after those added before. Every dump must
// be of the first one's kind and have its sample types; the error says
// which file does not.
func (b *Builder) Add(d *diff.Dump) error { return b.AddAt(d, len(b.snaps)) }

// AddAt is Add for dumps read in parallel: given is d's place in the order
// the dumps were given, which decides where nothing else does.
func (b *Builder) AddAt(d *diff.Dump, given int) error {
	if !b.KeepAllocFrames {
		d = jemalloc.FoldAllocFrames(d)
	}
	if len(b.snaps) == 0 {
		b.kind, b.types, b.defType = d.Kind, d.SampleTypes, d.DefaultSampleType
	}
	if d.Kind != b.kind {
		return &diff.Error{Path: d.Path, Err: fmt.Errorf("is a %s dump; the series is of %s dumps (%s)", d.Kind, b.kind, b.snaps[0].Path)}
	}
	// Map the dump's sample types onto the series' by name.
	nt := len(b.types)
	cols := make([]int, nt)
	for t, st := range b.types {
		cols[t] = -1
		for j, dt := range d.SampleTypes {
			if dt.Type == st.Type && dt.Unit == st.Unit {
				cols[t] = j
				break
			}
		}
		if cols[t] < 0 {
			return &diff.Error{Path: d.Path, Err: fmt.Errorf("has no %s values, which the other dumps of the series (%s) have", st, b.snaps[0].Path)}
		}
	}
	snap := Snapshot{Path: d.Path, Moment: diff.MomentOf(d), Total: make([]int64, nt), Given: given, Warnings: d.Warnings, Notes: d.Notes, SymbolWarnings: d.SymbolWarnings, Details: d.Details, FullNames: d.FullNames()}
	snap.Time = snap.Moment.Time
	for t := range b.types {
		snap.Total[t] = d.Total(cols[t])
	}

	// Intern the stacks: frames by value, stacks by their frame IDs. The
	// column keeps the stacks of this dump only.
	col := column{ids: make([]int32, 0, d.NumStacks()), vals: make([]int64, 0, d.NumStacks()*nt)}
	if d.NumStacks() > 0 && d.Estimates(0) != nil {
		col.est = make([]float64, 0, d.NumStacks()*nt)
	}
	ids := make([]int32, d.NumFrames())
	for i := range ids {
		ids[i] = -1
	}
	var frames []int32
	for i := 0; i < d.NumStacks(); i++ {
		frames = frames[:0]
		for _, f := range d.Stack(i) {
			if ids[f] < 0 {
				ids[f] = b.frame(d.Frame(f))
			}
			frames = append(frames, ids[f])
		}
		col.ids = append(col.ids, b.stack(frames))
		v := d.Values(i)
		for t := range nt {
			col.vals = append(col.vals, v[cols[t]])
		}
		if col.est != nil {
			e := d.Estimates(i)
			for t := range nt {
				col.est = append(col.est, e[cols[t]])
			}
		}
	}
	col.compact()
	if d.Kind == diff.KindGoroutine {
		g, err := goroutines.FromDump(d)
		if err != nil {
			return err
		}
		snap.Goroutines = g.Total()
		cmp := goroutines.Compare(nil, g)
		b.byEntry = b.byEntry || cmp.ByEntry
		sv := make([]int64, len(b.sites))
		for _, sd := range cmp.Sites {
			id, ok := b.siteIDs[sd.Site]
			if !ok {
				id = int32(len(b.sites))
				b.sites = append(b.sites, sd.Site)
				b.siteIDs[sd.Site] = id
				sv = append(sv, 0)
			}
			sv[id] += sd.Later
		}
		b.siteVals = append(b.siteVals, sv)
	} else if tc := tokio.Compare(nil, d); tc != nil && len(tc.Sites) > 0 {
		// A tokio service's tasks, by spawn site, from their task cells.
		b.tasks, b.estimated = true, b.estimated || tc.Estimated
		sv := make([]int64, len(b.sites))
		for _, sd := range tc.Sites {
			site := goroutines.Site{Function: sd.Function, File: sd.File, Line: sd.Line}
			id, ok := b.siteIDs[site]
			if !ok {
				id = int32(len(b.sites))
				b.sites = append(b.sites, site)
				b.siteIDs[site] = id
				sv = append(sv, 0)
			}
			sv[id] += sd.Live.Later
		}
		b.siteVals = append(b.siteVals, sv)
	} else {
		b.siteVals = append(b.siteVals, nil)
	}
	b.snaps = append(b.snaps, snap)
	b.cols = append(b.cols, col)
	return nil
}

// column is one snapshot's values: entry k is stack ids[k], with values
// vals[k*T:(k+1)*T] (T sample types) and, for dumps of estimates, the
// estimates est[k*T:(k+1)*T]. A stack may have more than one entry (dumps
// keep stacks apart by labels); they add up.
type column struct {
	ids []int32
	// The values, len(ids) times the sample types: in small when every one
	// fits in 32 bits (most columns), else in vals.
	vals  []int64
	small []int32
	est   []float64
}

// val returns value i of the column.
func (c *column) val(i int) int64 {
	if c.small != nil {
		return int64(c.small[i])
	}
	return c.vals[i]
}

// compact keeps the values in 32 bits each when they all fit.
func (c *column) compact() {
	for _, v := range c.vals {
		if v != int64(int32(v)) {
			return
		}
	}
	c.small = make([]int32, len(c.vals))
	for i, v := range c.vals {
		c.small[i] = int32(v)
	}
	c.vals = nil
}

func satAdd(a, b int64) int64 {
	s, _ := diff.AddSaturating(a, b)
	return s
}

func (b *Builder) frame(f diff.Frame) int32 {
	id, ok := b.frameIDs[f]
	if !ok {
		id = int32(len(b.frames))
		b.frames = append(b.frames, f)
		b.frameIDs[f] = id
	}
	return id
}

func (b *Builder) stack(frames []int32) int32 {
	if id, ok := b.table.LookupFunc(frames, b.pool.stack); ok {
		return id
	}
	id := b.pool.add(frames)
	b.table.Insert(frames, id)
	return id
}

// pool holds the frame IDs of stacks in chunks, each stack whole in one:
// growing it never copies what it holds, so that a large series does not
// need twice its stacks' memory while it grows. A copy of a pool is a view
// of the stacks so far, which later adds leave as it is: they write only
// past what its ends reach, and into slices the view does not see.
type pool struct {
	chunks [][]int32 // each allocated whole, never resized
	starts []int32   // starts[c]: the index of the first stack in chunks[c]
	ends   []int32   // ends[i]: where stack i ends in its chunk
	fill   int       // what the last chunk holds
}

// poolChunk is the frames one chunk holds, unless one stack is longer.
const poolChunk = 1 << 20

// len returns the number of stacks.
func (p *pool) len() int { return len(p.ends) }

// add stores frames as a new stack and returns its index.
func (p *pool) add(frames []int32) int32 {
	id := int32(len(p.ends))
	if n := len(p.chunks); n == 0 || p.fill+len(frames) > len(p.chunks[n-1]) {
		p.chunks = append(p.chunks, make([]int32, max(poolChunk, len(frames))))
		p.starts = append(p.starts, id)
		p.fill = 0
	}
	copy(p.chunks[len(p.chunks)-1][p.fill:], frames)
	p.fill += len(frames)
	p.ends = append(p.ends, int32(p.fill))
	return id
}

// stack returns the frames of stack i.
func (p *pool) stack(i int32) []int32 {
	c := sort.Search(len(p.starts), func(c int) bool { return p.starts[c] > i }) - 1
	var lo int32
	if i > p.starts[c] {
		lo = p.ends[i-1]
	}
	return p.chunks[c][lo:p.ends[i]]
}

// What decided the order of a series: see diff.Order.
const (
	ByTime        = diff.ByTime
	ByJemallocSeq = diff.ByJemallocSeq
	BySequence    = diff.BySequence
	ByNameNumber  = diff.ByNameNumber
	ByWaitTime    = diff.ByWaitTime
	ByNone        = diff.ByGiven
)

// Series returns the dumps added so far, put in order by diff.Order (the
// one rule pairs, series and watch share), starting from the order given.
// It is an immutable view: adding more dumps does not change it.
func (b *Builder) Series() *Series {
	given := make([]int, len(b.snaps))
	for i := range given {
		given[i] = i
	}
	sort.SliceStable(given, func(i, j int) bool { return b.snaps[given[i]].Given < b.snaps[given[j]].Given })
	ms := make([]diff.Moment, len(given))
	for k, i := range given {
		ms[k] = b.snaps[i].Moment
	}
	o := diff.Order(ms)
	order := make([]int, len(given))
	for k, i := range o.Index {
		order[k] = given[i]
	}
	by := o.By
	s := &Series{
		Kind: b.kind, SampleTypes: b.types, DefaultSampleType: b.defType, OrderedBy: by, ByEntry: b.byEntry,
		Tasks: b.tasks, Estimated: b.estimated, Ordering: o,
		frames: b.frames, pool: b.pool, sites: b.sites,
	}
	for _, i := range order {
		s.Snapshots = append(s.Snapshots, b.snaps[i])
		s.cols = append(s.cols, b.cols[i])
		s.siteVals = append(s.siteVals, b.siteVals[i])
	}
	return s
}

// Series is the snapshots of a series, first to last, with the value of
// every stack at each. It is immutable and safe for concurrent readers.
type Series struct {
	Kind              diff.Kind
	SampleTypes       []diff.SampleType
	DefaultSampleType string
	Snapshots         []Snapshot
	// OrderedBy says what put the snapshots in order: ByTime,
	// ByJemallocSeq, BySequence, ByNameNumber, ByWaitTime, or ByNone.
	OrderedBy string
	// Ordering is the whole verdict of diff.Order, its Index in the order
	// given.
	Ordering diff.Ordering
	// ByEntry is set for goroutine series whose dumps record no creation
	// sites: sites are then entry functions.
	ByEntry bool
	// Tasks is set for series of jemalloc dumps of a tokio service: Sites
	// are then its tasks' spawn sites, by live tasks (package tokio), and
	// Estimated says whether a dump sampled them.
	Tasks, Estimated bool

	frames   []diff.Frame
	pool     pool // a view of the Builder's
	cols     []column
	sites    []goroutines.Site
	siteVals [][]int64
}

// Len returns the number of snapshots.
func (s *Series) Len() int { return len(s.Snapshots) }

// Paths returns the snapshots' file names, first to last.
func (s *Series) Paths() []string {
	out := make([]string, len(s.Snapshots))
	for i, sn := range s.Snapshots {
		out[i] = sn.Path
	}
	return out
}

// Note says how the order was decided when the user should know: when it
// was inferred from names or goroutines, or could not be known, and where
// goroutine IDs disagree with it (diff.Ordering.Note).
func (s *Series) Note() string {
	if s.Len() < 2 {
		return ""
	}
	return s.Ordering.Note(filepath.Base(s.Snapshots[0].Path), filepath.Base(s.Snapshots[s.Len()-1].Path))
}

// Warnings returns the load warnings of every snapshot, first to last,
// each as "PATH: warning".
func (s *Series) Warnings() []string {
	var out []string
	for _, sn := range s.Snapshots {
		for _, w := range sn.Warnings {
			out = append(out, sn.Path+": "+w)
		}
	}
	return out
}

// Moments returns what each snapshot told of when it was taken, first to last.
func (s *Series) Moments() []diff.Moment {
	out := make([]diff.Moment, s.Len())
	for i, sn := range s.Snapshots {
		out[i] = sn.Moment
	}
	return out
}

// Match returns, for each snapshot of s, the snapshot of other taken at
// the same moment (the heap snapshot's goroutine dump), or -1, and what
// matched them: diff.Match.
func (s *Series) Match(other *Series) (idx []int, by string) {
	return diff.Match(s.Moments(), other.Moments())
}

// Hours returns the snapshots' times in hours after the first, or nil
// unless every snapshot has a time and they are all different.
func (s *Series) Hours() []float64 {
	if s.Len() < 2 {
		return nil
	}
	h := make([]float64, s.Len())
	t0 := s.Snapshots[0].Time
	for i, sn := range s.Snapshots {
		if sn.Time.IsZero() || (i > 0 && !sn.Time.After(s.Snapshots[i-1].Time)) {
			return nil
		}
		h[i] = sn.Time.Sub(t0).Hours()
	}
	return h
}

// SampleIndex resolves a sample type name as diff.Dump.SampleIndex does.
func (s *Series) SampleIndex(name string) (int, error) {
	d := diff.NewBuilder(s.SampleTypes)
	d.SetDefaultSampleType(s.DefaultSampleType)
	dump := d.Dump("series")
	dump.Kind = s.Kind
	return dump.SampleIndex(name)
}

// Totals returns the total of sample type t at each snapshot.
func (s *Series) Totals(t int) []int64 {
	out := make([]int64, s.Len())
	for i, sn := range s.Snapshots {
		out[i] = sn.Total[t]
	}
	return out
}

// Goroutines returns the goroutine count at each snapshot of a goroutine series.
func (s *Series) Goroutines() []int64 {
	out := make([]int64, s.Len())
	for i, sn := range s.Snapshots {
		out[i] = sn.Goroutines
	}
	return out
}

// NumStacks returns the number of distinct stacks over all snapshots.
func (s *Series) NumStacks() int { return s.pool.len() }

// Stack returns the frames of stack i, leaf first. It must not be modified.
func (s *Series) Stack(i int) []diff.Frame {
	ids := s.pool.stack(int32(i))
	out := make([]diff.Frame, 0, len(ids))
	for _, f := range ids {
		out = append(out, s.frames[f])
	}
	return out
}

// FrameIDs returns the frame IDs of stack i, leaf first (see Frame). It must
// not be modified.
func (s *Series) FrameIDs(i int) []int32 { return s.pool.stack(int32(i)) }

// Frame returns the frame with ID id.
func (s *Series) Frame(id int32) diff.Frame { return s.frames[id] }

// GroupValues sums the values of sample type t of the stacks into groups:
// stack i goes to group(i), or nowhere when that is negative. It returns
// each group's values at each snapshot (group g's at vals[g*Len():]) and
// whether any stack with a non-zero value went to it. Sums saturate.
func (s *Series) GroupValues(t, groups int, group func(stack int) int32) (vals []int64, seen []bool) {
	n, nt := s.Len(), len(s.SampleTypes)
	vals, seen = make([]int64, groups*n), make([]bool, groups)
	to := make([]int32, s.NumStacks())
	for i := range to {
		to[i] = group(i)
	}
	for k := range s.cols {
		col := &s.cols[k]
		for e, st := range col.ids {
			if v := col.val(e*nt + t); v != 0 {
				if g := to[st]; g >= 0 {
					vals[int(g)*n+k] = satAdd(vals[int(g)*n+k], v)
					seen[g] = true
				}
			}
		}
	}
	return vals, seen
}

// AddSaturating returns a+b held at the int64 bounds, as the series sums.
func AddSaturating(a, b int64) int64 { return satAdd(a, b) }

// StackValues returns the value of sample type t of stack i at each
// snapshot. It takes time linear in the series.
func (s *Series) StackValues(i, t int) []int64 {
	nt := len(s.SampleTypes)
	out := make([]int64, s.Len())
	for k, col := range s.cols {
		for e, id := range col.ids {
			if int(id) == i {
				out[k] = satAdd(out[k], col.val(e*nt+t))
			}
		}
	}
	return out
}

// Name returns the file name watch gives snapshot seq of kind (such as
// "heap" or "goroutines") taken at t, with ext (such as ".pb.gz"):
// diff.WatchName. ParseName reads it back; names sort in sequence order.
func Name(kind string, seq int, t time.Time, ext string) string {
	return diff.WatchName(kind, seq, t, ext)
}

// ParseName reads the sequence number and time from a name that Name made.
func ParseName(path string) (seq int, t time.Time, ok bool) { return diff.ParseWatchName(path) }
