package diff

import (
	"context"
	"fmt"
	"github.com/leakscope/leakscope/diff/internal/stackset"
	"math"
	"sort"
	"strings"
)

// Comparison holds every stack of a base and a later dump for one sample
// type, with both values, on one shared frame table. Stacks that shrank or
// vanished are kept. A Comparison of a single dump has no base: its base
// values are all zero. It is immutable and safe for concurrent readers.
type Comparison struct {
	Base       *Dump      // nil when one dump is shown alone
	Later      *Dump      // the dump being examined
	SampleType SampleType // the compared sample type

	frames []Frame
	stacks []int32 // frame IDs, leaf first, back to back
	bounds []int32
	base   []int64 // per stack
	later  []int64
	// ebase and elater are the stacks' values before rounding, when a dump
	// holds estimates (Dump.Estimates); nil otherwise.
	ebase, elater []float64

	saturated bool // a sum passed the int64 range
}

// Compare compares later against base for the named sample type ("" for the
// later dump's default; see Dump.SampleIndex). base may be nil to show later
// alone. Both dumps must be of the same kind and have the sample type with the
// same unit; otherwise the *Error names the file that does not fit.
// Compare keeps the order it is given.
func Compare(base, later *Dump, sample string) (*Comparison, error) {
	return CompareContext(context.Background(), base, later, sample)
}

// CompareContext is Compare that stops with ctx's error soon after ctx is done.
func CompareContext(ctx context.Context, base, later *Dump, sample string) (*Comparison, error) {
	li, err := later.SampleIndex(sample)
	if err != nil {
		return nil, &Error{Path: later.Path, Err: err}
	}
	st := later.SampleTypes[li]
	c := &Comparison{Base: base, Later: later, SampleType: st}
	bi := -1
	if base != nil {
		if bi, err = matchSampleType(base, later, st); err != nil {
			return nil, err
		}
	}
	// Size the tables for the stacks with a value, so that they are not
	// regrown (and copied) as stacks are added.
	stacks, frames := counted(later, li)
	if base != nil {
		s, f := counted(base, bi)
		stacks, frames = stacks+s, frames+f
	}
	c.stacks = make([]int32, 0, frames)
	adviseHuge(c.stacks)
	c.bounds = append(make([]int32, 0, stacks+1), 0)
	c.base, c.later = make([]int64, 0, stacks), make([]int64, 0, stacks)
	table := stackset.New(stacks)
	ids := make(map[Frame]int32, later.NumFrames())
	if later.estimates != nil || (base != nil && base.estimates != nil) {
		c.ebase, c.elater = make([]float64, 0, stacks), make([]float64, 0, stacks)
	}
	if base != nil {
		if err := c.add(ctx, base, bi, ids, &table, true); err != nil {
			return nil, err
		}
	}
	if err := c.add(ctx, later, li, ids, &table, false); err != nil {
		return nil, err
	}
	// A sum of a dump's values that passes the int64 range (its absolute
	// values, so that no function's sum can) makes the totals bounds.
	var sb, sl int64
	for i := range c.base {
		sb, sl = c.addSat(sb, abs(c.base[i])), c.addSat(sl, abs(c.later[i]))
	}
	return c, nil
}

// addSat returns a+b, held at the int64 bounds when it passes them, and
// notes that it did.
func (c *Comparison) addSat(a, b int64) int64 {
	s, over := AddSaturating(a, b)
	c.saturated = c.saturated || over
	return s
}

// AddSaturating returns a+b, or the int64 bound it passes, and whether it did.
func AddSaturating(a, b int64) (int64, bool) {
	s := a + b
	switch {
	case a > 0 && b > 0 && s < 0:
		return math.MaxInt64, true
	case a < 0 && b < 0 && s >= 0:
		return math.MinInt64, true
	}
	return s, false
}

func sat(a, b int64) int64 {
	s, _ := AddSaturating(a, b)
	return s
}

// Saturated reports whether values of the compared dumps add up to more than
// an int64 holds: totals, stacks or functions are then held at the bound,
// not wrapped around, and the caller should warn that they are not exact.
func (c *Comparison) Saturated() bool { return c.saturated }

