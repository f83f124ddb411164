package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/cli"
	"github.com/leakscope/leakscope/diff/jemalloc"
	"github.com/leakscope/leakscope/diff/reftest"
)

// TestReportTokioTasks checks `report --json` on the tokio test service's
// dumps: spawn sites with the service's own counts, the Default impl's
// first, the program's code at the top of the flat table, and the total of
// jeprof --base; with --keep-alloc-frames, the allocator's frames again.
func TestReportTokioTasks(t *testing.T) {
	reftest.Reference(t)
	reftest.NeedRust(t)
	reftest.NeedTools(t, "jeprof")
	ts, err := reftest.TaskyDumps(0, 1000, 2000)
	if err != nil {
		t.Fatal(err)
	}
	report := func(extra ...string) cli.Report {
		t.Helper()
		args := append([]string{"report", "--json", "--binary", ts.Bin}, extra...)
		code, out, errs := run(append(args, ts.Base, ts.Later)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var r cli.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := report()
	if r.GroupedBy != "creator" || len(r.SpawnSites) < 5 {
		t.Fatalf("grouped by %q, %d sites", r.GroupedBy, len(r.SpawnSites))
	}
	want := map[int64]string{ts.Lines["cache"]: "cache", ts.Lines["pool"]: "pool", ts.Lines["part"]: "part", ts.Lines["blocking"]: "blocking", ts.Lines["local"]: "local"}
	seen := map[string]bool{}
	for i, s := range r.SpawnSites {
		if s.Runtime != "tokio" || s.Estimated == nil || *s.Estimated {
			t.Errorf("site %d: runtime %q, estimated %v; want tokio, false", i, s.Runtime, s.Estimated)
		}
		name, ok := want[s.Line]
		if !ok || s.File != ts.Source {
			continue
		}
		seen[name] = true
		c0, c1 := ts.Counts[0][name], ts.Counts[1][name]
		if s.Base != c0.Live || s.Later != c1.Live || s.Delta != c1.Live-c0.Live {
			t.Errorf("%s: live %d → %d (%+d); the service counted %d → %d", name, s.Base, s.Later, s.Delta, c0.Live, c1.Live)
		}
		if s.Spawned == nil || s.Spawned.Base != c0.Spawned || s.Spawned.Later != c1.Spawned {
			t.Errorf("%s: spawned %+v; the service counted %d → %d", name, s.Spawned, c0.Spawned, c1.Spawned)
		}
		if name == "cache" && (i != 0 || s.ShortName != "RegionCache::default" || s.Function != "<tasky::RegionCache as core::default::Default>::default") {
			t.Errorf("the Default impl's site is at %d, named %q (%q)", i, s.ShortName, s.Function)
		}
	}
	if len(seen) != 5 {
		t.Errorf("found the sites %v, want cache, pool, part, blocking and local (%s, lines %v), among %+v", seen, ts.Source, ts.Lines, r.SpawnSites)
	}
	if top := r.Functions[0].Name; top != "tasky::load_table" {
		t.Errorf("top flat row %s, want tasky::load_table", top)
	}
	// Names are c++filt's: a legacy Rust name that begins with __ keeps
	// both underscores.
	rustBegin := false
	for _, f := range r.Functions {
		rustBegin = rustBegin || f.Name == "std::sys::backtrace::__rust_begin_short_backtrace" && f.Short == "__rust_begin_short_backtrace"
	}
	if !rustBegin {
		t.Error("no function is named std::sys::backtrace::__rust_begin_short_backtrace")
	}
	for _, f := range r.Functions {
		if jemalloc.IsAllocFrame(f.Name) && f.Flat.Delta != 0 {
			t.Errorf("%s keeps flat %+d with the plumbing folded", f.Name, f.Flat.Delta)
		}
	}
	if total := ts.JeprofTotal(t, "inuse_space"); r.Total.Delta != total {
		t.Errorf("total %+d, jeprof --base %+d", r.Total.Delta, total)
	}
	kept := report("--keep-alloc-frames")
	if top := kept.Functions[0].Name; !strings.Contains(top, "GlobalAlloc") || kept.Total != r.Total {
		t.Errorf("with --keep-alloc-frames: top flat row %s (want the GlobalAlloc impl), total %+v (want %+v)", top, kept.Total, r.Total)
	}
}

// TestSeriesOfTokioDumps ranks the tokio test service's tasks over four
// jemalloc dumps (two runs, named as jemalloc names a series): the Default
// impl's spawn site, whose live tasks grow in every interval, is a suspect
// with the service's own counts at each snapshot; the fixed pool is not.
func TestSeriesOfTokioDumps(t *testing.T) {
	reftest.Reference(t)
	reftest.NeedRust(t)
	first, err := reftest.TaskyDumps(0, 500, 500)
	if err != nil {
		t.Fatal(err)
	}
	second, err := reftest.TaskyDumps(0, 1500, 500)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var want []int64
	for i, src := range []struct {
		path string
		live int64
	}{{first.Base, first.Counts[0]["cache"].Live}, {first.Later, first.Counts[1]["cache"].Live},
		{second.Base, second.Counts[0]["cache"].Live}, {second.Later, second.Counts[1]["cache"].Live}} {
		data, err := os.ReadFile(src.path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("tasky.77.%d.m%d.heap", i, i)), data, 0o644); err != nil {
			t.Fatal(err)
		}
		want = append(want, src.live)
	}
	code, out, errs := run("report", "--json", "--top", "50", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r cli.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	var cache, pool *cli.SuspectReport
	for i, s := range r.Series.Suspects {
		if s.Kind != "spawn_site" {
			continue
		}
		if s.Runtime != "tokio" || s.Estimated {
			t.Errorf("suspect %d: runtime %q, estimated %v", i, s.Runtime, s.Estimated)
		}
		switch {
		case s.Line == first.Lines["cache"]:
			cache = &r.Series.Suspects[i]
		case s.Line == first.Lines["pool"]:
			pool = &r.Series.Suspects[i]
		}
	}
	if cache == nil {
		t.Fatalf("the Default impl's spawn site is no suspect: %+v", r.Series.Suspects)
	}
	if fmt.Sprint(cache.Values) != fmt.Sprint(want) || cache.Grew != 3 || !strings.Contains(cache.Function, "RegionCache") {
		t.Errorf("the Default impl's site: %s %v grew %d; the service counted %v", cache.Function, cache.Values, cache.Grew, want)
	}
	if pool != nil {
		t.Errorf("the fixed pool is a suspect: %+v", pool)
	}
}

// TestReportTokioFindings: the first finding of the tokio test service's
// dumps is its leaking Default impl's spawn site, +2000 live tasks,
// reached from the request handler through the constructor whose struct
// literal has ..Default::default() (at that line), with no frame of tokio,
// std, core or alloc on its path; the fixed worker pool is no finding.
func TestReportTokioFindings(t *testing.T) {
	reftest.Reference(t)
	reftest.NeedRust(t)
	ts, err := reftest.TaskyDumps(0, 1000, 2000)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := run("report", "--json", "--binary", ts.Bin, ts.Base, ts.Later)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r cli.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) == 0 {
		t.Fatal("no findings")
	}
	f := r.Findings[0]
	c0, c1 := ts.Counts[0]["cache"].Live, ts.Counts[1]["cache"].Live
	if f.Kind != "spawn_site" || f.Runtime != "tokio" || f.Line != ts.Lines["cache"] || f.File != ts.Source ||
		f.Base != c0 || f.Later != c1 || f.Delta != c1-c0 || f.Delta != 2000 || f.Unit != "count" {
		t.Errorf("first finding %+v, want the cache site %d, %d → %d", f, ts.Lines["cache"], c0, c1)
	}
	if !strings.Contains(f.Function, "RegionCache as core::default::Default>::default") {
		t.Errorf("first finding at %s", f.Function)
	}
	if f.Pattern == nil || *f.Pattern != "default-impl" {
		t.Errorf("pattern %v", f.Pattern)
	}
	src, err := os.ReadFile(ts.Source)
	if err != nil {
		t.Fatal(err)
	}
	defaultLine := int64(0)
	for i, l := range strings.Split(string(src), "\n") {
		if strings.Contains(l, "..Default::default()") && !strings.HasPrefix(strings.TrimSpace(l), "//") {
			defaultLine = int64(i + 1)
		}
	}
	var literal, handler bool
	for _, s := range f.Path {
		for _, c := range []string{"tokio::", "std::", "core::", "alloc::"} {
			if strings.HasPrefix(s.Function, c) || strings.HasPrefix(s.Function, "<"+c) {
				t.Errorf("runtime frame %s on the path", s.Function)
			}
		}
		if s.File == ts.Source && s.Line == defaultLine && strings.Contains(s.Source, "..Default::default()") {
			literal = true
		}
		handler = handler || strings.Contains(s.Function, "handle_request")
	}
	if !literal || !handler {
		t.Errorf("path (..Default::default() at line %d: %v; handler: %v): %+v", defaultLine, literal, handler, f.Path)
	}
	if last := f.Path[len(f.Path)-1]; last.Function != f.Function || last.Line != f.Line {
		t.Errorf("the path ends at %s:%d, not at the site", last.Function, last.Line)
	}
	for _, g := range r.Findings {
		if g.Line == ts.Lines["pool"] && g.File == ts.Source {
			t.Errorf("the fixed worker pool is a finding: %+v", g)
		}
	}
	if !strings.Contains(f.Summary, "..Default::default()") || !strings.Contains(f.Summary, "handle_request") {
		t.Errorf("summary %q", f.Summary)
	}
	// The text report says the same first.
	code, text, _ := run("report", "--binary", ts.Bin, ts.Base, ts.Later)
	if i, j := strings.Index(text, "Findings:"), strings.Index(text, "Tokio tasks by spawn site"); code != 0 || i < 0 || j < i {
		t.Errorf("the text report does not start with its findings:\n%s", text)
	}
	// --keep-runtime-frames keeps tokio's frames on the path.
	code, out, _ = run("report", "--json", "--keep-runtime-frames", "--binary", ts.Bin, ts.Base, ts.Later)
	var k cli.Report
	if err := json.Unmarshal([]byte(out), &k); code != 0 || err != nil || len(k.Findings[0].Path) <= len(f.Path) {
		t.Errorf("--keep-runtime-frames: exit %d, %v, %d steps (without: %d)", code, err, len(k.Findings[0].Path), len(f.Path))
	}
	// --runtime-crate makes a crate's frames the runtime's: with the
	// service's own crate named, none of its frames but the site is left
	// on the path.
	code, out, _ = run("report", "--json", "--runtime-crate", "tasky", "--binary", ts.Bin, ts.Base, ts.Later)
	var rc cli.Report
	if err := json.Unmarshal([]byte(out), &rc); code != 0 || err != nil || len(rc.Findings) == 0 {
		t.Fatalf("--runtime-crate tasky: exit %d, %v", code, err)
	}
	rf := rc.Findings[0]
	for _, s := range rf.Path[:len(rf.Path)-1] {
		if strings.Contains(s.Function, "tasky::") {
			t.Errorf("--runtime-crate tasky: %s on the path", s.Function)
		}
	}
}
