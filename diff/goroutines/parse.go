// Package goroutines reads Go goroutine dumps and groups goroutines by the
// `go` statement that started them, so that two dumps show which spawn site
// is leaking.
//
// It reads Go's full goroutine dumps (`/debug/pprof/goroutine?debug=2`, a
// SIGQUIT or a panic; Go 1.17 to 1.26 forms, including Go 1.26's goroutineleak
// profile at debug=2) and registers that format with package diff, so that
// diff.Open reads them too. Goroutine and goroutineleak profiles in pprof's
// own forms (debug=0 protobuf, debug=1 text) carry no creation sites; for
// them, goroutines group by their entry function.
//
// Importing this package is what makes diff.Open read debug=2 dumps.
package goroutines

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/leakscope/leakscope/diff"
)

func init() {
	diff.RegisterFormat(diff.Format{Name: "Go goroutine dump (debug=2)", Order: 30, Match: Match, Load: load, Suffixes: []string{".txt"}})
}

// headerRE matches the start of the header runtime.goroutineheader prints.
var headerRE = regexp.MustCompile(`\Agoroutine \d+ (?:gp=\S+ m=\S+ (?:mp=\S+ )?)?\[`)

// Match reports whether data is a Go debug=2 goroutine dump: a line that is
// a goroutine header anywhere in it (a panic may print any amount of output
// first).
func Match(data []byte) bool {
	const maxLine = 1 << 10 // a header is far shorter
	word := []byte("goroutine ")
	for off := 0; off < len(data); {
		i := bytes.Index(data[off:], word)
		if i < 0 {
			return false
		}
		i += off
		if i == 0 || data[i-1] == '\n' {
			if headerRE.Match(data[i:min(len(data), i+maxLine)]) {
				return true
			}
		}
		off = i + len(word)
	}
	return false
}

// meta is what a debug=2 dump says about one goroutine beyond its stack.
type meta struct {
	id        int64
	state     string // e.g. "chan receive"; interned
	wait      int32  // minutes blocked, as printed; 0 when not shown (under a minute)
	leaked    bool   // "(leaked)", from Go 1.26's leak detector
	locked    bool   // "locked to thread"
	labels    string // the label set's canonical form (diff.Labels.String); interned
	site      int32  // index into detail.sites
	creatorID int64  // "in goroutine N"; 0 when not printed
}

// detail is the Dump.Detail of a debug=2 dump; meta[i] describes stack i.
type detail struct {
	meta  []meta
	sites []Site
}

// SubsetDetail implements diff.SubsetDetail: the goroutines of the stacks kept.
func (d *detail) SubsetDetail(kept []int) any {
	out := &detail{sites: d.sites, meta: make([]meta, len(kept))}
	for i, k := range kept {
		out.meta[i] = d.meta[k]
	}
	return out
}

