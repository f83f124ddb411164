package session_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff"
)

// heap builds a one-stack heap dump named name, taken at t (zero: no time).
func heap(t *testing.T, name string, at time.Time, value int64) *diff.Dump {
	t.Helper()
	b := diff.NewBuilder([]diff.SampleType{{Type: "inuse_space", Unit: "bytes"}})
	if !at.IsZero() {
		b.SetTime(at)
	}
	f := b.Frame(diff.Frame{Function: "main.leak", File: "main.go", Line: 3})
	b.AddStack([]int32{f}, []int64{value})
	return b.Dump(name)
}

// goroutines parses a debug=2 dump holding goroutines with the given IDs,
// each blocked in "chan receive" for wait minutes.
func goroutines(t *testing.T, name string, wait int, ids ...int) *diff.Dump {
	t.Helper()
	var sb strings.Builder
	for _, id := range ids {
		state := "chan receive"
		if wait > 0 {
			state += fmt.Sprintf(", %d minutes", wait)
		}
		fmt.Fprintf(&sb, "goroutine %d [%s]:\nmain.watch()\n\t/src/main.go:80 +0x5d\ncreated by main.NewClient in goroutine 1\n\t/src/main.go:69 +0x1a5\n\n", id, state)
	}
	d, err := diff.Parse(context.Background(), []byte(sb.String()), name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func TestOrderOf(t *testing.T) {
	early, late := heap(t, "early.pb.gz", t0, 1), heap(t, "late.pb.gz", t0.Add(time.Hour), 2)
	g1 := goroutines(t, "early.txt", 2, 1, 5, 6)
	g2 := goroutines(t, "later.txt", 7, 1, 5, 6, 20, 21)
	// The highest IDs of goroutine-3.txt exited before goroutine-4.txt.
	n3 := goroutines(t, "goroutine-3.txt", 0, 1, 5, 6, 20, 900)
	n4 := goroutines(t, "goroutine-4.txt", 0, 1, 5, 6, 20, 310)
	// Newer goroutines with far lower IDs than those that exited: IDs
	// suggest the other order, and only say so.
	m9 := goroutines(t, "goroutine-9.txt", 0, 1, 5, 2000)
	m10 := goroutines(t, "goroutine-10.txt", 0, 1, 5, 40)
	tests := []struct {
		desc        string
		a, b        *diff.Dump
		base, later string
		by          string
		note        string // a substring of the note; "" for none
	}{
		{"times, in order", early, late, "early.pb.gz", "late.pb.gz", session.ByTime, ""},
		{"times, later first", late, early, "early.pb.gz", "late.pb.gz", session.ByTime, "using it as the base"},
		{"debug=2, in order", g1, g2, "early.txt", "later.txt", diff.ByWaitTime, "Order inferred from wait times"},
		{"debug=2, later first", g2, g1, "early.txt", "later.txt", diff.ByWaitTime, "Order inferred from wait times"},
		{"numbers in the names, highest IDs gone", n4, n3, "goroutine-3.txt", "goroutine-4.txt", diff.ByNameNumber, "Order inferred from numbers in the names"},
		{"numbers compared as numbers", m10, m9, "goroutine-9.txt", "goroutine-10.txt", diff.ByNameNumber, "Goroutine IDs suggest the other order for goroutine-9.txt → goroutine-10.txt"},
		{"IDs alone never decide", goroutines(t, "x.txt", 0, 1, 5, 9000), goroutines(t, "y.txt", 0, 1, 5, 7), "x.txt", "y.txt", session.ByNone, "do not tell"},
		{"debug=2, same IDs, waits grew", goroutines(t, "wb.txt", 9, 1, 5), goroutines(t, "wa.txt", 3, 1, 5), "wa.txt", "wb.txt", diff.ByWaitTime, "inferred from wait times"},
		{"jemalloc sequence, later first", heap(t, "/d/prof.4242.9.i4.heap", time.Time{}, 2), heap(t, "/d/prof.4242.3.i1.heap", time.Time{}, 1),
			"/d/prof.4242.3.i1.heap", "/d/prof.4242.9.i4.heap", diff.ByJemallocSeq, "inferred from jemalloc sequence numbers"},
		{"jemalloc, two processes", heap(t, "prof.1.9.i4.heap", time.Time{}, 2), heap(t, "prof.2.3.i1.heap", time.Time{}, 1),
			"prof.1.9.i4.heap", "prof.2.3.i1.heap", session.ByNone, "do not tell"},
		{"nothing tells", heap(t, "x.pb", time.Time{}, 2), heap(t, "y.pb", time.Time{}, 1), "x.pb", "y.pb", session.ByNone, "Use Swap"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			o := session.OrderOf(tt.a, tt.b)
			if o.Base.Path != tt.base || o.Later.Path != tt.later || o.By != tt.by {
				t.Errorf("OrderOf = %s → %s by %q, want %s → %s by %q", o.Base.Path, o.Later.Path, o.By, tt.base, tt.later, tt.by)
			}
			if n := o.Note(); (tt.note == "") != (n == "") || !strings.Contains(n, tt.note) {
				t.Errorf("note %q, want one with %q", n, tt.note)
			}
		})
	}
}

func paths(p session.Pair) string {
	name := func(d *diff.Dump) string {
		if d == nil {
			return "–"
		}
		return d.Path
	}
	return name(p.Base) + " → " + name(p.Later)
}

func TestAdd(t *testing.T) {
	h1, h2, h3 := heap(t, "h1", t0, 1), heap(t, "h2", t0.Add(time.Minute), 2), heap(t, "h3", t0.Add(2*time.Minute), 3)
	g1 := goroutines(t, "g1", 2, 1, 5, 6)
	g2 := goroutines(t, "g2", 7, 1, 5, 6, 20, 21)
	g3 := goroutines(t, "g3", 9, 1, 5, 6, 20, 21, 30)
	ga, gb := goroutines(t, "ga", 2, 1, 5, 6), goroutines(t, "gb", 7, 1, 5, 6, 20, 21)
	tests := []struct {
		desc         string
		before       [][]*diff.Dump // earlier Adds
		demo         bool           // the earlier Adds are the demo
		add          []*diff.Dump
		profile, gor string
		questions    []string
		note         string
	}{
		{"one dump shows alone", nil, false, []*diff.Dump{h2}, "– → h2", "– → –", nil, ""},
		{"two dumps, later first", nil, false, []*diff.Dump{h2, h1}, "h1 → h2", "– → –", nil, "using it as the base"},
		{"the second fills the empty side, in order", [][]*diff.Dump{{h2}}, false, []*diff.Dump{h1}, "h1 → h2", "– → –", nil, "h1 was taken before h2"},
		{"a goroutine pair given later first", nil, false, []*diff.Dump{gb, ga}, "– → –", "ga → gb", nil, "inferred from wait times"},
		{"four dumps fill both pairs", nil, false, []*diff.Dump{g2, h1, g1, h2}, "h1 → h2", "g1 → g2", nil, "inferred from numbers in the names"},
		{"three dumps: first and last", nil, false, []*diff.Dump{h2, h3, h1}, "h1 → h3", "– → –", nil, "3 dumps of one kind"},
		{"one more on a full pair asks", [][]*diff.Dump{{h1, h2}}, false, []*diff.Dump{h3}, "h1 → h2", "– → –", []string{"h3"}, ""},
		{"a heap and a goroutine dump on full pairs: both asked, none lost", [][]*diff.Dump{{h1, h2, g1, g2}}, false,
			[]*diff.Dump{h3, g3}, "h1 → h2", "g1 → g2", []string{"h3", "g3"}, ""},
		{"a dump replaces the demo", [][]*diff.Dump{{h1, h2, g1, g2}}, true, []*diff.Dump{h3}, "– → h3", "– → –", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			s := session.New(nil)
			for _, ds := range tt.before {
				if qs := s.Add(ds, tt.demo); len(qs) > 0 {
					t.Fatalf("setting up asked %v", qs)
				}
			}
			qs := s.Add(tt.add, false)
			if got := paths(s.Profile); got != tt.profile {
				t.Errorf("profile pair %s, want %s", got, tt.profile)
			}
			if got := paths(s.Goroutines); got != tt.gor {
				t.Errorf("goroutine pair %s, want %s", got, tt.gor)
			}
			var asked []string
			for _, q := range qs {
				asked = append(asked, q.Dump.Path)
				if !strings.Contains(q.Text(), q.Dump.Path) || !strings.Contains(q.Text(), q.Dump.Format) {
					t.Errorf("question %q does not name the file and its kind", q.Text())
				}
			}
			if fmt.Sprint(asked) != fmt.Sprint(tt.questions) {
				t.Errorf("asked about %v, want %v", asked, tt.questions)
			}
			notes := strings.Join(s.Notes, "\n")
			if (tt.note == "") != (notes == "") || !strings.Contains(notes, tt.note) {
				t.Errorf("notes %q, want %q", notes, tt.note)
			}
			if s.Demo {
				t.Error("still marked as the demo")
			}
		})
	}
}

