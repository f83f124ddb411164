package session

import (
	"slices"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/debuginfod"
	"github.com/leakscope/leakscope/diff/jemalloc"
)

// Symbols are where the symbols of jemalloc dumps come from besides the
// files the dumps name (see diff.Options).
type Symbols struct {
	// Binaries are program and library files to symbolize with.
	Binaries []string
	// DebugDirs are folders of separate debug files.
	DebugDirs []string
	// Servers are debuginfod server URLs; none means no network access.
	Servers []string
	// Thin, when set, loads a pair's heap profiles with only the stacks
	// that hold a value of sample type Sample ("" for the default), as
	// report does (diff.Options.SkipZero): the window compares one sample
	// type at a time, and reads the pair again to show another.
	Thin   bool
	Sample string
}

// Clone returns a copy of y that shares nothing with it; nil for nil.
func (y *Symbols) Clone() *Symbols {
	if y == nil {
		return nil
	}
	return &Symbols{Binaries: slices.Clone(y.Binaries), DebugDirs: slices.Clone(y.DebugDirs), Servers: slices.Clone(y.Servers),
		Thin: y.Thin, Sample: y.Sample}
}

// Options returns the options of one load with these symbols, reporting
// to p. The debuginfod client cache is always looked in; servers are asked
// only when y names some.
func (y *Symbols) Options(p *diff.Progress) *diff.Options {
	o := &diff.Options{Progress: p, Budget: diff.NewBudget()}
	if y != nil {
		o.Binaries, o.DebugDirs = slices.Clone(y.Binaries), slices.Clone(y.DebugDirs)
		o.Debuginfod = debuginfod.New(slices.Clone(y.Servers))
		o.Debuginfod.Check = jemalloc.CheckDebugFile
		o.SkipZero, o.Sample = y.Thin, y.Sample
	} else {
		o.Debuginfod = debuginfod.New(nil)
		o.Debuginfod.Check = jemalloc.CheckDebugFile
	}
	return o
}

// AddBinary records a binary to symbolize with and returns the paths of the
// dumps on screen that must be read again to use it.
func (s *Session) AddBinary(path string) []string {
	if !slices.Contains(s.Binaries, path) {
		s.Binaries = append(s.Binaries, path)
	}
	var paths []string
	for _, d := range s.dumps() {
		if len(jemalloc.MissingBinaries(d)) > 0 {
			paths = append(paths, d.Path)
		}
	}
	return paths
}

// SetSymbolSources sets the debug folders and debuginfod servers, and
// returns the paths of the jemalloc dumps on screen, which must be read
// again to use them.
func (s *Session) SetSymbolSources(dirs, servers []string) []string {
	s.DebugDirs, s.Servers = slices.Clone(dirs), slices.Clone(servers)
	var paths []string
	for _, d := range s.dumps() {
		if _, ok := d.Detail.(*jemalloc.Detail); ok {
			paths = append(paths, d.Path)
		}
	}
	return paths
}

// StrippedObjects lists, once each, the stripped objects of the dumps on
// screen whose symbols were found nowhere (jemalloc.StrippedObjects).
func (s *Session) StrippedObjects() []string { return s.once(jemalloc.StrippedObjects) }

// ThinnedFor returns the profile pair's dumps that must be read again to
// compare sample type sample: those thinned for another (diff.Dump.Thinned).
func (s *Session) ThinnedFor(sample string) []string {
	var out []string
	for _, d := range s.Profile.Dumps() {
		if d.Thinned != "" && d.Thinned != sample {
			out = append(out, d.Path)
		}
	}
	return out
}

// MissingBinaries lists, once each, the program files that dumps on screen
// were taken from but that are not on this machine.
func (s *Session) MissingBinaries() []string { return s.once(jemalloc.MissingBinaries) }

// once lists what of gives for the dumps on screen, each name once, in
// the order met.
func (s *Session) once(of func(*diff.Dump) []string) []string {
	var out []string
	for _, d := range s.dumps() {
		for _, m := range of(d) {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}
