package jemalloc

import (
	"bytes"
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ianlancetaylor/demangle"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/rust"
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
	path     string // the file actually read
	loads    []elf.ProgHeader
	dwarf    *dwarf.Data
	syms     []symbol // sorted by address
	buildID  string
	cus      map[dwarf.Offset]*unit
	cuRanges []cuRange // every compilation unit's ranges, by address; read once
	cuRead   bool
	err      error             // why the object cannot be used at all
	warnings []string          // problems that leave it usable
	notFound string            // why its symbols were found nowhere, when they were not
	stripped bool              // no symbols, no debug information, no debug file found
	full     map[string]string // full demangled names by the names shown; "" when several
}

type symbol struct {
	addr, size uint64
	name       string
	start, end uint64 // the code section the symbol is in
}

// cuRange is one address range of a compilation unit.
type cuRange struct {
	lo, hi uint64
	cu     dwarf.Offset
}

// openELF opens path as an ELF file if it is a regular file: a dump or a
// debug link may name a device or a FIFO, which must not be read (or
// waited on). A corrupt file that makes debug/elf panic is an error too.
func openELF(path string) (f *elf.File, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", st.Mode().Type())
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if st, err := file.Stat(); err != nil || !st.Mode().IsRegular() {
		file.Close()
		return nil, fmt.Errorf("not a regular file")
	}
	magic := make([]byte, 4)
	if _, err := file.ReadAt(magic, 0); err != nil || string(magic) != elf.ELFMAG {
		file.Close()
		return nil, errors.New("not an ELF file")
	}
	defer func() {
		if r := recover(); r != nil {
			file.Close()
			f, err = nil, fmt.Errorf("corrupt ELF file: %v", r)
		}
	}()
	f, err = elf.NewFile(file)
	if err != nil {
		file.Close()
		return nil, err
	}
	return f, nil
}

// openObject reads the object at path. When it has no DWARF or no symbol
// table and look is not nil, its debug file is looked for (see
// sources.debugFile).
func openObject(path string, look *sources) *object {
	o := &object{path: path, cus: map[dwarf.Offset]*unit{}}
	f, err := openELF(path)
	if err != nil {
		o.err = diff.WithoutPath(err)
		return o
	}
	defer f.Close()
	defer func() {
		// debug/elf and debug/dwarf read sections lazily; a crafted file
		// can still make them panic here.
		if r := recover(); r != nil {
			o.err = fmt.Errorf("corrupt ELF file: %v", r)
		}
	}()
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			o.loads = append(o.loads, p.ProgHeader)
		}
	}
	if len(o.loads) == 0 {
		o.err = errors.New("no loadable segments")
		return o
	}
	fit := o.checkSections(path, f)
	var warn string
	if fit.buildID {
		o.buildID, warn = buildID(f)
	}
	if warn != "" {
		o.warnings = append(o.warnings, fmt.Sprintf("%s: %s; it is used without a build ID", path, warn))
	}
	if fit.dwarf {
		o.dwarf, _ = f.DWARF()
	}
	if fit.symbols {
		o.syms = symbols(f)
	}
	if (o.dwarf == nil || len(o.syms) == 0) && look != nil {
		if df := look.debugFile(o, path, f, fit.debugLink); df != nil {
			dfit := o.checkSections(df.path, df.File)
			if o.dwarf == nil && dfit.dwarf {
				o.dwarf, _ = df.DWARF()
			}
			if dfit.symbols {
				if s := symbols(df.File); len(s) > len(o.syms) {
					o.syms = s
				}
			}
			df.Close()
		}
	}
	if o.dwarf == nil && len(o.syms) == 0 && look != nil {
		// Readable, but of no use: named, though not as missing, for it
		// is the right file (a --binary given for it stays chosen).
		o.notFound = fmt.Sprintf("%s has no symbols and no debug information (stripped, and no debug file found%s): its addresses are shown raw", path, look.where(o))
		o.stripped = true
	}
	return o
}

// maxSection is the most memory one ELF section may take once read (and
// decompressed); a larger one is passed over with a warning.
const maxSection = 512 << 20

// Decompressed sections may grow at most sectionBombRatio times their size
// in the file, past sectionBombFloor bytes, as gzipped dumps may.
const (
	sectionBombFloor = 64 << 20
	sectionBombRatio = 100
)

