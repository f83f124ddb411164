package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leakscope/leakscope/cli"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/reftest"
	"golang.org/x/sys/unix"
)

// leakyd builds the demo service once per test binary.
var leakyd struct {
	once sync.Once
	bin  string
	err  error
}

func startService(t *testing.T) *reftest.Service {
	t.Helper()
	leakyd.once.Do(func() {
		dir, err := reftest.TempDir("leakyd-serve")
		if err != nil {
			leakyd.err = err
			return
		}
		leakyd.bin, leakyd.err = reftest.BuildLeakyd(dir)
	})
	if leakyd.err != nil {
		t.Fatal(leakyd.err)
	}
	svc, err := reftest.StartService(leakyd.bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Kill)
	return svc
}

func snapshotFiles(t *testing.T, dir, prefix string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, prefix+"-*"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(m)
	return m
}

// rank returns the position of the first suspect that match reports, or
// len(s) when none does.
func rank(s []cli.SuspectReport, match func(cli.SuspectReport) bool) int {
	for i, x := range s {
		if match(x) {
			return i
		}
	}
	return len(s)
}

func function(name string) func(cli.SuspectReport) bool {
	return func(s cli.SuspectReport) bool { return s.Kind == "function" && s.Name == name }
}

func site(fn string) func(cli.SuspectReport) bool {
	return func(s cli.SuspectReport) bool { return s.Kind == "spawn_site" && s.Function == fn }
}

// TestWatchRanksLeaksAboveDecoys watches the demo service, whose three
// decoys each grow more from the first snapshot to the last than its leaks:
// the leaks must still rank first. The values at each snapshot must equal
// `go tool pprof -top` on each file.
func TestWatchRanksLeaksAboveDecoys(t *testing.T) {
	reftest.Reference(t)
	svc := startService(t)
	dir := filepath.Join(t.TempDir(), "snaps")
	code, out, errs := run("watch", "--count", "5", "--interval", "1s", "--out", dir, "--json", "--top", "50", svc.URL)
	if code != 0 {
		t.Fatalf("watch: exit %d: %s", code, errs)
	}
	// Its goroutines come and go (decoy bursts, handlers): no restart.
	if strings.Contains(errs, "restarted") {
		t.Errorf("a restart was reported of a service that ran on:\n%s", errs)
	}
	heaps, gs := snapshotFiles(t, dir, "heap"), snapshotFiles(t, dir, "goroutines")
	if len(heaps) != 5 || len(gs) != 5 {
		t.Fatalf("watch wrote %d heap and %d goroutine snapshots, want 5 each", len(heaps), len(gs))
	}
	if all, _ := os.ReadDir(dir); len(all) != 10 {
		t.Errorf("%d files in %s, want 10 (no temporary files left)", len(all), dir)
	}
	var r cli.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.Series == nil || len(r.Series.Files) != 5 || len(r.Series.Times) != 5 || r.Series.Times[0] == nil || r.Series.SampleType != "inuse_space" {
		t.Fatalf("series: %+v", r.Series)
	}
	checkRanking(t, &r)

	// The report on the files alone gives the same series, spawn sites
	// from the goroutine dumps captured beside them.
	code, out2, errs := run(append([]string{"report", "--json", "--top", "50"}, heaps...)...)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errs)
	}
	var r2 cli.Report
	if err := json.Unmarshal([]byte(out2), &r2); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r2.Series.Files, heaps) || len(r2.Series.Goroutines) != 5 {
		t.Errorf("report on the heap files: files %v, goroutines %v", r2.Series.Files, r2.Series.Goroutines)
	}
	checkRanking(t, &r2)

	// Its first-to-last members equal the report on the first and last files.
	code, out3, errs := run("report", "--json", "--top", "50", heaps[0], heaps[4])
	if code != 0 {
		t.Fatalf("report on the pair: exit %d: %s", code, errs)
	}
	var pair cli.Report
	if err := json.Unmarshal([]byte(out3), &pair); err != nil {
		t.Fatal(err)
	}
	if pair.Total != r.Total || fmt.Sprint(pair.Functions) != fmt.Sprint(r.Functions) || *pair.Base != *r.Base || pair.Later != r.Later {
		t.Errorf("the series' first-to-last report differs from the pair's:\n%+v\n%+v", r.Functions[:3], pair.Functions[:3])
	}

	// Each suspect's values equal pprof's flat value in each file.
	for i, h := range heaps {
		want, err := reftest.PprofTop("-symbolize=none", "-sample_index=inuse_space", h)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, w := range want {
			sum += w.Flat
		}
		if r.Series.Totals[i] != sum {
			t.Errorf("%s: total %d; pprof's flat column sums to %d", filepath.Base(h), r.Series.Totals[i], sum)
		}
		for _, s := range r.Series.Suspects {
			if s.Kind == "function" && s.Values[i] != want[s.Name].Flat {
				t.Errorf("%s: %s is %d at snapshot %d; pprof: %d", filepath.Base(h), s.Name, s.Values[i], i+1, want[s.Name].Flat)
			}
		}
	}

	// The gate fails on the leak, and passes a rate above it.
	code, _, errs = run(append([]string{"report", "--fail-if-growing", "--min-rate", "1MiB/h"}, heaps...)...)
	if code != cli.ExitGrowing || !strings.Contains(errs, "grew in 4 of 4 intervals") {
		t.Errorf("--fail-if-growing --min-rate 1MiB/h: exit %d, want %d: %s", code, cli.ExitGrowing, errs)
	}
	code, _, errs = run(append([]string{"report", "--fail-if-growing", "--min-rate", "1000TiB/h"}, heaps...)...)
	if code != 0 {
		t.Errorf("--min-rate 1000TiB/h: exit %d, want 0: %s", code, errs)
	}
	// A rate in bytes cannot gate goroutine counts: that is said, not passed.
	code, _, errs = run(append([]string{"report", "--fail-if-growing", "--min-rate", "1MiB/h"}, gs...)...)
	if code != cli.ExitUsage || !strings.Contains(errs, "no suspect of these goroutine dumps is measured in bytes") {
		t.Errorf("--min-rate 1MiB/h on goroutine dumps: exit %d, want %d: %s", code, cli.ExitUsage, errs)
	}
	code, _, errs = run(append([]string{"report", "--fail-if-growing", "--min-rate", "10/h"}, gs...)...)
	if code != cli.ExitGrowing {
		t.Errorf("--min-rate 10/h on goroutine dumps: exit %d, want %d: %s", code, cli.ExitGrowing, errs)
	}
}

