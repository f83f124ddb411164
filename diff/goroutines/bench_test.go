package goroutines_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"sync"
	"testing"

	"github.com/maruel/panicparse/v2/stack"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/goroutines"
	"github.com/leakscope/leakscope/diff/reftest"
)

// spawnEnv makes the test binary start that many goroutines from four sites,
// write a debug=2 dump of them to stdout and exit: a real dump of a real
// process, made at bench time.
const spawnEnv = "LEAKSCOPE_SPAWN"

func TestMain(m *testing.M) {
	if n, err := strconv.Atoi(os.Getenv(spawnEnv)); err == nil {
		spawnAndDump(n)
		os.Exit(0)
	}
	reftest.Main(m)
}

type conn struct{ in chan []byte }

//go:noinline
func newConn(block chan struct{}) *conn {
	c := &conn{in: make(chan []byte)}
	go c.read(block)
	return c
}

func (c *conn) read(block chan struct{}) {
	select {
	case <-c.in:
	case <-block:
	}
}

func worker(block chan struct{}, wg *sync.WaitGroup) { wg.Done(); <-block }

func spawnAndDump(n int) {
	block := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		switch i % 4 {
		case 0, 1:
			go worker(block, &wg)
		case 2:
			newConn(block)
			wg.Done()
		default:
			go func() { wg.Done(); <-block }()
		}
	}
	wg.Wait()
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}

var dumps sync.Map // n -> []byte

func dumpOf(b *testing.B, n int) []byte {
	if d, ok := dumps.Load(n); ok {
		return d.([]byte)
	}
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), spawnEnv+"="+strconv.Itoa(n))
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("making a dump of %d goroutines: %v", n, err)
	}
	if c := bytes.Count(out, []byte("\ngoroutine ")); c < n {
		b.Fatalf("the dump holds %d goroutines, want %d or more", c, n)
	}
	dumps.Store(n, out)
	return out
}

var sizes = []int{50_000, 100_000, 200_000}

// BenchmarkParseAndGroup reads a debug=2 dump and groups it by spawn site.
// The ns/goroutine metric shows that the cost is linear in size.
func BenchmarkParseAndGroup(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			data := dumpOf(b, n)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				d, err := diff.Parse(context.Background(), data, "dump.txt", nil)
				if err != nil {
					b.Fatal(err)
				}
				s, err := goroutines.FromDump(d)
				if err != nil {
					b.Fatal(err)
				}
				if c := goroutines.Compare(nil, s); len(c.Sites) < 4 {
					b.Fatalf("%d sites", len(c.Sites))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/goroutine")
		})
	}
}

// BenchmarkPanicparse does the same with panicparse's ScanSnapshot and
// Aggregate, the well-known parser, for comparison in the same run.
func BenchmarkPanicparse(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			data := dumpOf(b, n)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				s, _, err := stack.ScanSnapshot(bytes.NewReader(data), nil, &stack.Opts{})
				if err != nil && s == nil {
					b.Fatal(err)
				}
				if a := s.Aggregate(stack.AnyValue); len(a.Buckets) < 4 {
					b.Fatalf("%d buckets", len(a.Buckets))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/goroutine")
		})
	}
}
