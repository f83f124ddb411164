// Package tokio finds the tasks of tokio, Rust's async runtime, in jemalloc
// heap dumps, and groups them by spawn site, base against later, as package
// goroutines groups a Go service's goroutines.
//
// Every task tokio spawns is one heap allocation, its task cell, made in
// tokio::runtime::task::core::Cell<T,S>::new on a stack that passes through
// the spawn call (tokio::spawn, task::spawn_blocking, Handle::spawn,
// LocalSet::spawn_local, JoinSet::spawn, …). So a heap dump that records
// every allocation's stack holds, per spawn site, how many cells are live
// (tasks that have not ended, or whose JoinHandle is still held), and with
// prof_accum how many were ever made. The rules, which hold for tokio 1.x
// (checked on 1.24, as Debian 12 ships it):
//
//   - a task cell is an allocation whose stack holds a frame named
//     tokio::runtime::task::core::Cell<…>::new;
//   - its spawn site is the first frame above that one (toward the root)
//     that is not in the crates tokio, std, core or alloc, nor a __rust_*
//     shim: the function that called the spawn API, with the file and line
//     of the call;
//   - memory allocated inside a task is an allocation whose stack passes
//     through tokio::runtime::task::core::Core<…>::poll; below the
//     innermost such frame, the first frame outside those crates is the
//     task's future (an async block or closure). It belongs to the spawn
//     site in the function that defines that future (the name without its
//     last {{closure}}), in the same file: of several sites there, the last
//     one at or above the future's line.
//
// A task whose future is an async fn defined elsewhere
// (tokio::spawn(handle(conn))) is counted at its spawn site, but the memory
// allocated inside it is not matched to that site.
package tokio

import (
	"fmt"
	"strings"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/rust"
)

// Site is a spawn site: the function that called tokio's spawn API, and
// where in it.
type Site struct {
	Function string // full demangled name
	File     string // as DWARF records it; may be empty
	Line     int64
}

// String formats the site as "function file:line".
func (s Site) String() string {
	return diff.Frame{Function: s.Function, File: s.File, Line: s.Line}.String()
}

// SiteDelta is one spawn site's tasks in the base and the later dump.
type SiteDelta struct {
	Site
	// Live counts the site's task cells in use: tasks not yet ended, or
	// ended with a JoinHandle still held.
	Live diff.Delta
	// Spawned counts the task cells ever allocated (prof_accum); zero
	// when the dumps carry no accumulated counts (see Comparison.HasSpawned).
	Spawned diff.Delta
	// CellBytes is the memory the site's live task cells hold.
	CellBytes diff.Delta
	// Inside is the memory in use that the site's tasks allocated while
	// they ran (see the package comment for how it is matched).
	Inside diff.Delta
	// Stack is a representative spawn stack (leaf first): a later cell's,
	// or a base one's when the site is gone.
	Stack []diff.Frame
}

// Delta returns the change in live tasks.
func (s *SiteDelta) Delta() int64 { return s.Live.Diff() }

// Comparison ranks the spawn sites of the tokio tasks of two jemalloc dumps.
type Comparison struct {
	Base, Later *diff.Dump // Base is nil when one dump is shown alone
	// Estimated reports that a dump sampled its allocations (heap_v2/R with
	// R > 1): the counts are then unbiased estimates, as jeprof scales
	// them, not exact counts.
	Estimated bool
	// HasSpawned reports that the dumps carry accumulated counts
	// (MALLOC_CONF=prof_accum:true), so that SiteDelta.Spawned is known.
	HasSpawned bool
	Sites      []SiteDelta // ranked by growth in live tasks

	stacks diff.SiteStacks // per site: the stacks of its cells and of its tasks' allocations, by side
}

// The sample types of a jemalloc dump that the sites read.
const (
	allocObjects = "alloc_objects"
	inuseObjects = "inuse_objects"
	inuseSpace   = "inuse_space"
)

