package jemalloc

import "testing"

func TestDemangleName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"worker_new", "worker_new"},
		{"_ZN5tokio7runtime4task3raw7RawTask4poll17h1d2c3b4a5f6e7d8cE", "tokio::runtime::task::raw::RawTask::poll"},
		{"_RNvNtCs1234_5tokio7runtime5spawn", "tokio::runtime::spawn"},
		// v0, as Rust's standard library is built: an inherent method of a
		// generic type, and a closure.
		{"_RNvMs3_NtCslNYArtu3iFV_5alloc7raw_vecINtB5_6RawVecINtNtB7_3vec3VechEE8grow_oneCsjrHSEGnQ3l9_3std", "<alloc::raw_vec::RawVec<>>::grow_one"},
		{"_RNCNvCs1234_5tasky4main0", "tasky::main::{closure#0}"},
		// legacy, as most crates are built: a trait impl and a closure.
		{"_ZN61_$LT$tasky..RegionCache$u20$as$u20$core..default..Default$GT$7default28_$u7b$$u7b$closure$u7d$$u7d$17he8aed2026db3d538E", "<tasky::RegionCache as core::default::Default>::default::{{closure}}"},
		{"_ZN5tasky14handle_request28_$u7b$$u7b$closure$u7d$$u7d$17h0123456789abcdefE", "tasky::handle_request::{{closure}}"},
		{"_ZN3foo3Bar3bazEi", "foo::Bar::baz"},
		{"_Znwm", "operator new"},
		{"_ZNSt6vectorIiSaIiEE9push_backERKi", "std::vector::push_back"},
	}
	for _, tt := range tests {
		if got := demangleName(tt.in); got != tt.want {
			t.Errorf("demangleName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsAllocator(t *testing.T) {
	for name, want := range map[string]bool{
		"malloc": true, "operator new": false, "je_prof_backtrace": true, "_rjem_je_malloc_default": true,
		"_rjem_malloc": true, "_rjem_mallocx": true, "worker_new": false, "main": false, "_rjem_other": false,
	} {
		if got := isAllocator(name); got != want {
			t.Errorf("isAllocator(%q) = %v", name, got)
		}
	}
}
