package jemalloc_test

import (
	"context"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/jemalloc"
	"github.com/leakscope/leakscope/diff/reftest"
)

// cProgram compiles src with gcc -g -no-pie into dir, so that virtual
// addresses are the addresses a dump records for a mapping at 0x400000.
func cProgram(t testing.TB, dir, name, src string, extra ...string) string {
	t.Helper()
	reftest.Reference(t)
	if _, err := exec.LookPath("gcc"); err != nil {
		skipOrFail(t, "gcc is not installed")
	}
	bin := filepath.Join(dir, name)
	args := append([]string{"-g", "-O0", "-no-pie", "-o", bin, "-x", "c", "-"}, extra...)
	cmd := exec.Command("gcc", args...)
	cmd.Stdin = strings.NewReader(src)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	return bin
}

// symbolAddr returns the address of a function in bin's symbol table.
func symbolAddr(t *testing.T, bin, name string) uint64 {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if s.Name == name {
			return s.Value
		}
	}
	t.Fatalf("no symbol %s in %s", name, bin)
	return 0
}

// dumpOf writes a dump of one stack per address (each its own leaf) with
// mapping maps to path at 0x400000.
func dumpOf(t testing.TB, dir, path string, addrs ...uint64) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("heap_v2/1\n  t*: 1: 64 [1: 64]\n")
	for _, a := range addrs {
		fmt.Fprintf(&b, "@ 0x%x\n  t*: 1: 64 [1: 64]\n", a)
	}
	fmt.Fprintf(&b, "\nMAPPED_LIBRARIES:\n00400000-00600000 r-xp 00000000 fe:00 1 %s\n", path)
	p := filepath.Join(dir, fmt.Sprintf("d%d.heap", time.Now().UnixNano()))
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// openQuickly opens a dump, failing if that takes more than ten seconds
// (a FIFO opened for reading waits for a writer forever).
func openQuickly(t testing.TB, path string) *diff.Dump {
	t.Helper()
	type res struct {
		d   *diff.Dump
		err error
	}
	ch := make(chan res, 1)
	go func() {
		d, err := diff.Open(context.Background(), path, nil)
		ch <- res{d, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r.d
	case <-time.After(10 * time.Second):
		t.Fatal("opening the dump hangs")
	}
	return nil
}

func leaves(d *diff.Dump) []string {
	var out []string
	for i := 0; i < d.NumStacks(); i++ {
		if s := d.Stack(i); len(s) > 0 {
			out = append(out, d.Frame(s[0]).Function)
		}
	}
	return out
}

const twoFuncs = `
#include <stdlib.h>
void *make_thing(int n) { return malloc(n); }
int main(int argc, char **argv) { return make_thing(argc) == 0; }
`

// patch overwrites bytes of file at off.
func patch(t *testing.T, file string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(file, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func sectionOffset(t *testing.T, bin, name string) (off, size int64) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := f.Section(name)
	if s == nil {
		t.Fatalf("%s has no %s", bin, name)
	}
	return int64(s.Offset), int64(s.Size)
}

// TestCorruptBuildIDNote gives the binary a build ID note whose sizes
// point past its end: the dump loads, names its functions from DWARF and
// warns about the note.
func TestCorruptBuildIDNote(t *testing.T) {
	dir := t.TempDir()
	bin := cProgram(t, dir, "prog", twoFuncs, "-Wl,--build-id")
	addr := symbolAddr(t, bin, "make_thing")
	off, _ := sectionOffset(t, bin, ".note.gnu.build-id")
	// namesz 4, descsz 0xfffffff8: 16 + descsz wraps around in 32 bits.
	patch(t, bin, off+4, []byte{0xf8, 0xff, 0xff, 0xff})
	d := openQuickly(t, dumpOf(t, dir, bin, addr+4))
	if got := leaves(d); len(got) != 1 || got[0] != "make_thing" {
		t.Errorf("leaves %v, want [make_thing]", got)
	}
	if w := strings.Join(d.Warnings, "; "); !strings.Contains(w, bin) || !strings.Contains(w, "build ID note is corrupt") {
		t.Errorf("warnings %q", w)
	}
}

// stripWithLink strips bin and links it to a separate debug file name in
// the same folder, as Debian's packages do; it returns the debug file.
func stripWithLink(t *testing.T, bin string) string {
	t.Helper()
	for _, tool := range []string{"objcopy", "strip"} {
		if _, err := exec.LookPath(tool); err != nil {
			skipOrFail(t, tool+" is not installed (binutils)")
		}
	}
	dbg := bin + ".debug"
	for _, args := range [][]string{
		{"objcopy", "--only-keep-debug", bin, dbg},
		{"strip", "--strip-all", bin},
		{"objcopy", "--add-gnu-debuglink=" + dbg, bin},
	} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	return dbg
}

// TestDebugLinks reads a stripped binary through its .gnu_debuglink, and
// checks that links that cannot be followed (no end to the name, a path
// instead of a name, a FIFO) give a warning or a named reason, never an
// error or a hang.
func TestDebugLinks(t *testing.T) {
	dir := t.TempDir()
	bin := cProgram(t, dir, "prog", twoFuncs)
	addr := symbolAddr(t, bin, "make_thing")
	stripWithLink(t, bin)
	d := openQuickly(t, dumpOf(t, dir, bin, addr+4))
	if got := leaves(d); len(got) != 1 || got[0] != "make_thing" {
		t.Errorf("through the debug link: leaves %v, want [make_thing]", got)
	}

	tests := []struct {
		desc    string
		prepare func(t *testing.T, bin string)
		warning string
	}{
		{"name without an end", func(t *testing.T, bin string) {
			off, size := sectionOffset(t, bin, ".gnu_debuglink")
			patch(t, bin, off, []byte(strings.Repeat("A", int(size))))
		}, "its debug link is ignored: the name does not end"},
		{"a path for a name", func(t *testing.T, bin string) {
			off, _ := sectionOffset(t, bin, ".gnu_debuglink")
			patch(t, bin, off, []byte("../x\x00"))
		}, `its debug link is ignored: "../x" is not a file name`},
		{"a FIFO", func(t *testing.T, bin string) {
			if err := os.Remove(bin + ".debug"); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(bin+".debug", 0o644); err != nil {
				t.Fatal(err)
			}
		}, "is not used: not a regular file"},
	}
	for i, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			dir := t.TempDir()
			bin := cProgram(t, dir, fmt.Sprintf("prog%d", i), twoFuncs)
			stripWithLink(t, bin)
			tt.prepare(t, bin)
			d := openQuickly(t, dumpOf(t, dir, bin, addr+4))
			w := strings.Join(append(d.Warnings, d.SymbolWarnings...), "; ")
			if !strings.Contains(w, tt.warning) {
				t.Errorf("warnings %q, want %q", w, tt.warning)
			}
			// Without its debug file the stripped program has no symbols:
			// it is named as of no use, with the reason.
			if !strings.Contains(w, bin+" has no symbols and no debug information") {
				t.Errorf("warnings %q do not say why %s is not used", w, bin)
			}
			if got := leaves(d); len(got) != 1 || !strings.HasPrefix(got[0], fmt.Sprintf("0x%x (%s+0x", addr+4, filepath.Base(bin))) {
				t.Errorf("leaves %v, want a raw frame", got)
			}
		})
	}
}