func checkRanking(t *testing.T, r *cli.Report) {
	t.Helper()
	s := r.Series.Suspects
	if len(s) == 0 {
		t.Fatal("no suspects")
	}
	if top := s[0]; !(function("main.NewClient")(top) || site("main.NewClient")(top) || site("main.DefaultCache")(top)) {
		t.Errorf("top suspect %+v is not a leak", top)
	}
	leakFn := rank(s, function("main.NewClient"))
	leakSite := min(rank(s, site("main.NewClient")), rank(s, site("main.DefaultCache")))
	if leakFn == len(s) || leakSite == len(s) {
		t.Fatalf("the leaks are not suspects: %+v", s)
	}
	if f := s[leakFn]; f.Grew != f.Intervals || f.Intervals != 4 {
		t.Errorf("the leak grew in %d of %d intervals, want 4 of 4", f.Grew, f.Intervals)
	}
	// Every decoy ranks below the leaks, though it grew more first to last.
	leakDelta := int64(0)
	for _, f := range r.Functions {
		if f.Name == "main.NewClient" {
			leakDelta = f.Flat.Delta
		}
	}
	for _, decoy := range []string{"main.fillCache", "main.poolWorker", "main.burstWorker"} {
		if k := rank(s, function(decoy)); k < leakFn {
			t.Errorf("decoy %s ranks %d, above the leak (%d)", decoy, k, leakFn)
		}
		for _, f := range r.Functions {
			if f.Name == decoy && f.Flat.Delta <= leakDelta {
				t.Errorf("decoy %s grew %d first to last, not more than the leak's %d: the test proves nothing", decoy, f.Flat.Delta, leakDelta)
			}
		}
	}
	var leakSites int64
	for _, sr := range r.SpawnSites {
		if sr.Function == "main.NewClient" {
			leakSites = sr.Delta
		}
	}
	for _, decoy := range []string{"main.startPool", "main.startBurst"} {
		if k := rank(s, site(decoy)); k < leakSite {
			t.Errorf("decoy site %s ranks %d, above the leak's (%d)", decoy, k, leakSite)
		}
		for _, sr := range r.SpawnSites {
			if sr.Function == decoy && sr.Delta <= leakSites {
				t.Errorf("decoy site %s grew by %d, not more than the leak's %d", decoy, sr.Delta, leakSites)
			}
		}
	}
}