// fits says which parts of an ELF file can be read within the memory
// budget: its DWARF sections, its symbol tables, its build ID note and its
// debug link.
type fits struct{ dwarf, symbols, buildID, debugLink bool }

// checkSections checks the size of every section that symbolizing reads
// against the file's size and the memory budget before any is read, so
// that a crafted file (a section that claims gigabytes in a sparse file, a
// compressed section that inflates a thousandfold) costs a warning naming
// the object and the section, not memory. Symbolization then falls back
// to what is left: the symbol table when DWARF is refused.
func (o *object) checkSections(path string, f *elf.File) fits {
	fit := fits{dwarf: true, symbols: true, buildID: true, debugLink: true}
	var size int64
	if st, err := os.Stat(path); err == nil {
		size = st.Size()
	}
	for _, s := range f.Sections {
		var part *bool
		switch {
		case strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_"):
			part = &fit.dwarf
		case s.Name == ".symtab" || s.Name == ".strtab" || s.Name == ".dynsym" || s.Name == ".dynstr":
			part = &fit.symbols
		case s.Name == ".note.gnu.build-id":
			part = &fit.buildID
		case s.Name == ".gnu_debuglink":
			part = &fit.debugLink
		default:
			continue
		}
		if why := sectionProblem(s, size); why != "" {
			*part = false
			fallback := ""
			if part == &fit.dwarf {
				fallback = "; its functions are named from the symbol table, without lines"
			}
			o.warnings = append(o.warnings, fmt.Sprintf("%s: section %s is not read: %s%s", path, s.Name, why, fallback))
		}
	}
	return fit
}

// sectionProblem says why section s of a file of size bytes cannot be read
// within the budget, or "" when it can.
func sectionProblem(s *elf.Section, size int64) string {
	if s.Type == elf.SHT_NOBITS {
		return ""
	}
	if s.Offset > uint64(size) || s.FileSize > uint64(size)-s.Offset {
		return fmt.Sprintf("it runs past the end of the file (%s at offset %d of a %s file)",
			diff.FormatValue(int64(min(s.FileSize, 1<<62)), "bytes"), s.Offset, diff.FormatValue(size, "bytes"))
	}
	mem := s.Size // the decompressed size of an SHF_COMPRESSED section
	compressed := s.Flags&elf.SHF_COMPRESSED != 0
	if !compressed && strings.HasPrefix(s.Name, ".zdebug_") && s.ReaderAt != nil {
		hdr := make([]byte, 12)
		if _, err := s.ReadAt(hdr, 0); err == nil && string(hdr[:4]) == "ZLIB" {
			mem, compressed = binary.BigEndian.Uint64(hdr[4:]), true
		}
	}
	if mem > maxSection {
		return fmt.Sprintf("it would take %s of memory, more than the %s this tool gives one section",
			diff.FormatValue(int64(min(mem, 1<<62)), "bytes"), diff.FormatValue(maxSection, "bytes"))
	}
	if compressed && mem > sectionBombFloor+sectionBombRatio*s.FileSize {
		return fmt.Sprintf("compressed in %s, it claims %s (a decompression bomb?)",
			diff.FormatValue(int64(s.FileSize), "bytes"), diff.FormatValue(int64(mem), "bytes"))
	}
	return ""
}

// buildID reads the GNU build ID note. warn says why a note that is there
// could not be read.
func buildID(f *elf.File) (id, warn string) {
	s := f.Section(".note.gnu.build-id")
	if s == nil {
		return "", ""
	}
	b, err := s.Data()
	if err != nil {
		return "", fmt.Sprintf("cannot read its build ID note: %v", err)
	}
	if len(b) < 12 {
		return "", fmt.Sprintf("its build ID note is %d bytes, shorter than a note header", len(b))
	}
	nameSize := uint64(f.ByteOrder.Uint32(b[0:4]))
	descSize := uint64(f.ByteOrder.Uint32(b[4:8]))
	start := 12 + (nameSize+3)&^3
	if descSize == 0 || start+descSize > uint64(len(b)) {
		return "", fmt.Sprintf("its build ID note is corrupt (name %d and ID %d bytes in a %d-byte note)", nameSize, descSize, len(b))
	}
	return hex.EncodeToString(b[start : start+descSize]), ""
}

