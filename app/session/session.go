// Package session is the comparison the user is looking at, without the
// window: the profile pair and the goroutine pair, the sample type, the
// focused and hidden functions, the selected spawn site and the program
// binaries. It decides how dumps pair up and which is the base, and it
// computes what the window shows (comparisons, the call tree, the site
// tables) through a Worker that runs off the UI goroutine and can be
// cancelled. It does not import Fyne, so its rules are tested as plain tables.
//
// A Session is not safe for concurrent use: the window changes it on its UI
// goroutine and hands Snapshots, which are immutable, to the worker.
package session

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/findings"
	"github.com/leakscope/leakscope/diff/series"
)

// Side is one side of a pair.
type Side int

// The sides of a pair.
const (
	Base  Side = iota // the earlier dump
	Later             // the dump being examined
)

// String returns "base" or "later".
func (s Side) String() string {
	if s == Base {
		return "base"
	}
	return "later"
}

// Pair is a base and a later dump of one kind. Base is nil while the later
// dump is shown alone; both are nil when the pair is empty.
type Pair struct {
	Base, Later *diff.Dump
}

// Empty reports whether the pair holds no dump.
func (p Pair) Empty() bool { return p.Later == nil }

// Full reports whether the pair holds both dumps.
func (p Pair) Full() bool { return p.Base != nil && p.Later != nil }

// Dumps returns the dumps of the pair, base first, leaving out empty sides.
func (p Pair) Dumps() []*diff.Dump {
	var ds []*diff.Dump
	for _, d := range []*diff.Dump{p.Base, p.Later} {
		if d != nil {
			ds = append(ds, d)
		}
	}
	return ds
}

// Question asks the user which side of a full pair a dump replaces.
type Question struct {
	Dump *diff.Dump
	// Goroutines is set when the dump belongs to the goroutine pair.
	Goroutines bool
}

// Text is the question as the window asks it, naming the file and its kind.
func (q Question) Text() string {
	what := "profile"
	if q.Goroutines {
		what = "goroutine dump"
	}
	return fmt.Sprintf("Both sides of the %s pair are open. Which one does %s (%s) replace?",
		what, filepath.Base(q.Dump.Path), q.Dump.Format)
}

// Session is the comparison on screen. The zero value is not ready: use New.
type Session struct {
	// Profile is the pair drawn as a flame graph; Goroutines the pair whose
	// spawn sites the panel ranks.
	Profile, Goroutines Pair
	// ProfileOrder and GoroutineOrder say how each pair's order was decided.
	ProfileOrder, GoroutineOrder Order
	// Demo is set while the built-in demo is shown; the user's first dump
	// replaces it.
	Demo bool
	// Sample is the chosen sample type of the profile pair ("" for the default).
	Sample string
	// Focus keeps only the stacks through this function ("" for all).
	Focus string
	// Hidden functions are left out of the graph, their values going to
	// their callers.
	Hidden map[string]bool
	// View is what the graph shows: the call graph, inverted, merged at a
	// function, or a function's callers and callees.
	View View
	// KeepAllocFrames keeps the allocation plumbing at the leaves of
	// jemalloc stacks (Rust's GlobalAlloc impl, __rust_alloc, alloc::…, C++
	// operator new) instead of folding it into its callers
	// (jemalloc.FoldAllocFrames).
	KeepAllocFrames bool
	// RuntimeCrates are more crates or packages whose frames count as the
	// runtime's (findings.Rule), beside findings.Outside's.
	RuntimeCrates []string
	// Tag, "key=value", restricts the comparison to the stacks whose pprof
	// (or goroutine) labels hold it, as pprof's -tagfocus; "" for all.
	Tag string
	// Site is the selected spawn site (an index into the goroutine
	// comparison's sites, or, without goroutine dumps, into the tokio
	// task sites), or -1.
	Site int
	// Symbols say where jemalloc dumps are symbolized from: binaries,
	// debug folders, debuginfod servers.
	Symbols
	// Notes are messages about the last change, for the user: how an order
	// was inferred, dumps that were left out.
	Notes []string
	// Series, when not nil, is the series of snapshots the pairs were
	// picked from (see SetSeries).
	Series *Series
}

// New returns an empty session that symbolizes with binaries.
func New(binaries []string) *Session {
	return &Session{Site: -1, Hidden: map[string]bool{}, Symbols: Symbols{Binaries: slices.Clone(binaries)}}
}

// Clone returns a copy of s that shares no mutable state with it, to restore
// when a change cannot be shown.
func (s *Session) Clone() *Session {
	c := *s
	c.Hidden = maps.Clone(s.Hidden)
	c.Symbols = *s.Symbols.Clone()
	c.Notes = slices.Clone(s.Notes)
	return &c
}

