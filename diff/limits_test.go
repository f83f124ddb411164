package diff_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/reftest"
)

// allocDuring returns the bytes allocated while fn runs.
func allocDuring(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestCraftedInputsStayInBounds feeds inputs whose counts ask for far more
// memory than they hold: each is refused with a message, having allocated
// memory in proportion to its real content, not to its claims.
func TestCraftedInputsStayInBounds(t *testing.T) {
	tests := []struct {
		desc     string
		data     []byte
		opts     *diff.Options
		want     string
		maxAlloc uint64
	}{
		{"one location of 10,000 lines named 100,000 times", gz(reftest.ManyLinesProto(10_000, 100_000)), nil,
			"a stack has 1000000000 frames, more than the 65536 this tool reads", 32 << 20},
		{"32 MB of empty locations", gz(reftest.EmptyLocationsProto(16 << 20)), nil,
			"out of proportion to its 32MB of data", 160 << 20},
		{"80 MB of zeros, gzipped", gz(make([]byte, 80<<20)), nil,
			"decompresses to more than 64MB, over 100 times its", 200 << 20},
		{"gzip over an explicit --max-size", gz(bytes.Repeat([]byte("goroutine profile: total 1\n"), 1<<16)),
			&diff.Options{MaxSize: 1 << 20}, "larger than 1MB (the --max-size limit)", 16 << 20},
		{"tables over an explicit --max-memory", reftest.ManyLinesProto(1000, 10), &diff.Options{MaxMemory: 1000},
			"needs more than 1000B of memory to load, the --max-memory limit", 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			var err error
			start := time.Now()
			alloc := allocDuring(func() { _, err = diff.Parse(context.Background(), tt.data, "crafted.pb.gz", tt.opts) })
			if err == nil || !strings.HasPrefix(err.Error(), "crafted.pb.gz: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q after the file name", err, tt.want)
			}
			if errors.Is(err, diff.ErrInternal) {
				t.Errorf("a limit reads as an internal error: %v", err)
			}
			if alloc > tt.maxAlloc {
				t.Errorf("allocated %d MB for a %d kB input; want at most %d MB", alloc>>20, len(tt.data)>>10, tt.maxAlloc>>20)
			}
			t.Logf("%d bytes: refused in %v after allocating %d MB: %v", len(tt.data), time.Since(start), alloc>>20, err)
		})
	}
}

// TestBuilderRefusesDeepStacks checks the depth limit that every format's
// stacks pass through.
func TestBuilderRefusesDeepStacks(t *testing.T) {
	t.Parallel()
	b := diff.NewBuilder([]diff.SampleType{{Type: "goroutine", Unit: "count"}})
	f := b.Frame(diff.Frame{Function: "main.f"})
	b.AddStack(make([]int32, diff.MaxStackDepth), []int64{1})
	if err := b.Err(); err != nil {
		t.Fatalf("a stack of MaxStackDepth frames: %v", err)
	}
	deep := make([]int32, diff.MaxStackDepth+1)
	deep[0] = f
	b.AddStack(deep, []int64{1})
	err := b.Err()
	if err == nil || err.Error() != "a stack has 65537 frames, more than the 65536 this tool reads (a crafted or corrupt dump?)" {
		t.Errorf("Err() = %v", err)
	}
	if d := b.Dump("deep"); d.NumStacks() != 1 {
		t.Errorf("%d stacks kept, want only the first", d.NumStacks())
	}
}

