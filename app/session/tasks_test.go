package session_test

import (
	"context"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/findings"
	"github.com/leakscope/leakscope/diff/reftest"
	"github.com/leakscope/leakscope/flame"
)

// TestComputeTokioTasks checks what the window computes for the tokio test
// service's heap pair: the task sites, a selected site's memory, and the
// allocation plumbing folded unless KeepAllocFrames.
func TestComputeTokioTasks(t *testing.T) {
	reftest.Reference(t)
	reftest.NeedRust(t)
	ts, err := reftest.TaskyDumps(0, 1000, 2000)
	if err != nil {
		t.Fatal(err)
	}
	dumps, err := diff.OpenAll(context.Background(), &diff.Options{Binaries: []string{ts.Bin}}, ts.Base, ts.Later)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		desc  string
		keep  bool
		site  int
		top   string // the top row of the function table
		title string
	}{
		{"folded", false, -1, "tasky::load_table", ""},
		{"allocator frames kept", true, -1, "<tasky::Jemalloc as core::alloc::global::GlobalAlloc>::alloc", ""},
		{"the leaking site selected", false, 0, "tasky::load_table", "tokio tasks spawned at RegionCache::default main.rs:"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			snap := session.Snapshot{Profile: session.Pair{Base: dumps[0], Later: dumps[1]}, KeepAllocFrames: tt.keep, Site: tt.site}
			r, err := session.Compute(context.Background(), snap, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.Tasks == nil || len(r.Tasks.Sites) == 0 {
				t.Fatal("no tokio task sites")
			}
			first := r.Tasks.Sites[0]
			if c := ts.Counts; first.Live.Base != c[0]["cache"].Live || first.Live.Later != c[1]["cache"].Live {
				t.Errorf("first site %s: live %d → %d, the service counted %d → %d", first.Site, first.Live.Base, first.Live.Later, c[0]["cache"].Live, c[1]["cache"].Live)
			}
			if len(r.Functions) == 0 || r.Functions[0].Name != tt.top {
				t.Errorf("top function %v, want %s", r.Functions[:min(1, len(r.Functions))], tt.top)
			}
			if !strings.HasPrefix(r.Title, tt.title) || (tt.title == "") != (r.Title == "") {
				t.Errorf("title %q, want %q…", r.Title, tt.title)
			}
			if tt.site >= 0 {
				if want := first.CellBytes.Diff() + first.Inside.Diff(); r.Shown.Total().Diff() != want {
					t.Errorf("the site's graph grows by %d, want its cells and inside: %d", r.Shown.Total().Diff(), want)
				}
			} else if r.Shown.Total() != r.Profile.Total() {
				t.Errorf("shown total %+v, profile %+v", r.Shown.Total(), r.Profile.Total())
			}
		})
	}
}

// TestFoldedTokioGraph: with runs of runtime frames folded, the tokio
// pair's graph holds the program's path to the leak in its first rows
// (handle_request, Client::new, RegionCache::default), the values do not
// change, and expanding every folded run gives back every box of the
// unfolded graph.
func TestFoldedTokioGraph(t *testing.T) {
	reftest.Reference(t)
	reftest.NeedRust(t)
	ts, err := reftest.TaskyDumps(0, 1000, 2000)
	if err != nil {
		t.Fatal(err)
	}
	dumps, err := diff.OpenAll(context.Background(), &diff.Options{Binaries: []string{ts.Bin}}, ts.Base, ts.Later)
	if err != nil {
		t.Fatal(err)
	}
	r, err := session.Compute(context.Background(), session.Snapshot{Profile: session.Pair{Base: dumps[0], Later: dumps[1]}, Site: -1}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	const width = 1 << 20 // every frame of this small graph is laid out
	plain := (&flame.View{Tree: r.Tree}).Layout(width, 0)
	folded := &flame.View{Tree: r.Tree, Runtime: findings.Outside}
	l := folded.Layout(width, 0)
	if len(l.Rows) >= len(plain.Rows) {
		t.Errorf("folded: %d rows, unfolded: %d", len(l.Rows), len(plain.Rows))
	}
	row := func(l *flame.Layout, name string) int {
		for d, boxes := range l.Rows {
			for _, b := range boxes {
				if b.Plain() && strings.Contains(r.Tree.Nodes[b.Node].Name, name) {
					return d
				}
			}
		}
		return -1
	}
	for _, name := range []string{"handle_request", "tasky::Client::new", "RegionCache as core::default::Default>::default"} {
		if d := row(l, name); d < 0 || d > 12 {
			t.Errorf("%s on row %d of the folded graph (unfolded: %d)", name, d, row(plain, name))
		}
	}
	// The folded boxes keep the values: each row's boxes hold the total of
	// the frames below the root that reach it.
	sum := func(l *flame.Layout) float64 {
		s := 0.0
		for _, b := range l.Rows[1] {
			s += b.W
		}
		return s
	}
	if a, b := sum(l), sum(plain); a != b {
		t.Errorf("row 1 holds %v of the width folded, %v unfolded", a, b)
	}
	if root := r.Tree.Nodes[flame.Root].Total; root != r.Profile.Total() {
		t.Errorf("root %+v, the comparison's total %+v", root, r.Profile.Total())
	}
	// The folded graph's total is jeprof's.
	reftest.NeedTools(t, "jeprof")
	top := r.Tree.Nodes[l.Rows[0][0].Node].Total
	if total := ts.JeprofTotal(t, "inuse_space"); top.Diff() != total {
		t.Errorf("the folded graph's total grows %+d, jeprof --base %+d", top.Diff(), total)
	}
	// Expanding every folded run, until none is left, lays out every box
	// of the unfolded graph.
	for range 1000 {
		runs := 0
		for _, boxes := range l.Rows {
			for _, b := range boxes {
				if b.Run != 0 {
					folded.ExpandRun(b)
					runs++
				}
			}
		}
		if runs == 0 {
			break
		}
		l = folded.Layout(width, 0)
	}
	seen := map[int32]bool{}
	for _, boxes := range l.Rows {
		for _, b := range boxes {
			seen[b.Node] = true
		}
	}
	for _, boxes := range plain.Rows {
		for _, b := range boxes {
			if !seen[b.Node] {
				t.Fatalf("%s is not reachable by expanding the folded runs", r.Tree.Nodes[b.Node].Name)
			}
		}
	}
}
