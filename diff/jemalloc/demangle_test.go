package jemalloc

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff/reftest"
	"github.com/leakscope/leakscope/diff/rust"
)

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
		// legacy elements that begin with an underscore keep it, as with
		// c++filt and rustc-demangle; only "_$" drops it.
		{"_ZN3std3sys9backtrace28__rust_begin_short_backtrace17h5b3c1d2e3f4a5b6cE", "std::sys::backtrace::__rust_begin_short_backtrace"},
		{"_ZN3foo4_bar17h0123456789abcdefE.llvm.12345", "foo::_bar"},
		{"_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$u7b$closure$u7d$$u7d$$GT$17h0123456789abcdefE", "core::ptr::drop_in_place<std::rt::lang_start<()>::{{closure}}>"},
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

// TestDemangleMatchesCxxfilt demangles every Rust legacy symbol of the
// tokio test service as c++filt (binutils) does, less the hash element.
func TestDemangleMatchesCxxfilt(t *testing.T) {
	reftest.NeedRust(t)
	reftest.NeedTools(t, "nm", "c++filt")
	ts, err := reftest.TaskyDumps(0, 10, 20)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("nm", "--defined-only", ts.Bin).Output()
	if err != nil {
		t.Fatalf("nm: %v", err)
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) == 3 && rust.LegacyRE.MatchString(f[2]) {
			names = append(names, f[2])
		}
	}
	if len(names) < 100 {
		t.Fatalf("only %d Rust legacy symbols in %s", len(names), ts.Bin)
	}
	cmd := exec.Command("c++filt")
	cmd.Stdin = strings.NewReader(strings.Join(names, "\n") + "\n")
	filtered, err := cmd.Output()
	if err != nil {
		t.Fatalf("c++filt: %v", err)
	}
	hash := regexp.MustCompile(`::h[0-9a-f]{16}$`)
	want := strings.Split(strings.TrimSuffix(string(filtered), "\n"), "\n")
	bad := 0
	for i, n := range names {
		if got, w := demangleName(n), hash.ReplaceAllString(want[i], ""); got != w {
			if bad++; bad <= 5 {
				t.Errorf("demangleName(%s) = %q; c++filt: %q", n, got, w)
			}
		}
	}
	t.Logf("%d Rust legacy symbols, %d differ from c++filt", len(names), bad)
}

// TestDemangleV0MatchesCxxfilt builds testdata/v0.rs with Rust's v0
// mangling and checks every Rust symbol's full name (demangleFull) against
// c++filt's. c++filt also prints crate disambiguators (core[c1f1…]) and
// the types of constant arguments (<10: usize>), which rustfilt and
// Leakscope leave out; they are taken out of its output before comparing.
func TestDemangleV0MatchesCxxfilt(t *testing.T) {
	reftest.Reference(t)
	reftest.NeedTools(t, "rustc", "nm", "c++filt")
	bin := filepath.Join(t.TempDir(), "v0")
	if out, err := exec.Command("rustc", "-g", "-C", "symbol-mangling-version=v0", "-o", bin, filepath.Join("testdata", "v0.rs")).CombinedOutput(); err != nil {
		t.Fatalf("rustc: %v\n%s", err, out)
	}
	out, err := exec.Command("nm", "--defined-only", bin).Output()
	if err != nil {
		t.Fatalf("nm: %v", err)
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) == 3 && strings.HasPrefix(f[2], "_R") {
			names = append(names, f[2])
		}
	}
	if len(names) < 100 {
		t.Fatalf("only %d Rust v0 symbols in %s", len(names), bin)
	}
	cmd := exec.Command("c++filt")
	cmd.Stdin = strings.NewReader(strings.Join(names, "\n") + "\n")
	filtered, err := cmd.Output()
	if err != nil {
		t.Fatalf("c++filt: %v", err)
	}
	disambiguator := regexp.MustCompile(`\[[0-9a-f]{1,16}\]`)
	constType := regexp.MustCompile(`\b(\d+|true|false|'.'): (usize|isize|[ui](8|16|32|64|128)|bool|char)\b`)
	want := strings.Split(strings.TrimSuffix(string(filtered), "\n"), "\n")
	bad, closures := 0, 0
	for i, n := range names {
		w := constType.ReplaceAllString(disambiguator.ReplaceAllString(want[i], ""), "$1")
		if got := demangleFull(n); got != w {
			if bad++; bad <= 5 {
				t.Errorf("demangleFull(%s) = %q; c++filt: %q", n, got, w)
			}
		}
		if strings.Contains(w, "{closure#") {
			closures++
		}
	}
	if closures == 0 {
		t.Error("no closure among the symbols: the program is off")
	}
	t.Logf("%d Rust v0 symbols, %d differ from c++filt", len(names), bad)
}

func TestSystemLibrary(t *testing.T) {
	for path, want := range map[string]bool{
		"/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30": true,
		"/lib/x86_64-linux-gnu/libc.so.6":               true,
		"/lib64/ld-linux-x86-64.so.2":                   true,
		"/usr/local/lib/libjemalloc.so.2":               true,
		"/srv/app/server":                               false,
		"/home/me/target/debug/tasky":                   false,
		"/usr/library/x.so":                             false,
	} {
		if got := systemLibrary(path); got != want {
			t.Errorf("systemLibrary(%q) = %v, want %v", path, got, want)
		}
	}
}
