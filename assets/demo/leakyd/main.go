// Command leakyd is a small service with two goroutine leaks and a growing heap.
// It writes a base and a later set of dumps, so that Leakscope's tests and its
// built-in demo compare real profiles made by a real program.
//
// The leaks are the classic ones:
//   - NewClient starts a watch goroutine that nothing ever stops, and each
//     client keeps a 64 KiB buffer alive through it;
//   - DefaultCache, a Default-like helper used in struct literals, starts a
//     janitor goroutine per call that nothing ever stops.
//
// A warm-up table that is cut to a quarter between the two dumps gives a stack
// that shrinks, a boot configuration that is dropped gives one that is gone,
// and short-lived request buffers give churn that is freed.
//
// Usage:
//
//	leakyd -out DIR [-base N] [-later N]
//	leakyd -serve ADDR [-rate N] [-max-handlers N]
//
// It writes, for PHASE in base and later: heap-PHASE.pb.gz (debug=0),
// heap-PHASE.txt (debug=1), goroutine-PHASE.pb.gz (debug=0),
// goroutine-PHASE.txt (debug=1) and goroutines-PHASE.txt (debug=2), plus
// counts-PHASE.json with the goroutines from each site that are still alive
// (for Ping, the senders left stranded). Built with
// GOEXPERIMENT=goroutineleakprofile, it also writes the goroutineleak profile
// in the same three forms (goroutineleak-PHASE.pb.gz, goroutineleak-PHASE.txt,
// goroutinesleak-PHASE.txt).
//
// With -serve, it runs as a service instead: it serves net/http/pprof on
// ADDR (127.0.0.1:0 picks a port; the address is printed as "listening on
// http://HOST:PORT"), creates -rate handlers a second, each leaking as
// above, and beside its leaks has three decoys whose growth from the first
// snapshot to the last beats the leak's:
//   - fillCache, a cache that warms up and then stays full (a plateau);
//   - breathe, a worker pool that swings between large and empty and ends large;
//   - burst, a burst of workers that comes, goes, and comes back at the end.
//
// The decoys move on one phase each time a goroutine dump is served (a
// snapshot, as leakscope watch takes it: heap, then goroutines), so that
// every snapshot sees the next phase whatever the interval; /counts gives
// the goroutines started per site and the current phase.
//
// A third leak, Client.Ping, leaves a sender blocked on a channel that
// nothing can reach any more: the only one the goroutineleak profile sees.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"
)

// Client is a connection to some backend. Its watch goroutine waits for a
// stop signal that nobody ever sends.
type Client struct {
	buf     []byte
	updates chan int
	stop    chan struct{}
}

// NewClient allocates the client's buffer and starts its watcher.
//
//go:noinline
func NewClient(size int) *Client {
	c := &Client{buf: make([]byte, size), updates: make(chan int), stop: make(chan struct{})}
	started.add("client")
	go c.watch()
	return c
}

//go:noinline
func (c *Client) watch() {
	for {
		select {
		case n := <-c.updates:
			c.buf[0] = byte(n)
		case <-c.stop:
			return
		}
	}
}

// Ping asks the backend for a value but gives up after a timeout. The
// sender it started then blocks forever on a channel nobody can reach:
// the kind of leak Go 1.26's goroutineleak profile detects.
//
//go:noinline
func (c *Client) Ping(timeout time.Duration) bool {
	reply := make(chan int)
	senders.started.Add(1)
	go func() {
		time.Sleep(2 * timeout) // the backend is slow
		senders.sending.Add(1)
		reply <- 1
	}()
	select {
	case <-reply:
		return true
	case <-time.After(timeout):
		// Only now is the sender stranded: on a loaded machine both cases
		// can be ready and select may take the reply, so count here.
		started.add("ping")
		return false
	}
}

// Cache is a small cache whose janitor runs forever.
type Cache struct {
	entries map[string][]byte
	tick    chan struct{}
}

// DefaultCache is the Default-like helper used in Options literals. Each call
// starts a janitor goroutine that is never stopped.
//
//go:noinline
func DefaultCache() *Cache {
	c := &Cache{entries: make(map[string][]byte), tick: make(chan struct{})}
	c.entries["seed"] = make([]byte, 4096)
	started.add("janitor")
	go c.janitor()
	return c
}

//go:noinline
func (c *Cache) janitor() {
	for range c.tick {
		clear(c.entries)
	}
}

// Options configures a handler.
type Options struct {
	Name  string
	Cache *Cache
}

// Handler serves one route.
type Handler struct {
	opts   Options
	client *Client
}

//go:noinline
func newHandler(name string) *Handler {
	return &Handler{
		opts:   Options{Name: name, Cache: DefaultCache()},
		client: NewClient(64 << 10),
	}
}

// warmup is a table that is filled at start and cut to a quarter before the
// later dump: a stack that shrinks.
var warmup [][]byte

