package diff

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// What decides the order of dumps, strongest first: Order uses the first
// that tells.
const (
	ByTime        = "times"                     // the times the dumps record, or their watch names
	ByJemallocSeq = "jemalloc sequence numbers" // prefix.PID.SEQ.iN.heap file names
	BySequence    = "sequence numbers"          // the names leakscope watch gives
	ByNameNumber  = "numbers in the names"      // goroutine-3.txt before goroutine-4.txt
	ByWaitTime    = "wait times"                // how long goroutines in both dumps have waited
	ByGiven       = ""                          // nothing told: the order given was kept
)

// GoroutineMark is what a goroutine dump says of one goroutine that helps
// tell when the dump was taken: its ID, who created it, and how long it has
// been blocked.
type GoroutineMark struct {
	ID int64
	// Creator identifies the goroutine's creation site and creating
	// goroutine: two goroutines with the same ID and Creator in two dumps
	// are the same goroutine.
	Creator uint32
	// State identifies the goroutine's wait state ("chan receive"); a
	// goroutine whose state changed between two dumps has woken between them.
	State uint32
	// Wait is the minutes blocked, as printed; 0 under a minute.
	Wait int32
	// Startup is set for goroutine 1 and the goroutines it created: those a
	// new process of the same program starts again with the same IDs.
	Startup bool
}

// GoroutineLister is implemented by the Detail of dumps that list each
// goroutine with its ID (Go debug=2 goroutine dumps).
type GoroutineLister interface {
	// GoroutineMarks returns the dump's goroutines, sorted by ID.
	GoroutineMarks() []GoroutineMark
}

// Moment is what one dump tells of when it was taken: the evidence Order
// and Restarted weigh. It is small and holds no stacks, so that a series
// can keep one for each snapshot.
type Moment struct {
	Path string
	// Time is when the dump was taken: the time it records, else the time
	// in its name when leakscope watch named it; zero when unknown.
	Time time.Time
	// Seq is the sequence number in a name that jemalloc or leakscope
	// watch gave the dump, valid when SeqOf is not "": the jemalloc
	// prefix.PID the number counts within, or "watch".
	Seq   int64
	SeqOf string
	// Goroutines are the dump's goroutines by ID, for dumps that list them.
	Goroutines []GoroutineMark
	// Allocated is a Go heap profile's total of alloc_space, which only
	// grows while one process runs; -1 when the dump has none.
	Allocated int64
}

// MomentOf returns what d tells of when it was taken.
func MomentOf(d *Dump) Moment {
	m := Moment{Path: d.Path, Time: d.Time, Allocated: -1}
	if prefix, pid, seq, ok := JemallocSequence(d.Path); ok {
		m.Seq, m.SeqOf = seq, prefix+"."+strconv.FormatInt(pid, 10)
	} else if seq, at, ok := ParseWatchName(d.Path); ok {
		m.Seq, m.SeqOf = int64(seq), "watch"
		if m.Time.IsZero() {
			m.Time = at
		}
	}
	if l, ok := d.Detail.(GoroutineLister); ok {
		m.Goroutines = l.GoroutineMarks()
	}
	for i, st := range d.SampleTypes {
		if st.Type == "alloc_space" && d.Kind == KindHeap {
			m.Allocated = d.Total(i)
		}
	}
	return m
}

// Ordering is dumps put in order, first to last, and what the order rests on.
type Ordering struct {
	// Index[k] is the position, among the moments given, of the k-th dump
	// from first to last.
	Index []int
	// By is the evidence that decided: ByTime, ByJemallocSeq, BySequence,
	// ByNameNumber, ByWaitTime, or ByGiven when none told.
	By string
	// Disagree names, for each pair of consecutive dumps whose goroutine
	// IDs suggest the other order, the two file names ("a.txt → b.txt"),
	// first to last. IDs never decide: Go hands them out from per-P
	// caches, and the highest ones go when their goroutines exit.
	Disagree []string
}

// Swapped reports whether a pair came out later-first as given.
func (o Ordering) Swapped() bool { return len(o.Index) == 2 && o.Index[0] == 1 }