// debugELF is a separate debug file and where it was found.
type debugELF struct {
	*elf.File
	path string
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// debugLink reads the file name of a .gnu_debuglink section: a base name
// ending in NUL, then a CRC.
func debugLink(s *elf.Section) (string, error) {
	b, err := s.Data()
	if err != nil {
		return "", err
	}
	i := bytes.IndexByte(b, 0)
	switch {
	case i < 0:
		return "", errors.New("the name does not end")
	case i == 0:
		return "", errors.New("the name is empty")
	}
	name := string(b[:i])
	if strings.ContainsRune(name, '/') || name == "." || name == ".." || !utf8.ValidString(name) {
		return "", fmt.Errorf("%q is not a file name", name)
	}
	return name, nil
}

// symbols returns the code symbols of .symtab, or of .dynsym for a
// stripped object, by address. Of several symbols at one address the
// global one wins, as with nm, then the sized one, then the first name.
func symbols(f *elf.File) []symbol {
	var out []symbol
	var bind []elf.SymBind
	for _, get := range []func() ([]elf.Symbol, error){f.Symbols, f.DynamicSymbols} {
		syms, err := get()
		if err != nil || len(syms) == 0 {
			continue
		}
		for _, s := range syms {
			typ := elf.ST_TYPE(s.Info)
			code := int(s.Section) > 0 && int(s.Section) < len(f.Sections) && f.Sections[s.Section].Flags&elf.SHF_EXECINSTR != 0
			if s.Value == 0 || !code || s.Name == "" || !(typ == elf.STT_FUNC || typ == elf.STT_NOTYPE || typ == elf.STT_GNU_IFUNC) {
				continue
			}
			name := s.Name
			if i := strings.Index(name, "@"); i > 0 {
				name = name[:i]
			}
			sec := f.Sections[s.Section]
			out = append(out, symbol{addr: s.Value, size: s.Size, name: name, start: sec.Addr, end: sec.Addr + sec.Size})
			bind = append(bind, elf.ST_BIND(s.Info))
		}
		if len(out) > 0 {
			break // prefer .symtab; .dynsym only for stripped objects
		}
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool {
		a, b := out[idx[i]], out[idx[j]]
		if a.addr != b.addr {
			return a.addr < b.addr
		}
		if ga, gb := bind[idx[i]] == elf.STB_GLOBAL, bind[idx[j]] == elf.STB_GLOBAL; ga != gb {
			return ga
		}
		return a.size > 0 && b.size == 0
	})
	sorted := make([]symbol, 0, len(out))
	for _, i := range idx {
		if n := len(sorted); n > 0 && sorted[n-1].addr == out[i].addr {
			continue // an alias: the first of the address names it
		}
		sorted = append(sorted, out[i])
	}
	return sorted
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
// approx is true when pc lies outside any sized symbol and is named, as nm
// and jeprof name it, after the nearest symbol before it: that may be
// wrong, for a stripped binary's static functions have no symbols. An
// address before the first symbol of its code section takes that first
// symbol's name, as jeprof gives it (approximate too): in a stripped
// libjemalloc, that makes the allocator's internal frames "malloc", whose
// frames jeprof and Leakscope then leave out.
func (o *object) lookup(pc uint64) (frames []diff.Frame, approx bool) {
	if o.dwarf != nil {
		if fr := o.lookupDWARF(pc); len(fr) > 0 {
			return fr, false
		}
	}
	i := sort.Search(len(o.syms), func(i int) bool { return o.syms[i].addr > pc }) - 1
	if i < 0 {
		if len(o.syms) == 0 || pc < o.syms[0].start {
			return nil, false
		}
		i = 0
	}
	s := o.syms[i]
	if pc >= s.end {
		return nil, false // past the code section of the nearest symbol
	}
	approx = s.size == 0 || pc < s.addr || pc >= s.addr+s.size
	return []diff.Frame{{Function: o.name(s.name)}}, approx
}

// name demangles a symbol as jeprof shows it (demangleName), and records
// its full demangled name when that says more.
func (o *object) name(sym string) string {
	short := demangleName(sym)
	if full := demangleFull(sym); full != short {
		if o.full == nil {
			o.full = map[string]string{}
		}
		if prev, ok := o.full[short]; !ok {
			o.full[short] = full
		} else if prev != full {
			o.full[short] = "" // instantiations that jeprof's name merges
		}
	}
	return short
}

// demangleFull demangles a symbol as c++filt does: C++ with its template
// arguments, parameters and return type; Rust with its generic arguments,
// less the hash.
func demangleFull(name string) string {
	if d, ok := rust.DemangleLegacy(name); ok {
		return d
	}
	if d, ok := rust.DemangleV0(name, false); ok {
		return d
	}
	if d, err := demangle.ToString(name); err == nil {
		return d
	}
	return name
}

// demangleName turns C++ and Rust (legacy and v0) symbols into readable
// names without parameters, as jeprof prints them.
func demangleName(name string) string {
	if d, ok := rust.DemangleLegacy(name); ok {
		return d
	}
	if d, ok := rust.DemangleV0(name, true); ok {
		return d
	}
	if d, err := demangle.ToString(name, demangle.NoParams, demangle.NoTemplateParams); err == nil {
		return d
	}
	return name
}

// unit is the functions of one compilation unit, read once.
type unit struct {
	funcs ranges // subprograms
	files []*dwarf.LineFile
	lines []lineRange // by lo; LineReader.SeekPC scans the whole table
}

// lineRange is the address range of one row of a line table.
type lineRange struct {
	lo, hi uint64
	file   string
	line   int64
}

// readLines reads a unit's line table into ranges sorted by address: an
// address lies in [row, next row of its sequence), as LineReader.SeekPC
// reads it.
func readLines(lr *dwarf.LineReader) []lineRange {
	var out []lineRange
	var prev dwarf.LineEntry
	have := false
	for {
		var e dwarf.LineEntry
		if err := lr.Next(&e); err != nil {
			break
		}
		if have && e.Address > prev.Address && prev.File != nil {
			out = append(out, lineRange{prev.Address, e.Address, prev.File.Name, int64(prev.Line)})
		}
		prev, have = e, !e.EndSequence
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].lo < out[j].lo })
	return out
}

