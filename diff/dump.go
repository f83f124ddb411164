package diff

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Frame is one symbolized frame of a stack. Frames compare by value: two
// dumps share a frame when function, file and line are the same.
type Frame struct {
	Function string // function name, as pprof prints it
	File     string // source file, as recorded in the dump; may be empty
	Line     int64  // line number; 0 when unknown
}

// String formats the frame as "function file:line", leaving out what is unknown.
func (f Frame) String() string {
	switch {
	case f.File == "":
		return f.Function
	case f.Line == 0:
		return f.Function + " " + f.File
	}
	return f.Function + " " + f.File + ":" + strconv.FormatInt(f.Line, 10)
}

// SampleType names one kind of value a dump records, such as inuse_space in bytes.
type SampleType struct {
	Type string // e.g. "inuse_space", "samples", "goroutine"
	Unit string // e.g. "bytes", "count", "nanoseconds"
}

// String returns "type/unit".
func (t SampleType) String() string { return t.Type + "/" + t.Unit }

// Kind says what a dump measures.
type Kind string

// The kinds of dump that Leakscope knows. Dumps of different kinds cannot be compared.
const (
	KindHeap         Kind = "heap"         // live and allocated memory
	KindCPU          Kind = "cpu"          // CPU time
	KindGoroutine    Kind = "goroutine"    // goroutine counts
	KindContention   Kind = "contention"   // mutex or block contention
	KindThreadCreate Kind = "threadcreate" // OS thread creation
	KindOther        Kind = "profile"      // any other pprof sample types
)

// Dump is one loaded profile: a table of frames and a list of stacks. A frame
// sequence may appear in more than one stack (pprof keeps samples apart by
// their labels); Compare sums them. A Dump is immutable once
// returned by Open or Read, and safe for concurrent readers.
type Dump struct {
	Path              string       // file name the dump was read from, as given
	Format            string       // name of the Format that read it
	Kind              Kind         // what the dump measures
	SampleTypes       []SampleType // one per value of each stack
	DefaultSampleType string       // pprof's rule: the profile's default, else the last type
	Time              time.Time    // when the dump was taken; zero when unknown
	Period            int64        // sampling period, in PeriodType units; 0 when unknown
	PeriodType        SampleType   // unit of Period; empty when unknown
	Comments          []string     // free-form comments recorded in the dump
	Warnings          []string     // problems that did not stop loading, for the user
	Notes             []string     // how it was read, when that is worth saying (where symbols came from)
	// SymbolWarnings say, per object, why its symbols were found nowhere.
	// They are the same for every dump of one program: front ends say
	// each once, however many dumps it holds.
	SymbolWarnings []string
	// Details are small things said for completeness, that need nothing
	// done (a few addresses in a system library named approximately):
	// front ends list them out of the way. Like SymbolWarnings, they are
	// the same for each dump of a program.
	Details []string
	// Thinned names the sample type whose zero-valued stacks were left out
	// at loading (Options.SkipZero), "" when every stack was kept: the
	// dump then compares for that sample type only.
	Thinned string
	// Detail is format-specific data that a sub-package interprets, such as
	// the states and creation sites of a Go debug=2 goroutine dump; nil
	// for most formats. Its stack indices are those of the dump.
	Detail any

	frames []Frame // frame table; a frame ID indexes it
	stacks []int32 // frame IDs of all stacks, leaf first, back to back
	bounds []int32 // stack i is stacks[bounds[i]:bounds[i+1]]
	values []int64 // values of stack i are values[i*n:(i+1)*n], n = len(SampleTypes)
	// estimates, when not nil, are the values before rounding, laid out as
	// values: see Builder.AddEstimatedStack.
	estimates []float64
	// labels[i] indexes labelSets for stack i; nil when no stack has labels.
	labels    []int32
	labelSets []Labels // sorted by key; [0] is the empty set
	// fullNames are the full demangled names of the functions whose
	// names say less (see FullName); "" where a name stands for several.
	fullNames map[string]string
	// totals, when not nil, are the sums of each sample type over the
	// profile's stacks, including those the loader left out (see
	// Options.SkipZero).
	totals []int64
}

// FullName returns the full demangled name of function name: a jemalloc
// dump names C++ and Rust functions as jeprof does, without template
// arguments and parameters, and keeps the full name (as c++filt gives it)
// here. It returns name itself when there is nothing more to say, or when
// name stands for several instantiations.
func (d *Dump) FullName(name string) string {
	if d == nil {
		return name
	}
	if f := d.fullNames[name]; f != "" {
		return f
	}
	return name
}