// Compare finds the task cells of base and later and groups them by spawn
// site. base may be nil. It returns nil when later is not a jemalloc heap
// dump, or holds no tokio task cell.
func Compare(base, later *diff.Dump) *Comparison {
	if !isJemalloc(later) || (base != nil && !isJemalloc(base)) {
		return nil
	}
	c := &Comparison{Base: base, Later: later}
	index := map[Site]int{}
	var acc []sums
	dumps := [2]*diff.Dump{base, later}
	var cls [2][]uint8
	// Cells first, on both sides, so that the inside pass knows every site.
	for side, d := range dumps {
		if d == nil {
			continue
		}
		if d.Period > 1 {
			c.Estimated = true
		}
		cls[side] = classes(d)
		for i := 0; i < d.NumStacks(); i++ {
			site, ok := cellSite(d, i, cls[side])
			if !ok {
				continue
			}
			k, ok := index[site]
			if !ok {
				k = len(c.Sites)
				index[site] = k
				c.Sites = append(c.Sites, SiteDelta{Site: site})
				acc = append(acc, sums{})
				c.stacks[0] = append(c.stacks[0], nil)
				c.stacks[1] = append(c.stacks[1], nil)
			}
			v := values(d, i)
			a := &acc[k]
			a.live[side] += v[inuseObjects]
			a.spawned[side] += v[allocObjects]
			a.cell[side] += v[inuseSpace]
			if v[allocObjects] > 0 {
				c.HasSpawned = true
			}
			c.stacks[side][k] = append(c.stacks[side][k], i)
		}
	}
	if len(c.Sites) == 0 {
		return nil
	}
	for k := range c.Sites {
		if l := c.stacks[1][k]; len(l) > 0 {
			c.Sites[k].Stack = frames(later, l[0])
		} else {
			c.Sites[k].Stack = frames(base, c.stacks[0][k][0])
		}
	}
	byFunc := map[string][]int{}
	for k, s := range c.Sites {
		byFunc[s.Function] = append(byFunc[s.Function], k)
	}
	for side, d := range dumps {
		if d == nil {
			continue
		}
		for i := 0; i < d.NumStacks(); i++ {
			k := c.insideSite(d, i, cls[side], byFunc)
			if k < 0 {
				continue
			}
			acc[k].inside[side] += values(d, i)[inuseSpace]
			c.stacks[side][k] = append(c.stacks[side][k], i)
		}
	}
	for k := range c.Sites {
		s, a := &c.Sites[k], &acc[k]
		s.Live, s.Spawned, s.CellBytes, s.Inside = delta(a.live), delta(a.spawned), delta(a.cell), delta(a.inside)
	}
	c.rank()
	return c
}

// sums are a site's estimates, base and later, before truncation.
type sums struct{ live, spawned, cell, inside [2]float64 }

func delta(v [2]float64) diff.Delta {
	b, _ := diff.Truncate(v[0])
	l, _ := diff.Truncate(v[1])
	return diff.Delta{Base: b, Later: l}
}

func isJemalloc(d *diff.Dump) bool {
	return d != nil && d.Kind == diff.KindHeap && strings.HasPrefix(d.Format, "jemalloc") && hasTypes(d)
}

// Frame classes, by frame ID.
const (
	classOther   = 1 + iota
	classCell    // tokio::runtime::task::core::Cell<…>::new
	classPoll    // tokio::runtime::task::core::Core<…>::poll
	classRuntime // tokio, std, core, alloc: passed over
)

// classes returns the class of each frame of d.
func classes(d *diff.Dump) []uint8 {
	out := make([]uint8, d.NumFrames())
	for id := range out {
		switch fn := d.Frame(int32(id)).Function; {
		case IsCell(fn):
			out[id] = classCell
		case isPoll(fn):
			out[id] = classPoll
		case IsRuntime(fn):
			out[id] = classRuntime
		default:
			out[id] = classOther
		}
	}
	return out
}

func hasTypes(d *diff.Dump) bool {
	have := map[string]bool{}
	for _, t := range d.SampleTypes {
		have[t.Type] = true
	}
	return have[allocObjects] && have[inuseObjects] && have[inuseSpace]
}

// values returns stack i's values by sample type name: its estimates
// before rounding when the dump holds them.
func values(d *diff.Dump, i int) map[string]float64 {
	out := make(map[string]float64, len(d.SampleTypes))
	est := d.Estimates(i)
	for j, t := range d.SampleTypes {
		if est != nil {
			out[t.Type] = est[j]
		} else {
			out[t.Type] = float64(d.Values(i)[j])
		}
	}
	return out
}