// TestWatchServiceKilled: a service killed mid-watch leaves every snapshot
// taken, and the watch ends non-zero, saying why.
func TestWatchServiceKilled(t *testing.T) {
	reftest.Reference(t)
	svc := startService(t)
	dir := filepath.Join(t.TempDir(), "snaps")
	r := startRun("3 snapshots", "watch", "--count", "20", "--interval", "300ms", "--retries", "2", "--out", dir, svc.URL)
	select {
	case <-r.hit:
	case <-time.After(60 * time.Second):
		t.Fatalf("no third snapshot within a minute:\n%s%s", r.stdout, r.stderr)
	}
	svc.Kill()
	select {
	case <-r.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the watch did not end after the service died")
	}
	code, errs := r.code, r.stderr.String()
	if code != cli.ExitDump || !strings.Contains(errs, "connection refused") || !strings.Contains(errs, "kept in "+dir) {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, cli.ExitDump, errs)
	}
	heaps := snapshotFiles(t, dir, "heap")
	if len(heaps) < 3 {
		t.Fatalf("%d heap snapshots kept", len(heaps))
	}
	for _, f := range append(heaps, snapshotFiles(t, dir, "goroutines")...) {
		if _, err := diff.Open(context.Background(), f, nil); err != nil {
			t.Errorf("a kept snapshot does not read: %v", err)
		}
	}
	// Re-running with the same folder continues the series.
	svc2 := startService(t)
	code, _, errs = run("watch", "--count", "1", "--interval", "100ms", "--out", dir, svc2.URL)
	if code != 0 || len(snapshotFiles(t, dir, "heap")) != len(heaps)+1 || !strings.Contains(errs, "continuing") || !strings.Contains(errs, "the service restarted") {
		t.Errorf("continued watch: exit %d, %d heap files (had %d): %s", code, len(snapshotFiles(t, dir, "heap")), len(heaps), errs)
	}
	if last := snapshotFiles(t, dir, "heap"); !strings.Contains(filepath.Base(last[len(last)-1]), fmt.Sprintf("-%04d-", len(heaps)+1)) {
		t.Errorf("the continued snapshot is %s, want sequence %d", last[len(last)-1], len(heaps)+1)
	}
}

