package jemalloc

import (
	"strings"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/rust"
)

// Allocation plumbing. jeprof strips the allocator itself (malloc and what
// it calls); what remains at the leaf of a Rust program's stacks is Rust's
// own path to it: the #[global_allocator] impl, the __rust_alloc shims, and
// the alloc crate's Box, Vec, RawVec, String and collection internals. C++
// programs have operator new there. FoldAllocFrames folds those leading
// frames into the first frame that is left, as pprof leaves Go's allocator
// out of Go heap profiles, so that flat values land where the program asked
// for memory.

// IsAllocFrame reports whether a demangled function name is allocation
// plumbing that FoldAllocFrames folds into its caller:
//
//   - impls of GlobalAlloc, Allocator and their methods: "<T as core::alloc::global::GlobalAlloc>::…",
//     "<alloc::alloc::Global as core::alloc::Allocator>::…";
//   - the allocator shims: "__rust_alloc", "__rust_alloc_zeroed", "__rust_realloc", "__rustc::…",
//     "__rdl_…", "__rg_…";
//   - every function of Rust's alloc crate, or of a trait impl whose type or
//     trait is in it ("alloc::alloc::exchange_malloc", "alloc::raw_vec::…",
//     "alloc::vec::from_elem", "alloc::boxed::Box<T>::new", "alloc::sync::Arc<T>::new",
//     "<u8 as alloc::vec::spec_from_elem::SpecFromElem>::from_elem", "alloc::fmt::format");
//     and std::alloc;
//   - C++ "operator new" and "operator new[]".
func IsAllocFrame(name string) bool {
	switch {
	case name == "operator new" || name == "operator new[]":
		return true
	case strings.HasPrefix(name, "__rust_") || strings.HasPrefix(name, "__rustc::") ||
		strings.HasPrefix(name, "__rdl_") || strings.HasPrefix(name, "__rg_"):
		return true
	case strings.Contains(name, " as core::alloc::global::GlobalAlloc>::") ||
		strings.Contains(name, " as core::alloc::Allocator>::"):
		return true
	}
	return rust.InCrate(name, "alloc") || strings.HasPrefix(name, "std::alloc::") || strings.HasPrefix(name, "<std::alloc::")
}

// FoldAllocFrames returns d with the allocation plumbing (IsAllocFrame, and
// the frames in a jemalloc shared library: Detail.InAllocator) at the leaf
// of every stack folded into its caller, for jemalloc dumps; other
// dumps, and dumps with no such frames, are returned as they are. A stack
// made only of plumbing is kept whole. Totals do not change.
func FoldAllocFrames(d *diff.Dump) *diff.Dump {
	if d == nil || !strings.HasPrefix(d.Format, "jemalloc") {
		return d
	}
	var lib map[diff.Frame]bool
	if det, ok := d.Detail.(*Detail); ok {
		lib = det.InAllocator
	}
	return d.TrimLeaves(func(f diff.Frame) bool { return IsAllocFrame(f.Function) || lib[f] })
}
