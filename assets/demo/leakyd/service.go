package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Sizes of the decoys: each grows more from the first snapshot to the last
// than the leak does in a watch of a few seconds a snapshot.
const (
	cacheBytes  = 32 << 20 // the cache when warm
	poolWorkers = 250      // the pool when large
	poolBuf     = 96 << 10 // what each pool worker holds
	burstSize   = 300      // workers in a burst
	burstBuf    = 80 << 10 // what each burst worker holds (over 64 KiB: not on its stack)
)

// decoys is the state of the three decoys, which advance a phase per snapshot.
type decoys struct {
	mu    sync.Mutex
	phase int
	cache [][]byte
	pool  *crew
	burst *crew
}

// cacheShare is the part of the cache filled at each phase: it warms up,
// then stays full.
var cacheShare = []float64{0, 0.6, 0.95, 1}

// poolLarge says whether the pool is large at a phase: it swings between
// large and empty, then stays large.
func poolLarge(phase int) bool { return phase%2 == 1 || phase >= 3 }

// burstOn says whether a burst is running at a phase: it comes, goes, and
// comes back.
func burstOn(phase int) bool { return phase == 1 || phase >= 4 }

// advance moves the decoys to the next phase and collects garbage, so that
// the next heap profile shows the new state.
func (d *decoys) advance() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.phase++
	p := d.phase
	fillCache(&d.cache, cacheShare[min(p, len(cacheShare)-1)])
	d.pool = restaff(d.pool, poolLarge(p), startPool)
	d.burst = restaff(d.burst, burstOn(p), startBurst)
	runtime.GC()
	runtime.GC()
}

func (d *decoys) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pool = restaff(d.pool, false, nil)
	d.burst = restaff(d.burst, false, nil)
}

// fillCache fills the cache to share of its size, in 256 KiB entries.
//
//go:noinline
func fillCache(cache *[][]byte, share float64) {
	want := int(share * cacheBytes / (256 << 10))
	for len(*cache) < want {
		*cache = append(*cache, make([]byte, 256<<10))
	}
}

// crew is a set of workers that each hold a buffer until stopped.
type crew struct {
	stop chan struct{}
	wg   sync.WaitGroup
}

// restaff stops c when on is false, and starts a crew with start when on is
// true and none runs; it returns the crew now running, or nil.
func restaff(c *crew, on bool, start func(c *crew, ready *sync.WaitGroup)) *crew {
	if on && c != nil {
		return c
	}
	if c != nil {
		close(c.stop)
		c.wg.Wait()
	}
	if !on {
		return nil
	}
	c = &crew{stop: make(chan struct{})}
	var ready sync.WaitGroup
	start(c, &ready)
	ready.Wait()
	return c
}

// startPool starts the pool's workers: one spawn site.
//
//go:noinline
func startPool(c *crew, ready *sync.WaitGroup) {
	for range poolWorkers {
		c.wg.Add(1)
		ready.Add(1)
		go poolWorker(c, ready)
	}
}

// startBurst starts a burst's workers: another spawn site.
//
//go:noinline
func startBurst(c *crew, ready *sync.WaitGroup) {
	for range burstSize {
		c.wg.Add(1)
		ready.Add(1)
		go burstWorker(c, ready)
	}
}

// poolWorker is a worker of the breathing pool.
//
//go:noinline
func poolWorker(c *crew, ready *sync.WaitGroup) {
	defer c.wg.Done()
	buf := make([]byte, poolBuf)
	ready.Done()
	<-c.stop
	buf[0] = 1
}

// burstWorker is a worker of a burst.
//
//go:noinline
func burstWorker(c *crew, ready *sync.WaitGroup) {
	defer c.wg.Done()
	buf := make([]byte, burstBuf)
	ready.Done()
	<-c.stop
	buf[1] = 1
}

// serve runs the leaking service until SIGINT or SIGTERM, creating rate
// handlers a second until there are maxHandlers, so that a service left
// running does not take all the memory.
func serve(addr string, rate, maxHandlers int) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	var d decoys
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/counts", func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		phase := d.phase
		d.mu.Unlock()
		out := map[string]any{"started": started.snapshot(), "phase": phase}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if strings.HasPrefix(r.URL.Path, "/debug/pprof/goroutine") {
			d.advance()
		}
	})
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("listening on http://%s\n", ln.Addr())

	stop := make(chan struct{})
	var wg sync.WaitGroup
	startWorkers(4, stop, &wg)
	wg.Add(1)
	go func() { // the load: rate handlers a second, each leaking
		defer wg.Done()
		tick := time.NewTicker(time.Second / time.Duration(max(rate, 1)))
		defer tick.Stop()
		gc := time.NewTicker(200 * time.Millisecond)
		defer gc.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-gc.C:
				runtime.GC()
			case <-tick.C:
				d.mu.Lock()
				n := len(handlers)
				if n < maxHandlers {
					handlers = append(handlers, newHandler(fmt.Sprint("route", i)))
				}
				d.mu.Unlock()
				if n+1 == maxHandlers {
					fmt.Fprintf(os.Stderr, "leakyd: %d handlers (-max-handlers): the leak stops here\n", maxHandlers)
				}
				serveRequests(8)
			}
		}
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-sig:
	case err = <-errc:
	}
	close(stop)
	wg.Wait()
	d.stop()
	srv.Close()
	return err
}
