// Package jemalloc reads jemalloc heap profiles (`heap_v2`, as prof.dump
// writes them for Rust services on tikv-jemallocator and for C and C++
// services), unbiases their sampled counts as jeprof does, and symbolizes
// them in pure Go against the program's binary and libraries. It registers
// the format with package diff: importing it makes diff.Open read these dumps.
package jemalloc

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/leakscope/leakscope/diff"
)

func init() {
	diff.RegisterFormat(diff.Format{Name: "jemalloc heap profile (heap_v2)", Order: 40, Match: Match, Load: load, Suffixes: []string{".heap"}})
}

// Match reports whether data is a jemalloc heap_v2 profile.
func Match(data []byte) bool { return bytes.HasPrefix(data, []byte("heap_v2/")) }

// Detail is the Dump.Detail of a jemalloc dump.
type Detail struct {
	// SamplePeriod is R of heap_v2/R: on average one allocation in R bytes
	// is sampled (2^lg_prof_sample).
	SamplePeriod int64
	// Missing lists the recorded object paths that could not be read, so
	// that their addresses stay raw: pass them as --binary.
	Missing []string
	// Stripped lists the object files read that have no symbols, and
	// whose debug files were found in none of the places looked in (see
	// diff.Options.DebugDirs and Debuginfod): a debug folder or a symbol
	// server would name their frames.
	Stripped []string
	// InAllocator are the frames kept in stacks that lie in a jemalloc
	// shared library: in a C++ program, operator new and what it calls
	// before malloc, which jeprof names after libjemalloc's nearest
	// exported symbol. FoldAllocFrames folds them with the rest of the
	// allocation plumbing.
	InAllocator map[diff.Frame]bool
}

// StrippedObjects returns Detail.Stripped of a jemalloc dump, or nil for
// other dumps.
func StrippedObjects(d *diff.Dump) []string {
	if det, ok := d.Detail.(*Detail); ok {
		return det.Stripped
	}
	return nil
}

// MissingBinaries returns the object files a jemalloc dump could not be
// symbolized with, or nil for other dumps.
func MissingBinaries(d *diff.Dump) []string {
	if det, ok := d.Detail.(*Detail); ok {
		return det.Missing
	}
	return nil
}

// countsRE matches "t*: n1: s1 [n2: s2]".
var countsRE = regexp.MustCompile(`^t(\*|\d+):\s*(\d+):\s*(\d+)\s*\[\s*(\d+):\s*(\d+)\s*\]$`)

type sample struct {
	addrs          []uint64
	n1, s1, n2, s2 int64
}

