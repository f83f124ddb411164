package diff_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/reftest"
)

func readDemo(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(demoDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// cpuProfile records a real CPU profile of this test process.
func cpuProfile(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Millisecond)
	for x := 0; time.Now().Before(deadline); x++ {
		_ = strings.Repeat("x", x%64)
	}
	pprof.StopCPUProfile()
	return buf.Bytes()
}

func TestOpenBadInput(t *testing.T) {
	t.Parallel()
	heap := readDemo(t, "heap-base.pb.gz")
	raw := gunzip(t, heap)
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	tests := []struct {
		desc string
		data []byte
		want string // a part of the message
	}{
		{"empty file", nil, "empty file"},
		{"gzip magic only", []byte{0x1f, 0x8b}, "bad gzip data: truncated"},
		{"truncated gzip", heap[:len(heap)/2], "bad gzip data: truncated"},
		{"truncated proto", raw[:len(raw)/2], "reading pprof protobuf"},
		{"truncated proto, one byte short", raw[:len(raw)-1], "reading pprof protobuf"},
		{"random bytes", random, "not a profile this tool reads (binary data"},
		{"text file", []byte("hello, world\nthis is not a profile\n"), `not a profile this tool reads (text starting "hello, world"`},
		{"gzipped text file", gz([]byte("just text\n")), `text starting "just text"`},
		{"empty gzip", gz(nil), "empty after gzip decompression"},
		{"count profile with a bad stack", []byte("goroutine profile: total 3\n3 @ 0xzz\n"), "reading Go text profile (debug=1)"},
		{"heap header with garbage", []byte("heap profile: 1: 2 [3: 4] @ heap/1\nnot a sample\n"), "reading Go text profile (debug=1)"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "dump file.pb.gz")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			d, err := diff.Open(context.Background(), path, nil)
			if err == nil {
				t.Fatalf("Open succeeded with %d stacks; want an error", d.NumStacks())
			}
			var fe *diff.Error
			if !errors.As(err, &fe) || fe.Path != path {
				t.Fatalf("error %q (%T) does not name the file", err, err)
			}
			if !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want %q after the file name", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines", err)
			}
		})
	}
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestOpenMissingAndDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tt := range []struct{ path, want string }{
		{filepath.Join(dir, "nope.pb.gz"), "no such file or directory"},
		{dir, "is a directory"},
	} {
		_, err := diff.Open(context.Background(), tt.path, nil)
		if err == nil || err.Error() != tt.path+": "+tt.want {
			t.Errorf("Open(%q) = %v, want %q", tt.path, err, tt.path+": "+tt.want)
		}
	}
}

// TestLoaderPanicIsAnError registers a format whose loader panics: the caller
// gets an error naming the file, not a crash.
func TestLoaderPanicIsAnError(t *testing.T) {
	const magic = "leakscope panicking test format\n"
	diff.RegisterFormat(diff.Format{
		Name:  "panicking test format",
		Match: func(data []byte) bool { return bytes.HasPrefix(data, []byte(magic)) },
		Load:  func(data []byte, b *diff.Builder) error { return []error{}[len(data)] },
	})
	_, err := diff.Parse(context.Background(), []byte(magic), "p.txt", nil)
	if !errors.Is(err, diff.ErrInternal) || !strings.HasPrefix(err.Error(), "p.txt: reading panicking test format: internal error") ||
		!strings.Contains(err.Error(), "index out of range") {
		t.Errorf("error %v, want an internal error naming p.txt and the panic", err)
	}
}

func TestCompareMismatch(t *testing.T) {
	t.Parallel()
	heap, err := diff.Parse(context.Background(), readDemo(t, "heap-base.pb.gz"), "heap.pb.gz", nil)
	if err != nil {
		t.Fatal(err)
	}
	cpu, err := diff.Parse(context.Background(), cpuProfile(t), "cpu.pb.gz", nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := diff.Parse(context.Background(), readDemo(t, "goroutine-base.txt"), "goroutine.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cpu.Kind != diff.KindCPU || g.Kind != diff.KindGoroutine || heap.Kind != diff.KindHeap {
		t.Fatalf("kinds %s, %s, %s", cpu.Kind, g.Kind, heap.Kind)
	}
	tests := []struct {
		desc        string
		base, later *diff.Dump
		sample      string
		want        string
	}{
		{"heap vs cpu", heap, cpu, "", "cpu.pb.gz: is a cpu profile, but the base heap.pb.gz is a heap profile; they cannot be compared"},
		{"cpu vs heap", cpu, heap, "", "heap.pb.gz: is a heap profile, but the base cpu.pb.gz is a cpu profile; they cannot be compared"},
		{"goroutine vs heap", g, heap, "inuse_space", "heap.pb.gz: is a heap profile, but the base goroutine.txt is a goroutine profile; they cannot be compared"},
		{"unknown sample", heap, heap, "bogus", `heap.pb.gz: no sample type "bogus"; this heap dump has alloc_objects, alloc_space, inuse_objects, inuse_space`},
		{"sample index out of range", nil, heap, "7", "heap.pb.gz: sample index 7 is outside the range [0..3]"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			_, err := diff.Compare(tt.base, tt.later, tt.sample)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Compare: %v\nwant: %s", err, tt.want)
			}
		})
	}
}

func TestDumpHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file        string
		kind        diff.Kind
		format      string
		defaultType string
		hasTime     bool
	}{
		{"heap-base.pb.gz", diff.KindHeap, "pprof protobuf", "", true},
		{"goroutine-base.pb.gz", diff.KindGoroutine, "pprof protobuf", "", true},
		{"goroutine-base.txt", diff.KindGoroutine, "Go text profile (debug=1)", "", false},
	}
	for _, tt := range tests {
		d, err := diff.Parse(context.Background(), readDemo(t, tt.file), tt.file, nil)
		if err != nil {
			t.Fatal(err)
		}
		if d.Kind != tt.kind || d.Format != tt.format || d.DefaultSampleType != tt.defaultType || d.Time.IsZero() == tt.hasTime {
			t.Errorf("%s: kind %s, format %q, default %q, time %v", tt.file, d.Kind, d.Format, d.DefaultSampleType, d.Time)
		}
	}
}

func TestShrinkingStacksAreKept(t *testing.T) {
	t.Parallel()
	dumps, err := diff.OpenAll(context.Background(), nil, filepath.Join(demoDir, "heap-base.pb.gz"), filepath.Join(demoDir, "heap-later.pb.gz"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := diff.Compare(dumps[0], dumps[1], "inuse_space")
	if err != nil {
		t.Fatal(err)
	}
	var gone bool
	for s := 0; s < c.NumStacks(); s++ {
		v := c.Value(s)
		for _, f := range c.Stack(s) {
			if c.Frame(f).Function == "main.loadBootConfig" && v.Base > 0 && v.Later == 0 {
				gone = true
			}
		}
	}
	if !gone {
		t.Error("the boot configuration's stack, freed before the later dump, is missing")
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"heap-base.pb.gz", "goroutine-base.pb.gz", "goroutine-base.txt"} {
		b := readDemo(f, name)
		f.Add(b)
		if name[len(name)-3:] == ".gz" {
			f.Add(gunzip(f, b))
		}
	}
	f.Add([]byte("heap profile: 1: 2 [3: 4] @ heap/1\n1: 2 [3: 4] @ 0x1 0x2\n#\t0x0\tmain.f+0x1\t/a.go:3\n"))
	// Crafted inputs whose counts claim more than they hold.
	f.Add(reftest.ManyLinesProto(300, 300))
	f.Add(gz(reftest.ManyLinesProto(10, 10)))
	f.Add(reftest.EmptyLocationsProto(64))
	f.Add(gz(make([]byte, 1<<16)))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := reftest.ParseFuzzInput(t, data)
		if d == nil {
			return
		}
		c, err := diff.Compare(d, d, "")
		if err != nil {
			return
		}
		for _, fn := range c.Functions() {
			if fn.Flat.Diff() != 0 || fn.Cum.Diff() != 0 {
				t.Fatalf("a dump compared with itself shows a change in %s", fn.Name)
			}
		}
	})
}

// TestLinesSumToFunctions: per-line values add up to their function's flat
// value, and the lines of one function carry its cum at most.
func TestLinesSumToFunctions(t *testing.T) {
	t.Parallel()
	dumps, err := diff.OpenAll(context.Background(), nil, filepath.Join(demoDir, "heap-base.pb.gz"), filepath.Join(demoDir, "heap-later.pb.gz"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := diff.Compare(dumps[0], dumps[1], "")
	if err != nil {
		t.Fatal(err)
	}
	flat := map[string]diff.Delta{}
	for _, l := range c.Lines() {
		fn := l.Name
		if i := strings.LastIndexByte(fn, ' '); i >= 0 {
			fn = fn[:i]
		}
		d := flat[fn]
		d.Base += l.Flat.Base
		d.Later += l.Flat.Later
		flat[fn] = d
	}
	for _, f := range c.Functions() {
		if flat[f.Name] != f.Flat {
			t.Errorf("%s: lines sum to flat %+v, the function has %+v", f.Name, flat[f.Name], f.Flat)
		}
	}
}

// TestByteOrderMark: a text dump saved with a byte-order mark (UTF-8, or
// UTF-16 either way round) reads as the same dump without it.
func TestByteOrderMark(t *testing.T) {
	for _, name := range []string{"goroutines-base.txt", "goroutine-base.txt"} {
		plain, err := os.ReadFile(filepath.Join(demoDir, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := diff.Parse(context.Background(), plain, name, nil)
		if err != nil {
			t.Fatal(err)
		}
		utf16 := func(big bool) []byte {
			out := []byte{0xff, 0xfe}
			if big {
				out = []byte{0xfe, 0xff}
			}
			for _, r := range string(plain) { // the demo dumps are ASCII
				if big {
					out = append(out, 0, byte(r))
				} else {
					out = append(out, byte(r), 0)
				}
			}
			return out
		}
		for _, tt := range []struct {
			desc string
			data []byte
		}{
			{"UTF-8", append([]byte{0xef, 0xbb, 0xbf}, plain...)},
			{"UTF-16LE", utf16(false)},
			{"UTF-16BE", utf16(true)},
		} {
			got, err := diff.Parse(context.Background(), tt.data, name, nil)
			if err != nil {
				t.Errorf("%s with a %s mark: %v", name, tt.desc, err)
				continue
			}
			if got.Format != want.Format || got.NumStacks() != want.NumStacks() || got.Total(0) != want.Total(0) {
				t.Errorf("%s with a %s mark: %s, %d stacks, total %d; without: %s, %d, %d", name, tt.desc,
					got.Format, got.NumStacks(), got.Total(0), want.Format, want.NumStacks(), want.Total(0))
			}
		}
	}
	if _, err := diff.Parse(context.Background(), []byte{0xff, 0xfe, 'g', 0, 'o'}, "odd.txt", nil); err == nil || !strings.Contains(err.Error(), "odd.txt: begins as UTF-16") {
		t.Errorf("odd UTF-16: %v", err)
	}
}
