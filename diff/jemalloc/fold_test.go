package jemalloc_test

import (
	"testing"

	"github.com/leakscope/leakscope/diff/jemalloc"
)

func TestIsAllocFrame(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"<tasky::Jemalloc as core::alloc::global::GlobalAlloc>::alloc", true},
		{"<tikv_jemallocator::Jemalloc as core::alloc::global::GlobalAlloc>::alloc_zeroed", true},
		{"__rust_alloc", true},
		{"__rustc::__rust_alloc", true},
		{"__rdl_alloc", true},
		{"__rg_alloc", true},
		{"alloc::alloc::alloc", true},
		{"alloc::alloc::exchange_malloc", true},
		{"<alloc::alloc::Global as core::alloc::Allocator>::allocate", true},
		{"alloc::raw_vec::RawVec<T,A>::grow_amortized", true},
		{"<alloc::raw_vec::RawVecInner>::try_allocate_in", true},
		{"alloc::raw_vec::finish_grow", true},
		{"alloc::vec::from_elem", true},
		{"<u8 as alloc::vec::spec_from_elem::SpecFromElem>::from_elem", true},
		{"alloc::boxed::Box<T>::new", true},
		{"alloc::sync::Arc<T>::new", true},
		{"<alloc::vec::Vec<T> as core::clone::Clone>::clone", true},
		{"<std::alloc::System as core::alloc::global::GlobalAlloc>::alloc", true},
		{"operator new", true},
		{"operator new[]", true},
		{"tokio::runtime::task::core::Cell<T,S>::new", false},
		{"<tasky::RegionCache as core::default::Default>::default", false},
		{"tasky::load_table", false},
		{"allocate_buffer", false},
		{"alloc_table", false},
		{"core::ptr::drop_in_place", false},
		{"main", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := jemalloc.IsAllocFrame(tt.name); got != tt.want {
				t.Errorf("IsAllocFrame(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}
