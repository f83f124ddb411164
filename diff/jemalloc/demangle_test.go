package jemalloc

import "testing"

func TestDemangleName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"worker_new", "worker_new"},
		{"_ZN5tokio7runtime4task3raw7RawTask4poll17h1d2c3b4a5f6e7d8cE", "tokio::runtime::task::raw::RawTask::poll"},
		{"_RNvNtCs1234_5tokio7runtime5spawn", "tokio::runtime::spawn"},
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