// line returns the file and line at pc.
func (u *unit) line(pc uint64) (string, int64) {
	i := sort.Search(len(u.lines), func(i int) bool { return u.lines[i].lo > pc }) - 1
	if i >= 0 && pc < u.lines[i].hi {
		return u.lines[i].file, u.lines[i].line
	}
	return "", 0
}

// function is a subprogram or an inlined call, with its address ranges.
type function struct {
	name     string
	ranges   [][2]uint64
	callFile string
	callLine int64
	inlined  ranges
}

// ranges indexes the address ranges of sibling functions, which do not
// overlap, so that finding the one at a pc takes a binary search: a
// lookup must not cost the number of functions in the unit.
type ranges struct {
	lo, hi []uint64 // by lo
	fn     []*function
	sorted bool
}

func (r *ranges) add(f *function) {
	for _, rg := range f.ranges {
		if rg[1] > rg[0] {
			r.lo, r.hi, r.fn = append(r.lo, rg[0]), append(r.hi, rg[1]), append(r.fn, f)
		}
	}
	r.sorted = false
}

func (r *ranges) find(pc uint64) *function {
	if !r.sorted {
		sort.Sort(byLo{r})
		r.sorted = true
	}
	i := sort.Search(len(r.lo), func(i int) bool { return r.lo[i] > pc }) - 1
	if i >= 0 && pc < r.hi[i] {
		return r.fn[i]
	}
	return nil
}

type byLo struct{ r *ranges }

func (b byLo) Len() int           { return len(b.r.lo) }
func (b byLo) Less(i, j int) bool { return b.r.lo[i] < b.r.lo[j] }
func (b byLo) Swap(i, j int) {
	r := b.r
	r.lo[i], r.lo[j] = r.lo[j], r.lo[i]
	r.hi[i], r.hi[j] = r.hi[j], r.hi[i]
	r.fn[i], r.fn[j] = r.fn[j], r.fn[i]
}

