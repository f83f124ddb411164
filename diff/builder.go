package diff

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Builder assembles a Dump. Formats use it to intern frames and to add
// stacks. The zero Builder is not usable: call NewBuilder.
type Builder struct {
	d        *Dump
	frameIDs map[Frame]int32
	opts     *Options
	ctx      context.Context
	labelIDs map[string]int32

	budget         int64 // memory decoding may take; 0 for no limit
	explicitBudget bool  // budget is Options.MaxMemory
	dataLen        int   // size of the data being decoded
	reserved       int64 // memory formats announced with Reserve
	err            error // a limit passed: the load fails with it

	hide     int     // hideNone, or which form of Go's runtime-frame rule AddStack applies
	hideKind Kind    // the dump's kind, once the rule needs it
	classes  []uint8 // runtime class of each frame ID, for the rule
	scratch  []int32
}

// Err returns a non-nil error once the load should stop: its context is
// done, its memory budget is spent (see Reserve) or a stack was too deep.
// Formats call it every few thousand records and return the error.
func (b *Builder) Err() error {
	if b.err != nil || b.checkBudget() != nil {
		return b.err
	}
	if b.ctx == nil {
		return nil
	}
	return b.ctx.Err()
}

// Reserve announces that the format is about to allocate about n bytes for
// the dump being loaded, for example tables sized from counts it found in
// the data. It returns an error, which Err then keeps returning, when the
// load would take more memory than its budget (Options.MaxMemory); the
// format must then not allocate and should return the error.
func (b *Builder) Reserve(n int64) error {
	if b.err != nil {
		return b.err
	}
	if n < 0 {
		n = math.MaxInt64 / 2
	}
	b.reserved = satAdd(b.reserved, n)
	return b.checkBudget()
}

// usage estimates the memory the load holds: what formats reserved, and the
// dump's tables.
func (b *Builder) usage() int64 {
	d := b.d
	u := int64(cap(d.stacks))*4 + int64(cap(d.bounds))*4 + int64(cap(d.values))*8 + int64(cap(d.estimates))*8 + int64(len(d.frames))*frameCost
	return satAdd(b.reserved, u)
}

// checkBudget sets b.err when the load passed its budget.
func (b *Builder) checkBudget() error {
	if b.err == nil && b.budget > 0 && b.usage() > b.budget {
		b.err = &budgetError{budget: b.budget, data: b.dataLen, explicit: b.explicitBudget}
	}
	return b.err
}

// satAdd returns a+b for non-negative a and b, or MaxInt64 when that overflows.
func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// Context returns the load's context, for work a format hands to other code.
func (b *Builder) Context() context.Context {
	if b.ctx == nil {
		return context.Background()
	}
	return b.ctx
}

// SetPhase names the phase of the load, e.g. "symbolizing", for the progress shown.
func (b *Builder) SetPhase(phase string) { b.opts.progress().SetPhase(phase) }

// Options returns the options the dump is loaded with; never nil.
func (b *Builder) Options() *Options {
	if b.opts == nil {
		return &Options{}
	}
	return b.opts
}

// NewBuilder returns a Builder for a dump with the given sample types.
func NewBuilder(types []SampleType) *Builder {
	d := &Dump{SampleTypes: types, bounds: []int32{0}}
	return &Builder{d: d, frameIDs: make(map[Frame]int32)}
}

// Grow makes room for about stacks more stacks of frames more frame IDs in
// total, so that loaders that know their size avoid regrowing. The sizes
// count against the memory budget: when they pass it, Grow allocates
// nothing and Err returns the error.
func (b *Builder) Grow(stacks, frames int) {
	d := b.d
	stacks, frames = max(stacks, 0), max(frames, 0)
	if b.Reserve(int64(frames)*4+int64(stacks)*(4+8*int64(len(d.SampleTypes)))) != nil {
		return
	}
	// What Grow allocates is counted by usage from here on.
	b.reserved -= int64(frames)*4 + int64(stacks)*(4+8*int64(len(d.SampleTypes)))
	d.stacks = growInt32(d.stacks, frames)
	d.bounds = growInt32(d.bounds, stacks)
	if n := stacks * len(d.SampleTypes); cap(d.values)-len(d.values) < n {
		d.values = append(make([]int64, 0, len(d.values)+n), d.values...)
	}
	adviseHuge(d.stacks)
	adviseHuge(d.values)
}

