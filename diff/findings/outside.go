// Package findings takes a comparison from "memory grew here" to "this line
// leaks": for the top suspects (spawn sites of goroutines or tokio tasks
// by growth in live count, and allocation sites by flat growth) it states
// what grew, how the program reaches it (the path of the program's own
// frames from its entry to the site, with the line of each call), what the
// tasks hold, and the pattern the path shows, such as a Default impl reached
// through `..Default::default()`.
//
// It also holds the rule that tells the program's frames from the runtime's
// (Outside), which the flame graph uses to fold runtime plumbing.
package findings

import (
	"strings"

	"github.com/leakscope/leakscope/diff/rust"
	"github.com/leakscope/leakscope/diff/tokio"
)

// Outside reports whether a function is outside the program: Go's runtime,
// Rust's std, core and alloc, tokio and the __rust shims (the crates the
// tokio spawn-site rule passes over), glibc, the dynamic loader and
// libpthread. It is the default of Rule.
func Outside(name string) bool {
	switch {
	case strings.HasPrefix(name, "runtime.") || strings.HasPrefix(name, "runtime/") ||
		strings.HasPrefix(name, "internal/runtime/"):
		return true // Go's runtime
	case tokio.IsRuntime(name):
		return true
	case libc[name] || strings.HasPrefix(name, "__libc_") || strings.HasPrefix(name, "_dl_") ||
		strings.HasPrefix(name, "__GI_") || strings.HasPrefix(name, "__pthread_") || strings.HasPrefix(name, "pthread_"):
		return true
	}
	return false
}

// libc are the frames of glibc, the dynamic loader and libpthread that
// start a program or a thread.
var libc = map[string]bool{
	"_start": true, "start_thread": true, "clone": true, "clone3": true, "__clone": true, "__clone3": true,
	"__libc_start_main": true, "__libc_start_call_main": true, "__libc_start_main_impl": true,
	"_dl_start": true, "_dl_start_user": true, "_dl_init": true,
}

// Rule tells the program's frames from the runtime's. Crates lists more
// Rust crates (hyper) or Go packages (github.com/lib/pq, and the packages
// below it) whose frames count as outside the program, beside Outside's.
type Rule struct {
	Crates []string
}

// Outside reports whether function name is outside the program.
func (r Rule) Outside(name string) bool {
	if Outside(name) {
		return true
	}
	for _, c := range r.Crates {
		c = strings.TrimRight(c, ".:/")
		if c != "" && (rust.InCrate(name, c) || strings.HasPrefix(name, c+".") || strings.HasPrefix(name, c+"/")) {
			return true
		}
	}
	return false
}

// Func returns r's Outside, or the default Outside when r adds nothing.
func (r Rule) Func() func(string) bool {
	if len(r.Crates) == 0 {
		return Outside
	}
	return r.Outside
}