// Note says, for the user, what decided the order of the files named by
// base (the first) and later (the last), and where goroutine IDs disagree.
// It is "" when recorded times decided in the order given and IDs agree.
func (o Ordering) Note(base, later string) string {
	var b strings.Builder
	switch o.By {
	case ByTime:
		if o.Swapped() {
			fmt.Fprintf(&b, "%s was taken before %s, by the times the dumps record: using it as the base.", base, later)
		}
	case ByGiven:
		if len(o.Index) == 2 {
			fmt.Fprintf(&b, "The dumps do not tell which was taken first: %s, given first, is the base. Use Swap if it is the later one.", base)
		} else {
			b.WriteString("The dumps do not tell their order: they are taken in the order given.")
		}
	default:
		if len(o.Index) == 2 {
			fmt.Fprintf(&b, "Order inferred from %s: %s is the base, %s the later dump.", o.By, base, later)
		} else {
			fmt.Fprintf(&b, "Order inferred from %s: %s first, %s last.", o.By, base, later)
		}
	}
	if len(o.Disagree) > 0 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		more := ""
		if len(o.Disagree) > 2 {
			more = fmt.Sprintf(" and %d more", len(o.Disagree)-2)
		}
		fmt.Fprintf(&b, "Goroutine IDs suggest the other order for %s%s; they are only a hint (Go hands them out per processor, and the highest go when their goroutines exit).",
			strings.Join(o.Disagree[:min(2, len(o.Disagree))], ", "), more)
	}
	return b.String()
}

// Order puts moments in order, first to last, on the first evidence that
// holds for all of them:
//
//  1. the times the dumps record (or their watch names), all known and
//     not all equal;
//  2. the sequence numbers in the names jemalloc or leakscope watch gave
//     them, all of one process or one watch;
//  3. numbers that differ in otherwise identical names (goroutine-3.txt,
//     goroutine-4.txt), compared as numbers;
//  4. the wait minutes of goroutines present in both of two dumps (same
//     ID, same creator, same state): the longer wait is the later dump;
//  5. otherwise the order given.
//
// Goroutine IDs never decide; where they disagree with the order chosen,
// Disagree says so. Equal keys keep the order given.
func Order(ms []Moment) Ordering {
	o := Ordering{Index: make([]int, len(ms))}
	for i := range o.Index {
		o.Index[i] = i
	}
	if len(ms) < 2 {
		return o
	}
	sortBy := func(cmp func(a, b int) int) {
		slices.SortStableFunc(o.Index, cmp)
	}
	switch {
	case all(ms, func(m *Moment) bool { return !m.Time.IsZero() }) && !allEqual(ms, func(a, b *Moment) bool { return a.Time.Equal(b.Time) }):
		o.By = ByTime
		sortBy(func(a, b int) int { return ms[a].Time.Compare(ms[b].Time) })
	case sameSeq(ms) && ms[0].SeqOf != "watch":
		o.By = ByJemallocSeq
		sortBy(func(a, b int) int { return cmpInt(ms[a].Seq, ms[b].Seq) })
	case sameSeq(ms):
		o.By = BySequence
		sortBy(func(a, b int) int { return cmpInt(ms[a].Seq, ms[b].Seq) })
	default:
		// jemalloc's names of several processes differ in their PIDs,
		// which tell nothing of the order.
		jemallocNames := !all(ms, func(m *Moment) bool { return m.SeqOf == "" || m.SeqOf == "watch" })
		if nums := NameNumbers(paths(ms)); nums != nil && !jemallocNames {
			o.By = ByNameNumber
			sortBy(func(a, b int) int { return cmpNumbers(nums[a], nums[b]) })
		} else if idx, ok := byWait(ms); ok {
			o.By, o.Index = ByWaitTime, idx
		}
	}
	for k := 1; k < len(o.Index); k++ {
		a, b := &ms[o.Index[k-1]], &ms[o.Index[k]]
		if idVerdict(a.Goroutines, b.Goroutines) > 0 {
			o.Disagree = append(o.Disagree, filepath.Base(a.Path)+" → "+filepath.Base(b.Path))
		}
	}
	return o
}

func all(ms []Moment, ok func(m *Moment) bool) bool {
	for i := range ms {
		if !ok(&ms[i]) {
			return false
		}
	}
	return true
}

func allEqual(ms []Moment, eq func(a, b *Moment) bool) bool {
	return all(ms, func(m *Moment) bool { return eq(m, &ms[0]) })
}

