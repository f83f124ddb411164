// Package pprof reads Go's profiles into diff dumps: the pprof protobuf
// (profile.proto, gzipped or not), streamed in one pass without building
// profile.Profile, and the legacy text profiles (debug=1) that Go serves
// for heap, goroutine, threadcreate, mutex and block profiles.
//
// Importing the package registers both formats with diff.RegisterFormat:
//
//	import _ "github.com/leakscope/leakscope/diff/pprof"
//
// Both apply Go's runtime-frame rule (diff.Builder.HideGoRuntime), as the
// goroutine dump reader does, so that dumps of one program compare alike
// whichever form they were taken in.
package pprof
