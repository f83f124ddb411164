package diff_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/reftest"
)

const demoDir = "../assets/demo/dumps"

// checkAgainstPprof compares Compare(base, later, sample) with
// `go tool pprof -top -base` function by function. For Go's text profiles
// (symbolized by pprof from the binary, by us from the dump's comments) the
// runtime frames Go leaves out of the text differ, so only cum values of the
// program's own functions are compared there.
func checkAgainstPprof(t *testing.T, basePath, laterPath, sample, binary string, textOnly bool) {
	t.Helper()
	dumps, err := diff.OpenAll(nonEmpty(basePath, laterPath)...)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-sample_index=" + sample}
	var base, later *diff.Dump
	if basePath != "" {
		base, later = dumps[0], dumps[1]
		args = append(args, "-base="+basePath)
	} else {
		later = dumps[0]
	}
	if binary != "" {
		args = append(args, "-symbolize=local", binary)
	} else {
		// Use the names in the dump, as Leakscope does, even when the
		// program that wrote it still exists at its recorded path.
		args = append(args, "-symbolize=none")
	}
	args = append(args, laterPath)
	want, err := reftest.PprofTop(args...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := diff.Compare(base, later, sample)
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]diff.Function)
	for _, f := range c.Functions() {
		got[f.Name] = f
	}
	if textOnly {
		// Go's text profiles print type parameters as "[...]"; pprof
		// names them from the binary.
		renamed := make(map[string]reftest.Row)
		for name, w := range want {
			n := elideTypeParams(name)
			r := renamed[n]
			if _, dup := renamed[n]; dup {
				t.Fatalf("%s: two instantiations; the comparison needs a different test program", n)
			}
			r.Flat, r.Cum = w.Flat, w.Cum
			renamed[n] = r
		}
		want = renamed
	}
	var flatSum int64
	for name, w := range want {
		flatSum += w.Flat
		if textOnly && (strings.HasPrefix(name, "runtime") || strings.HasPrefix(name, "internal/")) {
			continue
		}
		g := got[name]
		if !textOnly && g.Flat.Diff() != w.Flat {
			t.Errorf("%s: flat delta %d, pprof says %d", name, g.Flat.Diff(), w.Flat)
		}
		if g.Cum.Diff() != w.Cum {
			t.Errorf("%s: cum delta %d, pprof says %d", name, g.Cum.Diff(), w.Cum)
		}
	}
	for name, g := range got {
		if _, ok := want[name]; !ok && (g.Flat.Diff() != 0 || g.Cum.Diff() != 0) && !textOnly {
			t.Errorf("%s: flat %d cum %d, but pprof does not list it", name, g.Flat.Diff(), g.Cum.Diff())
		}
	}
	if total := c.Total().Diff(); total != flatSum {
		t.Errorf("total delta %d, pprof's flat column sums to %d", total, flatSum)
	}
	if len(want) < 5 {
		t.Errorf("pprof listed only %d functions; the test dumps are too thin", len(want))
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
	t.Parallel()
	heapBase, heapLater := filepath.Join(demoDir, "heap-base.pb.gz"), filepath.Join(demoDir, "heap-later.pb.gz")
	gBase, gLater := filepath.Join(demoDir, "goroutine-base.pb.gz"), filepath.Join(demoDir, "goroutine-later.pb.gz")
	tests := []struct {
		desc, base, later, sample string
	}{
		{"heap inuse_space", heapBase, heapLater, "inuse_space"},
		{"heap inuse_objects", heapBase, heapLater, "inuse_objects"},
		{"heap alloc_space", heapBase, heapLater, "alloc_space"},
		{"heap alloc_objects", heapBase, heapLater, "alloc_objects"},
		{"heap reversed", heapLater, heapBase, "inuse_space"},
		{"heap alone", "", heapLater, "alloc_space"},
		{"goroutines", gBase, gLater, "goroutine"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			checkAgainstPprof(t, tt.base, tt.later, tt.sample, "", false)
		})
	}
}