func load(data []byte, b *diff.Builder) error {
	first, rest, _ := bytes.Cut(data, []byte("\n"))
	period, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(string(first), "heap_v2/")), 10, 64)
	if err != nil || period <= 0 {
		return fmt.Errorf("bad header %q: want heap_v2/PERIOD", first)
	}
	var samples []sample
	var mapLines []string
	var cur *sample
	inMaps, bad := false, 0
	newline := true
	for n := 0; len(rest) > 0; n++ {
		if n%(4*4096) == 0 {
			if err := b.Err(); err != nil {
				return err
			}
		}
		var raw []byte
		raw, rest, newline = bytes.Cut(rest, []byte("\n"))
		line := strings.TrimSpace(string(raw))
		switch {
		case inMaps:
			mapLines = append(mapLines, line)
		case line == "":
		case line == "MAPPED_LIBRARIES:":
			inMaps = true
		case strings.HasPrefix(line, "@"):
			s, err := parseStack(line[1:])
			if err != nil {
				bad++
				cur = nil
				continue
			}
			if len(s.addrs) > diff.MaxStackDepth {
				return fmt.Errorf("a stack has %d addresses, more than the %d this tool reads (a crafted or corrupt dump?)", len(s.addrs), diff.MaxStackDepth)
			}
			if err := b.Reserve(int64(len(s.addrs))*8 + 80); err != nil {
				return err
			}
			samples = append(samples, s)
			cur = &samples[len(samples)-1]
			cur.n1 = -1
		default:
			m := countsRE.FindStringSubmatch(line)
			if m == nil {
				bad++
				continue
			}
			if cur == nil || m[1] != "*" || cur.n1 >= 0 {
				continue // the header's summary, or a per-thread line
			}
			cur.n1, _ = strconv.ParseInt(m[2], 10, 64)
			cur.s1, _ = strconv.ParseInt(m[3], 10, 64)
			cur.n2, _ = strconv.ParseInt(m[4], 10, 64)
			cur.s2, _ = strconv.ParseInt(m[5], 10, 64)
		}
	}
	complete := samples[:0]
	cut := 0
	for _, s := range samples {
		if s.n1 < 0 {
			cut++
			continue
		}
		complete = append(complete, s)
	}
	samples = complete
	if len(samples) == 0 && !inMaps {
		return errors.New("no stacks: the dump is empty or cut short")
	}
	if cut > 0 {
		b.Warn("%d stacks without counts were left out (the dump is cut short?)", cut)
	}
	if bad > 0 {
		b.Warn("%d lines matched no heap_v2 form and were skipped", bad)
	}
	if inMaps && !newline && len(mapLines) > 0 {
		// /proc/PID/maps ends in a newline: a last line without one is cut,
		// and its path may be a prefix of the real one.
		mapLines = mapLines[:len(mapLines)-1]
		b.Warn("the dump ends inside its MAPPED_LIBRARIES section: its last mapping was left out")
	}
	det := &Detail{SamplePeriod: period}
	switch {
	case !inMaps:
		b.Warn("no MAPPED_LIBRARIES section (the dump is cut short?): addresses are shown raw")
	case len(mapLines) == 0:
		b.Warn("its MAPPED_LIBRARIES section is empty: addresses are shown raw")
	case len(parseMaps(mapLines)) == 0:
		b.Warn("its MAPPED_LIBRARIES section holds no mapping in the /proc/PID/maps form: addresses are shown raw")
	}
	if err := build(b, samples, parseMaps(mapLines), period, det); err != nil {
		return err
	}
	b.SetDetail(det)
	return nil
}

func parseStack(s string) (sample, error) {
	var out sample
	for _, f := range strings.Fields(s) {
		a, err := strconv.ParseUint(strings.TrimPrefix(f, "0x"), 16, 64)
		if err != nil {
			return out, err
		}
		out.addrs = append(out.addrs, a)
	}
	if len(out.addrs) == 0 {
		return out, errors.New("empty stack")
	}
	return out, nil
}

// unbias scales sampled counts as jeprof's AdjustSamples does for heap_v2:
// an allocation of size X is sampled with probability 1 - exp(-X/R). ok is
// false when that cannot be done, and the counts are returned raw: objects
// without bytes (jeprof divides by zero), or a period so large against the
// allocation size that the scaled counts pass what an int64 holds.
func unbias(n, s, period int64) (objs, bytes float64, ok bool) {
	if n == 0 {
		return 0, float64(s), true
	}
	ratio := float64(s) / float64(n) / float64(period)
	scale := 1 / (1 - math.Exp(-ratio))
	objs, bytes = float64(n)*scale, float64(s)*scale
	if s <= 0 || n < 0 || math.IsInf(scale, 0) || math.IsNaN(scale) || objs >= math.MaxInt64 || bytes >= math.MaxInt64 {
		return float64(n), float64(s), false
	}
	return objs, bytes, true
}

