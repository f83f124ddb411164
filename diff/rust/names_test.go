package rust_test

import (
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff/rust"
)

func TestShortName(t *testing.T) {
	tests := []struct{ desc, in, want string }{
		{"trait impl", "<frontend::cache::RegionCache as core::default::Default>::default", "RegionCache::default"},
		{"trait impl closure", "<tasky::RegionCache as core::default::Default>::default::{{closure}}", "RegionCache::default::{closure}"},
		{"generic type", "tokio::runtime::task::core::Cell<T,S>::new", "Cell::new"},
		{"inherent v0", "<alloc::raw_vec::RawVecInner>::try_allocate_in", "RawVecInner::try_allocate_in"},
		{"free function", "tasky::load_table", "load_table"},
		{"async fn body", "tasky::handle_request::{{closure}}", "handle_request::{closure}"},
		{"nested closures", "tasky::handle_request::{{closure}}::{{closure}}", "handle_request::{closure}::{closure}"},
		{"v0 closure", "tasky::main::{closure#0}", "main::{closure}"},
		{"v0 async block", "<tasky::Cache>::load::{async_block#0}", "Cache::load::{async block}"},
		{"method", "tasky::Pool::start", "Pool::start"},
		{"v0 generic type", "<alloc::raw_vec::RawVec<>>::grow_one", "RawVec::grow_one"},
		{"v0 empty turbofish", "<core::cell::once::OnceCell<>>::try_init::<>", "OnceCell::try_init"},
		{"generic arguments in the impl", "<alloc::vec::Vec<T> as core::clone::Clone>::clone", "Vec::clone"},
		{"C++ (no types told apart)", "std::vector::push_back", "push_back"},
		{"Go", "main.(*Client).watch", "main.(*Client).watch"},
		{"C", "malloc", "malloc"},
		{"address", "0x55d0 (tasky+0x1234)", "0x55d0 (tasky+0x1234)"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := rust.ShortName(tt.in); got != tt.want {
				t.Errorf("ShortName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzShortName checks that no name makes ShortName panic, and that names
// without "::" come back as they are.
func FuzzShortName(f *testing.F) {
	for _, s := range []string{"<a::B as c::D>::e", "<<>>::x", "a::{{closure}}", "<", "::", "<a as >::", "x::<>::<>", "a->b::c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := rust.ShortName(name)
		if !strings.Contains(name, "::") && got != name {
			t.Errorf("ShortName(%q) = %q", name, got)
		}
	})
}

func TestRustImpl(t *testing.T) {
	tests := []struct{ name, self, trait string }{
		{"<tasky::RegionCache as core::default::Default>::default", "tasky::RegionCache", "core::default::Default"},
		{"<alloc::vec::Vec<T, A>>::push", "alloc::vec::Vec<T, A>", ""},
		{"<&dyn core::ops::Fn() -> u8 + core::panic::RefUnwindSafe as core::ops::FnOnce<()>>::call_once", "&dyn core::ops::Fn() -> u8 + core::panic::RefUnwindSafe", "core::ops::FnOnce<()>"},
		{"<<T as Trait>::Assoc as Other>::m", "<T as Trait>::Assoc", "Other"},
		{"tokio::spawn", "", ""},
		{"<unclosed", "", ""},
	}
	for _, tt := range tests {
		if self, trait := rust.RustImpl(tt.name); self != tt.self || trait != tt.trait {
			t.Errorf("RustImpl(%q) = %q, %q; want %q, %q", tt.name, self, trait, tt.self, tt.trait)
		}
	}
}
