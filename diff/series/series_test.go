package series

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/reftest"
)

func TestMain(m *testing.M) { reftest.Main(m) }

func TestNewTrend(t *testing.T) {
	tests := []struct {
		name             string
		values           []int64
		grew             int
		rate, fit, slack float64
	}{
		{"steady", []int64{10, 20, 30, 40, 50}, 4, 10, 1, 0},
		{"flat", []int64{7, 7, 7, 7}, 0, 0, 0, 0},
		{"shrinks", []int64{40, 30, 20, 10}, 0, -10, 1, 0},
		{"plateau", []int64{0, 80, 100, 100, 100, 100}, 2, 0, 0, 1},
		{"one outlier", []int64{10, 20, 300, 40, 50, 60}, 4, 10, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTrend(tt.values, nil)
			if tr.Grew != tt.grew || tr.Intervals != len(tt.values)-1 {
				t.Errorf("grew %d/%d, want %d/%d", tr.Grew, tr.Intervals, tt.grew, len(tt.values)-1)
			}
			if tt.slack == 0 && (math.Abs(tr.Rate-tt.rate) > 1e-9 || math.Abs(tr.Fit-tt.fit) > 1e-9) {
				t.Errorf("rate %v fit %v, want %v and %v", tr.Rate, tr.Fit, tt.rate, tt.fit)
			}
			if tt.name == "one outlier" && tr.Rate != 10 {
				t.Errorf("Theil–Sen rate %v, want 10: one outlier must not move it", tr.Rate)
			}
		})
	}
	hours := []float64{0, 0.5, 1, 1.5}
	if tr := NewTrend([]int64{0, 100, 200, 300}, hours); !tr.PerHour || tr.Rate != 200 || tr.Growth != 300 {
		t.Errorf("per hour: rate %v growth %v per hour %v, want 200, 300, true", tr.Rate, tr.Growth, tr.PerHour)
	}
}

// TestScoreRanksLeakAboveDecoys is the point of a series: the leak grows
// less from first to last than each decoy, and still ranks first.
func TestScoreRanksLeakAboveDecoys(t *testing.T) {
	shapes := []struct {
		name   string
		values []int64
	}{
		{"leak", []int64{100, 120, 140, 160, 180, 200}},
		{"warm-up cache", []int64{0, 300, 390, 400, 400, 400}},
		{"breathing pool", []int64{0, 400, 10, 420, 5, 400}},
		{"burst", []int64{0, 0, 0, 0, 0, 500}},
		{"burst gone", []int64{0, 0, 600, 0, 0, 0}},
		{"tiny steady", []int64{1, 2, 3, 4, 5, 6}},
	}
	trends := make([]Trend, len(shapes))
	for i, s := range shapes {
		trends[i] = NewTrend(s.values, nil)
	}
	Score(trends, 10000)
	for i := 1; i < len(shapes); i++ {
		if trends[i].Score >= trends[0].Score {
			t.Errorf("%s scores %.3f, not below the leak's %.3f", shapes[i].name, trends[i].Score, trends[0].Score)
		}
		if shapes[i].name != "tiny steady" && shapes[i].name != "burst gone" && shapes[i].values[5]-shapes[i].values[0] <= 100 {
			t.Errorf("%s: the test wants a decoy whose endpoint delta beats the leak's", shapes[i].name)
		}
	}
	if trends[0].Score < 0.9 {
		t.Errorf("a steady leak scores %.3f, want at least 0.9", trends[0].Score)
	}
}

// dump builds a heap dump at time at with the given bytes per stack.
func dump(t *testing.T, path string, at time.Time, stacks map[string]int64) *diff.Dump {
	t.Helper()
	b := diff.NewBuilder([]diff.SampleType{{Type: "inuse_objects", Unit: "count"}, {Type: "inuse_space", Unit: "bytes"}})
	b.SetTime(at)
	b.SetDefaultSampleType("inuse_space")
	for stack, v := range stacks {
		var frames []int32
		for _, fn := range splitStack(stack) {
			frames = append(frames, b.Frame(diff.Frame{Function: fn, File: "main.go", Line: 1}))
		}
		b.AddStack(frames, []int64{1, v})
	}
	d := b.Dump(path)
	d.Kind = diff.KindHeap
	return d
}