func frames(d *diff.Dump, i int) []diff.Frame {
	var out []diff.Frame
	for _, f := range d.Stack(i) {
		out = append(out, d.Frame(f))
	}
	return out
}

// IsCell reports whether a function is where tokio allocates a task cell.
func IsCell(name string) bool {
	n := strings.TrimPrefix(name, "<")
	return strings.HasPrefix(n, "tokio::runtime::task::core::Cell<") && strings.HasSuffix(n, "::new")
}

// isPoll reports whether a function is tokio's poll of a task's future.
func isPoll(name string) bool {
	n := strings.TrimPrefix(name, "<")
	return strings.HasPrefix(n, "tokio::runtime::task::core::Core<") && strings.Contains(n, ">::poll")
}

// cellSite returns the spawn site of stack i when it allocates a task cell.
func cellSite(d *diff.Dump, i int, cls []uint8) (Site, bool) {
	st := d.Stack(i)
	for j, f := range st {
		if cls[f] != classCell {
			continue
		}
		for _, g := range st[j+1:] {
			if cls[g] == classOther {
				fr := d.Frame(g)
				return Site{Function: fr.Function, File: fr.File, Line: fr.Line}, true
			}
		}
		return Site{Function: "(tokio's own)"}, true
	}
	return Site{}, false
}

// insideSite returns the site whose task allocated stack i, or -1.
func (c *Comparison) insideSite(d *diff.Dump, i int, cls []uint8, byFunc map[string][]int) int {
	st := d.Stack(i)
	p := -1
	for j, f := range st {
		if cls[f] == classPoll {
			p = j
			break
		}
		if cls[f] == classCell {
			return -1
		}
	}
	if p < 0 {
		return -1
	}
	for j := p - 1; j >= 0; j-- {
		if cls[st[j]] != classOther {
			continue
		}
		fr := d.Frame(st[j])
		owner, ok := trimClosure(fr.Function)
		if !ok {
			return -1
		}
		best, bestLine := -1, int64(-1)
		for _, k := range byFunc[owner] {
			s := c.Sites[k].Site
			if s.File != fr.File {
				continue
			}
			if s.Line <= fr.Line && s.Line > bestLine {
				best, bestLine = k, s.Line
			}
		}
		return best
	}
	return -1
}

// trimClosure removes the last closure or async segment of a name:
// "f::{{closure}}", "f::{closure#0}", "f::{async_block#1}" give "f".
func trimClosure(name string) (string, bool) {
	i := strings.LastIndex(name, "::{")
	if i < 0 || !strings.HasSuffix(name, "}") || strings.Contains(name[i+3:], "::") {
		return "", false
	}
	return name[:i], true
}

// IsRuntime reports whether a function belongs to tokio, Rust's standard
// library (std, core, alloc) or its shims (__rust_try, …): the frames
// passed over to find a spawn site or a task's future.
func IsRuntime(name string) bool {
	if strings.HasPrefix(name, "__rust") {
		return true
	}
	for _, c := range []string{"tokio", "std", "core", "alloc"} {
		if rust.InCrate(name, c) {
			return true
		}
	}
	return false
}

// rank orders the sites by growth in live tasks, then later live tasks,
// then growth of the memory inside them, then name.
func (c *Comparison) rank() {
	c.Sites, c.stacks = diff.SortSites(c.Sites, c.stacks, func(x, y *SiteDelta) bool {
		if x.Delta() != y.Delta() {
			return x.Delta() > y.Delta()
		}
		if x.Live.Later != y.Live.Later {
			return x.Live.Later > y.Live.Later
		}
		if dx, dy := x.Inside.Diff(), y.Inside.Diff(); dx != dy {
			return dx > dy
		}
		return x.Site.String() < y.Site.String()
	})
}

// Profile returns the memory of site k, base against later, for sample
// ("" for the dump's default): the allocations of its task cells and those
// made inside its tasks, for a flame graph.
func (c *Comparison) Profile(k int, sample string) (*diff.Comparison, error) {
	if k < 0 || k >= len(c.Sites) {
		return nil, fmt.Errorf("no spawn site %d (there are %d)", k, len(c.Sites))
	}
	return diff.SiteProfile(c.Base, c.Later, c.stacks, k, sample)
}