// Add puts freshly loaded dumps into the pairs, by kind: goroutine dumps into
// the goroutine pair, every other dump into the profile pair. For each kind,
// two or more new dumps replace the pair (the first and the last in order
// when there are more); one new dump fills the empty side, ordered against the
// dump already there. A dump that meets a full pair is returned as a Question;
// the pair stays until Place answers it. demo marks the dumps as the built-in
// demo. The user's dumps replace the demo.
func (s *Session) Add(dumps []*diff.Dump, demo bool) []Question {
	s.Notes = nil
	s.Series = nil // a load that brings a series sets it after
	if s.Demo && !demo || demo {
		s.Profile, s.Goroutines = Pair{}, Pair{}
		s.ProfileOrder, s.GoroutineOrder = Order{}, Order{}
		s.resetView()
	}
	s.Demo = demo
	var profs, gors []*diff.Dump
	for _, d := range dumps {
		if d.Kind == diff.KindGoroutine {
			gors = append(gors, d)
		} else {
			profs = append(profs, d)
		}
	}
	var qs []Question
	if q := s.add(&s.Profile, &s.ProfileOrder, profs); q != nil {
		qs = append(qs, Question{Dump: q})
	}
	if q := s.add(&s.Goroutines, &s.GoroutineOrder, gors); q != nil {
		qs = append(qs, Question{Dump: q, Goroutines: true})
	}
	return qs
}

// add adds dumps of one kind to p, returning a dump that meets a full pair.
func (s *Session) add(p *Pair, o *Order, dumps []*diff.Dump) *diff.Dump {
	switch {
	case len(dumps) == 0:
		return nil
	case len(dumps) >= 2:
		sorted := Sort(dumps)
		if len(sorted) > 2 {
			s.Notes = append(s.Notes, fmt.Sprintf("%d dumps of one kind were given: comparing the first, %s, with the last, %s.",
				len(sorted), filepath.Base(sorted[0].Path), filepath.Base(sorted[len(sorted)-1].Path)))
		}
		first, last := dumps[0], dumps[1]
		if len(dumps) > 2 {
			first, last = sorted[0], sorted[len(sorted)-1]
		}
		*o = OrderOf(first, last)
		*p = Pair{Base: o.Base, Later: o.Later}
	case p.Empty():
		*p, *o = Pair{Later: dumps[0]}, Order{}
	case p.Base == nil:
		*o = OrderOf(p.Later, dumps[0])
		*p = Pair{Base: o.Base, Later: o.Later}
	default:
		return dumps[0]
	}
	if n := o.Note(); n != "" {
		s.Notes = append(s.Notes, n)
	}
	s.resetView()
	return nil
}

// Place answers a Question: q's dump replaces side of its pair. The order
// note then says whether the dumps agree with the user's choice.
func (s *Session) Place(q Question, side Side) {
	s.Notes = nil
	p, o := &s.Profile, &s.ProfileOrder
	if q.Goroutines {
		p, o = &s.Goroutines, &s.GoroutineOrder
	}
	if side == Base {
		p.Base = q.Dump
	} else {
		p.Later = q.Dump
	}
	*o = Order{Base: p.Base, Later: p.Later, By: ByUser}
	if got := OrderOf(p.Base, p.Later); got.By != ByNone && got.Swapped {
		s.Notes = append(s.Notes, placeNote(got))
	}
	s.resetView()
}

// Reload puts dumps read again (with a binary, say) in the slots that hold
// dumps of the same path, so that each replaces itself and nothing else. It
// returns the dumps that matched no slot.
func (s *Session) Reload(dumps []*diff.Dump) []*diff.Dump {
	var rest []*diff.Dump
	for _, d := range dumps {
		placed := false
		for _, slot := range []**diff.Dump{&s.Profile.Base, &s.Profile.Later, &s.Goroutines.Base, &s.Goroutines.Later} {
			if *slot != nil && (*slot).Path == d.Path {
				*slot, placed = d, true
			}
		}
		if !placed {
			rest = append(rest, d)
		}
	}
	s.ProfileOrder.Base, s.ProfileOrder.Later = s.Profile.Base, s.Profile.Later
	s.GoroutineOrder.Base, s.GoroutineOrder.Later = s.Goroutines.Base, s.Goroutines.Later
	return rest
}

// Swap exchanges base and later in every full pair.
func (s *Session) Swap() {
	s.Notes = nil
	for _, p := range []*Pair{&s.Profile, &s.Goroutines} {
		if p.Full() {
			p.Base, p.Later = p.Later, p.Base
		}
	}
	for _, o := range []*Order{&s.ProfileOrder, &s.GoroutineOrder} {
		if o.Base != nil {
			o.Base, o.Later = o.Later, o.Base
			o.Swapped = !o.Swapped
			o.By = ByUser
		}
	}
	s.Site = -1
}

// Files returns the paths of the dumps on screen: profile base and later,
// then goroutine base and later.
func (s *Session) Files() []string {
	var paths []string
	for _, d := range s.dumps() {
		paths = append(paths, d.Path)
	}
	return paths
}

func (s *Session) dumps() []*diff.Dump {
	return append(s.Profile.Dumps(), s.Goroutines.Dumps()...)
}