// build symbolizes the samples and adds them to b.
func build(b *diff.Builder, samples []sample, maps []mapping, period int64, det *Detail) error {
	b.SetSampleTypes([]diff.SampleType{
		{Type: "alloc_objects", Unit: "count"}, {Type: "alloc_space", Unit: "bytes"},
		{Type: "inuse_objects", Unit: "count"}, {Type: "inuse_space", Unit: "bytes"},
	})
	b.SetDefaultSampleType("inuse_space")
	b.SetPeriod(period, diff.SampleType{Type: "space", Unit: "bytes"})
	look := newSources(b.Options(), b.Context(), b.SetPhase)
	sym := newSymbolizer(maps, b.Options().Binaries, look)
	type resolved struct {
		ids    []int32
		skip   bool   // an allocator entry point: drop it and everything inside it
		approx string // the object, when the name is the nearest preceding symbol's
	}
	cache := map[uint64]resolved{}
	approx := map[string]map[uint64]bool{} // approximate names kept in stacks, by object
	var frames []int32
	var kept []uint64 // addresses of frames with approximate names
	values := make([]float64, 4)
	raw := 0
	b.SetPhase("symbolizing")
	for si, s := range samples {
		if si%1024 == 0 {
			if err := b.Err(); err != nil {
				return err
			}
		}
		frames, kept = frames[:0], kept[:0]
		for i, a := range s.addrs {
			// Return addresses point after the call; look up the call
			// itself. jeprof leaves the first address as it is.
			if i > 0 {
				a--
			}
			r, ok := cache[a]
			if !ok {
				fr, ap := sym.resolve(a)
				r.approx = ap
				r.skip = isAllocator(fr[0].Function)
				inLib := !r.skip && sym.inAllocator(a)
				for _, f := range fr {
					r.ids = append(r.ids, b.Frame(f))
					if inLib {
						if det.InAllocator == nil {
							det.InAllocator = map[diff.Frame]bool{}
						}
						det.InAllocator[f] = true
					}
				}
				cache[a] = r
			}
			if r.skip {
				frames, kept = frames[:0], kept[:0]
				continue
			}
			frames = append(frames, r.ids...)
			if r.approx != "" {
				kept = append(kept, a)
			}
		}
		for _, a := range kept {
			p := cache[a].approx
			if approx[p] == nil {
				approx[p] = map[uint64]bool{}
			}
			approx[p][a] = true
		}
		n1, s1, ok1 := unbias(s.n1, s.s1, period)
		n2, s2, ok2 := unbias(s.n2, s.s2, period)
		if !ok1 || !ok2 {
			raw++
		}
		// Kept as estimates: sums of them, truncated, are what jeprof prints.
		values[0], values[1], values[2], values[3] = n2, s2, n1, s1
		b.AddEstimatedStack(frames, values)
	}
	if raw > 0 {
		b.Warn("%d stacks could not be unbiased for the sampling period %d (a count without bytes, or a period out of proportion to the sizes) and are shown with their raw counts", raw, period)
	}
	for p := range sym.missing {
		det.Missing = append(det.Missing, p)
	}
	sort.Strings(det.Missing)
	det.Stripped = slices.Sorted(slices.Values(sym.stripped))
	for _, o := range sym.objects {
		for short, full := range o.full {
			b.SetFullName(short, full)
		}
	}
	if len(det.Missing) > 0 {
		why := make([]string, len(det.Missing))
		for i, p := range det.Missing {
			why[i] = fmt.Sprintf("%s (%v)", p, sym.missing[p])
		}
		b.Warn("cannot read %s: its addresses are shown raw; give the program with --binary, or choose it when the window asks", strings.Join(why, ", "))
	}
	// A few such addresses in a system library are common (its stripped
	// static functions) and need nothing done: a detail, not a warning.
	system := map[string]map[uint64]bool{}
	for p, a := range approx {
		if systemLibrary(p) && len(a) <= fewAddresses {
			system[p] = a
			delete(approx, p)
		}
	}
	const approxWhy = "addresses outside any sized symbol are named after the nearest symbol before them, as jeprof and nm name them"
	if a := approximate(approx); len(a) > 0 {
		b.WarnSymbols("%s: %s; those names may be wrong (a stripped binary's static functions have no symbols)", strings.Join(a, ", "), approxWhy)
	}
	if a := approximate(system); len(a) > 0 {
		b.Detail("%s: system libraries' %s", strings.Join(a, ", "), approxWhy)
	}
	for _, w := range sym.warnings {
		b.Warn("%s", w)
	}
	for _, w := range sym.lookups {
		b.WarnSymbols("%s", w)
	}
	for _, n := range look.notes {
		b.Note("%s", n)
	}
	if u := sym.unused(); len(u) > 0 && len(sym.maps) > 0 {
		b.WarnSymbols("the binary %s, given to symbolize with, matched no program or library of the dump: it was not used", strings.Join(u, ", "))
	}
	return nil
}

