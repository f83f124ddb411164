package jemalloc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/leakscope/leakscope/cli"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/jemalloc"
	"github.com/leakscope/leakscope/diff/reftest"
)

func need(t testing.TB) {
	t.Helper()
	reftest.Reference(t)
	for _, tool := range []string{"gcc", "jeprof"} {
		if _, err := exec.LookPath(tool); err != nil {
			skipOrFail(t, tool+" is not installed (Debian: gcc, libjemalloc-dev)")
		}
	}
	if _, err := os.Stat("/usr/include/jemalloc/jemalloc.h"); err != nil {
		skipOrFail(t, "jemalloc headers are not installed (libjemalloc-dev)")
	}
}

// skipOrFail fails t, unless LEAKSCOPE_SKIP_REFERENCE=1 (see reftest.Missing).
func skipOrFail(t testing.TB, msg string) {
	t.Helper()
	reftest.Missing(t, msg)
}

func TestMain(m *testing.M) { reftest.Main(m) }

// dumps builds testdata/leaky.c with gcc -g and runs it under jemalloc's
// profiler, once per sampling rate: it returns the binary and the two dumps.
type dumpSet struct{ bin, base, later string }

var (
	dumpsMu sync.Mutex
	dumpsBy = map[int]dumpSet{}
)

func makeDumps(t testing.TB, lgSample int) dumpSet {
	t.Helper()
	need(t)
	dumpsMu.Lock()
	defer dumpsMu.Unlock()
	if d, ok := dumpsBy[lgSample]; ok {
		return d
	}
	dir, err := reftest.TempDir("leakscope-jemalloc-")
	if err != nil {
		t.Fatal(err)
	}
	d := dumpSet{base: filepath.Join(dir, "base.heap"), later: filepath.Join(dir, "later.heap")}
	if d.bin, err = reftest.BuildLeakyC(dir, "leaky"); err != nil {
		t.Fatal(err)
	}
	run := exec.Command(d.bin, d.base, d.later, "40", "100")
	run.Env = append(os.Environ(), "MALLOC_CONF=prof:true,prof_accum:true,lg_prof_sample:"+strconv.Itoa(lgSample))
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("leaky: %v\n%s", err, out)
	}
	dumpsBy[lgSample] = d
	return d
}

var totalRE = regexp.MustCompile(`(?m)^Total: (-?\d+)`)

// jeprof runs `jeprof --text --show_bytes --TYPE --base=BASE BIN LATER`.
func jeprof(t *testing.T, sample string, d dumpSet) (map[string]reftest.Row, int64) {
	t.Helper()
	cmd := exec.Command("jeprof", "--text", "--show_bytes", "--"+sample, "--base="+d.base, d.bin, d.later)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jeprof: %v\n%s", err, stderr.Bytes())
	}
	rows, err := reftest.ParseTop(out)
	if err != nil {
		t.Fatal(err)
	}
	m := totalRE.FindSubmatch(out)
	if m == nil {
		t.Fatalf("no total in jeprof's output:\n%s", out)
	}
	total, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return rows, total
}