// sameSeq reports whether every moment has a sequence number of one
// process or watch, and they are not all the same.
func sameSeq(ms []Moment) bool {
	return ms[0].SeqOf != "" && all(ms, func(m *Moment) bool { return m.SeqOf == ms[0].SeqOf }) &&
		!allEqual(ms, func(a, b *Moment) bool { return a.Seq == b.Seq })
}

func paths(ms []Moment) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Path
	}
	return out
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// numberRE splits a name into runs of digits and runs of the rest.
var numberRE = regexp.MustCompile(`\d+|\D+`)

// NameNumbers returns, for names that are the same but for some of their
// numbers, those numbers of each name (leading zeros dropped), compared
// left to right by cmpNumbers; nil when the names differ otherwise, or do
// not differ at all.
func NameNumbers(names []string) [][]string {
	if len(names) < 2 {
		return nil
	}
	split := make([][]string, len(names))
	for i, n := range names {
		split[i] = numberRE.FindAllString(filepath.ToSlash(filepath.Clean(n)), -1)
		if len(split[i]) != len(split[0]) {
			return nil
		}
	}
	var differ []int
	for t, tok0 := range split[0] {
		isNum := tok0[0] >= '0' && tok0[0] <= '9'
		same := true
		for _, s := range split[1:] {
			if s[t] == tok0 {
				continue
			}
			if !isNum || s[t][0] < '0' || s[t][0] > '9' {
				return nil // the names differ outside their numbers
			}
			same = false
		}
		if !same {
			differ = append(differ, t)
		}
	}
	if len(differ) == 0 {
		return nil
	}
	out := make([][]string, len(names))
	for i, s := range split {
		for _, t := range differ {
			n := strings.TrimLeft(s[t], "0")
			if n == "" {
				n = "0"
			}
			out[i] = append(out[i], n)
		}
	}
	return out
}

// cmpNumbers compares two lists of decimal numbers without leading zeros,
// of any length.
func cmpNumbers(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if c := cmpInt(int64(len(a[i])), int64(len(b[i]))); c != 0 {
			return c
		}
		if c := strings.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmpInt(int64(len(a)), int64(len(b)))
}

// waitVerdict tells which of two goroutine dumps was taken first by the
// goroutines in both, blocked in the same state all along as far as the
// dumps show: their wait only grows, so the dump where they have waited
// longer is the later. It returns -1 when a came first, +1 when b did, and
// 0 when the dumps do not tell (no such goroutine waited a minute or more
// longer in one, or the goroutines disagree too much: one that woke and
// blocked again between the dumps waits less in the later).
func waitVerdict(a, b []GoroutineMark) int {
	longerInA, longerInB := 0, 0
	join(a, b, func(x, y *GoroutineMark) {
		if x.State != y.State {
			return
		}
		switch {
		case x.Wait > y.Wait:
			longerInA++
		case x.Wait < y.Wait:
			longerInB++
		}
	}, nil, nil)
	switch {
	case longerInB > 0 && longerInA*4 <= longerInB:
		return -1
	case longerInA > 0 && longerInB*4 <= longerInA:
		return 1
	}
	return 0
}

// join calls both for each goroutine in a and b (the same ID and creator),
// onlyA and onlyB for the others. a and b are sorted by ID.
func join(a, b []GoroutineMark, both func(x, y *GoroutineMark), onlyA, onlyB func(x *GoroutineMark)) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i].ID < b[j].ID):
			if onlyA != nil {
				onlyA(&a[i])
			}
			i++
		case i == len(a) || b[j].ID < a[i].ID:
			if onlyB != nil {
				onlyB(&b[j])
			}
			j++
		default:
			if a[i].Creator == b[j].Creator {
				if both != nil {
					both(&a[i], &b[j])
				}
			} else {
				if onlyA != nil {
					onlyA(&a[i])
				}
				if onlyB != nil {
					onlyB(&b[j])
				}
			}
			i, j = i+1, j+1
		}
	}
}

// idSlack is how far below older goroutines' IDs a newer goroutine's ID can
// fall with Go's per-P caches of IDs (16 a P) before the IDs are taken to
// disagree.
const idSlack = 256

