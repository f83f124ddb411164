package diff_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff"
	_ "github.com/leakscope/leakscope/diff/goroutines" // reads debug=2 dumps
	"github.com/leakscope/leakscope/diff/reftest"
)

// table returns a comparison's function table, one line per function.
// without, when not empty, leaves out the stacks that hold that function.
func table(t *testing.T, base, later, without string) []string {
	t.Helper()
	dumps, err := diff.OpenAll(context.Background(), nil, base, later)
	if err != nil {
		t.Fatal(err)
	}
	c, err := diff.Compare(dumps[0], dumps[1], "goroutine")
	if err != nil {
		t.Fatal(err)
	}
	if without != "" {
		c = c.Subset(func(s int) bool {
			for _, f := range c.Stack(s) {
				if c.Frame(f).Function == without {
					return false
				}
			}
			return true
		})
	}
	var out []string
	for _, f := range c.Functions() {
		out = append(out, fmt.Sprintf("%s flat %d→%d cum %d→%d", f.Name, f.Flat.Base, f.Flat.Later, f.Cum.Base, f.Cum.Later))
	}
	sort.Strings(out)
	return out
}

// TestGoroutineFormsAgree compares goroutine dumps of the same moments in
// different forms: a debug=1 text and a debug=0 proto, either way round,
// give the function table of the two protos, frame for frame, without the
// runtime's frames (runtime.gopark, runtime.goexit), which the text does
// not name; so do two debug=2 dumps, but for the goroutine writing them.
func TestGoroutineFormsAgree(t *testing.T) {
	reftest.Reference(t)
	t.Parallel()
	dir, err := leakyDumps()
	if err != nil {
		t.Fatalf("making dumps: %v", err)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	protos := table(t, p("goroutine-base.pb.gz"), p("goroutine-later.pb.gz"), "")
	for _, line := range protos {
		if strings.HasPrefix(line, "runtime.") {
			t.Errorf("the protos keep a runtime frame: %s", line)
		}
	}
	if len(protos) < 5 {
		t.Fatalf("only %d functions: the dumps are too thin", len(protos))
	}
	tests := []struct {
		desc, base, later, without string
	}{
		{"text, then proto", p("goroutine-base.txt"), p("goroutine-later.pb.gz"), ""},
		{"proto, then text", p("goroutine-base.pb.gz"), p("goroutine-later.txt"), ""},
		{"two texts", p("goroutine-base.txt"), p("goroutine-later.txt"), ""},
		{"two debug=2 dumps", p("goroutines-base.txt"), p("goroutines-later.txt"), "main.writeProfile"},
		{"debug=2, then proto", p("goroutines-base.txt"), p("goroutine-later.pb.gz"), "main.writeProfile"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			want := protos
			if tt.without != "" {
				want = table(t, p("goroutine-base.pb.gz"), p("goroutine-later.pb.gz"), tt.without)
			}
			got := table(t, tt.base, tt.later, tt.without)
			if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
				t.Errorf("function table\n%s\nthe protos give\n%s", g, w)
			}
		})
	}
}

// TestHideGoRuntime states the runtime-frame rule stack by stack.
func TestHideGoRuntime(t *testing.T) {
	goroutine := []diff.SampleType{{Type: "goroutine", Unit: "count"}}
	heap := []diff.SampleType{{Type: "inuse_space", Unit: "bytes"}}
	cpu := []diff.SampleType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}}
	tests := []struct {
		desc  string
		types []diff.SampleType
		stack string // leaf first
		want  string
		text  bool // as the text reader applies it
	}{
		{"text: unnamed leaf and goexit", heap, "0x48b053 0x48e75b main.alloc runtime.main 0x4930e1", "main.alloc runtime.main", true},
		{"text: only the runtime's", heap, "runtime.mallocgc runtime.bgsweep 0x4930e1", "runtime.mallocgc runtime.bgsweep", true},
		{"text: other kinds too", cpu, "0x1 runtime.mallocgc main.alloc runtime.goexit 0x2", "main.alloc", true},
		{"goroutine wait", goroutine, "runtime.gopark runtime.chanrecv runtime.chanrecv1 main.worker runtime.goexit", "main.worker", false},
		{"main goroutine", goroutine, "runtime.gopark runtime.selectgo main.main runtime.main runtime.goexit", "main.main", false},
		{"runtime in the middle", goroutine, "internal/runtime/syscall.Syscall6 main.f runtime.reflectcall reflect.Value.call main.g", "main.f reflect.Value.call main.g", false},
		{"exported runtime function", goroutine, "runtime.Gosched main.spin runtime.goexit", "main.spin", false},
		{"runtime/pprof is not the runtime", goroutine, "runtime.gopark runtime/pprof.writeGoroutine main.dump", "runtime/pprof.writeGoroutine main.dump", false},
		{"nothing else", goroutine, "runtime.gopark runtime.forcegchelper runtime.goexit", "runtime.gopark runtime.forcegchelper", false},
		{"only goexit", goroutine, "runtime.goexit", "runtime.goexit", false},
		{"heap allocator", heap, "runtime.mallocgc runtime.newobject main.alloc runtime.main runtime.goexit", "main.alloc runtime.main", false},
		{"heap nothing else", heap, "runtime.mallocgc runtime.gcBgMarkWorker runtime.goexit", "runtime.mallocgc runtime.gcBgMarkWorker", false},
		{"cpu keeps all", cpu, "runtime.mallocgc main.alloc runtime.goexit", "runtime.mallocgc main.alloc runtime.goexit", false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			b := diff.NewBuilder(tt.types)
			if tt.text {
				b.HideGoRuntimeText()
			} else {
				b.HideGoRuntime()
			}
			var ids []int32
			for _, fn := range strings.Fields(tt.stack) {
				ids = append(ids, b.Frame(diff.Frame{Function: fn}))
			}
			b.AddStack(ids, make([]int64, len(tt.types)))
			d := b.Dump("test")
			var got []string
			for _, id := range d.Stack(0) {
				got = append(got, d.Frame(id).Function)
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("stack %q, want %q", g, tt.want)
			}
		})
	}
}