// check compares Leakscope's comparison with jeprof's, allowing tol per value.
func check(t *testing.T, sample string, d dumpSet, opts *diff.Options, tol float64) {
	t.Helper()
	want, wantTotal := jeprof(t, sample, d)
	dumps, err := diff.OpenAll(context.Background(), opts, d.base, d.later)
	if err != nil {
		t.Fatal(err)
	}
	for _, dump := range dumps {
		for _, w := range append(dump.Warnings, dump.SymbolWarnings...) {
			// Debian's system libraries are stripped: a few of their
			// addresses are named after the nearest symbol, as jeprof
			// names them. The program itself has DWARF.
			if !strings.Contains(w, "named after the nearest symbol") || strings.Contains(w, d.bin) {
				t.Errorf("%s: warning %s", dump.Path, w)
			}
			// A few such addresses in a system library are a detail.
			if strings.Contains(w, "/usr/lib/") && strings.Contains(w, "(1 address)") {
				t.Errorf("%s: a system library's one address is a warning, not a detail: %s", dump.Path, w)
			}
		}
		for _, w := range dump.Details {
			if !strings.Contains(w, "system libraries' addresses outside any sized symbol") {
				t.Errorf("%s: detail %s", dump.Path, w)
			}
		}
	}
	c, err := diff.Compare(dumps[0], dumps[1], sample)
	if err != nil {
		t.Fatal(err)
	}
	off := func(a, b int64) bool { return math.Abs(float64(a-b)) > tol }
	if total := c.Total().Diff(); off(total, wantTotal) {
		t.Errorf("%s: total %d, jeprof %d", sample, total, wantTotal)
	}
	got := map[string]diff.Function{}
	for _, f := range c.Functions() {
		got[f.Name] = f
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("%s: jeprof lists %s (flat %d, cum %d), Leakscope does not", sample, name, w.Flat, w.Cum)
			continue
		}
		if off(g.Flat.Diff(), w.Flat) || off(g.Cum.Diff(), w.Cum) {
			t.Errorf("%s: %s flat %d cum %d; jeprof flat %d cum %d", sample, name, g.Flat.Diff(), g.Cum.Diff(), w.Flat, w.Cum)
		}
	}
	for name, g := range got {
		if _, ok := want[name]; !ok && (off(g.Flat.Diff(), 0) || off(g.Cum.Diff(), 0)) {
			t.Errorf("%s: %s changes by flat %d cum %d, jeprof does not list it", sample, name, g.Flat.Diff(), g.Cum.Diff())
		}
	}
	for _, leak := range []string{"worker_new", "cache_new", "options_default"} {
		if _, ok := want[leak]; !ok && strings.HasPrefix(sample, "inuse") {
			t.Errorf("%s: jeprof does not show the leak %s: the test program is off", sample, leak)
		}
	}
}

var sampleTypes = []string{"inuse_space", "inuse_objects", "alloc_space", "alloc_objects"}

// TestMatchesJeprof checks every sample type against jeprof on dumps with
// every allocation sampled: the numbers must be equal.
func TestMatchesJeprof(t *testing.T) {
	d := makeDumps(t, 0)
	for _, s := range sampleTypes {
		t.Run(s, func(t *testing.T) { check(t, s, d, nil, 0) })
	}
}

// TestMatchesJeprofSampled checks sampled dumps (one allocation per KiB on
// average): the unbiased values are fractions, and like jeprof Leakscope
// sums them before it truncates, so the numbers must be equal too.
func TestMatchesJeprofSampled(t *testing.T) {
	d := makeDumps(t, 10)
	for _, s := range sampleTypes {
		t.Run(s, func(t *testing.T) { check(t, s, d, nil, 0) })
	}
}

