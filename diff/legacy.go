package diff

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

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

func loadLegacyText(data []byte, b *Builder) error {
	p, err := profile.ParseData(data)
	if err != nil {
		return err
	}
	syms := commentSymbols(data)
	b.hideText()
	loadProfile(p, b, func(l *profile.Location) []Frame {
		if f, ok := syms[l.Address]; ok {
			return []Frame{f}
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
func warnCut(data []byte, p *profile.Profile, b *Builder) {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	header := strings.TrimSpace(string(first))
	switch {
	case countHeaderRE.MatchString(header):
		total, _ := strconv.ParseInt(header[strings.LastIndexByte(header, ' ')+1:], 10, 64)
		var sum int64
		for _, s := range p.Sample {
			if len(s.Value) > 0 {
				sum = satAdd(sum, max(s.Value[0], 0))
			}
		}
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

// commentSymbols reads the "#\taddr\tfunc+off\tfile:line" lines of Go's text profiles.
func commentSymbols(data []byte) map[uint64]Frame {
	syms := make(map[uint64]Frame)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) < 2 || line[0] != '#' || line[1] != '\t' {
			continue
		}
		fields := strings.Split(strings.TrimSpace(string(line[2:])), "\t")
		var parts []string
		for _, f := range fields {
			if f != "" {
				parts = append(parts, f)
			}
		}
		if len(parts) < 2 {
			continue
		}
		addr, err := strconv.ParseUint(strings.TrimPrefix(parts[0], "0x"), 16, 64)
		if err != nil {
			continue
		}
		fn := parts[1]
		if i := strings.LastIndex(fn, "+0x"); i > 0 {
			fn = fn[:i]
		}
		f := Frame{Function: fn}
		if len(parts) >= 3 {
			f.File = parts[2]
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

// loadProfile copies a parsed profile into b. symbolize, when not nil, gives
// the frames of locations that have no line information.
func loadProfile(p *profile.Profile, b *Builder, symbolize func(*profile.Location) []Frame) {
	types := make([]SampleType, len(p.SampleType))
	for i, st := range p.SampleType {
		types[i] = SampleType{Type: st.Type, Unit: st.Unit}
	}
	b.SetSampleTypes(types)
	b.SetDefaultSampleType(p.DefaultSampleType)
	if p.TimeNanos != 0 {
		b.SetTime(timeFromNanos(p.TimeNanos))
	}
	if p.PeriodType != nil {
		b.SetPeriod(p.Period, SampleType{Type: p.PeriodType.Type, Unit: p.PeriodType.Unit})
	}
	for _, c := range p.Comments {
		b.AddComment(c)
	}
	locFrames := make(map[uint64][]int32, len(p.Location))
	for _, l := range p.Location {
		var ids []int32
		for _, ln := range l.Line {
			f := Frame{Line: ln.Line}
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
			ids = append(ids, b.Frame(Frame{Function: fmt.Sprintf("0x%x", l.Address), File: obj}))
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