// family names the kind of program a dump's format comes from: jemalloc
// dumps measure a C, C++ or Rust allocator, the others Go's runtime (or
// any pprof producer). Sample types of the two do not mean the same.
func family(d *Dump) string {
	if strings.HasPrefix(d.Format, "jemalloc") {
		return "jemalloc"
	}
	return "pprof"
}

// Comparable says why base and later cannot be compared for sample type
// sample ("" for later's default), as Compare would, or nil when they can:
// it looks at their kinds and sample types, not their stacks, so that a
// front end can refuse a pair before it asks or computes anything.
func Comparable(base, later *Dump, sample string) error {
	li, err := later.SampleIndex(sample)
	if err != nil {
		return &Error{Path: later.Path, Err: err}
	}
	_, err = matchSampleType(base, later, later.SampleTypes[li])
	return err
}

func matchSampleType(base, later *Dump, st SampleType) (int, error) {
	if fb, fl := family(base), family(later); fb != fl {
		return 0, &Error{Path: later.Path, Err: fmt.Errorf("is a %s dump (%s), but the base %s is a %s dump (%s); only dumps of one allocator compare",
			fl, later.Format, base.Path, fb, base.Format)}
	}
	if base.Kind != later.Kind {
		return 0, &Error{Path: later.Path, Err: fmt.Errorf("is a %s profile, but the base %s is a %s profile; they cannot be compared",
			later.Kind, base.Path, base.Kind)}
	}
	for i, t := range base.SampleTypes {
		if t.Type != st.Type {
			continue
		}
		if t.Unit != st.Unit {
			return 0, &Error{Path: base.Path, Err: fmt.Errorf("sample type %s is in %s, but in %s in %s", st.Type, t.Unit, st.Unit, later.Path)}
		}
		return i, nil
	}
	return 0, &Error{Path: base.Path, Err: fmt.Errorf("has no sample type %q (it has %s), which %s has", st.Type, base.sampleTypeNames(), later.Path)}
}

// counted returns how many stacks of d have a value of sample type si
// (that add merges), and how many frames they hold.
func counted(d *Dump, si int) (stacks, frames int) {
	n := len(d.SampleTypes)
	for s := 0; s < d.NumStacks(); s++ {
		if d.values[s*n+si] != 0 || (d.estimates != nil && d.estimates[s*n+si] != 0) {
			stacks++
			frames += int(d.bounds[s+1] - d.bounds[s])
		}
	}
	return stacks, frames
}

// add merges sample type si of d into c, as base or as later values.
func (c *Comparison) add(ctx context.Context, d *Dump, si int, ids map[Frame]int32, table *stackset.Table, isBase bool) error {
	remap := make([]int32, len(d.frames))
	for i, f := range d.frames {
		id, ok := ids[f]
		if !ok {
			id = int32(len(c.frames))
			c.frames = append(c.frames, f)
			ids[f] = id
		}
		remap[i] = id
	}
	n := len(d.SampleTypes)
	scratch := make([]int32, 0, 128)
	for s := 0; s < d.NumStacks(); s++ {
		if s%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		v := d.values[s*n+si]
		e := float64(v)
		if d.estimates != nil {
			e = d.estimates[s*n+si]
		}
		if v == 0 && e == 0 {
			continue
		}
		scratch = scratch[:0]
		for _, f := range d.Stack(s) {
			scratch = append(scratch, remap[f])
		}
		h := stackset.Hash(scratch)
		i, found := table.LookupHash(h, scratch, c.stacks, c.bounds)
		if !found {
			i = int32(len(c.bounds) - 1)
			c.stacks = append(c.stacks, scratch...)
			c.bounds = append(c.bounds, int32(len(c.stacks)))
			c.base = append(c.base, 0)
			c.later = append(c.later, 0)
			if c.elater != nil {
				c.ebase = append(c.ebase, 0)
				c.elater = append(c.elater, 0)
			}
			table.InsertHash(h, i)
		}
		if isBase {
			c.base[i] = c.addSat(c.base[i], v)
		} else {
			c.later[i] = c.addSat(c.later[i], v)
		}
		if c.elater != nil {
			if isBase {
				c.ebase[i] += e
			} else {
				c.elater[i] += e
			}
		}
	}
	return nil
}