// unitAt returns the compilation unit that covers pc, from an index of all
// units' ranges built on first use (dwarf.Reader.SeekPC searches them all).
func (o *object) unitAt(pc uint64) (*dwarf.Entry, bool) {
	if !o.cuRead {
		o.cuRead = true
		r := o.dwarf.Reader()
		for {
			e, err := r.Next()
			if err != nil || e == nil {
				break
			}
			if e.Tag == dwarf.TagCompileUnit || e.Tag == dwarf.TagPartialUnit {
				rs, _ := o.dwarf.Ranges(e)
				for _, rg := range rs {
					if rg[1] > rg[0] {
						o.cuRanges = append(o.cuRanges, cuRange{rg[0], rg[1], e.Offset})
					}
				}
			}
			r.SkipChildren()
		}
		sort.Slice(o.cuRanges, func(i, j int) bool { return o.cuRanges[i].lo < o.cuRanges[j].lo })
	}
	i := sort.Search(len(o.cuRanges), func(i int) bool { return o.cuRanges[i].lo > pc }) - 1
	if i < 0 || pc >= o.cuRanges[i].hi {
		return nil, false
	}
	r := o.dwarf.Reader()
	r.Seek(o.cuRanges[i].cu)
	e, err := r.Next()
	return e, err == nil && e != nil
}

func (o *object) lookupDWARF(pc uint64) []diff.Frame {
	cu, ok := o.unitAt(pc)
	if !ok {
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
	for f := u.funcs.find(pc); f != nil; f = f.inlined.find(pc) {
		chain = append(chain, f)
		if len(chain) > diff.MaxStackDepth {
			break // a crafted cycle of inlined calls
		}
	}
	if len(chain) == 0 {
		return nil
	}
	// The innermost frame's position comes from the line table; each outer
	// frame's from the call site of the frame inside it.
	file, line := u.line(pc)
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
		u.lines = readLines(lr)
		u.files = lr.Files() // complete once the table is read
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
					in.inlined.add(f)
				}
			} else if len(f.ranges) > 0 {
				u.funcs.add(f)
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
			return o.name(ln)
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
	maps        []mapping
	binaries    []string
	look        *sources
	objects     map[string]*object // by recorded path
	missing     map[string]error   // recorded paths that could not be used, and why
	warnings    []string
	used        map[string]bool   // binaries that stood in for an object
	stripped    []string          // objects read whose symbols were found nowhere
	lookups     []string          // why, for each
	debugOnlyOf map[string]bool   // binaries that are separate debug files
	binaryIDs   map[string]string // binaries' build IDs, read once
}

func newSymbolizer(maps []mapping, binaries []string, look *sources) *symbolizer {
	s := &symbolizer{maps: maps, binaries: binaries, look: look, objects: map[string]*object{}, missing: map[string]error{}, used: map[string]bool{}}
	for _, b := range binaries {
		if s.debugOnly(b) && look != nil {
			look.extra = append(look.extra, b)
		}
	}
	return s
}

// object returns the object for a recorded path: a --binary standing in for
// it, else the file at the path.
func (s *symbolizer) object(recorded string, isProgram bool) *object {
	if o, ok := s.objects[recorded]; ok {
		return o
	}
	var o *object
	if b := s.standIn(recorded, isProgram); b != "" {
		s.used[b] = true
		if s.look != nil {
			s.look.recorded = recorded
		}
		o = openObject(b, s.look)
		if s.look != nil {
			s.look.recorded = ""
		}
		if o.err == nil {
			if real := openObject(recorded, nil); real.err == nil && real.buildID != "" && o.buildID != "" && real.buildID != o.buildID {
				s.warnings = append(s.warnings, fmt.Sprintf("%s (build ID %s) does not match %s (build ID %s); using %s",
					b, o.buildID, recorded, real.buildID, b))
			}
		}
	} else {
		o = openObject(recorded, s.look)
	}
	if o.err != nil {
		s.missing[recorded] = o.err
		if o.path != recorded {
			s.missing[recorded] = fmt.Errorf("%s: %w", o.path, o.err)
		}
	}
	s.warnings = append(s.warnings, o.warnings...)
	if o.notFound != "" {
		s.lookups = append(s.lookups, o.notFound)
	}
	if o.stripped {
		s.stripped = append(s.stripped, o.path)
	}
	s.objects[recorded] = o
	return o
}

// unused returns the binaries given that stood in for no object.
func (s *symbolizer) unused() []string {
	var out []string
	for _, b := range s.binaries {
		named := false // a mapping of that name, whose addresses may just not be sampled
		for _, m := range s.maps {
			named = named || filepath.Base(m.path) == filepath.Base(b)
		}
		if !s.used[b] && !named {
			out = append(out, b)
		}
	}
	return out
}

