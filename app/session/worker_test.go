package session_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"go.uber.org/goleak"

	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/reftest"
	"github.com/leakscope/leakscope/flame"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { reftest.RemoveTempDirs() }))
}

// uiQueue plays the UI goroutine: delivered functions wait until run.
type uiQueue struct {
	mu    sync.Mutex
	funcs []func()
	once  sync.Once
	ready chan struct{} // has a value while funcs are waiting
}

func (q *uiQueue) readyChan() chan struct{} {
	q.once.Do(func() { q.ready = make(chan struct{}, 1) })
	return q.ready
}

func (q *uiQueue) do(f func()) {
	q.mu.Lock()
	q.funcs = append(q.funcs, f)
	q.mu.Unlock()
	select {
	case q.readyChan() <- struct{}{}:
	default:
	}
}

// next waits until a function is delivered, then runs what waits.
func (q *uiQueue) next() {
	<-q.readyChan()
	q.run()
}

func (q *uiQueue) run() int {
	q.mu.Lock()
	fs := q.funcs
	q.funcs = nil
	q.mu.Unlock()
	for _, f := range fs {
		f()
	}
	return len(fs)
}

func fifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "heap.pb.gz")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	return p
}

// loadJob is the window's load job: it reads srcs and hands back the result.
func loadJob(srcs []session.Source, got chan<- error) session.Job {
	return startedLoadJob(srcs, got, nil)
}

// startedLoadJob is loadJob, closing started (when not nil) as the load
// begins.
func startedLoadJob(srcs []session.Source, got chan<- error, started chan<- struct{}) session.Job {
	return session.Job{Lane: session.LaneLoad, Run: func(ctx context.Context) func() {
		if started != nil {
			close(started)
		}
		_, err := session.Load(ctx, srcs, nil, nil)
		got <- err
		return func() {}
	}}
}

// TestCloseDuringFIFOLoad: a FIFO without a writer blocks open(2); Close
// must still return at once, leaving no goroutine behind (goleak checks).
func TestCloseDuringFIFOLoad(t *testing.T) {
	for _, stop := range []string{"close", "cancel", "supersede"} {
		t.Run(stop, func(t *testing.T) {
			q := &uiQueue{}
			w := session.NewWorker(q.do)
			got := make(chan error, 2)
			started := make(chan struct{})
			w.Submit(startedLoadJob([]session.Source{{Path: fifo(t)}}, got, started))
			<-started // the load is now on its way into open, where it blocks
			// No writer ever comes: were the stop to wait for the load,
			// the test would never end.
			switch stop {
			case "close":
				w.Close()
			case "cancel":
				w.Cancel(session.LaneLoad)
				w.Wait()
			case "supersede":
				w.Submit(session.Job{Lane: session.LaneLoad, Run: func(context.Context) func() { return nil }})
				w.Wait()
			}
			if err := <-got; !session.IsCanceled(err) {
				t.Errorf("the load ended with %v, want a cancellation", err)
			}
			if n := q.run(); n != 0 {
				t.Errorf("a cancelled load applied %d results", n)
			}
			w.Close()
		})
	}
}

// TestFIFOWithAWriterLoads: a FIFO is read once a writer comes; one that
// writes nothing then keeps the load waiting, and Close still ends it.
func TestFIFOWithAWriterLoads(t *testing.T) {
	data, err := os.ReadFile("../../assets/demo/dumps/heap-later.pb.gz")
	if err != nil {
		t.Fatal(err)
	}
	p := fifo(t)
	go func() {
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		f.Write(data)
		f.Close()
	}()
	d, err := diff.Open(context.Background(), p, nil)
	if err != nil || d.NumStacks() == 0 {
		t.Fatalf("reading a FIFO: %v", err)
	}

	// A writer that never writes: the read blocks until cancelled.
	p2 := fifo(t)
	writer := make(chan *os.File, 1)
	go func() {
		f, err := os.OpenFile(p2, os.O_WRONLY, 0)
		if err == nil {
			writer <- f
		}
	}()
	q := &uiQueue{}
	w := session.NewWorker(q.do)
	got := make(chan error, 1)
	w.Submit(loadJob([]session.Source{{Path: p2}}, got))
	f := <-writer // the load has opened the FIFO: it now waits in read
	defer f.Close()
	w.Close() // the writer stays silent until the test ends: Close must not wait for it
	if err := <-got; !session.IsCanceled(err) {
		t.Errorf("the load ended with %v", err)
	}
}

