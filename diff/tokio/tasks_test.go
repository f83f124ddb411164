package tokio_test

import (
	"context"
	"math"
	"testing"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/jemalloc"
	"github.com/leakscope/leakscope/diff/reftest"
	"github.com/leakscope/leakscope/diff/tokio"
)

func TestMain(m *testing.M) { reftest.Main(m) }

// The functions that call the spawn APIs in testdata/tasky/src/main.rs.
var siteFuncs = map[string]string{
	"cache":    "<tasky::RegionCache as core::default::Default>::default",
	"pool":     "tasky::Pool::start",
	"part":     "tasky::handle_request::{{closure}}",
	"blocking": "tasky::handle_request::{{closure}}",
	"local":    "tasky::park_local",
}

func tasky(t *testing.T, lg, n1, n2 int) (*reftest.Tasky, [2]*diff.Dump) {
	t.Helper()
	reftest.NeedRust(t)
	reftest.NeedTools(t, "jeprof")
	r, err := reftest.TaskyDumps(lg, n1, n2)
	if err != nil {
		t.Fatal(err)
	}
	dumps, err := diff.OpenAll(context.Background(), &diff.Options{Binaries: []string{r.Bin}}, r.Base, r.Later)
	if err != nil {
		t.Fatal(err)
	}
	return r, [2]*diff.Dump{dumps[0], dumps[1]}
}

// sites returns the comparison's sites by the names of the service's counters.
func sites(t *testing.T, r *reftest.Tasky, c *tokio.Comparison) map[string]tokio.SiteDelta {
	t.Helper()
	out := map[string]tokio.SiteDelta{}
	for _, s := range c.Sites {
		for name, fn := range siteFuncs {
			if s.Function == fn && s.Line == r.Lines[name] && s.File == r.Source {
				out[name] = s
			}
		}
	}
	for name := range siteFuncs {
		if _, ok := out[name]; !ok {
			t.Errorf("no site %s (%s %s:%d) among %v", name, siteFuncs[name], r.Source, r.Lines[name], c.Sites)
		}
	}
	return out
}

// TestTaskyExact checks the sites against the service's own counters, on
// dumps that record every allocation.
func TestTaskyExact(t *testing.T) {
	r, d := tasky(t, 0, 1000, 2000)
	c := tokio.Compare(d[0], d[1])
	if c == nil {
		t.Fatal("no tokio tasks found")
	}
	if c.Estimated || !c.HasSpawned {
		t.Errorf("Estimated %v, HasSpawned %v; want false, true", c.Estimated, c.HasSpawned)
	}
	got := sites(t, r, c)
	for name, s := range got {
		want0, want1 := r.Counts[0][name], r.Counts[1][name]
		if s.Live.Base != want0.Live || s.Live.Later != want1.Live {
			t.Errorf("%s: live %d → %d, the service counted %d → %d", name, s.Live.Base, s.Live.Later, want0.Live, want1.Live)
		}
		if s.Spawned.Base != want0.Spawned || s.Spawned.Later != want1.Spawned {
			t.Errorf("%s: spawned %d → %d, the service counted %d → %d", name, s.Spawned.Base, s.Spawned.Later, want0.Spawned, want1.Spawned)
		}
		if s.Live.Later > 0 && s.CellBytes.Later < 64*s.Live.Later {
			t.Errorf("%s: %d live cells hold %d bytes", name, s.Live.Later, s.CellBytes.Later)
		}
	}
	if first := c.Sites[0]; first.Function != siteFuncs["cache"] {
		t.Errorf("first site is %s, want the Default impl's", first.Site)
	}
	// Each cache task holds the 4 KiB table it loaded.
	cache := got["cache"]
	if cache.Inside.Base < 4096*cache.Live.Base || cache.Inside.Later < 4096*cache.Live.Later {
		t.Errorf("cache tasks hold %d → %d bytes inside, want at least 4096 per task", cache.Inside.Base, cache.Inside.Later)
	}
	if got["part"].Inside.Later != 0 {
		t.Errorf("ended tasks hold %d bytes", got["part"].Inside.Later)
	}
	p, err := c.Profile(0, "inuse_space")
	if err != nil {
		t.Fatal(err)
	}
	if want := cache.CellBytes.Diff() + cache.Inside.Diff(); p.Total().Diff() != want {
		t.Errorf("the site's profile grows by %d bytes, want cells + inside = %d", p.Total().Diff(), want)
	}
}

// TestTaskyFolded checks that with the allocation plumbing folded the flat
// values land in the program's code, and that totals stay jeprof's.
func TestTaskyFolded(t *testing.T) {
	r, d := tasky(t, 0, 1000, 2000)
	base, later := jemalloc.FoldAllocFrames(d[0]), jemalloc.FoldAllocFrames(d[1])
	for _, sample := range []string{"inuse_space", "inuse_objects", "alloc_space", "alloc_objects"} {
		c, err := diff.Compare(base, later, sample)
		if err != nil {
			t.Fatal(err)
		}
		if want := r.JeprofTotal(t, sample); c.Total().Diff() != want {
			t.Errorf("%s: total %+d, jeprof --base %+d", sample, c.Total().Diff(), want)
		}
		fns := c.Functions()
		for _, f := range fns[:3] {
			if jemalloc.IsAllocFrame(f.Name) {
				t.Errorf("%s: %s is among the top flat rows", sample, f.Name)
			}
		}
		if sample == "inuse_space" && fns[0].Name != "tasky::load_table" {
			t.Errorf("inuse_space: top flat row %s, want tasky::load_table", fns[0].Name)
		}
	}
	if tokio.Compare(base, later) == nil {
		t.Error("no tokio tasks in the folded dumps")
	}
}

// TestTaskySampled checks the estimates of dumps that sample one
// allocation in 4 KiB: each within four standard deviations of the
// service's count.
func TestTaskySampled(t *testing.T) {
	r, d := tasky(t, 12, 1000, 2000)
	c := tokio.Compare(d[0], d[1])
	if c == nil {
		t.Fatal("no tokio tasks found")
	}
	if !c.Estimated {
		t.Error("sampled dumps not marked as estimates")
	}
	got := map[string]tokio.SiteDelta{}
	for _, s := range c.Sites {
		if s.Function == siteFuncs["cache"] {
			got["cache"] = s
		}
	}
	s, ok := got["cache"]
	if !ok {
		t.Fatalf("no cache site among %v", c.Sites)
	}
	size := float64(s.CellBytes.Later) / math.Max(float64(s.Live.Later), 1)
	p := 1 - math.Exp(-size/4096)
	for side, est := range []int64{s.Live.Base, s.Live.Later} {
		n := float64(r.Counts[side]["cache"].Live)
		sigma := math.Sqrt(n * (1 - p) / p)
		if math.Abs(float64(est)-n) > 4*sigma+1 {
			t.Errorf("dump %d: %d live cache tasks estimated, the service counted %.0f (σ %.0f)", side, est, n, sigma)
		}
	}
	if c.Sites[0].Function != siteFuncs["cache"] {
		t.Errorf("first site is %s, want the Default impl's", c.Sites[0].Site)
	}
}