func splitStack(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ';' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

func TestBuilderOrderAndFunctions(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	b := NewBuilder()
	// Added out of order: the series orders by recorded time.
	for _, k := range []int{2, 0, 3, 1} {
		d := dump(t, fmt.Sprintf("heap-%d.pb.gz", k), t0.Add(time.Duration(k)*30*time.Minute), map[string]int64{
			"main.leak;main.NewClient;main.main": int64(1000 * (k + 1)),
			"main.cache;main.main":               []int64{0, 5000, 5000, 5000}[k],
		})
		if err := b.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	s := b.Series()
	if s.OrderedBy != ByTime || s.Snapshots[0].Path != "heap-0.pb.gz" || s.Snapshots[3].Path != "heap-3.pb.gz" {
		t.Fatalf("order %q: %v", s.OrderedBy, s.Paths())
	}
	ti, err := s.SampleIndex("")
	if err != nil || s.SampleTypes[ti].Type != "inuse_space" {
		t.Fatalf("default sample %d %v", ti, err)
	}
	if got := s.Totals(ti); fmt.Sprint(got) != "[1000 7000 8000 9000]" {
		t.Errorf("totals %v", got)
	}
	for i := range s.NumStacks() {
		if st := s.Stack(i); st[0].Function == "main.cache" {
			if got := s.StackValues(i, ti); fmt.Sprint(got) != "[0 5000 5000 5000]" {
				t.Errorf("main.cache's stack: %v", got)
			}
		}
	}
	fns := s.Functions(ti)
	if fns[0].Name != "main.leak" || fmt.Sprint(fns[0].Flat.Values) != "[1000 2000 3000 4000]" {
		t.Fatalf("first function %s %v", fns[0].Name, fns[0].Flat.Values)
	}
	if !fns[0].Flat.PerHour || fns[0].Flat.Rate != 2000 {
		t.Errorf("rate %v per hour %v, want 2000 per hour", fns[0].Flat.Rate, fns[0].Flat.PerHour)
	}
	for _, f := range fns {
		if f.Name == "main.main" && fmt.Sprint(f.Cum.Values) != "[1000 7000 8000 9000]" {
			t.Errorf("main.main cum %v", f.Cum.Values)
		}
		if f.Name == "main.cache" && f.Flat.Score >= fns[0].Flat.Score {
			t.Errorf("the cache that warmed up once ranks with the leak")
		}
	}
	// More dumps keep the old view as it was.
	if err := b.Add(dump(t, "heap-4.pb.gz", t0.Add(2*time.Hour), nil)); err != nil {
		t.Fatal(err)
	}
	if s.Len() != 4 || b.Series().Len() != 5 {
		t.Errorf("views: %d and %d snapshots", s.Len(), b.Series().Len())
	}
	g := diff.NewBuilder([]diff.SampleType{{Type: "goroutine", Unit: "count"}}).Dump("g.txt")
	g.Kind = diff.KindGoroutine
	if err := b.Add(g); err == nil {
		t.Error("a goroutine dump was added to a heap series")
	}
}

func TestNames(t *testing.T) {
	at := time.Date(2026, 12, 1, 18, 45, 0, 123e6, time.UTC)
	name := Name("heap", 7, at, ".pb.gz")
	if name != "heap-0007-20261201T184500.123Z.pb.gz" {
		t.Errorf("name %s", name)
	}
	seq, got, ok := ParseName("/x/" + name)
	if !ok || seq != 7 || !got.Equal(at) {
		t.Errorf("ParseName: %d %v %v", seq, got, ok)
	}
	if _, _, ok := ParseName("heap-base.pb.gz"); ok {
		t.Error("a plain name parsed")
	}
}

// TestLoad reads the demo service's dumps, heap and goroutine mixed.
func TestLoad(t *testing.T) {
	dir := filepath.Join("..", "..", "assets", "demo", "dumps")
	var paths []string
	for _, n := range []string{"heap-base.pb.gz", "goroutines-base.txt", "heap-later.pb.gz", "goroutines-later.txt"} {
		paths = append(paths, filepath.Join(dir, n))
	}
	all, err := Load(context.Background(), paths, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Kind != diff.KindHeap || all[1].Kind != diff.KindGoroutine {
		t.Fatalf("series: %d", len(all))
	}
	sites := all[1].Sites()
	if len(sites) == 0 || sites[0].Delta() <= 0 {
		t.Fatalf("sites %v", sites)
	}
	bad := filepath.Join(t.TempDir(), "bad.pb.gz")
	if err := os.WriteFile(bad, []byte("not a dump"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(context.Background(), append(paths, bad), nil, false); err == nil || !contains(err.Error(), "bad.pb.gz") {
		t.Errorf("bad file: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Load(ctx, paths, nil, false); err == nil {
		t.Error("cancelled load succeeded")
	}
}

func contains(s, sub string) bool {
	return len(sub) <= len(s) && (s[:len(sub)] == sub || contains(s[1:], sub))
}