// Subset returns a comparison with the same dumps, sample type and frame
// table that holds only the stacks for which keep returns true.
func (c *Comparison) Subset(keep func(stack int) bool) *Comparison {
	s := &Comparison{Base: c.Base, Later: c.Later, SampleType: c.SampleType, frames: c.frames, bounds: []int32{0}, saturated: c.saturated}
	if c.elater != nil {
		s.ebase, s.elater = []float64{}, []float64{}
	}
	for i := 0; i < c.NumStacks(); i++ {
		if keep(i) {
			s.stacks = append(s.stacks, c.Stack(i)...)
			s.bounds = append(s.bounds, int32(len(s.stacks)))
			s.base = append(s.base, c.base[i])
			s.later = append(s.later, c.later[i])
			if c.elater != nil {
				s.ebase = append(s.ebase, c.ebase[i])
				s.elater = append(s.elater, c.elater[i])
			}
		}
	}
	return s
}

// NumStacks returns the number of distinct stacks on either side.
func (c *Comparison) NumStacks() int { return len(c.bounds) - 1 }

// Stack returns the frame IDs of stack i, leaf first. The slice must not be modified.
func (c *Comparison) Stack(i int) []int32 { return c.stacks[c.bounds[i]:c.bounds[i+1]] }

// Value returns the base and later value of stack i.
func (c *Comparison) Value(i int) Delta { return Delta{Base: c.base[i], Later: c.later[i]} }

// Frame returns the frame with the given ID.
func (c *Comparison) Frame(id int32) Frame { return c.frames[id] }

// NumFrames returns the size of the frame table.
func (c *Comparison) NumFrames() int { return len(c.frames) }

// Total returns the sums over all stacks. When a dump holds estimates, they
// are the sums of the estimates truncated toward zero (see estimated).
func (c *Comparison) Total() Delta {
	if c.elater != nil {
		var e estimate
		for i := range c.elater {
			e.add(c.ebase[i], c.elater[i])
		}
		return e.delta()
	}
	var t Delta
	for i := range c.base {
		t.Base = sat(t.Base, c.base[i])
		t.Later = sat(t.Later, c.later[i])
	}
	return t
}

// Delta is a value in the base and in the later dump.
type Delta struct {
	Base, Later int64
	// fix corrects Later - Base when the values are sums of estimates:
	// Base and Later are then each sum truncated, and Diff is their
	// difference truncated, as jeprof --base prints it, which can be one
	// more or less than Later - Base.
	fix int64
}

// Change returns d's change relative to its base, in percent, and false
// when the base is 0 (new, or nothing on either side).
func (d Delta) Change() (float64, bool) {
	if d.Base == 0 {
		return 0, false
	}
	return float64(d.Diff()) * 100 / float64(d.Base), true
}

// Share returns v as a percentage of total, and false when total is 0.
func Share(v, total int64) (float64, bool) {
	if total == 0 {
		return 0, false
	}
	return float64(v) * 100 / float64(total), true
}

// Diff returns Later - Base, held at the int64 bounds. For sums of
// estimates (see Builder.AddEstimatedStack) it is the truncated difference
// of the sums, which can differ by one from Later - Base.
func (d Delta) Diff() int64 {
	if d.Base == math.MinInt64 {
		return sat(sat(sat(d.Later, math.MaxInt64), 1), d.fix)
	}
	return sat(sat(d.Later, -d.Base), d.fix)
}

// estimate sums the estimates of stacks on both sides, and their
// differences stack by stack, as jeprof subtracts the base from each stack
// before it sums: a stack that did not change adds exactly zero.
type estimate struct{ base, later, diff float64 }

func (e *estimate) add(base, later float64) {
	e.base += base
	e.later += later
	e.diff += later - base
}

// delta truncates the sums toward zero, as jeprof prints its values.
func (e estimate) delta() Delta {
	b, _ := Truncate(e.base)
	l, _ := Truncate(e.later)
	d := Delta{Base: b, Later: l}
	want, _ := Truncate(e.diff)
	d.fix = sat(want, -d.Diff())
	return d
}

// Function is one function's share of a comparison, as `pprof -top` shows it:
// Flat counts the stacks whose leaf frame is in the function, Cum the stacks
// that contain it anywhere (once per stack, however deep the recursion).
type Function struct {
	// Name is the function's name, or for a line (Lines) "function
	// file:line", as pprof prints it: for display and for sorting.
	Name string
	// Frame is what the row stands for: the function alone (Functions), or
	// function, file and line (Lines). Read its parts here, never out of
	// Name: a path may hold a space, a Rust name too.
	Frame     Frame
	Flat, Cum Delta
}