// leakyDumps runs the demo service once per test binary; see reftest.LeakyDumps.
var leakyDumps = sync.OnceValues(func() (dir string, err error) {
	if dir, err = os.MkdirTemp("", "leakscope-leakyd-"); err != nil {
		return "", err
	}
	_, err = reftest.LeakyDumps(dir, "-base", "7", "-later", "19")
	return dir, err
})

func TestMatchesPprofOnFreshDumps(t *testing.T) {
	t.Parallel()
	dir, err := leakyDumps()
	if err != nil {
		t.Fatalf("making dumps: %v", err)
	}
	bin := filepath.Join(dir, "leakyd")
	p := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		desc, base, later, sample, binary string
		text                              bool
	}{
		{"heap proto", p("heap-base.pb.gz"), p("heap-later.pb.gz"), "inuse_space", "", false},
		{"heap proto objects", p("heap-base.pb.gz"), p("heap-later.pb.gz"), "alloc_objects", "", false},
		{"heap text", p("heap-base.txt"), p("heap-later.txt"), "inuse_space", bin, true},
		{"heap text alloc", p("heap-base.txt"), p("heap-later.txt"), "alloc_space", bin, true},
		{"goroutine proto", p("goroutine-base.pb.gz"), p("goroutine-later.pb.gz"), "goroutine", "", false},
		{"goroutine text", p("goroutine-base.txt"), p("goroutine-later.txt"), "goroutine", bin, true},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			checkAgainstPprof(t, tt.base, tt.later, tt.sample, tt.binary, tt.text)
		})
	}
}

// TestProtoAgreesWithProfileParse checks the streaming protobuf reader
// against google/pprof's profile.Parse on every sample type.
func TestProtoAgreesWithProfileParse(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"heap-base.pb.gz", "heap-later.pb.gz", "goroutine-later.pb.gz"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(demoDir, name))
			if err != nil {
				t.Fatal(err)
			}
			fast, err := diff.Parse(data, name)
			if err != nil {
				t.Fatal(err)
			}
			slow, err := diff.ParseWithProfilePackage(data, name)
			if err != nil {
				t.Fatal(err)
			}
			if len(fast.SampleTypes) != len(slow.SampleTypes) {
				t.Fatalf("sample types %v, profile.Parse gives %v", fast.SampleTypes, slow.SampleTypes)
			}
			if !fast.Time.Equal(slow.Time) || fast.DefaultSampleType != slow.DefaultSampleType || fast.Kind != slow.Kind {
				t.Errorf("header (%v, %q, %s), profile.Parse gives (%v, %q, %s)",
					fast.Time, fast.DefaultSampleType, fast.Kind, slow.Time, slow.DefaultSampleType, slow.Kind)
			}
			for i, st := range fast.SampleTypes {
				if st != slow.SampleTypes[i] {
					t.Errorf("sample type %d is %v, profile.Parse gives %v", i, st, slow.SampleTypes[i])
				}
				a, err := diff.Compare(nil, fast, st.Type)
				if err != nil {
					t.Fatal(err)
				}
				b, err := diff.Compare(slow, fast, st.Type)
				if err != nil {
					t.Fatal(err)
				}
				if a.Total() != (diff.Delta{Base: 0, Later: fast.Total(i)}) {
					t.Errorf("%s: total %v", st.Type, a.Total())
				}
				// The same profile read both ways must cancel out exactly, stack by stack.
				for s := 0; s < b.NumStacks(); s++ {
					if v := b.Value(s); v.Diff() != 0 {
						t.Errorf("%s: stack %d differs between readers: %+v", st.Type, s, v)
					}
				}
			}
		})
	}
}

// TestLinesMatchPprof: per-line values equal `go tool pprof -top -lines
// -base`, line by line, for each heap sample type of the demo pair.
func TestLinesMatchPprof(t *testing.T) {
	t.Parallel()
	base, later := filepath.Join(demoDir, "heap-base.pb.gz"), filepath.Join(demoDir, "heap-later.pb.gz")
	dumps, err := diff.OpenAll(base, later)
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
