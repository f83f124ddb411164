package jemalloc_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/jemalloc"
	"github.com/leakscope/leakscope/diff/reftest"
)

const small = `heap_v2/524288
  t*: 3: 1536 [0: 0]
  t0: 3: 1536 [0: 0]
@ 0x1000 0x2000 0x3000
  t*: 2: 1024 [0: 0]
  t0: 2: 1024 [0: 0]
@ 0x1000 0x4000
  t*: 1: 512 [0: 0]

MAPPED_LIBRARIES:
00001000-00005000 r-xp 00000000 fe:00 1   /nonexistent/prog
`

func TestUnbias(t *testing.T) {
	d, err := diff.Parse(context.Background(), []byte(small), "small.heap", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != diff.KindHeap || d.DefaultSampleType != "inuse_space" || d.Format != "jemalloc heap profile (heap_v2)" {
		t.Errorf("kind %s, default %s, format %s", d.Kind, d.DefaultSampleType, d.Format)
	}
	i, _ := d.SampleIndex("inuse_space")
	// 512-byte objects sampled at R=524288: scale 1/(1-exp(-512/524288)) = 1024.5.
	if got := d.Total(i); got < 1536*1024 || got > 1536*1025 {
		t.Errorf("unbiased inuse_space %d, want about %d", got, 1536*1024)
	}
	if m := jemalloc.MissingBinaries(d); len(m) != 1 || m[0] != "/nonexistent/prog" {
		t.Errorf("missing %v", m)
	}
}

func TestBadDumps(t *testing.T) {
	tests := []struct {
		desc, dump string
		err        string // "" when the dump loads
		warning    string
		stacks     int
	}{
		{"complete", small, "", "cannot read /nonexistent/prog", 2},
		{"cut before the maps", small[:strings.Index(small, "MAPPED")], "", "no MAPPED_LIBRARIES section", 2},
		{"cut after a stack line", small[:strings.Index(small, "  t*: 1: 512")], "", "1 stacks without counts were left out", 1},
		{"cut inside the maps", small[:len(small)-4], "", "the dump ends inside its MAPPED_LIBRARIES section", 2},
		{"header only", "heap_v2/524288\n", "no stacks: the dump is empty or cut short", "", 0},
		{"bad header", "heap_v2/many\n@ 0x1\n", `bad header "heap_v2/many"`, "", 0},
		{"garbage lines", strings.Replace(small, "@ 0x1000 0x4000", "@ 0xZZ 0x4000\n%%%% noise", 1), "", "lines matched no heap_v2 form", 1},
		{"empty maps", small[:strings.Index(small, "00001000-")], "", "its MAPPED_LIBRARIES section is empty: addresses are shown raw", 2},
		{"maps in no known form", small[:strings.Index(small, "00001000-")] + "here be dragons\n", "", "holds no mapping in the /proc/PID/maps form", 2},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			d, err := diff.Parse(context.Background(), []byte(tt.dump), "x.heap", nil)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "x.heap: ") {
					t.Fatalf("error %v, want %q naming the file", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w := strings.Join(d.Warnings, "; "); !strings.Contains(w, tt.warning) {
				t.Errorf("warnings %q, want %q", w, tt.warning)
			}
			if d.NumStacks() != tt.stacks {
				t.Errorf("%d stacks, want %d", d.NumStacks(), tt.stacks)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(small))
	if d, err := os.ReadFile("testdata/leaky.c"); err == nil {
		f.Add(append([]byte("heap_v2/1\n"), d[:200]...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := reftest.ParseFuzzInput(t, data)
		if d == nil {
			return
		}
		if _, err := diff.Compare(d, d, ""); err != nil {
			t.Fatal(err)
		}
	})
}

// TestUnbiasGuards reads counts that jeprof's formula cannot scale: the
// stacks keep their raw counts, with a warning, and no value wraps around.
func TestUnbiasGuards(t *testing.T) {
	tests := []struct {
		desc, dump string
		inuse      [2]int64 // objects, bytes
	}{
		{"objects without bytes", "heap_v2/524288\n  t*: 5: 0 [0: 0]\n@ 0x1000\n  t*: 5: 0 [0: 0]\n", [2]int64{5, 0}},
		{"an absurd period", "heap_v2/9223372036854775807\n  t*: 3: 48 [0: 0]\n@ 0x1000\n  t*: 3: 48 [0: 0]\n", [2]int64{3, 48}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			d, err := diff.Parse(context.Background(), []byte(tt.dump), "odd.heap", nil)
			if err != nil {
				t.Fatal(err)
			}
			io, _ := d.SampleIndex("inuse_objects")
			is, _ := d.SampleIndex("inuse_space")
			if got := [2]int64{d.Total(io), d.Total(is)}; got != tt.inuse {
				t.Errorf("inuse %v, want the raw %v", got, tt.inuse)
			}
			if w := strings.Join(d.Warnings, "; "); !strings.Contains(w, "1 stacks could not be unbiased") {
				t.Errorf("warnings %q", w)
			}
		})
	}
}

// TestGoAndJemallocDoNotCompare compares a Go heap profile with a jemalloc
// dump: refused, naming both files and why.
func TestGoAndJemallocDoNotCompare(t *testing.T) {
	je, err := diff.Parse(context.Background(), []byte(small), "small.heap", nil)
	if err != nil {
		t.Fatal(err)
	}
	goHeap, err := diff.Open(context.Background(), "../../assets/demo/dumps/heap-base.pb.gz", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]*diff.Dump{{goHeap, je}, {je, goHeap}} {
		_, err := diff.Compare(pair[0], pair[1], "inuse_space")
		want := pair[1].Path + ": is a " + map[bool]string{true: "jemalloc", false: "pprof"}[pair[1] == je] + " dump"
		if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "the base "+pair[0].Path) ||
			!strings.Contains(err.Error(), "only dumps of one allocator compare") {
			t.Errorf("Compare(%s, %s): %v", pair[0].Path, pair[1].Path, err)
		}
	}
}

// TestUnusedBinary: a binary given to symbolize with that matches nothing in
// the dump is said, not silently ignored.
func TestUnusedBinary(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	lib := strings.Replace(small, "/nonexistent/prog", "/bin/true", 1) // a program that is there
	d, err := diff.Parse(context.Background(), []byte(lib), "x.heap", &diff.Options{Binaries: []string{self}})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(d.SymbolWarnings, "; "); !strings.Contains(w, "the binary "+self+", given to symbolize with, matched no program or library of the dump") {
		t.Errorf("warnings %q", w)
	}
}