// Functions returns every function that has a non-zero flat or cum value on
// either side, sorted by |flat delta|, then |cum delta|, then name.
// Functions are identified by name, as pprof's default granularity does.
func (c *Comparison) Functions() []Function {
	fnOf := make([]int32, len(c.frames)) // frame ID -> function index
	index := make(map[string]int32)
	var fns []Function
	for i, f := range c.frames {
		id, ok := index[f.Function]
		if !ok {
			id = int32(len(fns))
			index[f.Function] = id
			fns = append(fns, Function{Name: f.Function, Frame: Frame{Function: f.Function}})
		}
		fnOf[i] = id
	}
	out, _ := c.summarize(context.Background(), fnOf, fns)
	return out
}

// summarize sums flat and cum values into fns, frame f counting for
// fns[fnOf[f]], and returns the non-zero ones, by |flat delta|. For a
// comparison of estimates it sums the estimates, then truncates, as jeprof
// prints them. It stops with ctx's error soon after ctx is done.
func (c *Comparison) summarize(ctx context.Context, fnOf []int32, fns []Function) ([]Function, error) {
	est := c.elater != nil
	var flat, cum []estimate
	if est {
		flat, cum = make([]estimate, len(fns)), make([]estimate, len(fns))
	}
	seen := make([]int32, len(fns)) // stack index + 1 that last counted the function
	for s := 0; s < c.NumStacks(); s++ {
		if s%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		stack := c.Stack(s)
		if len(stack) == 0 {
			continue
		}
		b, l := c.base[s], c.later[s]
		if leaf := fnOf[stack[0]]; est {
			flat[leaf].add(c.ebase[s], c.elater[s])
		} else {
			fns[leaf].Flat.Base = sat(fns[leaf].Flat.Base, b)
			fns[leaf].Flat.Later = sat(fns[leaf].Flat.Later, l)
		}
		for _, f := range stack {
			fi := fnOf[f]
			if seen[fi] == int32(s+1) {
				continue
			}
			seen[fi] = int32(s + 1)
			if est {
				cum[fi].add(c.ebase[s], c.elater[s])
			} else {
				fns[fi].Cum.Base = sat(fns[fi].Cum.Base, b)
				fns[fi].Cum.Later = sat(fns[fi].Cum.Later, l)
			}
		}
	}
	if est {
		for i := range fns {
			fns[i].Flat, fns[i].Cum = flat[i].delta(), cum[i].delta()
		}
	}
	return c.sortFunctions(fns), nil
}

// sortFunctions returns the functions of fns with a non-zero value, by
// |flat delta|, then |cum delta|, then name.
func (c *Comparison) sortFunctions(fns []Function) []Function {
	out := fns[:0]
	for _, f := range fns {
		if f.Flat != (Delta{}) || f.Cum != (Delta{}) {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if x, y := abs(a.Flat.Diff()), abs(b.Flat.Diff()); x != y {
			return x > y
		}
		if x, y := abs(a.Cum.Diff()), abs(b.Cum.Diff()); x != y {
			return x > y
		}
		return a.Name < b.Name
	})
	return out
}

func abs(x int64) int64 {
	if x == math.MinInt64 {
		return math.MaxInt64
	}
	if x < 0 {
		return -x
	}
	return x
}

// Lines is Functions at the granularity of source lines, as pprof's
// -lines: one entry per function, file and line, named "function file:line".
func (c *Comparison) Lines() []Function {
	out, _ := c.LinesContext(context.Background())
	return out
}

// LinesContext is Lines that stops with ctx's error soon after ctx is done.
func (c *Comparison) LinesContext(ctx context.Context) ([]Function, error) {
	lineOf := make([]int32, len(c.frames)) // frame ID -> line index
	index := make(map[Frame]int32)
	var lines []Function
	for i, f := range c.frames {
		id, ok := index[f]
		if !ok {
			id = int32(len(lines))
			index[f] = id
			lines = append(lines, Function{Name: f.String(), Frame: f})
		}
		lineOf[i] = id
	}
	return c.summarize(ctx, lineOf, lines)
}