// allocatorFuncs are the allocation entry points jeprof strips from heap
// stacks, together with everything they called. C++'s operator new is not
// one of them: jeprof keeps it, and FoldAllocFrames folds it with Rust's
// allocation plumbing, so that --keep-alloc-frames shows it.
var allocatorFuncs = map[string]bool{}

func init() {
	for _, name := range []string{"calloc", "cfree", "malloc", "newImpl", "void* newImpl", "free", "memalign",
		"posix_memalign", "aligned_alloc", "pvalloc", "valloc", "realloc", "mallocx", "rallocx", "xallocx",
		"dallocx", "sdallocx", "sdallocx_noflags", "tc_calloc", "tc_cfree", "tc_malloc", "tc_free",
		"tc_memalign", "tc_posix_memalign", "tc_pvalloc", "tc_valloc", "tc_realloc", "tc_new", "tc_delete",
		"tc_newarray", "tc_deletearray", "tc_new_nothrow", "tc_newarray_nothrow", "do_malloc", "::do_malloc",
		"::do_malloc_or_cpp_alloc", "DoSampledAllocation", "simple_alloc::allocate",
		"__malloc_alloc_template::allocate", "__builtin_delete", "__builtin_new", "__builtin_vec_delete",
		"__builtin_vec_new", "malloc_zone_malloc", "malloc_zone_calloc",
		"malloc_zone_valloc", "malloc_zone_realloc", "malloc_zone_memalign", "malloc_zone_free",
		"__start_google_malloc", "__stop_google_malloc", "__start_malloc_hook", "__stop_malloc_hook"} {
		allocatorFuncs[name] = true
		allocatorFuncs["_"+name] = true
	}
}

// isAllocator reports whether a function is part of the allocator: jeprof's
// list, jemalloc's own functions (je_*), and the prefixed entry points of
// Rust's tikv-jemallocator (_rjem_malloc, _rjem_je_*).
func isAllocator(name string) bool {
	if allocatorFuncs[name] || strings.Contains(name, "TCMalloc") || strings.HasPrefix(name, "tcmalloc::") {
		return true
	}
	if rest, ok := strings.CutPrefix(name, "_rjem_"); ok {
		return allocatorFuncs[rest] || strings.HasPrefix(rest, "je_")
	}
	return strings.HasPrefix(name, "je_")
}

// Sequence reads the process ID and dump sequence number from a file name
// that jemalloc chose (prefix.PID.SEQ.iN.heap, as written by
// lg_prof_interval, prof_gdump, prof_final or a prof.dump without a name):
// diff.JemallocSequence.
func Sequence(path string) (prefix string, pid, seq int64, ok bool) {
	return diff.JemallocSequence(path)
}

// fewAddresses is how many approximately named addresses of a system
// library are a detail rather than a warning.
const fewAddresses = 16

// systemLibrary reports whether path is a library of the system's, as
// installed by its packages.
func systemLibrary(path string) bool {
	for _, dir := range []string{"/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/usr/local/lib/"} {
		if strings.HasPrefix(path, dir) {
			return true
		}
	}
	return false
}