// approximate names the objects in which the given addresses, by object
// path, were named after the nearest preceding symbol, with how many.
func approximate(addrs map[string]map[uint64]bool) []string {
	var out []string
	for p, a := range addrs {
		n := fmt.Sprintf("%d addresses", len(a))
		if len(a) == 1 {
			n = "1 address"
		}
		out = append(out, fmt.Sprintf("%s (%s)", p, n))
	}
	sort.Strings(out)
	return out
}

// standIn picks the --binary for a recorded path: same base name, or the
// only binary given, for the program.
func (s *symbolizer) standIn(recorded string, isProgram bool) string {
	for _, b := range s.binaries {
		if filepath.Base(b) == filepath.Base(recorded) && !s.debugOnly(b) {
			return b
		}
	}
	if len(s.binaries) == 1 && isProgram && !s.debugOnly(s.binaries[0]) {
		if _, err := os.Stat(recorded); err != nil {
			return s.binaries[0]
		}
	}
	// A copy under another name: the same build ID as the file recorded.
	if len(s.binaries) == 0 {
		return ""
	}
	if id := fileBuildID(recorded); id != "" {
		for _, b := range s.binaries {
			if s.binaryID(b) == id && !s.debugOnly(b) {
				return b
			}
		}
	}
	return ""
}

// binaryID returns the build ID of binary b, read once.
func (s *symbolizer) binaryID(b string) string {
	id, ok := s.binaryIDs[b]
	if !ok {
		id = fileBuildID(b)
		if s.binaryIDs == nil {
			s.binaryIDs = map[string]string{}
		}
		s.binaryIDs[b] = id
	}
	return id
}

// fileBuildID returns the build ID of the ELF file at path, or "".
func fileBuildID(path string) string {
	f, err := openELF(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if note := f.Section(".note.gnu.build-id"); note == nil || sectionProblem(note, fileSize(path)) != "" {
		return ""
	}
	id, _ := buildID(f)
	return id
}

// debugOnly reports whether binary b is a separate debug file (its code
// sections hold no bytes, as objcopy --only-keep-debug writes them): it
// names an object's frames as its debug file, not in its place.
func (s *symbolizer) debugOnly(b string) bool {
	if v, ok := s.debugOnlyOf[b]; ok {
		return v
	}
	v := false
	if f, err := openELF(b); err == nil {
		exec, nobits := 0, 0
		for _, sec := range f.Sections {
			if sec.Flags&elf.SHF_EXECINSTR != 0 {
				exec++
				if sec.Type == elf.SHT_NOBITS {
					nobits++
				}
			}
		}
		v = exec > 0 && nobits == exec
		f.Close()
	}
	if s.debugOnlyOf == nil {
		s.debugOnlyOf = map[string]bool{}
	}
	s.debugOnlyOf[b] = v
	if v {
		s.used[b] = true // offered to every object as a debug file, matched by build ID
	}
	return v
}

// inAllocator reports whether addr lies in a jemalloc shared library: all of
// its frames are the allocator's own, named or not.
func (s *symbolizer) inAllocator(addr uint64) bool {
	m := findMapping(s.maps, addr)
	return m != nil && strings.Contains(filepath.Base(m.path), "jemalloc")
}

// resolve returns the frames at addr, innermost first; an address it cannot
// name becomes one frame "0xADDR (object+0xOFFSET)", OFFSET being where the
// address lies in the object file, or "0xADDR" outside any mapped file.
// approx is the path of the object when the name is approximate (see
// object.lookup).
func (s *symbolizer) resolve(addr uint64) (frames []diff.Frame, approx string) {
	m := findMapping(s.maps, addr)
	if m == nil {
		return []diff.Frame{{Function: fmt.Sprintf("0x%x", addr)}}, ""
	}
	raw := []diff.Frame{{Function: fmt.Sprintf("0x%x (%s+0x%x)", addr, filepath.Base(m.path), addr-m.start+m.offset)}}
	o := s.object(m.path, len(s.maps) > 0 && m.path == s.maps[0].path)
	if o.err != nil {
		return raw, ""
	}
	va, ok := o.vaddr(addr - m.start + m.offset)
	if !ok {
		return raw, ""
	}
	if fr, approx := o.lookup(va); len(fr) > 0 {
		if approx {
			return fr, o.path
		}
		return fr, ""
	}
	return raw, ""
}
