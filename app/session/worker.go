package session

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leakscope/leakscope/diff"
)

// Lane sorts jobs by what a newer job makes stale.
type Lane int

// The lanes, from the one that makes the most stale to the least.
const (
	// LaneLoad reads dumps. A new load supersedes every load, view and
	// search job.
	LaneLoad Lane = iota
	// LaneView computes what the window shows. It supersedes view and
	// search jobs.
	LaneView
	// LaneSearch matches a search in the tree. It supersedes search jobs.
	LaneSearch
	// LaneExport draws a PNG. Exports are never superseded.
	LaneExport
	// LaneSource finds and reads a source file. It supersedes source jobs,
	// and load and view jobs supersede it.
	LaneSource
)

// supersedes reports whether a new job in lane l makes a job in lane old stale.
func (l Lane) supersedes(old Lane) bool {
	switch {
	case l == LaneExport || old == LaneExport:
		return false
	case old == LaneSource:
		return l == LaneSource || l <= LaneView
	case l == LaneSource:
		return false
	}
	return old >= l
}

// Job is work for the Worker. Run runs on the worker's goroutine and
// returns a function that applies its result on the UI goroutine, or nil.
// Run must return soon after ctx is done.
type Job struct {
	Lane Lane
	Run  func(ctx context.Context) (apply func())
	// Progress, when not nil, is polled while the job runs and reported
	// through OnProgress on the UI goroutine.
	Progress   *diff.Progress
	OnProgress func(phase string, read, total int64)
}

// Worker runs jobs one at a time on a goroutine it owns, and hands each
// result back exactly once through deliver, the UI toolkit's "run on the UI
// goroutine" (fyne.Do), unless the job was superseded or cancelled first.
// Submit, Cancel and Close are called from the UI goroutine.
type Worker struct {
	deliver func(func())

	mu      sync.Mutex
	changed *sync.Cond // the queue, running or closed changed
	queue   []*task
	running *task
	waiting map[*task]bool // delivered, not yet applied
	closed  bool
	long    map[*context.CancelFunc]bool // of the goroutines Go started, until they end
	wg      sync.WaitGroup
}

type task struct {
	Job
	ctx    context.Context
	cancel context.CancelFunc
	stale  atomic.Bool // superseded or cancelled: its result is not applied
}

// progressEvery is how often a running job's progress is reported.
const progressEvery = 100 * time.Millisecond

// NewWorker starts a worker that applies results through deliver. Close
// stops it.
func NewWorker(deliver func(func())) *Worker {
	w := &Worker{deliver: deliver, waiting: map[*task]bool{}}
	w.changed = sync.NewCond(&w.mu)
	w.wg.Go(w.loop)
	return w
}

// Submit queues j, cancelling the queued and running jobs it supersedes.
// After Close it does nothing.
func (w *Worker) Submit(j Job) {
	ctx, cancel := context.WithCancel(context.Background())
	t := &task{Job: j, ctx: ctx, cancel: cancel}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		cancel()
		return
	}
	w.cancelLocked(func(l Lane) bool { return j.Lane.supersedes(l) })
	w.queue = append(w.queue, t)
	w.changed.Broadcast()
	w.mu.Unlock()
}

// Cancel cancels the queued and running jobs of lane l; their results are
// never applied.
func (w *Worker) Cancel(l Lane) {
	w.mu.Lock()
	w.cancelLocked(func(x Lane) bool { return x == l })
	w.mu.Unlock()
}

func (w *Worker) cancelLocked(match func(Lane) bool) {
	keep := w.queue[:0]
	for _, t := range w.queue {
		if match(t.Lane) {
			t.stale.Store(true)
			t.cancel()
			continue
		}
		keep = append(keep, t)
	}
	clear(w.queue[len(keep):])
	w.queue = keep
	if w.running != nil && match(w.running.Lane) {
		w.running.stale.Store(true)
		w.running.cancel()
	}
	for t := range w.waiting {
		if match(t.Lane) {
			t.stale.Store(true)
			delete(w.waiting, t)
		}
	}
	w.changed.Broadcast()
}

// Busy reports whether a job of lane l is queued or running.
func (w *Worker) Busy(l Lane) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running != nil && w.running.Lane == l && !w.running.stale.Load() {
		return true
	}
	for _, t := range w.queue {
		if t.Lane == l {
			return true
		}
	}
	return false
}

// Wait blocks until no job is queued or running. With a deliver that runs
// its function at once (Fyne's test driver), results are then applied.
func (w *Worker) Wait() {
	w.mu.Lock()
	for len(w.queue) > 0 || w.running != nil {
		w.changed.Wait()
	}
	w.mu.Unlock()
}

// Go runs run on a goroutine of its own, beside the jobs, for work that
// goes on for long (a watch of a service); run must return soon after ctx
// is done. The returned stop cancels ctx and waits for run to return; Close
// does too. After Close, Go runs nothing.
func (w *Worker) Go(run func(ctx context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		cancel()
		close(done)
		return func() {}
	}
	if w.long == nil {
		w.long = map[*context.CancelFunc]bool{}
	}
	w.long[&cancel] = true
	w.wg.Go(func() {
		defer close(done)
		defer func() {
			w.mu.Lock()
			delete(w.long, &cancel)
			w.mu.Unlock()
		}()
		run(ctx)
	})
	w.mu.Unlock()
	return func() {
		cancel()
		<-done
	}
}

// Close cancels every job and returns once the worker's goroutines have
// ended. A job's Run returns soon after its context is done, so Close
// returns at once even while a file is being read.
func (w *Worker) Close() {
	w.mu.Lock()
	w.closed = true
	w.cancelLocked(func(Lane) bool { return true })
	for cancel := range w.long {
		(*cancel)()
	}
	w.mu.Unlock()
	w.wg.Wait()
}

func (w *Worker) loop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		for len(w.queue) == 0 && !w.closed {
			w.changed.Wait()
		}
		if w.closed {
			return
		}
		t := w.queue[0]
		w.queue[0] = nil
		w.queue = w.queue[1:]
		w.running = t
		w.mu.Unlock()

		w.run(t)

		w.mu.Lock()
		w.running = nil
		t.cancel()
		w.changed.Broadcast()
	}
}

// run runs one task, reporting its progress meanwhile, and delivers its
// result unless the task was cancelled. The check is repeated on the UI
// goroutine, where Submit and Cancel run, so a superseded result is never
// applied.
func (w *Worker) run(t *task) {
	if t.ctx.Err() != nil {
		return
	}
	var ticker sync.WaitGroup
	stop := make(chan struct{})
	if t.Progress != nil && t.OnProgress != nil {
		ticker.Go(func() {
			tick := time.NewTicker(progressEvery)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.ctx.Done():
					return
				case <-tick.C:
					phase, read, total := t.Progress.State()
					w.deliver(func() {
						if !t.stale.Load() {
							t.OnProgress(phase, read, total)
						}
					})
				}
			}
		})
	}
	apply := t.Run(t.ctx)
	close(stop)
	ticker.Wait()
	if apply == nil || t.stale.Load() {
		return
	}
	w.mu.Lock()
	w.waiting[t] = true
	w.mu.Unlock()
	w.deliver(func() {
		w.mu.Lock()
		delete(w.waiting, t)
		w.mu.Unlock()
		if !t.stale.Load() {
			apply()
		}
	})
}
