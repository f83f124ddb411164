package goroutines_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/goroutines"
	_ "github.com/leakscope/leakscope/diff/pprof" // reads the goroutine profiles the dumps are checked against
	"github.com/leakscope/leakscope/diff/reftest"
)

// leaky runs the demo service once per test binary. It starts goroutines from
// four sites and counts them; three of the sites leak.
var leaky = sync.OnceValues(func() (string, error) {
	dir, err := reftest.TempDir("leakscope-goroutines-")
	if err != nil {
		return "", err
	}
	_, err = reftest.LeakyDumps(dir, "-base", "12", "-later", "31")
	return dir, err
})

type counts struct{ Client, Janitor, Ping, Worker int64 }

func readCounts(t *testing.T, dir, phase string) counts {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "counts-"+phase+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var c counts
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func compareFiles(t *testing.T, base, later string) *goroutines.Comparison {
	t.Helper()
	dumps, err := diff.OpenAll(context.Background(), nil, base, later)
	if err != nil {
		t.Fatal(err)
	}
	var snaps [2]*goroutines.Snapshot
	for i, d := range dumps {
		if snaps[i], err = goroutines.FromDump(d); err != nil {
			t.Fatal(err)
		}
		if len(d.Warnings) > 0 {
			t.Errorf("%s: warnings %v", d.Path, d.Warnings)
		}
	}
	return goroutines.Compare(snaps[0], snaps[1])
}

func TestSitesMatchTheServiceCounters(t *testing.T) {
	reftest.Reference(t)
	dir, err := leaky()
	if err != nil {
		t.Fatal(err)
	}
	base, later := readCounts(t, dir, "base"), readCounts(t, dir, "later")
	if later.Client <= base.Client || later.Ping <= base.Ping {
		t.Fatalf("the service did not leak: %+v -> %+v", base, later)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	type want struct {
		site        string // creating function (debug=2) or entry function
		base, later int64
		leaked      int64 // in the later dump
	}
	creators := []want{
		{"main.NewClient", base.Client, later.Client, 0},
		{"main.DefaultCache", base.Janitor, later.Janitor, 0},
		{"main.(*Client).Ping", base.Ping, later.Ping, -1},
		{"main.startWorkers", base.Worker, later.Worker, 0},
	}
	entries := []want{
		{"main.(*Client).watch", base.Client, later.Client, 0},
		{"main.(*Cache).janitor", base.Janitor, later.Janitor, 0},
		{"main.(*Client).Ping.func1", base.Ping, later.Ping, 0},
		{"main.startWorkers.func1", base.Worker, later.Worker, 0},
	}
	leakEntries := []want{{"main.(*Client).Ping.func1", base.Ping, later.Ping, later.Ping}}
	tests := []struct {
		desc, base, later string
		byEntry           bool
		sites             []want
		ids               bool
	}{
		{"debug=2", p("goroutines-base.txt"), p("goroutines-later.txt"), false, creators, true},
		{"debug=1", p("goroutine-base.txt"), p("goroutine-later.txt"), true, entries, false},
		{"debug=0", p("goroutine-base.pb.gz"), p("goroutine-later.pb.gz"), true, entries, false},
		{"goroutineleak debug=2", p("goroutinesleak-base.txt"), p("goroutinesleak-later.txt"), false,
			append([]want{{"main.(*Client).Ping", base.Ping, later.Ping, later.Ping}}, creators[:2]...), true},
		{"goroutineleak debug=1", p("goroutineleak-base.txt"), p("goroutineleak-later.txt"), true, leakEntries, false},
		{"goroutineleak debug=0", p("goroutineleak-base.pb.gz"), p("goroutineleak-later.pb.gz"), true, leakEntries, false},
		{"debug=2 against debug=0", p("goroutines-base.txt"), p("goroutine-later.pb.gz"), true, entries, false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			c := compareFiles(t, tt.base, tt.later)
			if c.ByEntry != tt.byEntry {
				t.Errorf("ByEntry = %v", c.ByEntry)
			}
			for _, w := range tt.sites {
				i := c.Find(w.site)
				if i < 0 {
					t.Errorf("no site %s among %v", w.site, c.Sites)
					continue
				}
				s := c.Sites[i]
				if s.Base != w.base || s.Later != w.later {
					t.Errorf("%s: %d -> %d goroutines, the service started %d -> %d", w.site, s.Base, s.Later, w.base, w.later)
				}
				if w.leaked >= 0 && s.Leaked != w.leaked {
					t.Errorf("%s: %d leaked, want %d", w.site, s.Leaked, w.leaked)
				}
				if tt.ids && s.Survivors != w.base {
					t.Errorf("%s: %d survivors, want all %d of the base", w.site, s.Survivors, w.base)
				}
				if !tt.byEntry {
					// The query side accepts the file name alone.
					if !strings.HasSuffix(s.File, "leakyd/main.go") || c.Find(fmt.Sprintf("main.go:%d", s.Line)) != i {
						t.Errorf("%s: site file %s:%d not found by main.go:%d", w.site, s.File, s.Line, s.Line)
					}
				}
			}
			// The sites that grew lead, and every other site is unchanged.
			for i, s := range c.Sites {
				grew := s.Delta() != 0
				if grew && i > 0 && c.Sites[i-1].Delta() < s.Delta() {
					t.Errorf("sites out of order at %d: %+v", i, s.Site)
				}
				if grew && !strings.HasPrefix(s.Function, "main.") {
					t.Errorf("%s changed by %d; only the service's own leaks should", s.Site, s.Delta())
				}
			}
		})
	}
}

// TestSiteProfile checks that a site's stack profile holds exactly its goroutines.
func TestSiteProfile(t *testing.T) {
	reftest.Reference(t)
	dir, err := leaky()
	if err != nil {
		t.Fatal(err)
	}
	c := compareFiles(t, filepath.Join(dir, "goroutines-base.txt"), filepath.Join(dir, "goroutines-later.txt"))
	for i, s := range c.Sites {
		p, err := c.Profile(i)
		if err != nil {
			t.Fatal(err)
		}
		if tot := p.Total(); tot.Base != s.Base || tot.Later != s.Later {
			t.Errorf("%s: profile totals %+v, site %d -> %d", s.Site, tot, s.Base, s.Later)
		}
	}
}
