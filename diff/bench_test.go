package diff_test

import (
	"os"
	"sync"
	"testing"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/reftest"
)

// compilerPair makes the large heap pair once per test binary.
var compilerPair = sync.OnceValues(func() ([2]string, error) {
	dir, err := os.MkdirTemp("", "leakscope-bench-")
	if err != nil {
		return [2]string{}, err
	}
	base, later, err := reftest.CompilerHeapPair(dir)
	return [2]string{base, later}, err
})

// BenchmarkCompareCompilerHeap loads the Go compiler's heap pair (both files
// in parallel), compares them and summarises functions, as `leakscope report` does.
func BenchmarkCompareCompilerHeap(b *testing.B) {
	pair, err := compilerPair()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		dumps, err := diff.OpenAll(pair[0], pair[1])
		if err != nil {
			b.Fatal(err)
		}
		c, err := diff.Compare(dumps[0], dumps[1], "inuse_space")
		if err != nil {
			b.Fatal(err)
		}
		if len(c.Functions()) == 0 {
			b.Fatal("no functions")
		}
	}
}

// BenchmarkOpenCompilerHeap measures loading one large dump.
func BenchmarkOpenCompilerHeap(b *testing.B) {
	pair, err := compilerPair()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := diff.Open(pair[1]); err != nil {
			b.Fatal(err)
		}
	}
}
