package rust

import "strings"

// ShortName returns the form of a demangled Rust (or C++) function name
// that a reader scans for: the type and the method, or the function,
// without module paths, generic arguments or trait names, with closures
// and async bodies as {closure} and {async block}:
//
//	<frontend::cache::RegionCache as core::default::Default>::default  →  RegionCache::default
//	tokio::runtime::task::core::Cell<T,S>::new                          →  Cell::new
//	frontend::handle::{{closure}}                                        →  handle::{closure}
//	<frontend::Cache>::load::{async_block#0}                             →  Cache::load::{async block}
//
// Names without "::" (Go's, C's) are returned as they are. The full name
// stays the frame's identity; ShortName is for display only.
func ShortName(name string) string {
	if !strings.Contains(name, "::") || strings.ContainsAny(name, " (") && !strings.Contains(name, " as ") {
		return name
	}
	var segs []string
	for _, seg := range splitPath(name) {
		if seg != "<>" { // an empty turbofish, as v0 demangles without template parameters
			segs = append(segs, seg)
		}
	}
	if len(segs) == 0 {
		return name
	}
	// The trailing closures, then the item that holds them.
	var tail []string
	i := len(segs) - 1
	for ; i >= 0; i-- {
		c, ok := closureName(segs[i])
		if !ok {
			break
		}
		tail = append([]string{c}, tail...)
	}
	if i < 0 {
		return name
	}
	var parts []string
	item := bare(segs[i])
	if i > 0 && (isType(segs[i-1]) || strings.HasPrefix(segs[i], "<")) {
		parts = append(parts, bare(segs[i-1]))
	}
	if strings.HasPrefix(segs[i], "<") {
		parts = []string{item}
	} else {
		parts = append(parts, item)
	}
	return strings.Join(append(parts, tail...), "::")
}

// splitPath splits a path at the "::" outside <…>.
func splitPath(name string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '<':
			depth++
		case '>':
			if depth > 0 && (i == 0 || name[i-1] != '-') {
				depth--
			}
		case ':':
			if depth == 0 && i+1 < len(name) && name[i+1] == ':' {
				out = append(out, name[start:i])
				start = i + 2
				i++
			}
		}
	}
	return append(out, name[start:])
}

// closureName names a closure segment as ShortName shows it.
func closureName(seg string) (string, bool) {
	switch {
	case seg == "{{closure}}", strings.HasPrefix(seg, "{closure#"):
		return "{closure}", true
	case strings.HasPrefix(seg, "{async_block#"), seg == "{async block}":
		return "{async block}", true
	case strings.HasPrefix(seg, "{async_fn#"):
		return "{async fn}", true
	case strings.HasPrefix(seg, "{{") || strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") && strings.Contains(seg, "#"):
		return seg, true // {{vtable.shim}}, {shim:…}, {impl#N}
	}
	return "", false
}

// bare turns one segment into its short form: "<A as B>" and "<A>" become
// the last segment of A, and generic arguments go.
func bare(seg string) string {
	if strings.HasPrefix(seg, "<") && strings.HasSuffix(seg, ">") {
		inner := seg[1 : len(seg)-1]
		if i := topLevel(inner, " as "); i >= 0 {
			inner = inner[:i]
		}
		inner = strings.TrimPrefix(strings.TrimPrefix(inner, "&mut "), "&")
		if p := splitPath(inner); len(p) > 0 {
			return bare(p[len(p)-1])
		}
		return inner
	}
	if i := strings.IndexByte(seg, '<'); i > 0 {
		return seg[:i]
	}
	return seg
}

// RustImpl splits a method of a Rust impl, "<Self as Trait>::m" or
// "<Self>::m", into Self and Trait ("" for an inherent impl); both are ""
// for a name that is no such method. The "->" of fn types does not count as
// a closing bracket.
func RustImpl(name string) (self, trait string) {
	if !strings.HasPrefix(name, "<") {
		return "", ""
	}
	depth := 0
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '<':
			depth++
		case '>':
			if i > 0 && name[i-1] == '-' {
				continue
			}
			depth--
			if depth != 0 {
				continue
			}
			inner := name[1:i]
			if j := topLevel(inner, " as "); j >= 0 {
				return inner[:j], inner[j+4:]
			}
			return inner, ""
		}
	}
	return "", ""
}

// topLevel returns the index of sep in s outside <…>, or -1; the ">" of
// "->" does not close a bracket.
func topLevel(s, sep string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			depth++
		case '>':
			if i == 0 || s[i-1] != '-' {
				depth--
			}
		}
		if depth == 0 && strings.HasPrefix(s[i:], sep) {
			return i
		}
	}
	return -1
}

// isType reports whether a path segment names a type (Rust types are
// CamelCase, modules snake_case) or an impl block.
func isType(seg string) bool {
	if seg == "" {
		return false
	}
	c := seg[0]
	return c >= 'A' && c <= 'Z' || c == '<'
}

// InCrate reports whether a Rust function is in crate c: its path is, or,
// for a method "<Self as Trait>::m", its Self type is; a Self that is no
// path (u8, [T], &dyn Fn…) goes by its trait.
func InCrate(name, c string) bool {
	if strings.HasPrefix(name, c+"::") {
		return true
	}
	if !strings.HasPrefix(name, "<") {
		return false
	}
	self, trait := RustImpl(name)
	self = strings.TrimLeft(self, "&*")
	for _, p := range []string{"mut ", "const ", "dyn "} {
		self = strings.TrimPrefix(self, p)
	}
	if strings.HasPrefix(self, c+"::") {
		return true
	}
	path := strings.Contains(self, "::") && !strings.HasPrefix(self, "[") && !strings.HasPrefix(self, "(")
	return !path && strings.HasPrefix(trait, c+"::")
}
