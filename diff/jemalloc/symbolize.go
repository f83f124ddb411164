package jemalloc

import (
	"bytes"
	"debug/dwarf"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ianlancetaylor/demangle"

	"github.com/leakscope/leakscope/diff"
)

// The symbolizer resolves addresses in pure Go (debug/elf, debug/dwarf), so
// it needs no binutils: it maps each address through the dump's own memory
// map to an object and an ELF virtual address, then names it from DWARF
// (inlined calls included), else from the ELF symbol table. Separate debug
// files are found by build ID and .gnu_debuglink under /usr/lib/debug, as
// gdb and addr2line find them.

// mapping is one line of /proc/PID/maps.
type mapping struct {
	start, end, offset uint64
	path               string
}

// parseMaps reads MAPPED_LIBRARIES lines; lines that are not maps are skipped.
func parseMaps(lines []string) []mapping {
	var ms []mapping
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) < 6 || !strings.HasPrefix(f[5], "/") {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		var m mapping
		if _, err := fmt.Sscanf(lo+" "+hi+" "+f[2], "%x %x %x", &m.start, &m.end, &m.offset); err != nil {
			continue
		}
		// The path may hold spaces: it is everything from the sixth field on.
		i := strings.Index(l, f[5])
		m.path = strings.TrimSpace(l[i:])
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].start < ms[j].start })
	return ms
}

func findMapping(ms []mapping, addr uint64) *mapping {
	i := sort.Search(len(ms), func(i int) bool { return ms[i].end > addr })
	if i < len(ms) && ms[i].start <= addr {
		return &ms[i]
	}
	return nil
}

// object is an ELF file with its symbols.
type object struct {
	path    string // the file actually read
	loads   []elf.ProgHeader
	dwarf   *dwarf.Data
	syms    []symbol // sorted by address
	buildID string
	cus     map[dwarf.Offset]*unit
	err     error
}

type symbol struct {
	addr, size uint64
	name       string
}

func openObject(path string) *object {
	o := &object{path: path, cus: map[dwarf.Offset]*unit{}}
	// Only regular files: a dump may name a device or a pipe.
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		if err == nil {
			err = fmt.Errorf("%s is not a regular file", path)
		}
		o.err = err
		return o
	}
	f, err := elf.Open(path)
	if err != nil {
		o.err = err
		return o
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			o.loads = append(o.loads, p.ProgHeader)
		}
	}
	o.buildID = buildID(f)
	o.dwarf, _ = f.DWARF()
	o.syms = symbols(f)
	if o.dwarf == nil || len(o.syms) == 0 {
		if df := debugFile(path, f, o.buildID); df != nil {
			if o.dwarf == nil {
				o.dwarf, _ = df.DWARF()
			}
			if s := symbols(df); len(s) > len(o.syms) {
				o.syms = s
			}
			df.Close()
		}
	}
	return o
}

func buildID(f *elf.File) string {
	s := f.Section(".note.gnu.build-id")
	if s == nil {
		return ""
	}
	b, err := s.Data()
	if err != nil || len(b) < 16 {
		return ""
	}
	nameSize := f.ByteOrder.Uint32(b[0:4])
	descSize := f.ByteOrder.Uint32(b[4:8])
	start := 12 + (nameSize+3)&^3
	if uint32(len(b)) < start+descSize {
		return ""
	}
	return hex.EncodeToString(b[start : start+descSize])
}

// debugFile finds the separate debug file of an object.
func debugFile(path string, f *elf.File, id string) *elf.File {
	var candidates []string
	if len(id) > 2 {
		candidates = append(candidates, filepath.Join("/usr/lib/debug/.build-id", id[:2], id[2:]+".debug"))
	}
	if s := f.Section(".gnu_debuglink"); s != nil {
		if b, err := s.Data(); err == nil {
			if i := bytes.IndexByte(b, 0); i > 0 {
				name := string(b[:i])
				dir := filepath.Dir(path)
				candidates = append(candidates, filepath.Join(dir, name), filepath.Join(dir, ".debug", name),
					filepath.Join("/usr/lib/debug", dir, name))
			}
		}
	}
	for _, c := range candidates {
		if df, err := elf.Open(c); err == nil {
			return df
		}
	}
	return nil
}

