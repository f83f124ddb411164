package jemalloc

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/debuginfod"
)

// systemDebugDir is where distributions install debug files.
const systemDebugDir = "/usr/lib/debug"

// sources are the places an object's separate debug file is looked for
// when the object itself has no DWARF or no symbol table, in this order:
//
//  1. its .gnu_debuglink, beside the object, in .debug/ beside it, and
//     under /usr/lib/debug;
//  2. /usr/lib/debug/.build-id/xx/yyyy.debug;
//  3. each debug folder given (Options.DebugDirs): DIR/.build-id/xx/yyyy.debug,
//     DIR/xx/yyyy.debug, the debug link's name, and the object's own name
//     (an unstripped copy);
//  4. the debuginfod client cache, debuginfo then executable;
//  5. the debuginfod servers, debuginfo then executable.
//
// A candidate is used only when it has DWARF or symbols, and a build ID
// that matches the object's when both have one.
type sources struct {
	dirs     []string
	extra    []string           // separate debug files given as binaries, for any object whose build ID they carry
	recorded string             // the name the dump records for the object being read, when a binary stands in
	client   *debuginfod.Client // nil: no cache, no servers
	ctx      context.Context
	setPhase func(string)
	notes    []string          // where debug files were found, once per object
	tried    map[string]string // why a server lookup failed, by build ID
	found    map[string]string // the debug file of each object path read
	asked    map[string]bool   // build IDs asked of the servers
}

func newSources(opts *diff.Options, ctx context.Context, setPhase func(string)) *sources {
	return &sources{dirs: opts.DebugDirs, client: opts.Debuginfod, ctx: ctx, setPhase: setPhase,
		tried: map[string]string{}, found: map[string]string{}, asked: map[string]bool{}}
}

// names returns the base names of path and of recorded ("" for none),
// once each.
func names(path, recorded string) []string {
	out := []string{filepath.Base(path)}
	if recorded != "" && filepath.Base(recorded) != out[0] {
		out = append(out, filepath.Base(recorded))
	}
	return out
}

// candidate is a file that may be an object's debug file, and how it was
// found. said marks the places the user chose (debug folders, debuginfod),
// where finding it is worth a note; the system's places (a debug link,
// /usr/lib/debug) go without saying, as with gdb.
type candidate struct {
	path, how string
	said      bool
}

// debugFile finds the separate debug file of object o, read from path.
// Candidates that exist but cannot be used are named in o's warnings.
func (s *sources) debugFile(o *object, path string, f *elf.File, readLink bool) *debugELF {
	var local []candidate
	link := ""
	if sec := f.Section(".gnu_debuglink"); sec != nil && readLink {
		name, err := debugLink(sec)
		if err != nil {
			o.warnings = append(o.warnings, fmt.Sprintf("%s: its debug link is ignored: %v", path, err))
		} else {
			link = name
			dir := filepath.Dir(path)
			for _, c := range []string{filepath.Join(dir, name), filepath.Join(dir, ".debug", name), filepath.Join(systemDebugDir, dir, name)} {
				local = append(local, candidate{c, "its debug link", false})
			}
		}
	}
	id := o.buildID
	if len(id) > 2 {
		local = append(local, candidate{filepath.Join(systemDebugDir, ".build-id", id[:2], id[2:]+".debug"), "its build ID under " + systemDebugDir, false})
	}
	for _, e := range s.extra {
		if id != "" && fileBuildID(e) == id {
			local = append(local, candidate{e, "its build ID in the debug file given as a binary", true})
		}
	}
	for _, d := range s.dirs {
		how := "its build ID or name in debug folder " + d
		if len(id) > 2 {
			local = append(local, candidate{filepath.Join(d, ".build-id", id[:2], id[2:]+".debug"), how, true},
				candidate{filepath.Join(d, id[:2], id[2:]+".debug"), how, true})
		}
		if link != "" {
			local = append(local, candidate{filepath.Join(d, link), how, true})
		}
		for _, base := range names(path, s.recorded) {
			local = append(local, candidate{filepath.Join(d, base+".debug"), how, true}, candidate{filepath.Join(d, base), how, true})
		}
	}
	for _, c := range local {
		if df := s.try(o, path, c, false); df != nil {
			return df
		}
	}
	if len(id) <= 2 || s.client == nil {
		return nil
	}
	for _, k := range []debuginfod.Kind{debuginfod.Debuginfo, debuginfod.Executable} {
		if p, ok := s.client.Cached(id, k); ok {
			how := "its build ID in the debuginfod cache"
			if server := s.client.Source(id, k); server != "" {
				how = "its build ID on debuginfod server " + server
			}
			seen, _ := os.Stat(p)
			if df := s.try(o, path, candidate{p, how, true}, true); df != nil {
				return df
			}
			s.client.Forget(p, seen) // unusable (cut short, another build): fetched again
		}
	}
	// The allocator's own library is not worth a server's time: its frames
	// are left out of stacks, or folded into their callers.
	if len(s.client.Servers) == 0 || s.asked[id] || strings.Contains(filepath.Base(path), "jemalloc") {
		return nil
	}
	s.asked[id] = true
	ctx := s.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	for _, k := range []debuginfod.Kind{debuginfod.Debuginfo, debuginfod.Executable} {
		if s.setPhase != nil {
			s.setPhase(fmt.Sprintf("fetching the %s of %s from debuginfod", k, filepath.Base(path)))
		}
		p, server, err := s.client.Fetch(ctx, id, k)
		switch {
		case errors.Is(err, debuginfod.ErrNotFound):
			s.tried[id] = "no server has it"
			continue
		case err != nil:
			s.tried[id] = err.Error()
			return nil
		}
		how := "its build ID on debuginfod server " + server
		if server == "" {
			how = "its build ID in the debuginfod cache"
		}
		if df := s.try(o, path, candidate{p, how, true}, true); df != nil {
			return df
		}
	}
	return nil
}