// TestMovedBinary moves the program away from the path the dumps record, as
// when dumps come from production, and symbolizes with --binary.
func TestMovedBinary(t *testing.T) {
	d := makeDumps(t, 0)
	want, wantTotal := jeprof(t, "inuse_space", d) // while the binary is in place
	moved := filepath.Join(t.TempDir(), "prod-build")
	b, err := os.ReadFile(d.bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(moved, b, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(d.bin, d.bin+".away"); err != nil {
		t.Fatal(err)
	}
	defer os.Rename(d.bin+".away", d.bin)

	// Without --binary: raw addresses, a warning that names the file.
	later, err := diff.Open(context.Background(), d.later, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := jemalloc.MissingBinaries(later); len(m) != 1 || m[0] != d.bin {
		t.Errorf("missing binaries %v, want [%s]", m, d.bin)
	}
	if w := strings.Join(later.Warnings, "; "); !strings.Contains(w, "cannot read "+d.bin) || !strings.Contains(w, "--binary") {
		t.Errorf("warnings %q", w)
	}

	// With --binary, through the command line, as a user runs it.
	var out, errs bytes.Buffer
	code, _ := cli.Run([]string{"report", "--json", "--sample", "inuse_space", "--binary", moved, d.base, d.later}, &out, &errs)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	var r cli.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Total.Delta != wantTotal {
		t.Errorf("total %d, jeprof %d", r.Total.Delta, wantTotal)
	}
	got := map[string]cli.FunctionReport{}
	for _, f := range r.Functions {
		got[f.Name] = f
	}
	for name, w := range want {
		if g := got[name]; g.Flat.Delta != w.Flat || g.Cum.Delta != w.Cum {
			t.Errorf("%s: flat %d cum %d; jeprof flat %d cum %d", name, g.Flat.Delta, g.Cum.Delta, w.Flat, w.Cum)
		}
	}
}

// TestBuildIDMismatch gives a --binary built from other code while the real
// binary is still at the recorded path: the dump loads, with a warning.
func TestBuildIDMismatch(t *testing.T) {
	d := makeDumps(t, 0)
	// A different program with the same base name.
	other := filepath.Join(t.TempDir(), "leaky")
	cmd := exec.Command("gcc", "-g", "-o", other, "-x", "c", "-")
	cmd.Stdin = strings.NewReader("int main(void) { return 42; }\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	dump, err := diff.Open(context.Background(), d.later, &diff.Options{Binaries: []string{other}})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(dump.Warnings, "; "); !strings.Contains(w, "does not match "+d.bin) {
		t.Errorf("no build ID warning: %q", w)
	}
}

// TestMatchesJeprofCxx checks a C++ program, whose allocations go through
// operator new in libjemalloc: kept as they are (--keep-alloc-frames),
// the frames and values are jeprof's, libjemalloc's frame included; folded
// (the default), that frame is gone and the values stay.
func TestMatchesJeprofCxx(t *testing.T) {
	need(t)
	reftest.NeedTools(t, "g++")
	dir := t.TempDir()
	d := dumpSet{bin: filepath.Join(dir, "leaky-cc"), base: filepath.Join(dir, "base.heap"), later: filepath.Join(dir, "later.heap")}
	if out, err := exec.Command("g++", "-g", "-O1", "-o", d.bin, filepath.Join("testdata", "leaky.cc"), "-ljemalloc").CombinedOutput(); err != nil {
		t.Fatalf("g++: %v\n%s", err, out)
	}
	run := exec.Command(d.bin, d.base, d.later, "40", "100")
	run.Env = append(os.Environ(), "MALLOC_CONF=prof:true,prof_accum:true,lg_prof_sample:0")
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("leaky-cc: %v\n%s", err, out)
	}
	for _, s := range sampleTypes {
		t.Run(s, func(t *testing.T) { check(t, s, d, nil, 0) })
	}
	dumps, err := diff.OpenAll(context.Background(), nil, d.base, d.later)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := diff.Compare(dumps[0], dumps[1], "inuse_space")
	if err != nil {
		t.Fatal(err)
	}
	folded, err := diff.Compare(jemalloc.FoldAllocFrames(dumps[0]), jemalloc.FoldAllocFrames(dumps[1]), "inuse_space")
	if err != nil {
		t.Fatal(err)
	}
	if kept.Total() != folded.Total() {
		t.Errorf("folding changed the total from %v to %v", kept.Total(), folded.Total())
	}
	leaf := func(c *diff.Comparison) map[string]int64 {
		m := map[string]int64{}
		for _, f := range c.Functions() {
			if f.Flat.Diff() != 0 {
				m[f.Name] = f.Flat.Diff()
			}
		}
		return m
	}
	k, f := leaf(kept), leaf(folded)
	if _, ok := k["malloc_usable_size"]; !ok {
		t.Errorf("kept: libjemalloc's frame (jeprof's malloc_usable_size) has no flat value: %v", k)
	}
	if _, ok := f["malloc_usable_size"]; ok || f["std::make_unique"] == 0 {
		t.Errorf("folded: flat values %v, want them on the program's frames (std::make_unique)", f)
	}
	// report --json: each function's full demangled name, as c++filt gives
	// it, and the short one.
	var out, errs bytes.Buffer
	if code, _ := cli.Run([]string{"report", "--json", d.base, d.later}, &out, &errs); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errs.String())
	}
	var r struct {
		Functions []struct{ Name, Short string }
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, fn := range r.Functions {
		names[fn.Short] = fn.Name
	}
	cxxfilt, err := exec.Command("c++filt", "_ZSt11make_uniqueI4WorkJEENSt8__detail9_MakeUniqIT_E15__single_objectEDpOT0_").Output()
	if err != nil {
		t.Fatalf("c++filt: %v", err)
	}
	if want := strings.TrimSpace(string(cxxfilt)); names["make_unique"] != want {
		t.Errorf("make_unique's name is %q, c++filt gives %q (all: %v)", names["make_unique"], want, names)
	}
	if names["worker_new"] != "worker_new()" {
		t.Errorf("worker_new's name is %q, want worker_new()", names["worker_new"])
	}
}