func symbols(f *elf.File) []symbol {
	var out []symbol
	for _, get := range []func() ([]elf.Symbol, error){f.Symbols, f.DynamicSymbols} {
		syms, err := get()
		if err != nil || len(syms) == 0 {
			continue
		}
		for _, s := range syms {
			typ := elf.ST_TYPE(s.Info)
			code := int(s.Section) > 0 && int(s.Section) < len(f.Sections) && f.Sections[s.Section].Flags&elf.SHF_EXECINSTR != 0
			if s.Value == 0 || !(typ == elf.STT_FUNC || (typ == elf.STT_NOTYPE && code && s.Name != "")) {
				continue
			}
			name := s.Name
			if i := strings.Index(name, "@"); i > 0 {
				name = name[:i]
			}
			out = append(out, symbol{addr: s.Value, size: s.Size, name: name})
		}
		if len(out) > 0 {
			break // prefer .symtab; .dynsym only for stripped objects
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].addr < out[j].addr })
	return out
}

// vaddr converts a file offset to the ELF virtual address it is loaded at.
func (o *object) vaddr(off uint64) (uint64, bool) {
	for _, p := range o.loads {
		if off >= p.Off && off < p.Off+p.Filesz {
			return off - p.Off + p.Vaddr, true
		}
	}
	return 0, false
}

// lookup returns the frames at virtual address pc, innermost first.
func (o *object) lookup(pc uint64) []diff.Frame {
	if o.dwarf != nil {
		if fr := o.lookupDWARF(pc); len(fr) > 0 {
			return fr
		}
	}
	i := sort.Search(len(o.syms), func(i int) bool { return o.syms[i].addr > pc }) - 1
	if i < 0 {
		return nil
	}
	s := o.syms[i]
	if s.size > 0 && pc >= s.addr+s.size {
		return nil
	}
	if s.size == 0 && i+1 < len(o.syms) && pc >= o.syms[i+1].addr {
		return nil
	}
	return []diff.Frame{{Function: demangleName(s.name)}}
}

// demangleName turns C++ and Rust (legacy and v0) symbols into readable
// names without parameters, as jeprof prints them.
func demangleName(name string) string {
	if d, err := demangle.ToString(name, demangle.NoParams, demangle.NoTemplateParams); err == nil {
		return d
	}
	return name
}

// unit is the functions of one compilation unit, read once.
type unit struct {
	funcs []*function
	files []*dwarf.LineFile
	lr    *dwarf.LineReader
}

// function is a subprogram or an inlined call, with its address ranges.
type function struct {
	name     string
	ranges   [][2]uint64
	callFile string
	callLine int64
	inlined  []*function
}

func (f *function) contains(pc uint64) bool {
	for _, r := range f.ranges {
		if pc >= r[0] && pc < r[1] {
			return true
		}
	}
	return false
}

func (o *object) lookupDWARF(pc uint64) []diff.Frame {
	r := o.dwarf.Reader()
	cu, err := r.SeekPC(pc)
	if err != nil || cu == nil {
		return nil
	}
	u, ok := o.cus[cu.Offset]
	if !ok {
		u = o.readUnit(cu)
		o.cus[cu.Offset] = u
	}
	if u == nil {
		return nil
	}
	var chain []*function
	for _, f := range u.funcs {
		if f.contains(pc) {
			chain = append(chain, f)
			for cur := f; ; {
				var next *function
				for _, in := range cur.inlined {
					if in.contains(pc) {
						next = in
						break
					}
				}
				if next == nil {
					break
				}
				chain = append(chain, next)
				cur = next
			}
			break
		}
	}
	if len(chain) == 0 {
		return nil
	}
	// The innermost frame's position comes from the line table; each outer
	// frame's from the call site of the frame inside it.
	file, line := "", int64(0)
	if u.lr != nil {
		var e dwarf.LineEntry
		if err := u.lr.SeekPC(pc, &e); err == nil && e.File != nil {
			file, line = e.File.Name, int64(e.Line)
		}
	}
	frames := make([]diff.Frame, len(chain))
	for i := len(chain) - 1; i >= 0; i-- {
		frames[len(chain)-1-i] = diff.Frame{Function: chain[i].name, File: file, Line: line}
		file, line = chain[i].callFile, chain[i].callLine
	}
	return frames
}

func (o *object) readUnit(cu *dwarf.Entry) *unit {
	u := &unit{}
	if lr, err := o.dwarf.LineReader(cu); err == nil && lr != nil {
		u.lr = lr
		u.files = lr.Files()
	}
	r := o.dwarf.Reader()
	r.Seek(cu.Offset)
	if e, err := r.Next(); err != nil || e == nil || !e.Children {
		return u
	}
	o.readChildren(r, u, nil)
	return u
}