func growInt32(s []int32, n int) []int32 {
	if cap(s)-len(s) >= n {
		return s
	}
	return append(make([]int32, 0, len(s)+n), s...)
}

// SetSampleTypes replaces the sample types. It must be called before the first AddStack.
func (b *Builder) SetSampleTypes(types []SampleType) { b.d.SampleTypes = types }

// Thin returns the index of the sample type whose zero values leave a
// stack out of the dump, or -1 to keep every stack. Options.SkipZero asks
// for it, for the sample type Options.Sample names, and only heap dumps
// are thinned: their stacks of allocated but freed memory are most of
// them. Formats call it after SetSampleTypes and SetPeriod. When it returns
// a type, the dump records it (Dump.Thinned), and the format, which leaves
// those stacks out, gives the totals of every stack with SetTotals.
func (b *Builder) Thin() int {
	o := b.opts
	if o == nil || !o.SkipZero || kindOf(b.d.SampleTypes, b.d.PeriodType) != KindHeap {
		return -1
	}
	i, err := b.d.SampleIndex(o.Sample)
	if err != nil {
		return -1
	}
	b.d.Thinned = b.d.SampleTypes[i].Type
	return i
}

// SetTotals gives the sums of each sample type over every stack read, the
// stacks Thin left out too, for Dump.Total.
func (b *Builder) SetTotals(totals []int64) { b.d.totals = totals }

// SetDefaultSampleType records the dump's own default sample type.
func (b *Builder) SetDefaultSampleType(name string) { b.d.DefaultSampleType = name }

// SetTime records when the dump was taken.
func (b *Builder) SetTime(t time.Time) { b.d.Time = t }

// SetPeriod records the sampling period and its type.
func (b *Builder) SetPeriod(period int64, t SampleType) { b.d.Period, b.d.PeriodType = period, t }

// SetDetail records format-specific data; see Dump.Detail.
func (b *Builder) SetDetail(x any) { b.d.Detail = x }

// AddComment records a comment found in the dump.
func (b *Builder) AddComment(c string) { b.d.Comments = append(b.d.Comments, c) }

// Warn records a problem that did not stop loading.
func (b *Builder) Warn(format string, args ...any) {
	b.d.Warnings = append(b.d.Warnings, fmt.Sprintf(format, args...))
}

// SetFullName records the full demangled name of function name (see
// Dump.FullName); "" marks a name that stands for several, as does a second
// full name that differs from the first.
func (b *Builder) SetFullName(name, full string) {
	if b.d.fullNames == nil {
		b.d.fullNames = map[string]string{}
	}
	if prev, ok := b.d.fullNames[name]; ok && prev != full {
		full = ""
	}
	b.d.fullNames[name] = full
}

// WarnSymbols records that the symbols of an object of the dump were found
// nowhere, and why (Dump.SymbolWarnings).
func (b *Builder) WarnSymbols(format string, args ...any) {
	b.d.SymbolWarnings = append(b.d.SymbolWarnings, fmt.Sprintf(format, args...))
}

// Detail records a small thing said for completeness (Dump.Details).
func (b *Builder) Detail(format string, args ...any) {
	b.d.Details = append(b.d.Details, fmt.Sprintf(format, args...))
}

// Note records something the user may want to know about how the dump
// was read that is no problem, such as where its symbols came from.
func (b *Builder) Note(format string, args ...any) {
	b.d.Notes = append(b.d.Notes, fmt.Sprintf(format, args...))
}

// Frame interns f and returns its ID.
func (b *Builder) Frame(f Frame) int32 {
	if id, ok := b.frameIDs[f]; ok {
		return id
	}
	id := int32(len(b.d.frames))
	b.d.frames = append(b.d.frames, f)
	b.frameIDs[f] = id
	return id
}

