package pprof

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/leakscope/leakscope/diff"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/pprof/profile"
)

// Go's legacy text profiles (debug=1) are read by profile.Parse, which gives
// addresses only. Go writes each stack's symbols as comment lines
//
//	#	0x4f2e14	runtime/pprof.allFrames+0x214	/usr/local/go/src/runtime/pprof/proto.go:232
//
// whose address is the return address - 1, the same adjustment profile.Parse
// makes, so the comments symbolize the locations: an address named anywhere in
// the file is named everywhere. Go leaves out the leading runtime frames (the
// allocator, for heap profiles) and runtime.goexit; so does this reader, in
// every stack, so that two files compare alike whichever frames each happened
// to name, by the rule every Go reader applies (see HideGoRuntime). Other
// addresses without a comment stay as "0x…" frames.

var countHeaderRE = regexp.MustCompile(`\A\S+ profile: total \d+\s*$`)

// matchLegacyText accepts the text profiles that profile.Parse reads.
func matchLegacyText(data []byte) bool {
	line, _, _ := bytes.Cut(data[:min(len(data), 256)], []byte("\n"))
	s := strings.TrimSpace(string(line))
	for _, prefix := range []string{"heap profile:", "--- contention", "--- mutex", "--- threadz", "heapz in use"} {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return countHeaderRE.MatchString(s)
}

func loadLegacyText(data []byte, b *diff.Builder) error {
	if ok, err := loadGoHeapText(data, b); ok || err != nil {
		return err
	}
	if ok, err := loadGoCountText(data, b); ok || err != nil {
		return err
	}
	p, err := profile.ParseData(data)
	if err != nil {
		return err
	}
	syms := commentSymbols(data)
	b.HideGoRuntimeText()
	loadProfile(p, b, func(l *profile.Location) []diff.Frame {
		if f, ok := syms[l.Address]; ok {
			return []diff.Frame{f}
		}
		return nil
	})
	warnCut(data, p, b)
	return nil
}

// warnCut warns when a text profile looks cut short, which profile.Parse
// accepts silently: it does not end in a newline, a count profile's stacks
// add up to less than its header's total, or a Go heap profile lacks the
// runtime.MemStats section Go writes after the stacks.
func warnCut(data []byte, p *profile.Profile, b *diff.Builder) {
	var sum int64
	for _, s := range p.Sample {
		if len(s.Value) > 0 {
			sum, _ = diff.AddSaturating(sum, max(s.Value[0], 0))
		}
	}
	warnCutSum(data, sum, b)
}

// warnCutSum is warnCut given the sum of a count profile's first values.
func warnCutSum(data []byte, sum int64, b *diff.Builder) {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	header := strings.TrimSpace(string(first))
	switch {
	case countHeaderRE.MatchString(header):
		total, _ := strconv.ParseInt(header[strings.LastIndexByte(header, ' ')+1:], 10, 64)
		if sum < total {
			b.Warn("the header counts %d but the stacks hold %d: the dump is cut short, or was written while it changed", total, sum)
			return
		}
	case strings.HasPrefix(header, "heap profile:") && strings.Contains(header, "@ heap/") &&
		!bytes.Contains(data, []byte("\n# runtime.MemStats\n")):
		b.Warn("the dump ends before the runtime.MemStats section that Go writes after the stacks: it is cut short, and its last stacks may be missing")
		return
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		b.Warn("the dump does not end with a newline: it is cut short, and its last stack may be incomplete")
	}
}

// commentSymbols reads the "#\taddr\tfunc+off\tfile:line" lines of Go's
// text profiles, lines of any length. An address commented again (Go
// comments every stack) is not parsed again.
func commentSymbols(data []byte) map[uint64]diff.Frame {
	syms := make(map[uint64]diff.Frame)
	for rest := data; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if len(line) < 2 || line[0] != '#' || line[1] != '\t' {
			continue
		}
		body := bytes.TrimSpace(line[2:])
		a, after, _ := bytes.Cut(body, []byte("\t"))
		addr, err := strconv.ParseUint(strings.TrimPrefix(string(a), "0x"), 16, 64)
		if err != nil {
			continue
		}
		if _, seen := syms[addr]; seen {
			continue
		}
		var parts []string
		for _, f := range strings.Split(string(after), "\t") {
			if f != "" {
				parts = append(parts, f)
			}
		}
		if len(parts) < 1 {
			continue
		}
		fn := parts[0]
		if i := strings.LastIndex(fn, "+0x"); i > 0 {
			fn = fn[:i]
		}
		f := diff.Frame{Function: fn}
		if len(parts) >= 2 {
			f.File = parts[1]
			if i := strings.LastIndexByte(f.File, ':'); i > 0 {
				if n, err := strconv.ParseInt(f.File[i+1:], 10, 64); err == nil {
					f.File, f.Line = f.File[:i], n
				}
			}
		}
		syms[addr] = f
	}
	return syms
}

