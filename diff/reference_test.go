package diff_test

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/reftest"
)

const demoDir = "../assets/demo/dumps"

// The rule every Go reader applies to the runtime's frames (see
// diff.HideGoRuntime), as pprof's -hide states it: for goroutine profiles
// exactly; heap profiles lose only the leading runtime frames (which Go's
// own proto writer leaves out already) and runtime.goexit.
const (
	hideGoroutineRuntime = `^(runtime\.|internal/runtime/)`
	hideHeapGoexit       = `^runtime\.goexit$`
)

// pprofCheck is how one comparison is checked against pprof.
type pprofCheck struct {
	base, later, sample string
	binary              string // for text profiles: pprof symbolizes with it
	hide                string // pprof's -hide for the frames Leakscope hides
	// heapText: a Go heap text profile. Leakscope drops only its leading
	// runtime frames and runtime.goexit, which pprof's -hide cannot say: the
	// program's functions are checked against pprof with every runtime
	// frame hidden, and the runtime's functions Leakscope keeps (such as
	// runtime.main, or every frame of a stack that holds only the
	// runtime's) against pprof without -hide.
	heapText bool
}

// checkAgainstPprof compares Compare(base, later, sample) with
// `go tool pprof -top -base` function by function, flat and cum.
func checkAgainstPprof(t *testing.T, pc pprofCheck) {
	t.Helper()
	dumps, err := diff.OpenAll(context.Background(), nil, nonEmpty(pc.base, pc.later)...)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-sample_index=" + pc.sample}
	var base, later *diff.Dump
	if pc.base != "" {
		base, later = dumps[0], dumps[1]
		args = append(args, "-base="+pc.base)
	} else {
		later = dumps[0]
	}
	if pc.binary != "" {
		args = append(args, "-symbolize=local", pc.binary)
	} else {
		// Use the names in the dump, as Leakscope does, even when the
		// program that wrote it still exists at its recorded path.
		args = append(args, "-symbolize=none")
	}
	args = append(args, pc.later)
	top := func(hide string) map[string]reftest.Row {
		t.Helper()
		a := args
		if hide != "" {
			a = append([]string{"-hide=" + hide}, args...)
		}
		want, err := reftest.PprofTop(a...)
		if err != nil {
			t.Fatal(err)
		}
		if pc.binary == "" {
			return want
		}
		// Go's text profiles print type parameters as "[...]"; pprof
		// names them from the binary.
		renamed := make(map[string]reftest.Row)
		for name, w := range want {
			n := elideTypeParams(name)
			if _, dup := renamed[n]; dup {
				t.Fatalf("%s: two instantiations; the comparison needs a different test program", n)
			}
			renamed[n] = w
		}
		return renamed
	}
	hide := pc.hide
	if pc.heapText {
		hide = hideGoroutineRuntime
	}
	want := top(hide)
	all := want
	if hide != "" {
		all = top("")
	}
	c, err := diff.Compare(base, later, pc.sample)
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]diff.Function)
	for _, f := range c.Functions() {
		got[f.Name] = f
	}
	isRuntime := func(name string) bool { return regexp.MustCompile(hideGoroutineRuntime).MatchString(name) }
	// The total does not depend on what is hidden: with -hide, pprof
	// keeps a stack that loses every frame in the total, but in no row.
	var flatSum int64
	for _, w := range all {
		flatSum += w.Flat
	}
	for name, w := range want {
		g := got[name]
		if g.Flat.Diff() != w.Flat {
			t.Errorf("%s: flat delta %d, pprof says %d", name, g.Flat.Diff(), w.Flat)
		}
		if g.Cum.Diff() != w.Cum {
			t.Errorf("%s: cum delta %d, pprof says %d", name, g.Cum.Diff(), w.Cum)
		}
	}
	for name, g := range got {
		if _, ok := want[name]; ok || (g.Flat.Diff() == 0 && g.Cum.Diff() == 0) {
			continue
		}
		if pc.heapText && isRuntime(name) {
			if w := all[name]; g.Flat.Diff() != w.Flat || g.Cum.Diff() != w.Cum {
				t.Errorf("%s: flat %d cum %d; pprof without -hide says flat %d cum %d", name, g.Flat.Diff(), g.Cum.Diff(), w.Flat, w.Cum)
			}
			continue
		}
		t.Errorf("%s: flat %d cum %d, but pprof does not list it", name, g.Flat.Diff(), g.Cum.Diff())
	}
	if total := c.Total().Diff(); total != flatSum {
		t.Errorf("total delta %d, pprof's flat column sums to %d", total, flatSum)
	}
	if len(want) < 3 || len(all) < 5 {
		t.Errorf("pprof listed only %d functions (%d with the runtime's); the test dumps are too thin", len(want), len(all))
	}
}

var typeParamsRE = regexp.MustCompile(`\[[^\[\]]*\]`)

func elideTypeParams(name string) string {
	for {
		n := typeParamsRE.ReplaceAllString(name, "\x00")
		if n == name {
			return strings.ReplaceAll(n, "\x00", "[...]")
		}
		name = n
	}
}