// TestSupersede: a newer job of a lane cancels the older one, whose result
// is never applied; exports are never superseded.
func TestSupersede(t *testing.T) {
	q := &uiQueue{}
	w := session.NewWorker(q.do)
	defer w.Close()
	var applied []string
	block := make(chan struct{})
	job := func(lane session.Lane, name string, wait bool) session.Job {
		return session.Job{Lane: lane, Run: func(ctx context.Context) func() {
			if wait {
				select {
				case <-block:
				case <-ctx.Done():
					return nil
				}
			}
			return func() { applied = append(applied, name) }
		}}
	}
	w.Submit(job(session.LaneView, "view 1", true))
	w.Submit(job(session.LaneExport, "export", false))
	w.Submit(job(session.LaneSearch, "search 1", false))
	w.Submit(job(session.LaneView, "view 2", false)) // cancels view 1 and search 1
	w.Submit(job(session.LaneSearch, "search 2", false))
	w.Wait()
	q.run()
	if got := fmtList(applied); got != "export view 2 search 2" {
		t.Errorf("applied %s", got)
	}
	// A result delivered but superseded before the UI runs it is dropped.
	applied = nil
	w.Submit(job(session.LaneView, "view 3", false))
	w.Wait()
	w.Submit(job(session.LaneLoad, "load", false))
	w.Wait()
	q.run()
	if got := fmtList(applied); got != "load" {
		t.Errorf("applied %s", got)
	}
}