// bootConfig is parsed at start and dropped before the later dump: a stack
// that is gone.
var bootConfig []byte

//go:noinline
func loadBootConfig() { bootConfig = make([]byte, 96<<10) }

//go:noinline
func fillWarmup(n int) {
	for i := 0; i < n; i++ {
		warmup = append(warmup, make([]byte, 32<<10))
	}
}

// serveRequests handles requests whose buffers are freed when they return.
//
//go:noinline
func serveRequests(n int) int {
	sum := len(bootConfig) & 1
	for i := 0; i < n; i++ {
		b := make([]byte, 8<<10)
		b[i%len(b)] = byte(i)
		sum += int(b[0])
	}
	return sum
}

// workers are goroutines that are started and stopped properly: they appear in
// both dumps with the same count.
//
//go:noinline
func startWorkers(n int, stop chan struct{}, wg *sync.WaitGroup) {
	for i := 0; i < n; i++ {
		wg.Add(1)
		started.add("worker")
		go func() {
			defer wg.Done()
			<-stop
		}()
	}
}

type counters struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *counters) add(site string) {
	c.mu.Lock()
	c.m[site]++
	c.mu.Unlock()
}

func (c *counters) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.m))
	for k, v := range c.m {
		out[k] = v
	}
	return out
}

var started = counters{m: map[string]int{}}

// senders counts Ping's senders, and those past their sleep, so that the dumps
// wait until every sender is at its send.
var senders struct{ started, sending atomic.Int64 }

// handlers keeps every handler reachable, as a registry in a real service would.
var handlers []*Handler

func main() {
	out := flag.String("out", ".", "directory to write the dumps to")
	nBase := flag.Int("base", 20, "handlers created before the base dump")
	nLater := flag.Int("later", 40, "handlers created in total before the later dump")
	serveAddr := flag.String("serve", "", "serve net/http/pprof on this address and run as a leaking service")
	rate := flag.Int("rate", 20, "with -serve: handlers created per second")
	maxHandlers := flag.Int("max-handlers", 6000, "with -serve: stop leaking after this many handlers (about 70 KiB and two goroutines each)")
	flag.Parse()
	runtime.MemProfileRate = 512
	if *serveAddr != "" {
		if err := serve(*serveAddr, *rate, *maxHandlers); err != nil {
			log.Fatal(err)
		}
		return
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	startWorkers(4, stop, &wg)
	fillWarmup(16)
	loadBootConfig()
	for i := 0; i < *nBase; i++ {
		handlers = append(handlers, newHandler(fmt.Sprint("route", i)))
		serveRequests(8)
	}
	ping(*nBase / 4)
	if err := dumpAll(*out, "base"); err != nil {
		log.Fatal(err)
	}

	warmup = append([][]byte(nil), warmup[:len(warmup)/4]...)
	bootConfig = nil
	for i := *nBase; i < *nLater; i++ {
		handlers = append(handlers, newHandler(fmt.Sprint("route", i)))
		serveRequests(8)
	}
	ping(*nLater / 4)
	if err := dumpAll(*out, "later"); err != nil {
		log.Fatal(err)
	}
	close(stop)
	wg.Wait()
}

// ping pings n clients, each of which times out and leaks its sender.
func ping(n int) {
	var wg sync.WaitGroup
	for _, h := range handlers[:n] {
		wg.Go(func() { h.client.Ping(time.Millisecond) })
	}
	wg.Wait()
}

func dumpAll(dir, phase string) error {
	// Let every started goroutine reach its blocking point.
	for senders.sending.Load() < senders.started.Load() {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	runtime.GC()
	dumps := []struct {
		profile, name string
		debug         int
	}{
		{"heap", "heap-%s.pb.gz", 0},
		{"heap", "heap-%s.txt", 1},
		{"goroutine", "goroutine-%s.pb.gz", 0},
		{"goroutine", "goroutine-%s.txt", 1},
		{"goroutine", "goroutines-%s.txt", 2},
	}
	if pprof.Lookup("goroutineleak") != nil {
		// Built with GOEXPERIMENT=goroutineleakprofile (Go 1.26).
		dumps = append(dumps, []struct {
			profile, name string
			debug         int
		}{
			{"goroutineleak", "goroutineleak-%s.pb.gz", 0},
			{"goroutineleak", "goroutineleak-%s.txt", 1},
			{"goroutineleak", "goroutinesleak-%s.txt", 2},
		}...)
	}
	for _, d := range dumps {
		if err := writeProfile(filepath.Join(dir, fmt.Sprintf(d.name, phase)), d.profile, d.debug); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(started.snapshot(), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "counts-"+phase+".json"), append(b, '\n'), 0o644)
}

func writeProfile(path, name string, debug int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(name).WriteTo(f, debug); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}
