// Package diff loads profile dumps and compares a base dump with a later one.
//
// The vocabulary is small:
//
//   - a Dump is one loaded file: its kind, sample types, time and its stacks,
//     each stack a sequence of symbolized Frames with one value per sample type;
//   - a Format reads one kind of file; formats are detected by content, never
//     by file name, and plug in with RegisterFormat from their own packages
//     (diff/pprof, diff/goroutines, diff/jemalloc), which a program imports
//     for the kinds it reads;
//   - a Comparison holds, for one sample type, every stack of either dump with
//     its base and later value, so that nothing that shrank is lost;
//   - Functions and Totals summarise a Comparison the way `pprof -top -base`
//     does.
//
// Frames are matched by symbol (function, file, line), never by address, so
// dumps taken from two processes compare correctly.
//
// The package never imports a GUI toolkit and runs without cgo.
package diff
