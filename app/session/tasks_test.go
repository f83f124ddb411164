package session_test

import (
	"context"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/reftest"
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
