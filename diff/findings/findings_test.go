package findings_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/findings"
	"github.com/leakscope/leakscope/diff/goroutines"
	"github.com/leakscope/leakscope/diff/series"
)

const demo = "../../assets/demo/dumps/"

func TestOutside(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"runtime.mallocgc", true},
		{"runtime/pprof.writeHeap", true},
		{"main.main", false},
		{"main.NewClient", false},
		{"tokio::runtime::task::core::Cell<T,S>::new", true},
		{"<tokio::runtime::blocking::task::BlockingTask<T> as core::future::future::Future>::poll", true},
		{"std::rt::lang_start_internal", true},
		{"core::ops::function::FnOnce::call_once", true},
		{"alloc::vec::Vec<T>::push", true},
		{"__rust_begin_short_backtrace", true},
		{"clone3", true},
		{"start_thread", true},
		{"__libc_start_main_impl", true},
		{"_start", true},
		{"tasky::handle_request::{{closure}}", false},
		{"<tasky::Client as core::default::Default>::default", false},
		{"<tasky::RegionCache as core::default::Default>::default", false},
		{"main", false}, // a C or Rust program's own main
	}
	for _, tt := range tests {
		if got := findings.Outside(tt.name); got != tt.want {
			t.Errorf("Outside(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
	r := findings.Rule{Crates: []string{"hyper", "github.com/lib/pq"}}
	for name, want := range map[string]bool{
		"hyper::proto::h1::dispatch::Dispatcher::poll": true, "<hyper::body::Body as http_body::Body>::poll_data": true,
		"hyperloop::run": false, "github.com/lib/pq.(*conn).recv": true, "github.com/lib/pq/oid.TypeName": true,
		"github.com/lib/pqx.Open": false, "tasky::main": false, "runtime.gcBgMarkWorker": true,
	} {
		if got := r.Outside(name); got != want {
			t.Errorf("Rule.Outside(%q) = %v, want %v", name, got, want)
		}
	}
}

func open(t *testing.T, names ...string) []*diff.Dump {
	t.Helper()
	var paths []string
	for _, n := range names {
		paths = append(paths, demo+n)
	}
	ds, err := diff.OpenAll(context.Background(), &diff.Options{}, paths...)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func goroutineSites(t *testing.T) *goroutines.Comparison {
	t.Helper()
	ds := open(t, "goroutines-base.txt", "goroutines-later.txt")
	base, err := goroutines.FromDump(ds[0])
	if err != nil {
		t.Fatal(err)
	}
	later, err := goroutines.FromDump(ds[1])
	if err != nil {
		t.Fatal(err)
	}
	return goroutines.Compare(base, later)
}

// TestFindGoDemo: the demo service's constructor and its Default-like
// helper each start a goroutine nobody stops: they are the first two
// findings, at their go statements, as constructors; with the heap pair of
// the same moments, the handler that builds them is on their paths.
func TestFindGoDemo(t *testing.T) {
	g := goroutineSites(t)
	heap := open(t, "heap-base.pb.gz", "heap-later.pb.gz")
	c, err := diff.Compare(heap[0], heap[1], "")
	if err != nil {
		t.Fatal(err)
	}
	for _, withHeap := range []bool{false, true} {
		in := findings.Input{Goroutines: g}
		if withHeap {
			in.Profile = c
		}
		fs := findings.Find(in)
		if len(fs) < 2 {
			t.Fatalf("heap %v: %d findings", withHeap, len(fs))
		}
		want := map[string]int64{"main.DefaultCache": 114, "main.NewClient": 60}
		for _, f := range fs[:2] {
			line, ok := want[f.Function]
			if !ok || f.Line != line || f.Kind != findings.SpawnSite || f.Runtime != "go" || f.Pattern != findings.Constructor {
				t.Errorf("heap %v: finding %s:%d %s %s %q", withHeap, f.Function, f.Line, f.Kind, f.Runtime, f.Pattern)
			}
			if f.Value.Diff() != 20 || !strings.Contains(f.Summary, "constructor") {
				t.Errorf("heap %v: %s grew %d: %q", withHeap, f.Function, f.Value.Diff(), f.Summary)
			}
			last := f.Path[len(f.Path)-1]
			if last.Function != f.Function || last.Line != line {
				t.Errorf("heap %v: %s's path ends at %s:%d", withHeap, f.Function, last.Function, last.Line)
			}
			handler := false
			for _, s := range f.Path {
				handler = handler || s.Function == "main.newHandler"
				if findings.Outside(s.Function) {
					t.Errorf("heap %v: runtime frame %s on %s's path", withHeap, s.Function, f.Function)
				}
			}
			if handler != withHeap {
				t.Errorf("heap %v: main.newHandler on %s's path: %v (%v)", withHeap, f.Function, handler, f.Path)
			}
		}
		delete(want, fs[0].Function)
		if _, ok := want[fs[1].Function]; !ok {
			t.Errorf("heap %v: the first two findings are %s and %s", withHeap, fs[0].Function, fs[1].Function)
		}
		for _, f := range fs {
			if f.Function == "main.startWorkers" {
				t.Errorf("heap %v: the fixed worker pool is a finding", withHeap)
			}
		}
	}
}

// TestFindSeriesThatLevelledOff: over a series in which no spawn site
// grew steadily (a leak that levelled off), the sites that grew between
// the two snapshots are still the findings, with their trends, and the
// summary says the growth was not steady; a steady one ranks as before.
func TestFindSeriesThatLevelledOff(t *testing.T) {
	g := goroutineSites(t)
	trends := map[goroutines.Site]*series.SiteTrend{}
	for _, s := range g.Sites {
		values := []int64{s.Base, s.Later, s.Later, s.Later}
		trends[s.Site] = &series.SiteTrend{Site: s.Site, Trend: series.Trend{Values: values, Grew: 1, Intervals: 3}}
	}
	fs := findings.Find(findings.Input{Goroutines: g, SiteTrends: trends})
	if len(fs) < 2 || fs[0].Trend == nil {
		t.Fatalf("findings %+v: want the sites that grew, with their trends", fs)
	}
	for _, f := range fs[:2] {
		if f.Value.Diff() != 20 || !strings.Contains(f.Summary, "grew in 1 of 3 intervals") || !strings.Contains(f.Summary, "levelled off") {
			t.Errorf("%s: +%d, %q", f.Function, f.Value.Diff(), f.Summary)
		}
	}

	// One site that grew steadily: it alone is the finding.
	for _, s := range g.Sites {
		if s.Function == "main.NewClient" {
			trends[s.Site].Score, trends[s.Site].Grew = 0.9, 3
		}
	}
	fs = findings.Find(findings.Input{Goroutines: g, SiteTrends: trends})
	if len(fs) != 1 || fs[0].Function != "main.NewClient" || strings.Contains(fs[0].Summary, "levelled off") {
		t.Errorf("findings %+v: want main.NewClient alone", fs)
	}
}

// TestFindAllocations: a heap pair alone gives the allocation sites that
// hold a tenth of the growth, with the heaviest path through each.
func TestFindAllocations(t *testing.T) {
	heap := open(t, "heap-base.pb.gz", "heap-later.pb.gz")
	c, err := diff.Compare(heap[0], heap[1], "")
	if err != nil {
		t.Fatal(err)
	}
	fs := findings.Find(findings.Input{Profile: c})
	if len(fs) == 0 || fs[0].Function != "main.NewClient" || fs[0].Kind != findings.Allocation || fs[0].Unit != "bytes" {
		t.Fatalf("findings %+v", fs)
	}
	growth := c.Total().Diff()
	for _, f := range fs {
		if f.Value.Diff()*10 < growth {
			t.Errorf("%s grew %d of %d: under a tenth", f.Function, f.Value.Diff(), growth)
		}
	}
	if p := fs[0].Path; len(p) < 2 || p[len(p)-2].Function != "main.newHandler" {
		t.Errorf("path %+v", fs[0].Path)
	}
}

// TestSourceLines: a path's source lines are shown when they make the call
// the path says, and left out when the file changed since the dump.
func TestSourceLines(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	good := "package main\n\nfunc handler() {\n\tc := NewClient()\n\t_ = c\n}\n\nfunc NewClient() *Client {\n\tc := &Client{}\n\tgo c.watch()\n\treturn c\n}\n"
	if err := os.WriteFile(src, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	// A goroutine dump whose creator is NewClient at line 10, created
	// from handler at line 4 (in the heap pair).
	dump := func(n int) string {
		var sb strings.Builder
		sb.WriteString("goroutine 1 [running]:\nmain.main()\n\t" + src + ":1 +0x1\n\n")
		for i := range n {
			sb.WriteString("goroutine " + strconv.Itoa(2+i) + " [select]:\nmain.(*Client).watch()\n\t" + src + ":20 +0x1\ncreated by main.NewClient in goroutine 1\n\t" + src + ":10 +0x2\n\n")
		}
		return sb.String()
	}
	base, later := filepath.Join(dir, "base.txt"), filepath.Join(dir, "later.txt")
	if err := os.WriteFile(base, []byte(dump(1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(later, []byte(dump(3)), 0o644); err != nil {
		t.Fatal(err)
	}
	find := func() findings.Finding {
		ds, err := diff.OpenAll(context.Background(), &diff.Options{}, base, later)
		if err != nil {
			t.Fatal(err)
		}
		b, err := goroutines.FromDump(ds[0])
		if err != nil {
			t.Fatal(err)
		}
		l, err := goroutines.FromDump(ds[1])
		if err != nil {
			t.Fatal(err)
		}
		fs := findings.Find(findings.Input{Goroutines: goroutines.Compare(b, l)})
		if len(fs) != 1 {
			t.Fatalf("findings %+v", fs)
		}
		return fs[0]
	}
	if f := find(); f.Path[0].Source != "go c.watch()" {
		t.Errorf("source %q, want the go statement", f.Path[0].Source)
	}
	// The file changed: line 10 no longer starts the goroutine.
	if err := os.WriteFile(src, []byte("package main\n\n\n\n\n\n\n\nfunc NewClient() *Client {\n\treturn &Client{}\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if f := find(); f.Path[0].Source != "" {
		t.Errorf("source %q from a file that changed since the dump", f.Path[0].Source)
	}
}

// TestFindAllocationCallers: an allocation site that grew through two
// callers names the heavier path's caller and says there is another; a
// site reached from one caller says nothing more.
func TestFindAllocationCallers(t *testing.T) {
	dump := func(name string, viaHandler, viaMain, single, viaFill int64) *diff.Dump {
		b := diff.NewBuilder([]diff.SampleType{{Type: "inuse_space", Unit: "bytes"}})
		alloc := b.Frame(diff.Frame{Function: "main.alloc", File: "main.go", Line: 20})
		handler := b.Frame(diff.Frame{Function: "main.leakyHandler", File: "main.go", Line: 13})
		mainFn := b.Frame(diff.Frame{Function: "main.main", File: "main.go", Line: 32})
		cache := b.Frame(diff.Frame{Function: "main.fill", File: "main.go", Line: 40})
		b.AddStack([]int32{alloc, handler, mainFn}, []int64{viaHandler})
		b.AddStack([]int32{alloc, mainFn}, []int64{viaMain})
		b.AddStack([]int32{cache, mainFn}, []int64{single})
		b.AddStack([]int32{alloc, handler, cache, mainFn}, []int64{viaFill})
		return b.Dump(name)
	}
	// Through main.leakyHandler called from main.fill, main.alloc shrank:
	// the growth through main.leakyHandler is net, +3MB less 1MB.
	c, err := diff.Compare(dump("base", 1<<20, 0, 0, 1<<20), dump("later", 4<<20, 2<<20, 2<<20, 0), "")
	if err != nil {
		t.Fatal(err)
	}
	fs := findings.Find(findings.Input{Profile: c, Outside: func(string) bool { return false }})
	got := map[string]string{}
	for _, f := range fs {
		got[f.Function] = f.Summary
	}
	if s := got["main.alloc"]; !strings.Contains(s, "called from main.leakyHandler (main.go:13; +2MB) and from main.main (+2MB).") {
		t.Errorf("main.alloc: %q", s)
	}
	if s := got["main.fill"]; !strings.Contains(s, "called from main.main (main.go:32).") {
		t.Errorf("main.fill: %q", s)
	}
}