// The forms of Go's heap profiles at debug=1, as profile.Parse reads them.
var (
	goHeapHeaderRE = regexp.MustCompile(`heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] *@ *(heap[_a-z0-9]*)/?(\d*)`)
	goHeapSampleRE = regexp.MustCompile(`(-?\d+): *(-?\d+) *\[ *(\d+): *(\d+) *] @([ x0-9a-f]*)`)
	hexNumberRE    = regexp.MustCompile(`0x[0-9a-f]+`)
)

// loadGoHeapText reads a Go heap profile at debug=1 straight into b, line
// by line whatever their length, giving the values profile.Parse gives
// (the same unsampling) and naming each address from the comment lines.
// It holds one frame per distinct address beside the dump, instead of
// profile.Parse's samples with their locations and label maps. ok is false
// for the forms it leaves to profile.Parse: other headers, and dumps with a
// memory map section.
func loadGoHeapText(data []byte, b *diff.Builder) (ok bool, err error) {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	header := goHeapHeaderRE.FindStringSubmatch(string(first))
	if header == nil || bytes.Contains(data, []byte("MAPPED_LIBRARIES:")) || bytes.Contains(data, []byte("--- Memory map: ---")) {
		return false, nil
	}
	var period int64
	if header[6] != "" {
		if period, err = strconv.ParseInt(header[6], 10, 64); err != nil {
			return false, nil
		}
	}
	hasAlloc := (header[3] != header[1] && header[3] != "0") || (header[4] != header[2] && header[4] != "0")
	sampling := ""
	switch header[5] {
	case "heapz_v2", "heap_v2":
		sampling = "v2"
	case "heapprofile":
		period = 1
	case "heap":
		sampling, period = "v2", period/2
	default:
		return false, nil
	}
	if hasAlloc {
		b.SetSampleTypes([]diff.SampleType{{Type: "alloc_objects", Unit: "count"}, {Type: "alloc_space", Unit: "bytes"}, {Type: "inuse_objects", Unit: "count"}, {Type: "inuse_space", Unit: "bytes"}})
	} else {
		b.SetSampleTypes([]diff.SampleType{{Type: "objects", Unit: "count"}, {Type: "space", Unit: "bytes"}})
	}
	b.SetPeriod(period, diff.SampleType{Type: "space", Unit: "bytes"})
	named := newAddrFrames(data, b)
	b.HideGoRuntimeText()
	var frames []int32
	values := make([]int64, 0, 4)
	rest := data[len(first):]
	for len(rest) > 0 {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		m := goHeapSampleRE.FindSubmatch(line)
		if m == nil {
			return true, fmt.Errorf("parsing profile: unexpected number of sample values: got 0, want 6")
		}
		values = values[:0]
		add := func(countText, sizeText []byte, label string) error {
			count, err1 := strconv.ParseInt(string(countText), 10, 64)
			size, err2 := strconv.ParseInt(string(sizeText), 10, 64)
			if err1 != nil || err2 != nil {
				return fmt.Errorf("parsing profile: malformed sample: %s", line)
			}
			if count == 0 && size != 0 {
				return fmt.Errorf("parsing profile: %s count was 0 but %s bytes was %d", label, label, size)
			}
			if count != 0 && sampling == "v2" {
				count, size = scaleGoHeapSample(count, size, period)
			}
			values = append(values, count, size)
			return nil
		}
		if hasAlloc {
			if err := add(m[3], m[4], "allocation"); err != nil {
				return true, err
			}
		}
		if err := add(m[1], m[2], "inuse"); err != nil {
			return true, err
		}
		frames = frames[:0]
		for _, h := range hexNumberRE.FindAll(m[5], -1) {
			addr, err := strconv.ParseUint(string(h), 0, 64)
			if err != nil {
				return true, fmt.Errorf("parsing profile: malformed sample: %s: failed to parse as hex 64-bit number: %s", line, h)
			}
			frames = append(frames, named.id(addr))
		}
		b.AddStack(frames, values)
	}
	warnCutSum(data, 0, b)
	return true, nil
}

// addrFrames gives the frame of each return address of a Go text profile:
// named from its comment lines, else "0x…"; one frame per address.
type addrFrames struct {
	b    *diff.Builder
	syms map[uint64]diff.Frame
	ids  map[uint64]int32
}

func newAddrFrames(data []byte, b *diff.Builder) *addrFrames {
	return &addrFrames{b: b, syms: commentSymbols(data), ids: map[uint64]int32{}}
}

// id returns the frame ID of return address ret: the call just before it,
// as profile.Parse adjusts it.
func (a *addrFrames) id(ret uint64) int32 {
	addr := ret - 1
	id, ok := a.ids[addr]
	if !ok {
		f, named := a.syms[addr]
		if !named {
			f = diff.Frame{Function: fmt.Sprintf("0x%x", addr)}
		}
		id = a.b.Frame(f)
		a.ids[addr] = id
	}
	return id
}