// FullNames returns the full names FullName gives, by name; nil for none.
// The map is the dump's: do not change it.
func (d *Dump) FullNames() map[string]string { return d.fullNames }

// Labels returns the labels of stack i (pprof labels, or a goroutine's
// labels in a debug=2 dump), sorted by key; nil for none. The set must not
// be modified.
func (d *Dump) Labels(i int) Labels {
	if d.labels == nil {
		return nil
	}
	return d.labelSets[d.labels[i]]
}

// HasLabels reports whether any stack of d carries labels.
func (d *Dump) HasLabels() bool { return len(d.labelSets) > 1 }

// LabelKeys returns the label keys d uses, sorted, each with its values.
func (d *Dump) LabelKeys() map[string][]string {
	seen := map[string]map[string]bool{}
	for _, set := range d.labelSets {
		for _, kv := range set {
			if seen[kv.Key] == nil {
				seen[kv.Key] = map[string]bool{}
			}
			seen[kv.Key][kv.Value] = true
		}
	}
	out := map[string][]string{}
	for k, vs := range seen {
		for v := range vs {
			out[k] = append(out[k], v)
		}
		sort.Strings(out[k])
	}
	return out
}

// Tagged returns the dump of the stacks whose labels hold key=value, as
// pprof's -tagfocus=key=value keeps them.
func (d *Dump) Tagged(key, value string) *Dump {
	return d.Subset(func(i int) bool { return d.Labels(i).Has(key, value) })
}

// NumStacks returns how many stacks the dump holds.
func (d *Dump) NumStacks() int { return len(d.bounds) - 1 }

// Stack returns the frame IDs of stack i, leaf first. The slice must not be modified.
func (d *Dump) Stack(i int) []int32 { return d.stacks[d.bounds[i]:d.bounds[i+1]] }

// Values returns the values of stack i, one per sample type. The slice must not be modified.
func (d *Dump) Values(i int) []int64 {
	n := len(d.SampleTypes)
	return d.values[i*n : (i+1)*n]
}

// SubsetDetail is a Dump.Detail that knows how to follow Subset: it returns
// the detail of the stacks kept, by their old indices, in order.
type SubsetDetail interface {
	SubsetDetail(kept []int) any
}

// Estimates returns the values of stack i before they were rounded, one
// per sample type, for dumps whose values are estimates (see
// Builder.AddEstimatedStack); nil for other dumps. The slice must not be
// modified.
func (d *Dump) Estimates(i int) []float64 {
	if d.estimates == nil {
		return nil
	}
	n := len(d.SampleTypes)
	return d.estimates[i*n : (i+1)*n]
}

// Subset returns a dump with the same header and frame table that holds only
// the stacks for which keep returns true, in order. Detail is carried over
// when it implements SubsetDetail, and dropped otherwise.
func (d *Dump) Subset(keep func(stack int) bool) *Dump {
	s := *d
	s.Detail = nil
	s.stacks, s.bounds, s.values, s.labels, s.estimates, s.totals = nil, []int32{0}, nil, nil, nil, nil
	n := len(d.SampleTypes)
	var kept []int
	for i := 0; i < d.NumStacks(); i++ {
		if keep(i) {
			kept = append(kept, i)
			s.stacks = append(s.stacks, d.Stack(i)...)
			s.bounds = append(s.bounds, int32(len(s.stacks)))
			s.values = append(s.values, d.values[i*n:(i+1)*n]...)
			if d.labels != nil {
				s.labels = append(s.labels, d.labels[i])
			}
			if d.estimates != nil {
				s.estimates = append(s.estimates, d.estimates[i*n:(i+1)*n]...)
			}
		}
	}
	if sd, ok := d.Detail.(SubsetDetail); ok {
		s.Detail = sd.SubsetDetail(kept)
	}
	return &s
}

// Frame returns the frame with the given ID.
func (d *Dump) Frame(id int32) Frame { return d.frames[id] }

// NumFrames returns the size of the frame table.
func (d *Dump) NumFrames() int { return len(d.frames) }

