package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff/reftest"
)

// TestHostileInputsAsProcess runs `leakscope report` as a process on small
// crafted files and checks that each ends with one line naming the file and
// exit 1, with a peak RSS far below what the file's counts ask for.
func TestHostileInputsAsProcess(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		desc, path, want string
	}{
		{"location of 10,000 lines named 100,000 times", write("lines.pb.gz", reftest.Gzip(reftest.ManyLinesProto(10_000, 100_000))),
			"reading pprof protobuf: a stack has 1000000000 frames, more than the 65536 this tool reads"},
		{"32 MB of empty locations", write("empty-locs.pb.gz", reftest.Gzip(reftest.EmptyLocationsProto(16<<20))),
			"reading pprof protobuf: needs more than 320MB of memory to load"},
		{"256 MB of zeros, gzipped", write("zeros.pb.gz", reftest.Gzip(make([]byte, 256<<20))),
			"decompresses to more than 64MB"},
		{"/dev/zero", "/dev/zero", "not a profile this tool reads (binary data"},
		{"/dev/urandom", "/dev/urandom", "not a profile this tool reads (binary data"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if _, err := os.Stat(tt.path); err != nil {
				t.Fatal(err)
			}
			st, _ := os.Stat(tt.path)
			code, stdout, line, rss := runChild(t, "report", tt.path)
			if code != 1 || len(stdout) != 0 || strings.Count(line, "\n") != 1 ||
				!strings.HasPrefix(line, "leakscope: "+tt.path+": ") || !strings.Contains(line, tt.want) {
				t.Fatalf("exit %d, stdout %d bytes, stderr:\n%.3000s\nwant exit 1 and one line with %q", code, len(stdout), line, tt.want)
			}
			if rss > 1<<30 {
				t.Errorf("peak RSS %d MB", rss>>20)
			}
			t.Logf("%d kB: exit %d, peak RSS %d MB: %s", st.Size()>>10, code, rss>>20, strings.TrimSpace(line))
		})
	}
}

// TestReportOutputHygiene reads a debug=2 dump whose function names carry
// terminal escape sequences and whose goroutines have long odd states: the
// text report shows the escapes as text and stays small.
func TestReportOutputHygiene(t *testing.T) {
	var dump strings.Builder
	longState := strings.Repeat("s", 100_000)
	for i := range 300 {
		state := "chan receive"
		if i == 0 {
			state = longState
		}
		fmt.Fprintf(&dump, "goroutine %d [%s]:\nmain.evil\x1b]0;pwned\x07\u202e%d()\n\t/src/m.go:%d +0x1\ncreated by main.spawn%d in goroutine 1\n\t/src/m.go:%d +0x2\n\n",
			i+2, state, i, i+1, i, i+1)
	}
	path := filepath.Join(t.TempDir(), "evil\x1b[2J.txt")
	if err := os.WriteFile(path, []byte(dump.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run("report", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.ContainsAny(out, "\x1b\x07\u202e") {
		t.Errorf("control characters reach the terminal:\n%q", out[:min(len(out), 2000)])
	}
	for _, want := range []string{`main.evil\x1b]0;pwned\x07\u202e0`, `evil\x1b[2J.txt`, strings.Repeat("s", 39) + "…"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if len(out) > 200<<10 {
		t.Errorf("the report of a %d kB dump is %d kB", dump.Len()>>10, len(out)>>10)
	}
	if _, _, errs := run("report", path+".missing"); strings.Contains(errs, "\x1b") || !strings.Contains(errs, `evil\x1b[2J.txt.missing`) {
		t.Errorf("error line %q", errs)
	}
}