// LoadNotes returns the load notes of the dumps on screen (where their
// symbols came from), each once.
func (s *Session) LoadNotes() []string {
	return s.each(func(sn *series.Snapshot) []string { return sn.Notes }, func(d *diff.Dump) []string { return d.Notes })
}

// Details returns the details of the dumps on screen (diff.Dump.Details),
// each once.
func (s *Session) Details() []string {
	return s.each(func(sn *series.Snapshot) []string { return sn.Details }, func(d *diff.Dump) []string { return d.Details })
}

// each gathers what of a snapshot of the series on screen, then of a dump
// on screen, each line once.
func (s *Session) each(of func(*series.Snapshot) []string, ofDump func(*diff.Dump) []string) []string {
	var out []string
	add := func(lines []string) {
		for _, n := range lines {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	if sr := s.Series; sr != nil {
		for _, x := range []*series.Series{sr.Main, sr.Goroutines} {
			if x != nil {
				for i := range x.Snapshots {
					add(of(&x.Snapshots[i]))
				}
			}
		}
	}
	for _, d := range s.dumps() {
		add(ofDump(d))
	}
	return out
}

// Warnings lists the warnings of the dumps on screen, each naming its file.
// The warnings of every snapshot of a series on screen come first, once
// each.
func (s *Session) Warnings() []string {
	var lines []string
	seen := map[string]bool{}
	add := func(path, w string) {
		line := w
		if path != "" {
			line = filepath.Base(path) + ": " + w
		}
		if !seen[line] {
			seen[line] = true
			lines = append(lines, line)
		}
	}
	if sr := s.Series; sr != nil {
		for _, x := range []*series.Series{sr.Main, sr.Goroutines} {
			if x == nil || (x == sr.Goroutines && x == sr.Main) {
				continue
			}
			for _, sn := range x.Snapshots {
				for _, w := range sn.Warnings {
					add(sn.Path, w)
				}
				for _, w := range sn.SymbolWarnings {
					add("", w)
				}
			}
		}
	}
	for _, d := range s.dumps() {
		for _, w := range d.Warnings {
			add(d.Path, w)
		}
		for _, w := range d.SymbolWarnings {
			add("", w) // the same for each dump of the program: once
		}
	}
	return lines
}

// SetFocus keeps only the stacks through fn ("" for all).
func (s *Session) SetFocus(fn string) { s.Focus = fn }

// Hide leaves fn out of the graph.
func (s *Session) Hide(fn string) { s.Hidden[fn] = true }

// ShowAll undoes focus, merging and hiding: the view about a function
// becomes the call graph; an inverted graph stays inverted.
func (s *Session) ShowAll() {
	s.Focus, s.Hidden = "", map[string]bool{}
	if s.View.About() != "" {
		s.View = View{}
	}
}

// resetView forgets what belongs to the previous comparison.
func (s *Session) resetView() {
	s.Site = -1
	s.ShowAll()
}

// Snapshot is an immutable copy of what Compute needs from a session.
type Snapshot struct {
	Profile, Goroutines Pair
	Sample              string
	Focus               string
	View                View
	KeepAllocFrames     bool
	Runtime             string // RuntimeCrates, joined by NULs
	Tag                 string
	Hidden              map[string]bool // not to be modified
	Site                int
	Series              *Series
	Demo                bool
}

// Snapshot copies the session's state for Compute on another goroutine.
func (s *Session) Snapshot() Snapshot {
	return Snapshot{Profile: s.Profile, Goroutines: s.Goroutines, Sample: s.Sample,
		Focus: s.Focus, View: s.View, KeepAllocFrames: s.KeepAllocFrames, Runtime: strings.Join(s.RuntimeCrates, "\x00"), Tag: s.Tag,
		Hidden: maps.Clone(s.Hidden), Site: s.Site, Series: s.Series, Demo: s.Demo}
}

// same reports whether s and t show the same thing: the same dumps, series
// and choices.
func (s Snapshot) same(t Snapshot) bool {
	return s.Profile == t.Profile && s.Goroutines == t.Goroutines && s.Sample == t.Sample &&
		s.Focus == t.Focus && s.View == t.View && s.KeepAllocFrames == t.KeepAllocFrames && s.Runtime == t.Runtime &&
		s.Tag == t.Tag && s.Site == t.Site && s.Demo == t.Demo && hiddenKey(s.Hidden) == hiddenKey(t.Hidden) &&
		(s.Series == t.Series || s.Series != nil && t.Series != nil && *s.Series == *t.Series)
}

// Rule is the rule for the runtime's frames of the session shown in s.
func (s Snapshot) Rule() findings.Rule {
	if s.Runtime == "" {
		return findings.Rule{}
	}
	return findings.Rule{Crates: strings.Split(s.Runtime, "\x00")}
}

// hiddenKey is a canonical form of the hidden set, to tell whether it changed.
func hiddenKey(h map[string]bool) string {
	keys := slices.Sorted(maps.Keys(h))
	return strings.Join(keys, "\x00")
}