// GoroutineMarks implements diff.GoroutineLister: each goroutine's ID, its
// creation site and creator, its state and its wait, sorted by ID.
func (d *detail) GoroutineMarks() []diff.GoroutineMark {
	siteHash := make([]uint64, len(d.sites))
	for i, s := range d.sites {
		h := fnv.New64a()
		fmt.Fprintf(h, "%s\x00%s\x00%d\x00%t", s.Function, s.File, s.Line, s.NoCreator)
		siteHash[i] = h.Sum64()
	}
	states := map[string]uint32{}
	out := make([]diff.GoroutineMark, len(d.meta))
	for i, m := range d.meta {
		st, ok := states[m.state]
		if !ok {
			h := fnv.New32a()
			h.Write([]byte(m.state))
			st = h.Sum32()
			states[m.state] = st
		}
		out[i] = diff.GoroutineMark{
			ID:      m.id,
			Creator: uint32((siteHash[m.site] ^ uint64(m.creatorID)*0x9e3779b97f4a7c15) >> 32),
			State:   st,
			Wait:    m.wait,
			Startup: m.id == 1 || m.creatorID == 1,
		}
	}
	slices.SortFunc(out, func(a, b diff.GoroutineMark) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// parser is an explicit state machine over the lines of a dump.
//
//	outside --header--> inGoroutine
//	inGoroutine --function line--> wantFile --file line--> inGoroutine
//	inGoroutine --"created by F"--> wantCreatorFile --file line--> done
//	inGoroutine, done --blank line--> outside (the goroutine is added)
//	any state --header--> inGoroutine (the previous goroutine is added)
type parser struct {
	b       *diff.Builder
	det     *detail
	strs    map[string]string
	sites   map[Site]int32
	state   int
	cur     meta
	frames  []int32
	fn      string // function of the frame whose file line is awaited
	entry   string // function of the last frame read: the entry function so far
	fnCall  bool   // the awaited frame's line ended in ")", as a call does
	creator string
	skipped int  // lines inside goroutines that matched no form
	cut     int  // goroutines left out because the dump ended inside them
	labeled bool // a goroutine had labels: every later one records its own
	one     []int64
}

const (
	outside = iota
	inGoroutine
	wantFile
	wantCreatorFile
	done
)

// Site is where goroutines come from: the function that ran the `go`
// statement and the statement's file and line. For goroutines that no
// goroutine created (main, and runtime-internal ones), Function is the
// goroutine's own entry function and NoCreator is set; for dumps without
// creation sites (pprof's debug=0 and debug=1), Function is the entry
// function, File and Line are empty, and ByEntry is set.
type Site struct {
	Function  string // creating function, without " in goroutine N"
	File      string // file of the go statement, as written in the dump
	Line      int64  // line of the go statement
	NoCreator bool   // the goroutine has no creator; Function is its entry function
	ByEntry   bool   // the dump has no creation sites; Function is the entry function
}

// String formats the site as "function file:line" with a note for sites that
// are not go statements.
func (s Site) String() string {
	switch {
	case s.ByEntry:
		return s.Function + " (entry function)"
	case s.NoCreator:
		return s.Function + " (no creator)"
	}
	return fmt.Sprintf("%s %s:%d", s.Function, s.File, s.Line)
}

var errNoGoroutines = errors.New("no goroutines found")

func load(data []byte, b *diff.Builder) error {
	b.SetSampleTypes([]diff.SampleType{{Type: "goroutine", Unit: "count"}})
	b.SetPeriod(1, diff.SampleType{Type: "goroutine", Unit: "count"})
	// The traceback already hides the runtime's frames, unless the dump
	// was taken with GOTRACEBACK=system or higher: the rule of every Go
	// reader makes those compare alike too.
	b.HideGoRuntime()
	p := &parser{b: b, det: &detail{}, strs: make(map[string]string), sites: make(map[Site]int32), one: []int64{1}}
	var line []byte
	newline := true
	for n := 0; len(data) > 0; n++ {
		if n%(4*4096) == 0 {
			if err := b.Err(); err != nil {
				return err
			}
		}
		line, data, newline = bytes.Cut(data, []byte{'\n'})
		p.line(bytes.TrimSuffix(line, []byte{'\r'}))
	}
	// A dump cut at an arbitrary byte ends in a partial line, which would
	// still read as a frame, as a file:line with a shortened number, or not
	// at all (a cut header). A file line that reached its " +0x" offset is
	// whole enough.
	if !newline && !(line[0] == '\t' && bytes.Contains(line, []byte(" +0x"))) &&
		(p.state != outside || bytes.HasPrefix(line, []byte("goroutine "))) {
		p.cut++
		p.state = outside
	}
	p.end(true)
	if len(p.det.meta) == 0 {
		return errNoGoroutines
	}
	if p.cut > 0 {
		b.Warn("the dump ends inside a goroutine; %d incomplete goroutine left out", p.cut)
	}
	if p.skipped > 0 {
		b.Warn("%d lines inside goroutines matched no known form and were skipped", p.skipped)
	}
	b.SetDetail(p.det)
	return nil
}

func (p *parser) intern(b []byte) string {
	if s, ok := p.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	p.strs[s] = s
	return s
}

func (p *parser) line(line []byte) {
	if bytes.HasPrefix(line, []byte("goroutine ")) {
		if m, ok := p.header(line); ok {
			p.end(false)
			p.cur, p.frames, p.creator = m, p.frames[:0], ""
			p.state = inGoroutine
			return
		}
	}
	switch p.state {
	case outside:
		return
	case inGoroutine, done:
		switch {
		case len(line) == 0:
			p.end(false)
		case p.state == done:
			p.skipped++
		case bytes.HasPrefix(line, []byte("created by ")):
			p.createdBy(line[len("created by "):])
		case isElision(line):
			// Frames left out; the stack, or the creator line, follows.
		case line[0] == '\t':
			p.skipped++
		default:
			p.fn = p.intern(funcName(line))
			p.fnCall = line[len(line)-1] == ')'
			p.state = wantFile
		}
	case wantFile, wantCreatorFile:
		if len(line) == 0 || line[0] != '\t' {
			p.skipped++
			if len(line) == 0 {
				p.end(false)
			}
			return
		}
		file, ln := fileLine(line[1:])
		if p.state == wantFile {
			p.frames = append(p.frames, p.b.Frame(diff.Frame{Function: p.fn, File: p.intern(file), Line: ln}))
			p.entry = p.fn
			p.state = inGoroutine
			return
		}
		p.cur.site = p.site(Site{Function: p.creator, File: p.intern(file), Line: ln})
		p.state = done
	}
}

// isElision reports whether line is one that runtime.traceback prints for
// frames it leaves out: "...additional frames elided..." (every version) or,
// since Go 1.21, "...N frames elided..." in the middle of a long stack.
func isElision(line []byte) bool {
	if bytes.Equal(line, []byte("...additional frames elided...")) {
		return true
	}
	n, ok := bytes.CutPrefix(line, []byte("..."))
	if !ok {
		return false
	}
	n, ok = bytes.CutSuffix(n, []byte(" frames elided..."))
	if !ok || len(n) == 0 {
		return false
	}
	for _, c := range n {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// end adds the goroutine being read, if any. atEOF says the data ended.
func (p *parser) end(atEOF bool) {
	if p.state == outside {
		return
	}
	if p.state == wantFile && !p.fnCall {
		// Not a frame after all ("exit status 2" after a panic): drop the line.
		p.skipped++
		p.state = inGoroutine
	}
	incomplete := p.state == wantFile || p.state == wantCreatorFile
	if incomplete && atEOF {
		p.cut++
		p.state = outside
		return
	}
	if incomplete {
		p.skipped++
	}
	if p.state != done {
		entry := p.entry
		if len(p.frames) == 0 {
			entry = "?"
		}
		p.cur.site = p.site(Site{Function: entry, NoCreator: true})
	}
	p.b.AddStack(p.frames, p.one)
	if p.cur.labels != "" || p.labeled {
		p.b.SetLabels(diff.ParseLabels(p.cur.labels))
		p.labeled = true
	}
	p.det.meta = append(p.det.meta, p.cur)
	p.state = outside
}

func (p *parser) site(s Site) int32 {
	if i, ok := p.sites[s]; ok {
		return i
	}
	i := int32(len(p.det.sites))
	p.det.sites = append(p.det.sites, s)
	p.sites[s] = i
	return i
}

// createdBy reads "F in goroutine N" (Go 1.21 and later) or "F".
func (p *parser) createdBy(rest []byte) {
	if i := bytes.LastIndex(rest, []byte(" in goroutine ")); i >= 0 {
		if id, err := strconv.ParseInt(string(rest[i+len(" in goroutine "):]), 10, 64); err == nil {
			p.cur.creatorID = id
			rest = rest[:i]
		}
	}
	p.creator = p.intern(rest)
	p.state = wantCreatorFile
}

// header parses what runtime.goroutineheader prints:
//
//	goroutine N [gp=… m=… mp=…] [STATE[ (leaked)][ (scan)][ (durable)][, M minutes]
//	    [, locked to thread][, synctest bubble B][ labels:{"k": "v", …}]]:
func (p *parser) header(line []byte) (meta, bool) {
	var m meta
	rest := line[len("goroutine "):]
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	if i == 0 {
		return m, false
	}
	m.id, _ = strconv.ParseInt(string(rest[:i]), 10, 64)
	open := bytes.IndexByte(rest[i:], '[')
	if open < 0 || !bytes.HasSuffix(rest, []byte("]:")) {
		return m, false
	}
	s := string(rest[i+open+1 : len(rest)-2])
	if j := strings.Index(s, " labels:{"); j >= 0 && strings.HasSuffix(s, "}") {
		m.labels = p.intern([]byte(parseLabels(s[j+len(" labels:{") : len(s)-1]).Sorted().String()))
		s = s[:j]
	}
	if j := strings.LastIndex(s, ", synctest bubble "); j >= 0 {
		s = s[:j]
	}
	if t, ok := strings.CutSuffix(s, ", locked to thread"); ok {
		s, m.locked = t, true
	}
	if t, ok := strings.CutSuffix(s, " minutes"); ok {
		if j := strings.LastIndex(t, ", "); j >= 0 {
			if n, err := strconv.Atoi(t[j+2:]); err == nil {
				m.wait, s = int32(n), t[:j]
			}
		}
	}
	s = strings.TrimSuffix(s, " (durable)")
	s = strings.TrimSuffix(s, " (scan)")
	if t, ok := strings.CutSuffix(s, " (leaked)"); ok {
		s, m.leaked = t, true
	}
	m.state = p.intern([]byte(s))
	return m, true
}

// parseLabels reads `"k": "v", "k2": "v2"`. A set it cannot read whole is
// kept as one label, named by the text, with no value.
func parseLabels(s string) diff.Labels {
	var out diff.Labels
	for s != "" {
		k, err := strconv.QuotedPrefix(s)
		if err != nil {
			return append(out, diff.Label{Key: strings.TrimSpace(s)})
		}
		s = strings.TrimPrefix(s[len(k):], ": ")
		v, err := strconv.QuotedPrefix(s)
		if err != nil {
			return append(out, diff.Label{Key: strings.TrimSpace(s)})
		}
		s = strings.TrimPrefix(s[len(v):], ", ")
		ku, _ := strconv.Unquote(k)
		vu, _ := strconv.Unquote(v)
		out = append(out, diff.Label{Key: ku, Value: vu})
	}
	return out
}

// funcName strips the argument list from a frame's function line:
// "main.(*T).m(0xc000012345, {0x1, 0x2})" -> "main.(*T).m". Inlined frames
// print "(...)"; frames of leaked goroutines may print no arguments at all.
func funcName(line []byte) []byte {
	if len(line) == 0 || line[len(line)-1] != ')' {
		return line
	}
	depth := 0
	for i := len(line) - 1; i >= 0; i-- {
		switch line[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				if i == 0 {
					return line
				}
				return line[:i]
			}
		}
	}
	return line
}

// fileLine parses "/path/to/file.go:123 +0x1d" (the offset and anything after
// it may be missing; the path may hold spaces).
func fileLine(b []byte) ([]byte, int64) {
	if i := bytes.Index(b, []byte(" +0x")); i >= 0 {
		b = b[:i]
	} else if i := bytes.Index(b, []byte(" fp=")); i >= 0 {
		b = b[:i]
	}
	b = bytes.TrimRight(b, " ")
	i := bytes.LastIndexByte(b, ':')
	if i < 0 {
		return b, 0
	}
	n, err := strconv.ParseInt(string(b[i+1:]), 10, 64)
	if err != nil {
		return b, 0
	}
	return b[:i], n
}