// TestWatchFollowsJemallocFolder follows a folder where jemalloc dumps of a
// leaking C program appear, named as jemalloc names them, one written in
// two halves: the watch waits for each to be whole, orders them by
// sequence number and ranks the leaking constructor first.
func TestWatchFollowsJemallocFolder(t *testing.T) {
	reftest.Reference(t)
	reftest.NeedTools(t, "gcc")
	work := t.TempDir()
	bin, err := reftest.BuildLeakyC(work, "leaky")
	if err != nil {
		t.Fatal(err)
	}
	var dumps []string
	for i, workers := range [][2]string{{"40", "100"}, {"160", "220"}} {
		a, b := filepath.Join(work, fmt.Sprintf("%d-a.heap", i)), filepath.Join(work, fmt.Sprintf("%d-b.heap", i))
		run := exec.Command(bin, a, b, workers[0], workers[1])
		run.Env = append(os.Environ(), "MALLOC_CONF=prof:true,prof_accum:true,lg_prof_sample:0")
		if out, err := run.CombinedOutput(); err != nil {
			t.Fatalf("leaky: %v\n%s", err, out)
		}
		dumps = append(dumps, a, b)
	}
	dir := filepath.Join(work, "dumps")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	put := func(i int) string { return filepath.Join(dir, fmt.Sprintf("jeprof.4242.%d.m%d.heap", i, i)) }
	// The first dump is there before the watch starts: the series continues it.
	if data, err := os.ReadFile(dumps[0]); err != nil || os.WriteFile(put(0), data, 0o644) != nil {
		t.Fatal(err)
	}
	w := startRun("leakscope: watching", "watch", "--dir", dir, "--count", "3", "--interval", "200ms", "--json", "--binary", bin)
	<-w.hit
	for i, d := range dumps {
		if i == 0 {
			continue
		}
		data, err := os.ReadFile(d)
		if err != nil {
			t.Fatal(err)
		}
		name := put(i)
		if i == 2 { // written slowly: the watch must not take half a dump
			if err := os.WriteFile(name, data[:len(data)/2], 0o644); err != nil {
				t.Fatal(err)
			}
			// The watch reads a file only once its size held between two
			// looks: it has now seen the half and must have passed it by.
			waitRead(t, name)
			f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Write(data[len(data)/2:])
			f.Close()
		} else if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-w.done:
	case <-time.After(60 * time.Second):
		t.Fatal("the watch did not end")
	}
	code, out, errs := w.code, w.stdout.String(), w.stderr.String()
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r cli.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if r.Series == nil || len(r.Series.Files) != 4 || r.Series.OrderedBy != "jemalloc sequence numbers" {
		t.Fatalf("series %+v", r.Series)
	}
	for i, f := range r.Series.Files {
		if !strings.Contains(f, fmt.Sprintf(".%d.m%d.heap", i, i)) {
			t.Errorf("snapshot %d is %s", i, f)
		}
	}
	s := r.Series.Suspects
	if len(s) == 0 || s[0].Name != "worker_new" || s[0].Grew != 3 {
		t.Errorf("top suspect %+v, want worker_new grown in 3 of 3 intervals", s)
	}
	if fmt.Sprint(s[0].Values) != fmt.Sprint([]int64{40 * 16400, 100 * 16400, 160 * 16400, 220 * 16400}) {
		t.Errorf("worker_new: %v, want 16400 bytes (its 16-byte struct and 16 KiB buffer) per worker", s[0].Values)
	}
}

// notifyWriter keeps what is written and closes hit once it holds want.
type notifyWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	hit  chan struct{}
	once sync.Once
}

func (w *notifyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.hit) })
	}
	return len(p), nil
}

func (w *notifyWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// runUntil runs the command line args in the background; hit is closed
// once its standard output or error holds want, and done when it ends,
// after which code, stdout and stderr hold what it gave.
type runUntil struct {
	hit, done      chan struct{}
	code           int
	stdout, stderr *notifyWriter
}

func startRun(want string, args ...string) *runUntil {
	hit := make(chan struct{})
	r := &runUntil{hit: hit, done: make(chan struct{})}
	var once sync.Once
	shared := func() { close(hit) }
	r.stdout = &notifyWriter{want: want, hit: make(chan struct{})}
	r.stderr = &notifyWriter{want: want, hit: make(chan struct{})}
	go func() {
		select {
		case <-r.stdout.hit:
		case <-r.stderr.hit:
		case <-r.done:
		}
		once.Do(shared)
	}()
	go func() {
		defer close(r.done)
		r.code, _ = cli.Run(args, r.stdout, r.stderr)
	}()
	return r
}

// waitRead waits until another process or goroutine has opened path and
// closed it without writing, as a look at a file being written does, and
// fails t after a minute.
func waitRead(t *testing.T, path string) {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if _, err := unix.InotifyAddWatch(fd, path, unix.IN_CLOSE_NOWRITE); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	for {
		n, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, 60_000)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			t.Fatalf("no one read %s within a minute (%v)", path, err)
		}
		if n, _ := unix.Read(fd, buf); n > 0 {
			return
		}
	}
}
