package cli_test

import (
	"encoding/json"

	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/leakscope/leakscope/cli"
	"github.com/leakscope/leakscope/diff/reftest"
)

var churn struct {
	once sync.Once
	s    *reftest.ChurnSeries
	err  error
}

// churnSeries writes, once per test binary, seven heap profiles and seven
// debug=2 goroutine dumps of this process while it leaks steadily and
// bursts of goroutines come and go under GOMAXPROCS=8, so that the highest
// goroutine ID falls between some of them.
func churnSeries(t *testing.T) *reftest.ChurnSeries {
	t.Helper()
	churn.once.Do(func() {
		dir, err := reftest.TempDir("leakscope-churn-")
		if err != nil {
			churn.err = err
			return
		}
		l := reftest.NewLeaker()
		defer l.Close()
		churn.s, churn.err = reftest.WriteChurningSeries(dir, 7, l)
	})
	if churn.err != nil {
		t.Fatal(churn.err)
	}
	return churn.s
}

// TestSeriesOrderWithChurningGoroutines: seven goroutine dumps whose highest
// IDs fall and rise come out in their true order, given in order or
// shuffled, each beside the heap profile of its own moment, and the gate
// sees the steady leak.
func TestSeriesOrderWithChurningGoroutines(t *testing.T) {
	s := churnSeries(t)
	t.Logf("highest goroutine IDs: %v", s.MaxIDs)
	rng := rand.New(rand.NewPCG(1, 2))
	shuffled := func(files ...[]string) []string {
		all := slices.Concat(files...)
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		return all
	}
	tests := []struct {
		desc      string
		files     []string
		main      []string // the series' files, in order
		goroutine []string // goroutine_files, beside main's
		by        string
	}{
		{"goroutine dumps in order", s.Goroutines, s.Goroutines, s.Goroutines, "numbers in the names"},
		{"goroutine dumps shuffled", shuffled(s.Goroutines), s.Goroutines, s.Goroutines, "numbers in the names"},
		{"heap and goroutine dumps in order", slices.Concat(s.Heaps, s.Goroutines), s.Heaps, s.Goroutines, "times"},
		{"heap and goroutine dumps shuffled", shuffled(s.Heaps, s.Goroutines), s.Heaps, s.Goroutines, "times"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			code, out, errs := run(append([]string{"report", "--json"}, tt.files...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var r cli.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Series.Files, tt.main) {
				t.Errorf("files %v, want %v", base(r.Series.Files), base(tt.main))
			}
			var gor []string
			for _, g := range r.Series.GoroutineFiles {
				gor = append(gor, *g)
			}
			if !slices.Equal(gor, tt.goroutine) {
				t.Errorf("goroutine_files %v, want %v", base(gor), base(tt.goroutine))
			}
			if r.Series.OrderedBy != tt.by {
				t.Errorf("ordered by %q, want %q", r.Series.OrderedBy, tt.by)
			}
			// The leak's site grows by three in each of the six intervals.
			top := r.Series.Suspects[0]
			if top.Kind == "spawn_site" && (top.Grew != 6 || top.Intervals != 6) {
				t.Errorf("top suspect %s grew %d/%d, want 6/6", top.Function, top.Grew, top.Intervals)
			}
			code, _, errs = run(append([]string{"report", "--fail-if-growing", "--min-rate", "1/interval"}, tt.files...)...)
			if code != cli.ExitGrowing {
				t.Errorf("--fail-if-growing exit %d, want %d: %s", code, cli.ExitGrowing, errs)
			}
			if strings.Contains(errs, "restart") {
				t.Errorf("a restart was reported: %s", errs)
			}
		})
	}
}

func base(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

// TestWatchOfChurningServiceReportsNoRestart watches a server on 127.0.0.1
// that serves the recorded moments of one process in turn, while its
// goroutines come and go: no restart is reported, and the series comes out
// in the order served.
func TestWatchOfChurningServiceReportsNoRestart(t *testing.T) {
	s := churnSeries(t)
	var mu sync.Mutex
	served := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		files := s.Heaps
		if strings.HasPrefix(r.URL.Path, "/debug/pprof/goroutine") {
			files = s.Goroutines
		}
		mu.Lock()
		i := served[r.URL.Path]
		served[r.URL.Path]++
		mu.Unlock()
		b, err := os.ReadFile(files[min(i, len(files)-1)])
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Write(b)
	}))
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "snaps")
	// A temporary file that a watch killed mid-write left: removed at start.
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, ".goroutines-0009-20260101T000000Z.txt.tmp")
	if err := os.WriteFile(stale, []byte("goroutine 1 [running]:\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run("watch", "--count", "7", "--interval", "1ms", "--json", "--out", dir, srv.URL)
	if _, err := os.Stat(stale); err == nil {
		t.Errorf("the stale temporary file %s is still there", stale)
	}
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(errs, "restart") {
		t.Errorf("a restart was reported of a service whose goroutines come and go:\n%s", errs)
	}
	var r cli.Report
	if err := lastJSON(out, &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if r.Series == nil || len(r.Series.Files) != 7 || len(r.Series.Goroutines) != 7 {
		t.Fatalf("series %+v", r.Series)
	}
	for i, g := range r.Series.Goroutines {
		// Each moment's goroutine count is the one of the dump served then.
		want := countGoroutines(t, s.Goroutines[i])
		if g == nil || *g != want {
			t.Errorf("snapshot %d: %v goroutines, want %d", i+1, g, want)
		}
	}
}

func countGoroutines(t *testing.T, path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return int64(strings.Count("\n"+string(b), "\ngoroutine "))
}

// lastJSON decodes the last of the JSON values in s into v.
func lastJSON(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	var last json.RawMessage
	for dec.More() {
		if err := dec.Decode(&last); err != nil {
			return err
		}
	}
	return json.Unmarshal(last, v)
}