// TestStreamsThatCannotBeDumps reads endless streams: they are refused after
// their first bytes, or at the size limit, never read to exhaustion.
func TestStreamsThatCannotBeDumps(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	tests := []struct {
		desc string
		r    io.Reader
		opts *diff.Options
		want string
	}{
		{"zeros", zeroReader{}, nil, "not a profile this tool reads (binary data"},
		{"random bytes", readerFunc(func(b []byte) (int, error) {
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			return len(b), nil
		}), nil, "not a profile this tool reads (binary data"},
		{"endless text", readerFunc(func(b []byte) (int, error) {
			for i := range b {
				b[i] = "x\n"[i%2]
			}
			return len(b), nil
		}), &diff.Options{MaxSize: 4 << 20}, "larger than 4MB (the --max-size limit)"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			_, err := diff.Read(context.Background(), tt.r, "stream", tt.opts)
			if err == nil || !strings.HasPrefix(err.Error(), "stream: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		_, err := diff.Open(context.Background(), "/dev/zero", nil)
		if err == nil || !strings.Contains(err.Error(), "/dev/zero: not a profile this tool reads (binary data") {
			t.Errorf("Open(/dev/zero): %v", err)
		}
	}
}

type zeroReader struct{}

func (zeroReader) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(b []byte) (int, error) { return f(b) }

// TestFileOverLimitIsNotRead refuses a regular file larger than the limit
// from its size alone.
func TestFileOverLimitIsNotRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.pb")
	if err := os.WriteFile(path, make([]byte, 2<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	var err error
	alloc := allocDuring(func() { _, err = diff.Open(context.Background(), path, &diff.Options{MaxSize: 1 << 20}) })
	if err == nil || err.Error() != path+": larger than 1MB (the --max-size limit)" {
		t.Errorf("error %v", err)
	}
	if alloc > 1<<20 {
		t.Errorf("allocated %d bytes to refuse the file", alloc)
	}
}

func TestParseSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"512M", 512 << 20, true}, {"2G", 2 << 30, true}, {"2GiB", 2 << 30, true}, {"1.5k", 1536, true},
		{"100", 100, true}, {"64kB", 64 << 10, true}, {"0", 0, false}, {"-1G", 0, false}, {"NaN", 0, false},
		{"x", 0, false}, {"", 0, false}, {"1e30", 0, false},
	}
	for _, tt := range tests {
		got, err := diff.ParseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestRandomStreamsAreRefusedAtOnce reads many seeded random streams: none
// is taken for a dump and read to its size limit.
func TestRandomStreamsAreRefusedAtOnce(t *testing.T) {
	t.Parallel()
	for seed := range uint64(2000) {
		rng := rand.New(rand.NewPCG(seed, 99))
		r := readerFunc(func(b []byte) (int, error) {
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			return len(b), nil
		})
		_, err := diff.Read(context.Background(), r, "random", &diff.Options{MaxSize: 1 << 20})
		if err == nil || !strings.Contains(err.Error(), "not a profile this tool reads") {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}

// TestRealStreamsPassTheSniff reads real dumps through a pipe-like reader.
func TestRealStreamsPassTheSniff(t *testing.T) {
	big := gunzip(t, readDemo(t, "heap-later.pb.gz"))
	for len(big) < 4*64<<10 {
		big = append(big, big...) // a second copy of the fields still parses
	}
	for _, data := range [][]byte{readDemo(t, "heap-later.pb.gz"), gunzip(t, readDemo(t, "heap-later.pb.gz")), cpuProfile(t), big} {
		if _, err := diff.Read(context.Background(), struct{ io.Reader }{bytes.NewReader(data)}, "stream", nil); err != nil &&
			strings.Contains(err.Error(), "not a profile") {
			t.Errorf("%d bytes: %v", len(data), err)
		}
	}
}

// TestSumsSaturate compares dumps whose values add up past the int64 range:
// totals and functions hold at the bound, and the comparison says so.
func TestSumsSaturate(t *testing.T) {
	t.Parallel()
	dump := func(name string, vs ...int64) *diff.Dump {
		b := diff.NewBuilder([]diff.SampleType{{Type: "inuse_space", Unit: "bytes"}})
		f := b.Frame(diff.Frame{Function: "main.f"})
		g := b.Frame(diff.Frame{Function: "main.g"})
		for i, v := range vs {
			b.AddStack([]int32{[]int32{f, g}[i%2], g}, []int64{v})
		}
		return b.Dump(name)
	}
	big := dump("big", math.MaxInt64, math.MaxInt64, 5)
	if got := big.Total(0); got != math.MaxInt64 {
		t.Errorf("Total = %d, want MaxInt64", got)
	}
	c, err := diff.Compare(dump("neg", math.MinInt64, -1), big, "")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Saturated() {
		t.Error("Saturated() is false")
	}
	tot := c.Total()
	if tot.Base != math.MinInt64 || tot.Later != math.MaxInt64 || tot.Diff() != math.MaxInt64 {
		t.Errorf("total %+v, diff %d", tot, tot.Diff())
	}
	for _, fn := range c.Functions() {
		if fn.Cum.Later < 0 || fn.Flat.Later < 0 {
			t.Errorf("%s wrapped around: %+v", fn.Name, fn)
		}
	}
	small, err := diff.Compare(dump("a", 1, 2), dump("b", 3), "")
	if err != nil || small.Saturated() {
		t.Errorf("small values: saturated %v, %v", small.Saturated(), err)
	}
}

// TestBombFloorIsPerRun: three gzipped files of zeros, each 25 MB from
// 25 kB, pass the bomb guard alone (its 64 MiB floor), but the loads of one
// run share the floor: together the third is refused. Reading one file
// again takes nothing more.
func TestBombFloorIsPerRun(t *testing.T) {
	dir := t.TempDir()
	bomb := reftest.Gzip(make([]byte, 25<<20))
	var paths []string
	for i := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("bomb%d.pb.gz", i))
		if err := os.WriteFile(p, bomb, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	alone := func(p string) error { _, err := diff.Open(context.Background(), p, nil); return err }
	for _, p := range paths {
		if err := alone(p); err == nil || strings.Contains(err.Error(), "decompress") {
			t.Fatalf("%s alone: %v, want it past the guard (and refused as no profile)", p, err)
		}
	}
	o := &diff.Options{Budget: diff.NewBudget()}
	var errs []string
	for _, p := range []string{paths[0], paths[0], paths[1], paths[2]} {
		_, err := diff.Open(context.Background(), p, o)
		errs = append(errs, fmt.Sprint(err))
	}
	for i, err := range errs[:3] {
		if strings.Contains(err, "decompress") {
			t.Errorf("load %d: %s", i, err)
		}
	}
	if want := paths[2] + ": decompresses to more than"; !strings.HasPrefix(errs[3], want) || !strings.Contains(errs[3], "all the dumps of this run") {
		t.Errorf("the third bomb: %s, want %q… naming the run's floor", errs[3], want)
	}
}