// The forms of Go's count profiles (goroutine, threadcreate) at debug=1.
var (
	goCountHeaderRE = regexp.MustCompile(`\A(\S+) profile: total \d+\z`)
	goCountRE       = regexp.MustCompile(`\A(\d+) @(( 0x[0-9a-f]+)+)\z`)
)

// nextLine returns the first line of rest (without its newline) and what
// follows it.
func nextLine(rest []byte) (line, after []byte) {
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		return rest[:i], rest[i+1:]
	}
	return rest, nil
}

// loadGoCountText reads a Go count profile at debug=1 (goroutine,
// threadcreate) straight into b, as loadGoHeapText does heap profiles,
// with the values profile.Parse gives. ok is false for what it leaves to
// profile.Parse: other forms, and dumps with sections after the stacks.
func loadGoCountText(data []byte, b *diff.Builder) (ok bool, err error) {
	rest := data
	var header []byte
	for len(rest) > 0 {
		header, rest = nextLine(rest)
		if t := bytes.TrimSpace(header); len(t) > 0 && t[0] != '#' {
			break
		}
	}
	m := goCountHeaderRE.FindSubmatch(header)
	if m == nil || bytes.Contains(rest, []byte("\n---")) || bytes.HasPrefix(rest, []byte("---")) {
		return false, nil
	}
	name := string(m[1])
	b.SetSampleTypes([]diff.SampleType{{Type: name, Unit: "count"}})
	b.SetPeriod(1, diff.SampleType{Type: name, Unit: "count"})
	named := newAddrFrames(data, b)
	b.HideGoRuntimeText()
	var frames []int32
	var sum int64
	for len(rest) > 0 {
		var line []byte
		line, rest = nextLine(rest)
		if t := bytes.TrimSpace(line); len(t) == 0 || t[0] == '#' {
			continue
		}
		m := goCountRE.FindSubmatch(line)
		if m == nil {
			return true, errors.New("parsing profile: malformed profile format")
		}
		n, err := strconv.ParseInt(string(m[1]), 0, 64)
		if err != nil {
			return true, errors.New("parsing profile: malformed profile format")
		}
		frames = frames[:0]
		for _, f := range bytes.Fields(m[2]) {
			addr, err := strconv.ParseUint(string(f), 0, 64)
			if err != nil {
				return true, errors.New("parsing profile: malformed profile format")
			}
			frames = append(frames, named.id(addr))
		}
		sum, _ = diff.AddSaturating(sum, max(n, 0))
		b.AddStack(frames, []int64{n})
	}
	warnCutSum(data, sum, b)
	return true, nil
}

// scaleGoHeapSample undoes the sampling of a heap profile's sample as
// profile.Parse does: a sample of average size S is kept with probability
// 1-exp(-S/rate).
func scaleGoHeapSample(count, size, rate int64) (int64, int64) {
	if count == 0 || size == 0 {
		return 0, 0
	}
	if rate <= 1 {
		return count, size
	}
	avg := float64(size) / float64(count)
	scale := 1 / (1 - math.Exp(-avg/float64(rate)))
	return int64(float64(count) * scale), int64(float64(size) * scale)
}

// loadProfile copies a parsed profile into b. symbolize, when not nil, gives
// the frames of locations that have no line information.
func loadProfile(p *profile.Profile, b *diff.Builder, symbolize func(*profile.Location) []diff.Frame) {
	types := make([]diff.SampleType, len(p.SampleType))
	for i, st := range p.SampleType {
		types[i] = diff.SampleType{Type: st.Type, Unit: st.Unit}
	}
	b.SetSampleTypes(types)
	b.SetDefaultSampleType(p.DefaultSampleType)
	if p.TimeNanos != 0 {
		b.SetTime(time.Unix(0, p.TimeNanos))
	}
	if p.PeriodType != nil {
		b.SetPeriod(p.Period, diff.SampleType{Type: p.PeriodType.Type, Unit: p.PeriodType.Unit})
	}
	for _, c := range p.Comments {
		b.AddComment(c)
	}
	locFrames := make(map[uint64][]int32, len(p.Location))
	for _, l := range p.Location {
		var ids []int32
		for _, ln := range l.Line {
			f := diff.Frame{Line: ln.Line}
			if ln.Function != nil {
				f.Function, f.File = ln.Function.Name, ln.Function.Filename
			}
			ids = append(ids, b.Frame(f))
		}
		if len(ids) == 0 && symbolize != nil {
			for _, f := range symbolize(l) {
				ids = append(ids, b.Frame(f))
			}
		}
		if len(ids) == 0 {
			obj := ""
			if l.Mapping != nil {
				obj = l.Mapping.File
			}
			ids = append(ids, b.Frame(diff.Frame{Function: fmt.Sprintf("0x%x", l.Address), File: obj}))
		}
		locFrames[l.ID] = ids
	}
	var frames []int32
	for _, s := range p.Sample {
		frames = frames[:0]
		for _, l := range s.Location {
			frames = append(frames, locFrames[l.ID]...)
		}
		b.AddStack(frames, s.Value)
	}
}