func fmtList(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

// TestProgressNeverFull: progress is reported while a job runs, and the
// phases follow the work.
func TestProgressReported(t *testing.T) {
	q := &uiQueue{}
	w := session.NewWorker(q.do)
	defer w.Close()
	p := &diff.Progress{}
	var phases []string
	release := make(chan struct{})
	w.Submit(session.Job{Lane: session.LaneLoad, Progress: p,
		OnProgress: func(phase string, read, total int64) { phases = append(phases, phase) },
		Run: func(ctx context.Context) func() {
			p.SetPhase("parsing pprof")
			<-release
			return nil
		}})
	// Reports arrive while the job still runs.
	for len(phases) < 2 {
		q.next()
	}
	close(release)
	w.Wait()
	q.run()
	if len(phases) < 2 || phases[0] != "parsing pprof" {
		t.Errorf("phases reported %q", phases)
	}
}

// TestComputeReuses: choosing a site or focusing rebuilds only the tree;
// swapping recompares; the results match a fresh computation.
func TestComputeReuses(t *testing.T) {
	dumps, err := session.Load(context.Background(), session.DemoSources, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := session.New(nil)
	s.Add(dumps, false)
	ctx := context.Background()
	r1, err := session.Compute(ctx, s.Snapshot(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r1.Profile == nil || r1.Sites == nil || r1.Tree == nil || r1.Sample != "inuse_space" {
		t.Fatalf("result %+v", r1)
	}
	// The window then records the sample type compared: that is no change.
	s.Sample = r1.Sample
	if r, err := session.Compute(ctx, s.Snapshot(), r1, nil); err != nil || r.Profile != r1.Profile || r.Tree != r1.Tree {
		t.Errorf("naming the default sample type recompared the pair (%v)", err)
	}
	s.Site = 0
	r2, err := session.Compute(ctx, s.Snapshot(), r1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r2.Profile != r1.Profile || r2.Sites != r1.Sites || r2.Tree == r1.Tree || r2.Tree.SampleType.Type != "goroutine" {
		t.Error("selecting a site should reuse the comparisons and build a goroutine tree")
	}
	s.Site = -1
	s.SetFocus("main.NewClient")
	r3, err := session.Compute(ctx, s.Snapshot(), r2, nil)
	if err != nil {
		t.Fatal(err)
	}
	fresh := flame.Build(r1.Profile)
	if got, all := r3.Tree.Nodes[flame.Root].Total, fresh.Nodes[flame.Root].Total; got.Later >= all.Later || got.Later <= 0 {
		t.Errorf("focus kept %+v of %+v", got, all)
	}
	s.Swap()
	r4, err := session.Compute(ctx, s.Snapshot(), r3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r4.Profile == r1.Profile || r4.Profile.Total().Diff() != -r1.Profile.Total().Diff() {
		t.Error("swap did not recompare")
	}
	// A cancelled context stops Compute with its error.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := session.Compute(cctx, s.Snapshot(), nil, nil); !session.IsCanceled(err) {
		t.Errorf("cancelled Compute returned %v", err)
	}
}

// TestPreloadComputesAhead: a preload computes what a new session given its
// dumps shows, and hands that result only to a snapshot of that state.
func TestPreloadComputesAhead(t *testing.T) {
	srcs := session.DemoSources[:2] // the heap pair
	p := session.StartPreload(srcs, nil)
	defer p.Close()
	got, err := p.Take(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s := session.New(nil)
	if qs := s.Add(got.Dumps, false); len(qs) > 0 {
		t.Fatalf("questions %v", qs)
	}
	s.SetSeries(session.NewSeries(got.Series))
	r := p.Result(context.Background(), s.Snapshot())
	if r == nil || r.Tree == nil || r.Profile == nil {
		t.Fatalf("no result computed ahead: %+v", r)
	}
	want, err := session.Compute(context.Background(), s.Snapshot(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Tree.Nodes) != len(want.Tree.Nodes) || r.Tree.Nodes[0].Total != want.Tree.Nodes[0].Total {
		t.Errorf("ahead: %d nodes, total %v; computed: %d nodes, total %v",
			len(r.Tree.Nodes), r.Tree.Nodes[0].Total, len(want.Tree.Nodes), want.Tree.Nodes[0].Total)
	}
	s.SetFocus(r.Tree.Nodes[1].Name)
	if p.Result(context.Background(), s.Snapshot()) != nil {
		t.Error("a result computed ahead was handed to another view")
	}
	var nilPreload *session.Preload
	if nilPreload.Result(context.Background(), s.Snapshot()) != nil {
		t.Error("a nil preload had a result")
	}
}

// TestSeriesFindingsRankBySteadiness: over a heap series, the allocation
// findings rank by leak score, so that the steady leak comes first and
// the warm-up cache, which grew most between first and last, does not.
func TestSeriesFindingsRankBySteadiness(t *testing.T) {
	paths, err := reftest.SyntheticSeries(t.TempDir(), 7)
	if err != nil {
		t.Fatal(err)
	}
	got, err := session.LoadAll(context.Background(), session.Files(paths), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := session.New(nil)
	s.Add(got.Dumps, false)
	s.SetSeries(session.NewSeries(got.Series))
	r, err := session.Compute(context.Background(), s.Snapshot(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) == 0 {
		t.Fatal("no findings over the series")
	}
	top := r.Findings[0]
	if top.Function != "main.(*Store).put" || top.Trend == nil || top.Trend.Grew != 6 {
		t.Errorf("top finding %s (trend %+v): want main.(*Store).put, grown in 6 of 6 intervals", top.Function, top.Trend)
	}
	if !strings.Contains(top.Summary, "leak score 1.00") {
		t.Errorf("summary %q does not give the leak score", top.Summary)
	}
	for _, f := range r.Findings {
		if f.Function == "main.warmCache" {
			t.Errorf("the warm-up cache, which stopped growing, is a finding: %s", f.Summary)
		}
	}
	// Picked on the timeline where a pool emptied as much as the leak grew
	// (the total did not grow), the leak is still the top suspect.
	got, err = session.LoadAll(context.Background(), session.Files([]string{paths[2], paths[6]}), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.PickDumps(s.Series.Pick(2, 6), got.Dumps)
	r, err = session.Compute(context.Background(), s.Snapshot(), r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) == 0 || r.Findings[0].Function != "main.(*Store).put" {
		t.Errorf("after picking snapshots 3 and 7 the findings are %v", r.Findings)
	}
}
