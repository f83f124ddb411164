package tokio

import "testing"

func TestFrameRules(t *testing.T) {
	tests := []struct {
		name                string
		cell, poll, runtime bool
		owner               string // trimClosure's result, "" when it has no closure
	}{
		{name: "tokio::runtime::task::core::Cell<T,S>::new", cell: true, runtime: true},
		{name: "<tokio::runtime::task::core::Cell<_, _>>::new", cell: true, runtime: true},
		{name: "tokio::runtime::task::core::Core<T,S>::poll", poll: true, runtime: true},
		{name: "tokio::runtime::task::core::Core<T,S>::poll::{{closure}}", poll: true, runtime: true, owner: "tokio::runtime::task::core::Core<T,S>::poll"},
		{name: "tokio::task::spawn::spawn", runtime: true},
		{name: "<tokio::runtime::blocking::task::BlockingTask<T> as core::future::future::Future>::poll", runtime: true},
		{name: "<core::panic::unwind_safe::AssertUnwindSafe<F> as core::ops::function::FnOnce<()>>::call_once", runtime: true},
		{name: "<&dyn core::ops::function::Fn<, Output = i32> + core::marker::Sync as core::ops::function::FnOnce<>>::call_once", runtime: true},
		{name: "<u8 as alloc::vec::spec_from_elem::SpecFromElem>::from_elem", runtime: true},
		{name: "std::panicking::catch_unwind", runtime: true},
		{name: "__rust_try", runtime: true},
		{name: "<tasky::RegionCache as core::default::Default>::default"},
		{name: "<tasky::RegionCache as core::default::Default>::default::{{closure}}", owner: "<tasky::RegionCache as core::default::Default>::default"},
		{name: "<frontend::Conn as core::future::future::Future>::poll"},
		{name: "tasky::handle_request::{{closure}}::{{closure}}", owner: "tasky::handle_request::{{closure}}"},
		{name: "tasky::main::{closure#0}", owner: "tasky::main"},
		{name: "tasky::Cache::load::{async_block#1}", owner: "tasky::Cache::load"},
		{name: "tasky::Pool::start"},
		{name: "tokio_util::sync::CancellationToken::cancel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsCell(tt.name); got != tt.cell {
				t.Errorf("IsCell = %v", got)
			}
			if got := isPoll(tt.name); got != tt.poll {
				t.Errorf("isPoll = %v", got)
			}
			if got := IsRuntime(tt.name); got != tt.runtime {
				t.Errorf("IsRuntime = %v", got)
			}
			owner, ok := trimClosure(tt.name)
			if ok != (tt.owner != "") || owner != tt.owner {
				t.Errorf("trimClosure = %q, %v; want %q", owner, ok, tt.owner)
			}
		})
	}
}