// try opens candidate c for object o, read from path, and returns it if it
// can stand in for o's symbols. Problems with a file that exists are
// warnings; a file that is not there is passed over, unless it was just
// named by the cache or a server (strict).
func (s *sources) try(o *object, path string, c candidate, strict bool) *debugELF {
	if c.path == path {
		return nil
	}
	df, err := openELF(c.path)
	if err != nil {
		if strict || !errors.Is(err, fs.ErrNotExist) {
			o.warnings = append(o.warnings, fmt.Sprintf("debug file %s of %s is not used: %v", c.path, path, diff.WithoutPath(err)))
		}
		return nil
	}
	if note := df.Section(".note.gnu.build-id"); note != nil && sectionProblem(note, fileSize(c.path)) != "" {
		o.warnings = append(o.warnings, fmt.Sprintf("debug file %s of %s is not used: its build ID note is corrupt", c.path, path))
		df.Close()
		return nil
	}
	if id, _ := buildID(df); id != "" && o.buildID != "" && id != o.buildID {
		o.warnings = append(o.warnings, fmt.Sprintf("debug file %s (build ID %s) does not match %s (build ID %s) and is not used", c.path, id, path, o.buildID))
		df.Close()
		return nil
	}
	if !hasSymbols(df) {
		if strict {
			o.warnings = append(o.warnings, fmt.Sprintf("debug file %s of %s is not used: it has no symbols and no debug information", c.path, path))
		}
		df.Close()
		return nil
	}
	if c.said {
		s.note(path, fmt.Sprintf("%s: symbols from %s (found by %s)", path, c.path, c.how))
	}
	return &debugELF{File: df, path: c.path}
}

// note records where an object's symbols came from, once per object.
func (s *sources) note(path, msg string) {
	if _, ok := s.found[path]; ok {
		return
	}
	s.found[path] = msg
	s.notes = append(s.notes, msg)
}

// where says, for an object whose debug file was not found, what was
// looked in beyond the usual places, to end a warning.
func (s *sources) where(o *object) string {
	if o.buildID == "" {
		return "; it has no build ID to look one up by"
	}
	var parts []string
	if len(s.dirs) > 0 {
		parts = append(parts, "in "+strings.Join(s.dirs, ", "))
	}
	switch {
	case s.client == nil || len(s.client.Servers) == 0:
		parts = append(parts, "no debuginfod server is set: give a folder of debug files (--debug-dir) or a server (--debuginfod, DEBUGINFOD_URLS; in the window, File ▸ Symbol Sources)")
	case s.tried[o.buildID] != "":
		parts = append(parts, "debuginfod: "+s.tried[o.buildID])
	}
	return fmt.Sprintf(" by build ID %s%s", o.buildID, prefixed("; ", strings.Join(parts, "; ")))
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

// CheckDebugFile says why the file at path cannot be the debug file (or the
// executable) of the object with build ID id, or nil when it can: it must
// be a whole ELF file with that build ID and with symbols or DWARF. A
// debuginfod client checks each download with it before caching it.
func CheckDebugFile(path, id string) error {
	f, err := openELF(path)
	if err != nil {
		return diff.WithoutPath(err)
	}
	defer f.Close()
	if note := f.Section(".note.gnu.build-id"); note != nil && sectionProblem(note, fileSize(path)) != "" {
		return errors.New("its build ID note is corrupt")
	}
	got, _ := buildID(f)
	switch {
	case got != id:
		return fmt.Errorf("it has build ID %q, not %s", got, id)
	case !hasSymbols(f):
		return errors.New("it has no symbols and no debug information")
	}
	for _, sec := range f.Sections {
		if sec.Type != elf.SHT_NOBITS && sec.Size > 0 && sectionProblem(sec, fileSize(path)) != "" {
			return fmt.Errorf("section %s: %s", sec.Name, sectionProblem(sec, fileSize(path)))
		}
	}
	return nil
}

// hasSymbols reports whether an ELF file holds DWARF or a symbol table,
// without reading either.
func hasSymbols(f *elf.File) bool {
	for _, sec := range f.Sections {
		if sec.Type == elf.SHT_NOBITS || sec.Size == 0 {
			continue
		}
		switch sec.Name {
		case ".debug_info", ".zdebug_info", ".symtab":
			return true
		}
	}
	return false
}
