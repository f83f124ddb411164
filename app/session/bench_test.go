package session_test

import (
	"context"
	"testing"

	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff/reftest"
)

// BenchmarkComputeCompilerHeap measures what the window does after loading
// the Go compiler's heap pair: compare, allocation sites, call tree.
func BenchmarkComputeCompilerHeap(b *testing.B) {
	base, later, err := reftest.SharedCompilerHeapPair()
	if err != nil {
		b.Fatal(err)
	}
	dumps, err := session.Load(context.Background(), session.Files([]string{base, later}), &session.Symbols{Thin: true}, nil)
	if err != nil {
		b.Fatal(err)
	}
	s := session.New(nil)
	s.Add(dumps, false)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := session.Compute(context.Background(), s.Snapshot(), nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadCompilerHeap measures loading the pair as the window does.
func BenchmarkLoadCompilerHeap(b *testing.B) {
	base, later, err := reftest.SharedCompilerHeapPair()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := session.Load(context.Background(), session.Files([]string{base, later}), &session.Symbols{Thin: true}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