// AddStack adds a stack of frame IDs (leaf first) with its values, one per
// sample type. Neither slice is retained. A stack of more than MaxStackDepth
// frames is not added: the load fails, with the error Err returns. After
// HideGoRuntime, the stack loses the Go runtime frames that rule hides.
func (b *Builder) AddStack(frames []int32, values []int64) {
	d := b.d
	if b.hide != hideNone && len(frames) <= MaxStackDepth {
		frames = b.hideRuntime(frames)
	}
	if len(frames) > MaxStackDepth {
		if b.err == nil {
			b.err = StackTooDeep(len(frames))
		}
		return
	}
	d.stacks = append(d.stacks, frames...)
	d.bounds = append(d.bounds, int32(len(d.stacks)))
	d.values = append(d.values, values[:len(d.SampleTypes)]...)
	if d.estimates != nil {
		for _, v := range values[:len(d.SampleTypes)] {
			d.estimates = append(d.estimates, float64(v))
		}
	}
}

// AddEstimatedStack is AddStack for values that are estimates with a
// fraction, such as the unbiased counts of a sampled jemalloc dump. The
// dump keeps them (Dump.Estimates), and its totals, and the totals,
// functions and lines of a Comparison, are then sums of the estimates
// truncated toward zero, as jeprof prints them; the stack's own values
// (Dump.Values, Comparison.Value) are the estimates rounded.
func (b *Builder) AddEstimatedStack(frames []int32, values []float64) {
	d := b.d
	n := len(d.SampleTypes)
	if len(frames) > MaxStackDepth {
		b.AddStack(frames, nil) // fails the load
		return
	}
	if d.estimates == nil {
		d.estimates = make([]float64, len(d.values), len(d.values)+n)
		for i, v := range d.values {
			d.estimates[i] = float64(v)
		}
	}
	ints := make([]int64, n)
	for i, v := range values[:n] {
		ints[i], _ = toInt64(math.Round(v))
	}
	d.stacks = append(d.stacks, frames...)
	d.bounds = append(d.bounds, int32(len(d.stacks)))
	d.values = append(d.values, ints...)
	d.estimates = append(d.estimates, values[:n]...)
}

// Truncate returns f truncated toward zero, as jeprof prints its estimates,
// held at the int64 bounds (NaN as 0), and whether it had to be held.
func Truncate(f float64) (v int64, held bool) { return toInt64(math.Trunc(f)) }

// toInt64 converts an integral f, held at the int64 bounds (NaN as 0).
func toInt64(f float64) (int64, bool) {
	switch {
	case f != f:
		return 0, true
	case f >= math.MaxInt64: // 2^63: the constant rounds up
		return math.MaxInt64, true
	case f <= math.MinInt64:
		return math.MinInt64, f < math.MinInt64
	}
	return int64(f), false
}

// SetLabels gives the stack added last its labels (in any order).
func (b *Builder) SetLabels(set Labels) {
	d := b.d
	if len(set) == 0 && d.labels == nil {
		return
	}
	if d.labels == nil {
		d.labelSets = []Labels{nil}
		d.labels = make([]int32, d.NumStacks()-1, cap(d.bounds))
		b.labelIDs = map[string]int32{"": 0}
	}
	for len(d.labels) < d.NumStacks()-1 {
		d.labels = append(d.labels, 0)
	}
	if !slices.IsSortedFunc(set, func(a, b Label) int { return strings.Compare(a.Key+"\x00"+a.Value, b.Key+"\x00"+b.Value) }) {
		set = set.Sorted()
	}
	key := set.String()
	id, ok := b.labelIDs[key]
	if !ok {
		id = int32(len(d.labelSets))
		d.labelSets = append(d.labelSets, slices.Clone(set))
		b.labelIDs[key] = id
	}
	d.labels = append(d.labels, id)
}

// Dump completes and returns the dump, named name; the Builder must not be
// used afterwards. Formats do not call it: Open and Parse do.
func (b *Builder) Dump(name string) *Dump { return b.finish(name, "built") }

// finish completes the dump; the Builder must not be used afterwards.
func (b *Builder) finish(path, format string) *Dump {
	d := b.d
	d.Path, d.Format = path, format
	d.Kind = kindOf(d.SampleTypes, d.PeriodType)
	for d.labels != nil && len(d.labels) < d.NumStacks() {
		d.labels = append(d.labels, 0)
	}
	b.d, b.frameIDs = nil, nil
	return d
}