func TestPlaceAndSwap(t *testing.T) {
	h1, h2, h3 := heap(t, "h1", t0, 1), heap(t, "h2", t0.Add(time.Minute), 2), heap(t, "h3", t0.Add(2*time.Minute), 3)
	s := session.New(nil)
	s.Add([]*diff.Dump{h1, h2}, false)
	qs := s.Add([]*diff.Dump{h3}, false)
	if len(qs) != 1 {
		t.Fatalf("asked %d questions", len(qs))
	}
	s.Place(qs[0], session.Base)
	if got := paths(s.Profile); got != "h3 → h2" {
		t.Errorf("after placing h3 as the base: %s", got)
	}
	if n := strings.Join(s.Notes, " "); !strings.Contains(n, "h2 was taken before h3") {
		t.Errorf("no note that the choice runs against the times: %q", n)
	}
	s.Site = 2
	s.Swap()
	if got := paths(s.Profile); got != "h2 → h3" || s.Site != -1 {
		t.Errorf("after swap: %s, site %d", got, s.Site)
	}
}

func TestReloadReplacesInPlace(t *testing.T) {
	raw, sym := heap(t, "prod.heap", time.Time{}, 1), heap(t, "prod.heap", time.Time{}, 1)
	other := heap(t, "other.heap", time.Time{}, 2)
	tests := []struct {
		desc   string
		first  []*diff.Dump
		reload []*diff.Dump
		want   string
	}{
		{"a dump alone stays alone", []*diff.Dump{raw}, []*diff.Dump{sym}, "– → prod.heap"},
		{"a dump in a pair keeps its side", []*diff.Dump{raw, other}, []*diff.Dump{sym}, "prod.heap → other.heap"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			s := session.New(nil)
			s.Add(tt.first, false)
			if rest := s.Reload(tt.reload); len(rest) != 0 {
				t.Errorf("%d dumps matched no slot", len(rest))
			}
			if got := paths(s.Profile); got != tt.want {
				t.Errorf("pair %s, want %s", got, tt.want)
			}
			if s.Profile.Base == raw || s.Profile.Later == raw {
				t.Error("the raw copy is still on screen")
			}
			if s.Profile.Base != sym && s.Profile.Later != sym {
				t.Error("the dump read again is not on screen")
			}
		})
	}
}