// readChildren reads entries up to the end of the current sibling list,
// attaching subprograms to u and inlined calls to the function they are in.
func (o *object) readChildren(r *dwarf.Reader, u *unit, in *function) {
	for {
		e, err := r.Next()
		if err != nil || e == nil || e.Tag == 0 {
			return
		}
		parent := in
		switch e.Tag {
		case dwarf.TagSubprogram, dwarf.TagInlinedSubroutine:
			f := &function{name: o.entryName(e)}
			f.ranges, _ = o.dwarf.Ranges(e)
			if e.Tag == dwarf.TagInlinedSubroutine {
				if i, ok := e.Val(dwarf.AttrCallFile).(int64); ok && i >= 0 && int(i) < len(u.files) && u.files[i] != nil {
					f.callFile = u.files[i].Name
				}
				f.callLine, _ = e.Val(dwarf.AttrCallLine).(int64)
				if in != nil {
					in.inlined = append(in.inlined, f)
				}
			} else if len(f.ranges) > 0 {
				u.funcs = append(u.funcs, f)
			}
			parent = f
		}
		if e.Children {
			o.readChildren(r, u, parent)
		}
	}
}

// entryName returns a function's name, following abstract origins and
// specifications, demangling linkage names.
func (o *object) entryName(e *dwarf.Entry) string {
	for i := 0; i < 8 && e != nil; i++ {
		if ln, ok := e.Val(dwarf.AttrLinkageName).(string); ok {
			return demangleName(ln)
		}
		if n, ok := e.Val(dwarf.AttrName).(string); ok {
			return n
		}
		off, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset)
		if !ok {
			off, ok = e.Val(dwarf.AttrSpecification).(dwarf.Offset)
		}
		if !ok {
			return "?"
		}
		r := o.dwarf.Reader()
		r.Seek(off)
		e, _ = r.Next()
	}
	return "?"
}

// symbolizer resolves the addresses of one dump.
type symbolizer struct {
	maps     []mapping
	binaries []string
	objects  map[string]*object // by recorded path
	missing  map[string]bool    // recorded paths that could not be read
	warnings []string
}

func newSymbolizer(maps []mapping, binaries []string) *symbolizer {
	return &symbolizer{maps: maps, binaries: binaries, objects: map[string]*object{}, missing: map[string]bool{}}
}

// object returns the object for a recorded path: a --binary standing in for
// it, else the file at the path.
func (s *symbolizer) object(recorded string, isProgram bool) *object {
	if o, ok := s.objects[recorded]; ok {
		return o
	}
	var o *object
	if b := s.standIn(recorded, isProgram); b != "" {
		o = openObject(b)
		if o.err == nil {
			if real := openObject(recorded); real.err == nil && real.buildID != "" && o.buildID != "" && real.buildID != o.buildID {
				s.warnings = append(s.warnings, fmt.Sprintf("%s (build ID %s) does not match %s (build ID %s); using %s",
					b, o.buildID, recorded, real.buildID, b))
			}
		}
	} else {
		o = openObject(recorded)
	}
	if o.err != nil {
		s.missing[recorded] = true
	}
	s.objects[recorded] = o
	return o
}

// standIn picks the --binary for a recorded path: same base name, or the
// only binary given, for the program.
func (s *symbolizer) standIn(recorded string, isProgram bool) string {
	for _, b := range s.binaries {
		if filepath.Base(b) == filepath.Base(recorded) {
			return b
		}
	}
	if len(s.binaries) == 1 && isProgram {
		if _, err := os.Stat(recorded); err != nil {
			return s.binaries[0]
		}
	}
	return ""
}

// inAllocator reports whether addr lies in a jemalloc shared library: all of
// its frames are the allocator's own, named or not.
func (s *symbolizer) inAllocator(addr uint64) bool {
	m := findMapping(s.maps, addr)
	return m != nil && strings.Contains(filepath.Base(m.path), "jemalloc")
}

// resolve returns the frames at addr, innermost first; an address it cannot
// name becomes one frame "0xADDR" in its object.
func (s *symbolizer) resolve(addr uint64) []diff.Frame {
	m := findMapping(s.maps, addr)
	if m == nil {
		return []diff.Frame{{Function: fmt.Sprintf("0x%x", addr)}}
	}
	raw := []diff.Frame{{Function: fmt.Sprintf("0x%x", addr), File: filepath.Base(m.path)}}
	o := s.object(m.path, len(s.maps) > 0 && m.path == s.maps[0].path)
	if o.err != nil {
		return raw
	}
	va, ok := o.vaddr(addr - m.start + m.offset)
	if !ok {
		return raw
	}
	if fr := o.lookup(va); len(fr) > 0 {
		return fr
	}
	return raw
}
