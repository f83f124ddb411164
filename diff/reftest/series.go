package reftest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"time"

	"github.com/google/pprof/profile"
)

// Leaker is a steady leak in the calling process: each Grow keeps 256 KiB
// more (in Grow) and starts one more goroutine (at Grow's go statement)
// that waits until Close.
type Leaker struct {
	mu   sync.Mutex
	held [][]byte
	stop chan struct{}
	wg   sync.WaitGroup
}

// NewLeaker returns a Leaker that holds nothing yet.
func NewLeaker() *Leaker { return &Leaker{stop: make(chan struct{})} }

// Grow leaks 256 KiB and a goroutine.
//
//go:noinline
func (l *Leaker) Grow() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for range 4 {
		l.held = append(l.held, make([]byte, 64<<10))
	}
	l.wg.Add(1)
	go l.wait()
}

//go:noinline
func (l *Leaker) wait() {
	defer l.wg.Done()
	<-l.stop
}

// Close ends the goroutines Grow started and drops what it held.
func (l *Leaker) Close() {
	close(l.stop)
	l.wg.Wait()
	l.mu.Lock()
	l.held = nil
	l.mu.Unlock()
}

// WriteSeries writes n heap profiles and n debug=2 goroutine dumps of the
// calling process into dir, named as leakscope watch names them, growing l
// three times before each snapshot, and returns their paths, heap and
// goroutines for each snapshot in turn. The heap profiles are taken at
// MemProfileRate 4096, which it restores. The snapshots are a minute apart
// by their names and by the heap profiles' own times, so that rates read
// as a watch every minute would give them.
func WriteSeries(dir string, n int, l *Leaker) ([]string, error) {
	old := runtime.MemProfileRate
	runtime.MemProfileRate = 4096
	defer func() { runtime.MemProfileRate = old }()
	var paths []string
	at := time.Now()
	for i := range n {
		for range 3 {
			l.Grow()
		}
		runtime.GC()
		runtime.GC()
		for _, d := range []struct {
			profile, kind, ext string
			debug              int
		}{{"heap", "heap", ".pb.gz", 0}, {"goroutine", "goroutines", ".txt", 2}} {
			when := at.Add(time.Duration(i) * time.Minute)
			name := fmt.Sprintf("%s-%04d-%s%s", d.kind, i+1, when.UTC().Format("20060102T150405.000Z"), d.ext)
			p := filepath.Join(dir, name)
			var buf bytes.Buffer
			if err := pprof.Lookup(d.profile).WriteTo(&buf, d.debug); err != nil {
				return nil, fmt.Errorf("writing %s: %w", p, err)
			}
			data := buf.Bytes()
			if d.debug == 0 {
				prof, err := profile.Parse(&buf)
				if err != nil {
					return nil, fmt.Errorf("reading back %s: %w", p, err)
				}
				prof.TimeNanos = when.UnixNano()
				var out bytes.Buffer
				if err := prof.Write(&out); err != nil {
					return nil, fmt.Errorf("writing %s: %w", p, err)
				}
				data = out.Bytes()
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				return nil, err
			}
			paths = append(paths, p)
		}
	}
	return paths, nil
}

// ChurnSeries is a series that WriteChurningSeries wrote.
type ChurnSeries struct {
	Heaps, Goroutines []string // heap-N.pb.gz and goroutine-N.txt, N from 1, in order
	// MaxIDs is the highest goroutine ID of each goroutine dump: it falls
	// at least once.
	MaxIDs []int64
}

// WriteChurningSeries writes n heap profiles and n debug=2 goroutine dumps
// of the calling process into dir, named heap-N.pb.gz and goroutine-N.txt
// (N from 1), as a service whose busy goroutines come and go would give
// them: under GOMAXPROCS=8 (restored after), before every other snapshot
// eight goroutines at once start a burst of 320 short-lived goroutines that
// exit before the next, so that with Go's per-P caches of goroutine IDs the
// highest ID falls between some snapshots while l grows three times before
// each. It tries again (up to 20 times) until the highest ID falls at least
// once, and fails if it never does. The caller closes l.
func WriteChurningSeries(dir string, n int, l *Leaker) (*ChurnSeries, error) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	old := runtime.MemProfileRate
	runtime.MemProfileRate = 4096
	defer func() { runtime.MemProfileRate = old }()
	for range 20 {
		s, err := writeChurn(dir, n, l)
		if err != nil {
			return nil, err
		}
		for i := 1; i < len(s.MaxIDs); i++ {
			if s.MaxIDs[i] < s.MaxIDs[i-1] {
				return s, nil
			}
		}
	}
	return nil, fmt.Errorf("the highest goroutine ID never fell in 20 tries of %d snapshots", n)
}

func writeChurn(dir string, n int, l *Leaker) (*ChurnSeries, error) {
	s := &ChurnSeries{}
	var release chan struct{}
	beforeBurst := 0
	var exited sync.WaitGroup
	for i := range n {
		if release != nil {
			close(release)
			release = nil
			exited.Wait()
			// Done runs just before each goroutine ends: wait until the
			// runtime has let them all go, so that no dump shows them.
			for runtime.NumGoroutine() > beforeBurst {
				runtime.Gosched()
			}
		}
		for range 3 {
			l.Grow()
		}
		if i%2 == 0 {
			release = make(chan struct{})
			beforeBurst = runtime.NumGoroutine()
			var spawned sync.WaitGroup
			for range 8 {
				spawned.Add(1)
				go func(r chan struct{}) {
					defer spawned.Done()
					for range 40 {
						exited.Add(1)
						go burst(r, &exited)
					}
				}(release)
			}
			spawned.Wait()
		}
		runtime.GC()
		for _, d := range []struct {
			profile, name string
			debug         int
			into          *[]string
		}{{"heap", fmt.Sprintf("heap-%d.pb.gz", i+1), 0, &s.Heaps}, {"goroutine", fmt.Sprintf("goroutine-%d.txt", i+1), 2, &s.Goroutines}} {
			p := filepath.Join(dir, d.name)
			var b bytes.Buffer
			if err := pprof.Lookup(d.profile).WriteTo(&b, d.debug); err != nil {
				return nil, fmt.Errorf("writing %s: %w", p, err)
			}
			if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
				return nil, err
			}
			*d.into = append(*d.into, p)
			if d.debug == 2 {
				s.MaxIDs = append(s.MaxIDs, maxGoroutineID(b.Bytes()))
			}
		}
	}
	if release != nil {
		close(release)
		exited.Wait()
	}
	return s, nil
}

//go:noinline
func burst(release chan struct{}, exited *sync.WaitGroup) {
	defer exited.Done()
	<-release
}

var goroutineIDRE = regexp.MustCompile(`(?m)^goroutine (\d+) `)

func maxGoroutineID(dump []byte) int64 {
	var m int64
	for _, x := range goroutineIDRE.FindAllSubmatch(dump, -1) {
		id, _ := strconv.ParseInt(string(x[1]), 10, 64)
		m = max(m, id)
	}
	return m
}
