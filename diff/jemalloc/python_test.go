package jemalloc_test

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/cli"
	"github.com/leakscope/leakscope/diff"
)

// pythonScript allocates dicts, lists and strings between two prof.dump
// calls made through ctypes, so that the dumps come from CPython's own C
// code under jemalloc's sampling profiler.
const pythonScript = `
import ctypes, sys
je = ctypes.CDLL("libjemalloc.so.2")
def dump(p):
    c = ctypes.c_char_p(p.encode())
    if je.mallctl(b"prof.dump", None, None, ctypes.byref(c), ctypes.sizeof(ctypes.c_char_p)) != 0:
        sys.exit("prof.dump failed")
keep = []
dump(sys.argv[1])
for i in range(20000):
    keep.append({"k%d" % i: [i] * (i % 7), "s": "x" * (i % 300)})
dump(sys.argv[2])
`

// debianPython returns Debian's python3 binary, which is stripped: it has
// only its dynamic symbols, so that CPython's static functions have no
// names of their own.
func debianPython(t *testing.T) string {
	t.Helper()
	need(t)
	p, err := filepath.EvalSymlinks("/usr/bin/python3")
	if err != nil {
		skipOrFail(t, "Debian's /usr/bin/python3 is not installed")
	}
	f, err := elf.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Section(".symtab") != nil {
		t.Fatalf("%s is not stripped: the test needs a stripped binary", p)
	}
	return p
}

var rawRE = regexp.MustCompile(`^0x[0-9a-f]+ \(.+\+0x[0-9a-f]+\)$`)

// TestMatchesJeprofStrippedPython checks sampled dumps of a stripped
// Debian binary, made at test time: totals and every function's flat
// value equal jeprof's, by name, for every sample type, names of static
// functions being the nearest preceding dynamic symbol in both; cum values
// too, but for addresses jeprof names and Leakscope does not (see below).
func TestMatchesJeprofStrippedPython(t *testing.T) {
	py := debianPython(t)
	lib := "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
	if _, err := os.Stat(lib); err != nil {
		skipOrFail(t, "libjemalloc2 is not installed")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "alloc.py")
	if err := os.WriteFile(script, []byte(pythonScript), 0o644); err != nil {
		t.Fatal(err)
	}
	d := dumpSet{bin: py, base: filepath.Join(dir, "base.heap"), later: filepath.Join(dir, "later.heap")}
	cmd := exec.Command(py, "-s", script, d.base, d.later)
	cmd.Env = append(os.Environ(), "LD_PRELOAD="+lib, "PYTHONMALLOC=malloc",
		"MALLOC_CONF=prof:true,prof_accum:true,lg_prof_sample:12")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", py, err, out)
	}
	for _, s := range sampleTypes {
		t.Run(s, func(t *testing.T) {
			want, wantTotal := jeprof(t, s, d)
			dumps, err := diff.OpenAll(context.Background(), nil, d.base, d.later)
			if err != nil {
				t.Fatal(err)
			}
			if w := strings.Join(dumps[1].SymbolWarnings, "; "); !strings.Contains(w, py) || !strings.Contains(w, "nearest symbol") {
				t.Errorf("no warning that names in %s are approximate: %q", py, w)
			}
			c, err := diff.Compare(dumps[0], dumps[1], s)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Total().Diff(); got != wantTotal {
				t.Errorf("total %d, jeprof %d", got, wantTotal)
			}
			got := map[string]diff.Function{}
			for _, f := range c.Functions() {
				got[f.Name] = f
			}
			// jeprof gives an address before an object's first symbol the
			// name of that symbol (its lookup never checks a symbol's
			// start); Leakscope leaves it raw, as 0xADDR (object+0xOFFSET).
			// Those frames are never leaves here, so only cum values can
			// differ, and only by what the raw frames hold.
			var cumOff, rawCum int64
			for name, w := range want {
				g := got[name]
				if g.Flat.Diff() != w.Flat {
					t.Errorf("%s: flat %d; jeprof flat %d", name, g.Flat.Diff(), w.Flat)
				}
				if g.Cum.Diff() != w.Cum {
					t.Logf("%s: cum %d; jeprof cum %d", name, g.Cum.Diff(), w.Cum)
					cumOff += w.Cum - g.Cum.Diff()
				}
			}
			for name, g := range got {
				if _, ok := want[name]; ok || (g.Flat.Diff() == 0 && g.Cum.Diff() == 0) {
					continue
				}
				if rawRE.MatchString(name) && g.Flat.Diff() == 0 {
					t.Logf("raw frame %s: cum %d", name, g.Cum.Diff())
					rawCum += g.Cum.Diff()
					continue
				}
				t.Errorf("%s changes by flat %d cum %d, jeprof does not list it", name, g.Flat.Diff(), g.Cum.Diff())
			}
			if cumOff != rawCum {
				t.Errorf("cum values differ from jeprof's by %d in all, more than the raw frames' %d", cumOff, rawCum)
			}
			// leakscope report prints the same numbers.
			var out, errs bytes.Buffer
			if code, _ := cli.Run([]string{"report", "--json", "--sample", s, d.base, d.later}, &out, &errs); code != 0 {
				t.Fatalf("report: exit %d: %s", code, errs.String())
			}
			var r cli.Report
			if err := json.Unmarshal(out.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			if r.Total.Delta != wantTotal {
				t.Errorf("report: total %d, jeprof %d", r.Total.Delta, wantTotal)
			}
			for _, f := range r.Functions {
				if w, ok := want[f.Name]; ok && f.Flat.Delta != w.Flat {
					t.Errorf("report: %s flat %d, jeprof %d", f.Name, f.Flat.Delta, w.Flat)
				}
			}
			t.Logf("%s: total %d, %d functions", s, wantTotal, len(want))
		})
	}
}