func TestSort(t *testing.T) {
	a, b, c := heap(t, "a", t0, 1), heap(t, "b", t0.Add(time.Minute), 1), heap(t, "c", t0.Add(2*time.Minute), 1)
	var got []string
	for _, d := range session.Sort([]*diff.Dump{c, a, b}) {
		got = append(got, d.Path)
	}
	if strings.Join(got, " ") != "a b c" {
		t.Errorf("Sort = %v", got)
	}
}

func TestFindSource(t *testing.T) {
	dir := t.TempDir()
	mk := func(rel string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("package main\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	here := mk("here/main.go")
	inFolder := mk("checkout/cmd/server/main.go")
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	goroot := filepath.Join(strings.TrimSpace(string(out)), "src", "runtime", "malloc.go")
	t.Setenv("GOMODCACHE", filepath.Join(dir, "mod"))
	inModule := mk("mod/example.com/lib@v1.2.3/cache.go")
	tests := []struct {
		desc, path string
		folders    []string
		want       string
	}{
		{"the recorded path", here, nil, here},
		{"Go's own source, built elsewhere", "/usr/local/go-build/src/runtime/malloc.go", nil, goroot},
		{"Go's own source, by import path (-trimpath)", "runtime/malloc.go", nil, goroot},
		{"a module's source, by path@version (-trimpath)", "example.com/lib@v1.2.3/cache.go", nil, inModule},
		{"a build machine's path, by its tail in a folder", "/build/app/cmd/server/main.go", []string{filepath.Join(dir, "checkout")}, inFolder},
		{"not found", "/nowhere/x.go", []string{dir}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, tried := session.FindSource(context.Background(), tt.path, tt.folders)
			if got != tt.want {
				t.Errorf("FindSource = %q (tried %q), want %q", got, tried, tt.want)
			}
			if got == "" && len(tried) < 2 {
				t.Errorf("tried only %q", tried)
			}
		})
	}
}

func TestExpandFolder(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"heap-0002-x.pb.gz": "\x1f\x8b...", "heap-0001-x.pb.gz": "\x1f\x8b...",
		"goroutines-0001-x.txt": "goroutine 1 [running]:\n", "counts.json": "{}", ".heap-0003-x.pb.gz.tmp": "\x1f\x8b",
		"prof.1.0.i0.heap": "heap_v2/524288\n", "notes.txt": "remember the milk\n", "empty.pb.gz": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A FIFO named as a dump: never opened, so never waited on.
	if err := syscall.Mkfifo(filepath.Join(dir, "heap-0004-x.pb.gz"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := session.Expand([]string{"alone.pb.gz", dir})
	want := []string{"alone.pb.gz", filepath.Join(dir, "goroutines-0001-x.txt"), filepath.Join(dir, "heap-0001-x.pb.gz"),
		filepath.Join(dir, "heap-0002-x.pb.gz"), filepath.Join(dir, "prof.1.0.i0.heap")}
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Expand:\n got %v (%v)\nwant %v", got, err, want)
	}

	// Folders with no dump: the error names the folder and what it passed over.
	empty, notes := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(notes, "notes.txt"), []byte("remember the milk\n"), 0o644)
	syscall.Mkfifo(filepath.Join(notes, "pipe.pb.gz"), 0o600)
	for _, tt := range []struct{ dir, want string }{
		{empty, empty + ": is an empty folder: no dump to open"},
		{notes, notes + ": holds no dump; passed over notes.txt (does not begin as a dump), pipe.pb.gz (not a regular file)"},
	} {
		if _, err := session.Expand([]string{tt.dir}); err == nil || err.Error() != tt.want {
			t.Errorf("Expand(%s): %v, want %q", tt.dir, err, tt.want)
		}
		srcs := session.Files([]string{tt.dir})
		if _, err := session.Load(context.Background(), srcs, nil, nil); err == nil || err.Error() != tt.want {
			t.Errorf("loading %s: %v, want %q", tt.dir, err, tt.want)
		}
	}
}

// TestFindSourceStops: a cancelled lookup looks nowhere and finds nothing.
func TestFindSourceStops(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "main.go")
	if err := os.WriteFile(file, []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if found, tried := session.FindSource(ctx, file, []string{dir}); found != "" || len(tried) != 0 {
		t.Errorf("cancelled: found %q, tried %v", found, tried)
	}
	if found, _ := session.FindSource(context.Background(), file, nil); found != file {
		t.Errorf("found %q, want %s", found, file)
	}
}

// TestQuestionNamesKindOnce: the question names the dump's format once,
// not the kind twice ("a Go goroutine dump (debug=2) goroutine dump").
func TestQuestionNamesKindOnce(t *testing.T) {
	d := &diff.Dump{Path: "/x/goroutines-3.txt", Format: "Go goroutine dump (debug=2)"}
	q := session.Question{Dump: d, Goroutines: true}
	want := "Both sides of the goroutine dump pair are open. Which one does goroutines-3.txt (Go goroutine dump (debug=2)) replace?"
	if got := q.Text(); got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

// TestFindingsReadTrimmedSource: a finding's path shows the source line of
// a frame whose file a -trimpath build names by module path@version, found
// in the module cache as the Lines tab finds it.
func TestFindingsReadTrimmedSource(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("GOMODCACHE", cache)
	file := "example.com/lib@v1.2.3/cache.go"
	src := filepath.Join(cache, filepath.FromSlash(file))
	os.MkdirAll(filepath.Dir(src), 0o755)
	os.WriteFile(src, []byte("package lib\n\nfunc Fill() {\n\tkeep = append(keep, make([]byte, 1<<20))\n}\n"), 0o644)
	dump := func(name string, v int64) *diff.Dump {
		b := diff.NewBuilder([]diff.SampleType{{Type: "inuse_space", Unit: "bytes"}})
		fill := b.Frame(diff.Frame{Function: "example.com/lib.Fill", File: file, Line: 4})
		mainFn := b.Frame(diff.Frame{Function: "main.main", File: "main.go", Line: 9})
		b.AddStack([]int32{fill, mainFn}, []int64{v})
		return b.Dump(name)
	}
	s := session.New(nil)
	s.Add([]*diff.Dump{dump("base", 1<<20), dump("later", 5<<20)}, false)
	r, err := session.Compute(context.Background(), s.Snapshot(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) == 0 {
		t.Fatal("no finding")
	}
	p := r.Findings[0].Path
	if last := p[len(p)-1]; last.Source != "keep = append(keep, make([]byte, 1<<20))" {
		t.Errorf("the site's step %+v: want its source line", last)
	}
}
