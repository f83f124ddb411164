package diff_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leakscope/leakscope/diff"
)

// marks makes goroutines with the given IDs, one creator, blocked wait minutes.
func marks(wait int32, ids ...int64) []diff.GoroutineMark {
	out := make([]diff.GoroutineMark, len(ids))
	for i, id := range ids {
		out[i] = diff.GoroutineMark{ID: id, Creator: 7, State: 1, Wait: wait}
	}
	return out
}

func names(ms []diff.Moment, idx []int) string {
	var out []string
	for _, i := range idx {
		out = append(out, ms[i].Path)
	}
	return strings.Join(out, " ")
}

func TestOrder(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	at := func(path string, min int) diff.Moment {
		return diff.Moment{Path: path, Time: t0.Add(time.Duration(min) * time.Minute)}
	}
	named := func(paths ...string) []diff.Moment {
		var out []diff.Moment
		for _, p := range paths {
			m := diff.Moment{Path: p, Allocated: -1}
			if prefix, pid, seq, ok := diff.JemallocSequence(p); ok {
				m.Seq, m.SeqOf = seq, fmt.Sprint(prefix, ".", pid)
			} else if seq, _, ok := diff.ParseWatchName(p); ok {
				m.Seq, m.SeqOf = int64(seq), "watch"
			}
			out = append(out, m)
		}
		return out
	}
	gor := func(path string, wait int32, ids ...int64) diff.Moment {
		return diff.Moment{Path: path, Goroutines: marks(wait, ids...)}
	}
	tests := []struct {
		desc     string
		ms       []diff.Moment
		want     string
		by       string
		disagree int
	}{
		{"times win over names", []diff.Moment{at("b-2", 0), at("b-1", 5), at("b-3", 9)}, "b-2 b-1 b-3", diff.ByTime, 0},
		{"equal times tell nothing", []diff.Moment{at("x", 0), at("y", 0)}, "x y", diff.ByGiven, 0},
		{"jemalloc sequence", named("/d/p.42.9.i4.heap", "/d/p.42.3.i1.heap", "/d/p.42.10.i5.heap"), "/d/p.42.3.i1.heap /d/p.42.9.i4.heap /d/p.42.10.i5.heap", diff.ByJemallocSeq, 0},
		{"jemalloc, two processes", named("p.1.9.i4.heap", "p.2.3.i1.heap"), "p.1.9.i4.heap p.2.3.i1.heap", diff.ByGiven, 0},
		{"watch names", named("heap-0010-20260101T000000Z.pb.gz", "heap-0009-20260101T010000Z.pb.gz"), "heap-0009-20260101T010000Z.pb.gz heap-0010-20260101T000000Z.pb.gz", diff.BySequence, 0},
		{"numbers as numbers", named("goroutine-10.txt", "goroutine-9.txt", "goroutine-1.txt"), "goroutine-1.txt goroutine-9.txt goroutine-10.txt", diff.ByNameNumber, 0},
		{"numbers in folders", named("run2/heap.pb.gz", "run1/heap.pb.gz"), "run1/heap.pb.gz run2/heap.pb.gz", diff.ByNameNumber, 0},
		{"several numbers, left first", named("s2-h10.txt", "s1-h30.txt", "s2-h9.txt"), "s1-h30.txt s2-h9.txt s2-h10.txt", diff.ByNameNumber, 0},
		{"names that differ otherwise", named("base.txt", "later2.txt"), "base.txt later2.txt", diff.ByGiven, 0},
		{"wait times", []diff.Moment{gor("b", 9, 1, 5, 6), gor("a", 3, 1, 5, 6), gor("c", 12, 1, 5)}, "a b c", diff.ByWaitTime, 0},
		{"IDs alone decide nothing", []diff.Moment{gor("x", 0, 1, 5, 9000), gor("y", 0, 1, 5, 8)}, "x y", diff.ByGiven, 1},
		{"IDs that disagree are noted", []diff.Moment{
			{Path: "g-2.txt", Goroutines: marks(0, 1, 5, 3000)}, {Path: "g-1.txt", Goroutines: marks(0, 1, 5, 40)}},
			"g-1.txt g-2.txt", diff.ByNameNumber, 0},
		{"IDs that disagree are noted", []diff.Moment{
			{Path: "g-1.txt", Goroutines: marks(0, 1, 5, 3000)}, {Path: "g-2.txt", Goroutines: marks(0, 1, 5, 40)}},
			"g-1.txt g-2.txt", diff.ByNameNumber, 1},
		{"IDs within per-P slack agree", []diff.Moment{
			{Path: "g-1.txt", Goroutines: marks(0, 1, 5, 300)}, {Path: "g-2.txt", Goroutines: marks(0, 1, 5, 200)}},
			"g-1.txt g-2.txt", diff.ByNameNumber, 0},
		{"one dump", named("only-1.txt"), "only-1.txt", diff.ByGiven, 0},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			o := diff.Order(tt.ms)
			if got := names(tt.ms, o.Index); got != tt.want || o.By != tt.by {
				t.Errorf("Order = %s by %q, want %s by %q", got, o.By, tt.want, tt.by)
			}
			if len(o.Disagree) != tt.disagree {
				t.Errorf("disagreements %v, want %d", o.Disagree, tt.disagree)
			}
			note := o.Note(tt.ms[o.Index[0]].Path, tt.ms[o.Index[len(o.Index)-1]].Path)
			if tt.by != diff.ByTime && tt.by != diff.ByGiven && !strings.Contains(note, "inferred from "+tt.by) {
				t.Errorf("note %q does not say what decided", note)
			}
			if tt.disagree > 0 && !strings.Contains(note, "Goroutine IDs suggest the other order") {
				t.Errorf("note %q does not say the IDs disagree", note)
			}
		})
	}
}

