package reftest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
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
// MemProfileRate 4096, which it restores.
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
			name := fmt.Sprintf("%s-%04d-%s%s", d.kind, i+1, at.Add(time.Duration(i)*time.Minute).UTC().Format("20060102T150405.000Z"), d.ext)
			p := filepath.Join(dir, name)
			f, err := os.Create(p)
			if err != nil {
				return nil, err
			}
			err = pprof.Lookup(d.profile).WriteTo(f, d.debug)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return nil, fmt.Errorf("writing %s: %w", p, err)
			}
			paths = append(paths, p)
		}
		time.Sleep(20 * time.Millisecond) // heap profiles record their times
	}
	return paths, nil
}