// idVerdict is what goroutine IDs suggest of two dumps of one process: the
// goroutines found in only one of them are those created after the other
// was taken (or that exited before it), so the dump whose own goroutines
// have the clearly higher IDs is the later. It returns -1 (a first), +1 (b
// first) or 0 (no clear sign).
func idVerdict(a, b []GoroutineMark) int {
	var newA, newB int64 = -1, -1
	join(a, b, nil, func(x *GoroutineMark) { newA = max(newA, x.ID) }, func(x *GoroutineMark) { newB = max(newB, x.ID) })
	switch {
	case newA < 0 || newB < 0:
		return 0
	case newB > newA+idSlack:
		return -1
	case newA > newB+idSlack:
		return 1
	}
	return 0
}

// byWait orders goroutine dumps by waitVerdict between every two of them:
// the order given, changed only where a verdict asks. ok is false when no
// two dumps tell, or the verdicts contradict each other.
func byWait(ms []Moment) (idx []int, ok bool) {
	n := len(ms)
	after := make([][]int, n) // after[i]: the dumps known to come after i
	indeg := make([]int, n)
	told := false
	for i := range n {
		for j := i + 1; j < n; j++ {
			if len(ms[i].Goroutines) == 0 || len(ms[j].Goroutines) == 0 {
				continue
			}
			switch waitVerdict(ms[i].Goroutines, ms[j].Goroutines) {
			case -1:
				after[i] = append(after[i], j)
				indeg[j]++
				told = true
			case 1:
				after[j] = append(after[j], i)
				indeg[i]++
				told = true
			}
		}
	}
	if !told {
		return nil, false
	}
	// Kahn's algorithm, taking the earliest given among the dumps free to go.
	done := make([]bool, n)
	for len(idx) < n {
		next := -1
		for i := range n {
			if !done[i] && indeg[i] == 0 {
				next = i
				break
			}
		}
		if next < 0 {
			return nil, false // a cycle: the waits contradict each other
		}
		done[next] = true
		idx = append(idx, next)
		for _, j := range after[next] {
			indeg[j]--
		}
	}
	return idx, true
}

// Restarted reports whether cur was written by another process than prev,
// the snapshot before it, with prev2 the one before that (nil for none),
// and why. It says so only on evidence that holds whatever goroutines come
// and go and however Go hands out their IDs:
//
//   - a Go heap profile's cumulative allocations fell, which they never do
//     in one process; or
//   - every goroutine that lived through prev2 and prev, other than
//     goroutine 1 and those it started (a new process starts them again
//     with the same IDs), is gone from cur, and every goroutine in cur has
//     a lower ID than the highest of those gone.
func Restarted(prev2, prev, cur *Moment) (why string, ok bool) {
	if prev.Allocated >= 0 && cur.Allocated >= 0 && cur.Allocated < prev.Allocated {
		return fmt.Sprintf("its cumulative allocations fell from %s to %s", FormatValue(prev.Allocated, "bytes"), FormatValue(cur.Allocated, "bytes")), true
	}
	if prev2 == nil || len(prev2.Goroutines) == 0 || len(prev.Goroutines) == 0 || len(cur.Goroutines) == 0 {
		return "", false
	}
	var lived []GoroutineMark
	join(prev2.Goroutines, prev.Goroutines, func(_, y *GoroutineMark) {
		if !y.Startup {
			lived = append(lived, *y)
		}
	}, nil, nil)
	if len(lived) == 0 {
		return "", false
	}
	stayed := 0
	join(lived, cur.Goroutines, func(_, _ *GoroutineMark) { stayed++ }, nil, nil)
	if stayed > 0 || cur.Goroutines[len(cur.Goroutines)-1].ID >= lived[len(lived)-1].ID {
		return "", false
	}
	return fmt.Sprintf("all %d goroutines that lived through the two snapshots before it are gone, and its goroutine IDs started again", len(lived)), true
}

// jemallocNameRE matches the names jemalloc gives the dumps it writes by
// itself: prefix.PID.SEQ.iN.heap (lg_prof_interval), .fN (prof_final),
// .uN (prof_gdump), .mN (prof.dump without a name).
var jemallocNameRE = regexp.MustCompile(`^(.*)\.(\d+)\.(\d+)\.[ifum]\d+\.heap$`)

