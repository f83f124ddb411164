// Package rust holds what Leakscope knows of Rust's names: demangling of
// the legacy and v0 manglings (DemangleLegacy, DemangleV0), as c++filt and
// rustfilt print them; the short form the window shows (ShortName); and
// the one crate rule (InCrate) by which tokio's spawn sites and jemalloc's
// allocation frames are told from the program's own.
package rust
