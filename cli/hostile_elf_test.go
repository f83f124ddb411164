package cli_test

import (
	"debug/elf"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff/reftest"
)

// TestHostileDebugSections symbolizes real jemalloc dumps with copies of
// their program whose debug sections are crafted to exhaust memory: one
// compressed section that inflates 256 MB from a few hundred kB, one whose
// header claims 6 GB in a file of a few kB. Each run, as a process, ends
// with exit 0, a warning naming the object and the section, the program's
// functions named from its symbol table, and a peak RSS far below 1 GB.
func TestHostileDebugSections(t *testing.T) {
	reftest.Reference(t)
	reftest.NeedTools(t, "gcc", "objcopy")
	work := t.TempDir()
	bin, err := reftest.BuildLeakyC(work, "leaky")
	if err != nil {
		t.Fatal(err)
	}
	base, later := filepath.Join(work, "base.heap"), filepath.Join(work, "later.heap")
	run := exec.Command(bin, base, later)
	run.Env = append(os.Environ(), "MALLOC_CONF=prof:true,prof_accum:true,lg_prof_sample:0")
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("leaky: %v\n%s", err, out)
	}

	// The bomb: .debug_str replaced by 256 MB of zeros, then compressed.
	zeros := filepath.Join(work, "zeros")
	if f, err := os.Create(zeros); err != nil || f.Truncate(256<<20) != nil || f.Close() != nil {
		t.Fatal(err)
	}
	bomb, big := filepath.Join(work, "bomb"), filepath.Join(work, "big")
	for _, args := range [][]string{{"--update-section", ".debug_str=" + zeros, bin, big}, {"--compress-debug-sections=zlib", big, bomb}} {
		if out, err := exec.Command("objcopy", args...).CombinedOutput(); err != nil {
			t.Fatalf("objcopy %v: %v\n%s", args, err, out)
		}
	}
	os.Remove(big)
	os.Remove(zeros)
	// The sparse claim: .debug_info's size field says 6 GB.
	sparse := filepath.Join(work, "sparse")
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	setSectionSize(t, data, ".debug_info", 6<<30)
	if err := os.WriteFile(sparse, data, 0o755); err != nil {
		t.Fatal(err)
	}
	// The program is gone from where it ran: --binary stands in for it.
	if err := os.Remove(bin); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, path, section string }{
		{"compressed bomb", bomb, ".debug_str"},
		{"section past the end", sparse, ".debug_info"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := os.Stat(tt.path)
			code, out, stderr, rss := runChild(t, "report", "--binary", tt.path, base, later)
			t.Logf("%s (%d kB): exit %d, peak RSS %d MB: %s", tt.name, st.Size()>>10, code, rss>>20, strings.TrimSpace(stderr))
			if code != 0 || strings.Contains(stderr, "panic") {
				t.Fatalf("exit %d:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, tt.path+": section "+tt.section+" is not read") {
				t.Errorf("no warning naming %s and %s:\n%s", tt.path, tt.section, stderr)
			}
			if !strings.Contains(out, "worker_new") {
				t.Errorf("the program's functions are not named from its symbol table:\n%.2000s", out)
			}
			if rss > 1<<30 {
				t.Errorf("peak RSS %d MB", rss>>20)
			}
		})
	}
}

// setSectionSize writes size into the header of section name in the ELF
// file data (64-bit, little-endian).
func setSectionSize(t *testing.T, data []byte, name string, size uint64) {
	t.Helper()
	f, err := elf.NewFile(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	shoff := binary.LittleEndian.Uint64(data[0x28:])
	shentsize := uint64(binary.LittleEndian.Uint16(data[0x3a:]))
	for i, s := range f.Sections {
		if s.Name == name {
			binary.LittleEndian.PutUint64(data[shoff+uint64(i)*shentsize+0x20:], size)
			return
		}
	}
	t.Fatalf("no section %s", name)
}