// JemallocSequence reads the process ID and dump sequence number from a
// file name that jemalloc chose (prefix.PID.SEQ.iN.heap). ok is false for
// other names. Dumps of one process order by seq.
func JemallocSequence(path string) (prefix string, pid, seq int64, ok bool) {
	m := jemallocNameRE.FindStringSubmatch(filepath.Base(path))
	if m == nil {
		return "", 0, 0, false
	}
	pid, err1 := strconv.ParseInt(m[2], 10, 64)
	seq, err2 := strconv.ParseInt(m[3], 10, 64)
	if err1 != nil || err2 != nil {
		return "", 0, 0, false
	}
	return filepath.Join(filepath.Dir(path), m[1]), pid, seq, true
}

// watchNameRE matches the names leakscope watch gives snapshots:
// KIND-SEQ-YYYYMMDDTHHMMSS[.mmm]Z.EXT.
var watchNameRE = regexp.MustCompile(`-(\d{4,})-(\d{8}T\d{6}(?:\.\d+)?Z)\.[a-z.]+$`)

// watchNameTime is the time layout of watch names.
const watchNameTime = "20060102T150405.000Z"

// WatchName returns the file name leakscope watch gives snapshot seq of kind
// (such as "heap" or "goroutines") taken at t, with ext (such as ".pb.gz").
// ParseWatchName reads it back; names sort in sequence order.
func WatchName(kind string, seq int, t time.Time, ext string) string {
	return fmt.Sprintf("%s-%04d-%s%s", kind, seq, t.UTC().Format(watchNameTime), ext)
}

// ParseWatchName reads the sequence number and time from a name that
// WatchName made.
func ParseWatchName(path string) (seq int, t time.Time, ok bool) {
	m := watchNameRE.FindStringSubmatch(filepath.Base(path))
	if m == nil {
		return 0, time.Time{}, false
	}
	seq, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, time.Time{}, false
	}
	t, err = time.Parse("20060102T150405Z", m[2])
	if err != nil {
		if t, err = time.Parse(watchNameTime, m[2]); err != nil {
			return 0, time.Time{}, false
		}
	}
	return seq, t, true
}

// Match pairs the snapshots of two series of the same moments (heap dumps
// and the goroutine dumps taken with them), each given first to last: it
// returns, for each of a, the index in b of the dump of the same moment,
// or -1, and what matched them. Dumps match by the sequence numbers of
// their watch names, else by the numbers in their names (heap-3.pb.gz with
// goroutine-3.txt), else by the nearest recorded time, else, when the two
// are as long, by position.
func Match(a, b []Moment) (idx []int, by string) {
	idx = make([]int, len(a))
	for i := range idx {
		idx[i] = -1
	}
	match := func(key func(ms []Moment) []string) bool {
		ka, kb := key(a), key(b)
		if ka == nil || kb == nil {
			return false
		}
		where := make(map[string]int, len(kb))
		for j, k := range kb {
			where[k] = j
		}
		found := false
		for i, k := range ka {
			if j, ok := where[k]; ok {
				idx[i], found = j, true
			}
		}
		return found
	}
	seqKey := func(ms []Moment) []string {
		out := make([]string, len(ms))
		for i, m := range ms {
			if m.SeqOf != "watch" {
				return nil
			}
			out[i] = strconv.FormatInt(m.Seq, 10)
		}
		return out
	}
	numKey := func(ms []Moment) []string {
		nums := NameNumbers(paths(ms))
		if nums == nil {
			return nil
		}
		out := make([]string, len(ms))
		for i, n := range nums {
			out[i] = strings.Join(n, ".")
		}
		return out
	}
	switch {
	case match(seqKey):
		return idx, BySequence
	case match(numKey):
		return idx, ByNameNumber
	}
	if all(a, func(m *Moment) bool { return !m.Time.IsZero() }) && all(b, func(m *Moment) bool { return !m.Time.IsZero() }) && len(b) > 0 {
		for i := range a {
			best, bestD := 0, time.Duration(1<<62)
			for j := range b {
				if d := a[i].Time.Sub(b[j].Time).Abs(); d < bestD {
					best, bestD = j, d
				}
			}
			idx[i] = best
		}
		return idx, ByTime
	}
	if len(a) == len(b) {
		for i := range idx {
			idx[i] = i
		}
	}
	return idx, ByGiven
}
