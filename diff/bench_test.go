package diff_test

import (
	"context"
	"testing"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/reftest"
)

// compilerPair makes the large heap pair once per test binary.
func compilerPair() ([2]string, error) {
	base, later, err := reftest.SharedCompilerHeapPair()
	return [2]string{base, later}, err
}

// BenchmarkCompareCompilerHeap loads the Go compiler's heap pair (both files
// in parallel), compares them and summarises functions, as `leakscope report` does.
func BenchmarkCompareCompilerHeap(b *testing.B) {
	pair, err := compilerPair()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		dumps, err := diff.OpenAll(context.Background(), nil, pair[0], pair[1])
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
		if _, err := diff.Open(context.Background(), pair[1], nil); err != nil {
			b.Fatal(err)
		}
	}
}