func nonEmpty(paths ...string) []string {
	var out []string
	for _, p := range paths {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func TestMatchesPprofOnDemoDumps(t *testing.T) {
	reftest.Reference(t)
	t.Parallel()
	heapBase, heapLater := filepath.Join(demoDir, "heap-base.pb.gz"), filepath.Join(demoDir, "heap-later.pb.gz")
	gBase, gLater := filepath.Join(demoDir, "goroutine-base.pb.gz"), filepath.Join(demoDir, "goroutine-later.pb.gz")
	tests := []struct {
		desc string
		pprofCheck
	}{
		{"heap inuse_space", pprofCheck{base: heapBase, later: heapLater, sample: "inuse_space", hide: hideHeapGoexit}},
		{"heap inuse_objects", pprofCheck{base: heapBase, later: heapLater, sample: "inuse_objects", hide: hideHeapGoexit}},
		{"heap alloc_space", pprofCheck{base: heapBase, later: heapLater, sample: "alloc_space", hide: hideHeapGoexit}},
		{"heap alloc_objects", pprofCheck{base: heapBase, later: heapLater, sample: "alloc_objects", hide: hideHeapGoexit}},
		{"heap reversed", pprofCheck{base: heapLater, later: heapBase, sample: "inuse_space", hide: hideHeapGoexit}},
		{"heap alone", pprofCheck{later: heapLater, sample: "alloc_space", hide: hideHeapGoexit}},
		{"goroutines", pprofCheck{base: gBase, later: gLater, sample: "goroutine", hide: hideGoroutineRuntime}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			checkAgainstPprof(t, tt.pprofCheck)
		})
	}
}

// leakyDumps runs the demo service once per test binary; see reftest.LeakyDumps.
var leakyDumps = sync.OnceValues(func() (dir string, err error) {
	if dir, err = reftest.TempDir("leakscope-leakyd-"); err != nil {
		return "", err
	}
	_, err = reftest.LeakyDumps(dir, "-base", "7", "-later", "19")
	return dir, err
})

func TestMatchesPprofOnFreshDumps(t *testing.T) {
	reftest.Reference(t)
	t.Parallel()
	dir, err := leakyDumps()
	if err != nil {
		t.Fatalf("making dumps: %v", err)
	}
	bin := filepath.Join(dir, "leakyd")
	p := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		desc string
		pprofCheck
	}{
		{"heap proto", pprofCheck{base: p("heap-base.pb.gz"), later: p("heap-later.pb.gz"), sample: "inuse_space", hide: hideHeapGoexit}},
		{"heap proto objects", pprofCheck{base: p("heap-base.pb.gz"), later: p("heap-later.pb.gz"), sample: "alloc_objects", hide: hideHeapGoexit}},
		{"heap text", pprofCheck{base: p("heap-base.txt"), later: p("heap-later.txt"), sample: "inuse_space", binary: bin, heapText: true}},
		{"heap text alloc", pprofCheck{base: p("heap-base.txt"), later: p("heap-later.txt"), sample: "alloc_space", binary: bin, heapText: true}},
		{"goroutine proto", pprofCheck{base: p("goroutine-base.pb.gz"), later: p("goroutine-later.pb.gz"), sample: "goroutine", hide: hideGoroutineRuntime}},
		{"goroutine text", pprofCheck{base: p("goroutine-base.txt"), later: p("goroutine-later.txt"), sample: "goroutine", binary: bin, hide: hideGoroutineRuntime}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			checkAgainstPprof(t, tt.pprofCheck)
		})
	}
}

// TestLinesMatchPprof: per-line values equal `go tool pprof -top -lines
// -base`, line by line, for each heap sample type of the demo pair.
func TestLinesMatchPprof(t *testing.T) {
	reftest.Reference(t)
	t.Parallel()
	base, later := filepath.Join(demoDir, "heap-base.pb.gz"), filepath.Join(demoDir, "heap-later.pb.gz")
	dumps, err := diff.OpenAll(context.Background(), nil, base, later)
	if err != nil {
		t.Fatal(err)
	}
	for _, sample := range []string{"inuse_space", "inuse_objects", "alloc_space", "alloc_objects"} {
		want, err := reftest.PprofTop("-lines", "-sample_index="+sample, "-symbolize=none", "-base="+base, later)
		if err != nil {
			t.Fatal(err)
		}
		c, err := diff.Compare(dumps[0], dumps[1], sample)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]diff.Function{}
		for _, l := range c.Lines() {
			got[l.Name] = l
		}
		checked := 0
		for name, w := range want {
			g, ok := got[name]
			if !ok && w.Flat == 0 && w.Cum == 0 {
				continue
			}
			if g.Flat.Diff() != w.Flat || g.Cum.Diff() != w.Cum {
				t.Errorf("%s %s: flat %+d cum %+d; pprof -lines flat %+d cum %+d", sample, name, g.Flat.Diff(), g.Cum.Diff(), w.Flat, w.Cum)
			}
			checked++
		}
		if checked < 10 {
			t.Errorf("%s: only %d lines compared", sample, checked)
		}
	}
}