// Total returns the sum of sample type i over all stacks, held at the
// int64 bounds rather than wrapped around. For a dump of estimates it is
// the sum of the estimates, truncated toward zero, as jeprof prints it.
// Stacks left out at loading (Options.SkipZero) count too.
func (d *Dump) Total(i int) int64 {
	if d.totals != nil {
		return d.totals[i]
	}
	n := len(d.SampleTypes)
	if d.estimates != nil {
		var f float64
		for j := i; j < len(d.estimates); j += n {
			f += d.estimates[j]
		}
		t, _ := Truncate(f)
		return t
	}
	var t int64
	for j := i; j < len(d.values); j += n {
		t = sat(t, d.values[j])
	}
	return t
}

// SampleIndex resolves a sample type name the way pprof's -sample_index does:
// "" means the default sample type, a number is an index, and "inuse_space"
// also matches a type named "space". The error lists the types the dump has.
func (d *Dump) SampleIndex(name string) (int, error) {
	if len(d.SampleTypes) == 0 {
		return 0, fmt.Errorf("no sample types")
	}
	if name == "" {
		name = d.DefaultSampleType
		if name == "" {
			return len(d.SampleTypes) - 1, nil
		}
	}
	if i, err := strconv.Atoi(name); err == nil {
		if i < 0 || i >= len(d.SampleTypes) {
			return 0, fmt.Errorf("sample index %d is outside the range [0..%d]", i, len(d.SampleTypes)-1)
		}
		return i, nil
	}
	noInuse := strings.TrimPrefix(name, "inuse_")
	for i, t := range d.SampleTypes {
		if t.Type == name || t.Type == noInuse {
			return i, nil
		}
	}
	return 0, fmt.Errorf("no sample type %q; this %s dump has %s", name, d.Kind, d.sampleTypeNames())
}

func (d *Dump) sampleTypeNames() string {
	names := make([]string, len(d.SampleTypes))
	for i, t := range d.SampleTypes {
		names[i] = t.Type
	}
	return strings.Join(names, ", ")
}

// kindOf derives a dump's kind from its sample types, as the Go runtime and
// pprof name them.
func kindOf(types []SampleType, period SampleType) Kind {
	has := func(name string) bool {
		for _, t := range types {
			if t.Type == name {
				return true
			}
		}
		return false
	}
	switch {
	case has("inuse_space") || has("alloc_space") || has("space"):
		return KindHeap
	case has("goroutine") || period.Type == "goroutine" || has("goroutineleak") || period.Type == "goroutineleak":
		return KindGoroutine
	case has("cpu") || period.Type == "cpu":
		return KindCPU
	case has("contentions") || has("delay"):
		return KindContention
	case has("threadcreate") || period.Type == "threadcreate":
		return KindThreadCreate
	}
	return KindOther
}

// Error is a problem with one file. Its message is "path: what is wrong".
type Error struct {
	Path string // the file, as given by the caller
	Err  error  // what is wrong
}

// Error returns "path: what is wrong".
func (e *Error) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// TrimLeaves returns a dump with the same header, frame table and stacks
// in which every stack has lost its leading (leaf-side) frames for which
// drop returns true, so that their values count for the first frame kept:
// a stack in which drop holds for every frame is kept whole. Stack i of
// the result is stack i of d, so Detail, values, estimates and labels are
// shared. When no stack changes, d itself is returned.
func (d *Dump) TrimLeaves(drop func(Frame) bool) *Dump {
	dropped := make([]int8, len(d.frames)) // 0 unknown, 1 kept, 2 dropped
	leading := func(stack []int32) int {
		n := 0
		for _, f := range stack {
			if dropped[f] == 0 {
				dropped[f] = 1
				if drop(d.frames[f]) {
					dropped[f] = 2
				}
			}
			if dropped[f] != 2 {
				break
			}
			n++
		}
		if n == len(stack) {
			return 0
		}
		return n
	}
	changed := false
	for i := 0; i < d.NumStacks() && !changed; i++ {
		changed = leading(d.Stack(i)) > 0
	}
	if !changed {
		return d
	}
	s := *d
	s.stacks, s.bounds = make([]int32, 0, len(d.stacks)), make([]int32, 1, len(d.bounds))
	for i := 0; i < d.NumStacks(); i++ {
		st := d.Stack(i)
		s.stacks = append(s.stacks, st[leading(st):]...)
		s.bounds = append(s.bounds, int32(len(s.stacks)))
	}
	return &s
}