func TestOrderShuffledSevenByNames(t *testing.T) {
	want := []string{"goroutine-1.txt", "goroutine-2.txt", "goroutine-3.txt", "goroutine-4.txt", "goroutine-5.txt", "goroutine-6.txt", "goroutine-7.txt"}
	for _, perm := range [][]int{{0, 1, 2, 3, 4, 5, 6}, {6, 5, 4, 3, 2, 1, 0}, {3, 0, 6, 2, 5, 1, 4}} {
		var ms []diff.Moment
		for _, i := range perm {
			ms = append(ms, diff.Moment{Path: want[i]})
		}
		o := diff.Order(ms)
		var got []string
		for _, i := range o.Index {
			got = append(got, ms[i].Path)
		}
		if !slices.Equal(got, want) {
			t.Errorf("given %v: %v", perm, got)
		}
	}
}

func TestMatch(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	paths := func(ps ...string) []diff.Moment {
		var out []diff.Moment
		for _, p := range ps {
			m := diff.Moment{Path: p}
			if seq, at, ok := diff.ParseWatchName(p); ok {
				m.Seq, m.SeqOf, m.Time = int64(seq), "watch", at
			}
			out = append(out, m)
		}
		return out
	}
	timed := func(mins ...int) []diff.Moment {
		var out []diff.Moment
		for i, m := range mins {
			out = append(out, diff.Moment{Path: string(rune('a' + i)), Time: t0.Add(time.Duration(m) * time.Minute)})
		}
		return out
	}
	tests := []struct {
		desc string
		a, b []diff.Moment
		want []int
		by   string
	}{
		{"numbers in the names, one missing", paths("heap-1.pb.gz", "heap-2.pb.gz", "heap-3.pb.gz"), paths("goroutine-1.txt", "goroutine-3.txt"), []int{0, -1, 1}, diff.ByNameNumber},
		{"watch sequence", paths("heap-0001-20260101T000000Z.pb.gz", "heap-0002-20260101T000100Z.pb.gz"),
			paths("goroutines-0002-20260101T000101Z.txt", "goroutines-0001-20260101T000001Z.txt"), []int{1, 0}, diff.BySequence},
		{"nearest time", timed(0, 10, 20), timed(11, 1, 19), []int{1, 0, 2}, diff.ByTime},
		{"nothing: by position when as long", paths("a.pb", "b.pb"), paths("x.txt", "y.txt"), []int{0, 1}, diff.ByGiven},
		{"nothing and not as long", paths("a.pb", "b.pb"), paths("x.txt"), []int{-1, -1}, diff.ByGiven},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, by := diff.Match(tt.a, tt.b)
			if !slices.Equal(got, tt.want) || by != tt.by {
				t.Errorf("Match = %v by %q, want %v by %q", got, by, tt.want, tt.by)
			}
		})
	}
}

func TestRestarted(t *testing.T) {
	m := func(alloc int64, gs ...diff.GoroutineMark) *diff.Moment {
		return &diff.Moment{Allocated: alloc, Goroutines: gs}
	}
	g := func(id int64, startup bool) diff.GoroutineMark {
		return diff.GoroutineMark{ID: id, Creator: uint32(id % 3), Startup: startup}
	}
	main1, srv := g(1, true), g(6, true)
	tests := []struct {
		desc             string
		prev2, prev, cur *diff.Moment
		restarted        bool
	}{
		{"allocations fell", nil, m(5000), m(100), true},
		{"allocations grew", nil, m(100), m(5000), false},
		{"goroutines come and go, IDs fall", m(-1, main1, srv, g(400, false), g(900, false)), m(-1, main1, srv, g(400, false), g(1200, false)),
			m(-1, main1, srv, g(400, false), g(700, false)), false},
		{"the long-lived ones gone, newer IDs higher", m(-1, main1, g(400, false)), m(-1, main1, g(400, false), g(500, false)),
			m(-1, main1, g(800, false)), false},
		{"the long-lived ones gone, IDs started again", m(-1, main1, srv, g(400, false), g(420, false)), m(-1, main1, srv, g(400, false), g(420, false), g(600, false)),
			m(-1, main1, srv, g(9, false)), true},
		{"only start-up goroutines lived on: no evidence", m(-1, main1, srv), m(-1, main1, srv, g(50, false)), m(-1, main1, srv), false},
		{"no snapshot before the last", nil, m(-1, main1, g(400, false)), m(-1, main1, g(9, false)), false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			why, ok := diff.Restarted(tt.prev2, tt.prev, tt.cur)
			if ok != tt.restarted {
				t.Errorf("Restarted = %v (%s), want %v", ok, why, tt.restarted)
			}
			if ok && why == "" {
				t.Error("no reason given")
			}
		})
	}
}