// TestUnusableBinaries names each recorded file that cannot be used, with
// the reason, and prints their addresses as 0xADDR (object+0xOFFSET).
func TestUnusableBinaries(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not a program\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		desc, path, reason string
	}{
		{"missing", filepath.Join(dir, "gone"), "no such file or directory"},
		{"not ELF", text, "not an ELF file"},
		{"a FIFO", fifo, "not a regular file"},
		{"a folder", dir, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			d := openQuickly(t, dumpOf(t, dir, tt.path, 0x401234))
			if w := strings.Join(d.Warnings, "; "); !strings.Contains(w, "cannot read "+tt.path+" (") || !strings.Contains(w, tt.reason) {
				t.Errorf("warnings %q, want %s named with %q", w, tt.path, tt.reason)
			}
			if m := jemalloc.MissingBinaries(d); len(m) != 1 || m[0] != tt.path {
				t.Errorf("missing %v", m)
			}
			want := fmt.Sprintf("0x401234 (%s+0x1234)", filepath.Base(tt.path))
			if got := leaves(d); len(got) != 1 || got[0] != want {
				t.Errorf("leaves %v, want [%s]", got, want)
			}
		})
	}
}

// TestNearestSymbol strips a binary of its local symbols: a static
// function then lies outside any sized symbol and is named after the
// exported function before it, with a warning that says so.
func TestNearestSymbol(t *testing.T) {
	dir := t.TempDir()
	bin := cProgram(t, dir, "prog", `
#include <stdlib.h>
void *exported(int n) { return malloc(n); }
static void *hidden(int n) { return malloc(n + 1); }
int main(int argc, char **argv) { return exported(argc) == hidden(argc); }
`, "-rdynamic")
	hidden := symbolAddr(t, bin, "hidden")
	exported := symbolAddr(t, bin, "exported")
	if out, err := exec.Command("strip", "--strip-all", bin).CombinedOutput(); err != nil {
		t.Fatalf("strip: %v\n%s", err, out)
	}
	d := openQuickly(t, dumpOf(t, dir, bin, exported+4, hidden+4))
	if got := leaves(d); len(got) != 2 || got[0] != "exported" || got[1] != "exported" {
		t.Errorf("leaves %v", got)
	}
	w := strings.Join(d.SymbolWarnings, "; ")
	if !strings.Contains(w, bin+" (1 address)") || !strings.Contains(w, "nearest symbol") {
		t.Errorf("warnings %q, want one approximate address in %s", w, bin)
	}
}

var fnRE = regexp.MustCompile(`^f\d+$`)

// BenchmarkSymbolizeScales symbolizes one address in each function of a
// compilation unit of 1,000 and of 8,000 functions: the time per function
// should stay about the same (n log n), not grow eightfold (n²). A
// benchmark, not a test: wall times on a shared machine are no verdict.
func BenchmarkSymbolizeScales(b *testing.B) {
	for _, n := range []int{1000, 8000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := b.TempDir()
			var src strings.Builder
			for i := 0; i < n; i++ {
				fmt.Fprintf(&src, "int f%d(int x) { return x * %d + 1; }\n", i, i)
			}
			src.WriteString("int main(void) { return f0(1); }\n")
			bin := cProgram(b, dir, fmt.Sprintf("many%d", n), src.String())
			f, err := elf.Open(bin)
			if err != nil {
				b.Fatal(err)
			}
			syms, _ := f.Symbols()
			f.Close()
			var addrs []uint64
			for _, s := range syms {
				if fnRE.MatchString(s.Name) && elf.ST_TYPE(s.Info) == elf.STT_FUNC {
					addrs = append(addrs, s.Value+4)
				}
			}
			if len(addrs) != n {
				b.Fatalf("%d functions in %s, want %d", len(addrs), bin, n)
			}
			dump := dumpOf(b, dir, bin, addrs...)
			b.ResetTimer()
			for b.Loop() {
				if d := openQuickly(b, dump); d.NumStacks() != n {
					b.Fatalf("%d stacks", d.NumStacks())
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/function")
		})
	}
}
