package cli_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/leakscope/leakscope/cli"
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
			"decompresses to more than"},
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

// TestSeriesSaysEveryDumpsWarnings: three jemalloc dumps, one of them with
// lines in no known form: report and watch --dir name that dump's warning
// once each, and the others' too.
func TestSeriesSaysEveryDumpsWarnings(t *testing.T) {
	dir := t.TempDir()
	dump := func(n int, noise bool) string {
		d := fmt.Sprintf("heap_v2/1\n  t*: %d: %d [0: 0]\n@ 0x1000 0x2000\n  t*: %d: %d [0: 0]\n", n, n*512, n, n*512)
		if noise {
			d += "%%%% noise\n"
		}
		return d + "\nMAPPED_LIBRARIES:\n00001000-00005000 r-xp 00000000 fe:00 1   /nonexistent/prog\n"
	}
	var paths []string
	for i := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("prof.42.%d.i%d.heap", i, i))
		if err := os.WriteFile(p, []byte(dump(i+1, i == 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	for _, args := range [][]string{
		append([]string{"report"}, paths...),
		{"watch", "--dir", dir, "--count", "1", "--interval", "10ms"},
	} {
		var code int
		var errs string
		if args[0] == "watch" {
			// The fourth dump comes once the watch has read the first three.
			w := startRun("leakscope: watching", args...)
			<-w.hit
			os.WriteFile(filepath.Join(dir, "prof.42.3.i3.heap"), []byte(dump(4, false)), 0o644)
			<-w.done
			code, errs = w.code, w.stderr.String()
		} else {
			code, _, errs = run(args...)
		}
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", args[0], code, errs)
		}
		noisy := paths[1] + ": warning: 1 lines matched no heap_v2 form and were skipped"
		if strings.Count(errs, noisy) != 1 {
			t.Errorf("%s: want %q once in:\n%s", args[0], noisy, errs)
		}
		if n := strings.Count(errs, "cannot read /nonexistent/prog"); n < 3 {
			t.Errorf("%s: the missing program is said for %d dumps, want each:\n%s", args[0], n, errs)
		}
	}
}

// TestWatchFoldersThatAreNotFolders: --out and --dir naming a FIFO, a
// missing folder, or a folder inside a missing one end at once with a
// usage error (exit 2) naming the path; nothing is waited on.
func TestWatchFoldersThatAreNotFolders(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"watch", "--out", fifo, "127.0.0.1:1"}, "--out " + fifo + ": not a folder"},
		{[]string{"watch", "--dir", fifo}, "--dir " + fifo + ": not a folder"},
		{[]string{"watch", "--dir", missing}, "--dir " + missing + ": no such folder"},
		{[]string{"watch", "--out", filepath.Join(missing, "snaps"), "127.0.0.1:1"}, "--out " + filepath.Join(missing, "snaps") + ": its folder " + missing + " does not exist"},
	} {
		code, _, errs := run(tt.args...)
		if code != cli.ExitUsage || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", tt.args, code, errs, cli.ExitUsage, tt.want)
		}
	}
}

// writeTextHeap writes a Go heap profile at debug=1 of about size bytes:
// stacks of 8 to 40 frames over addrs distinct addresses, each named by
// comment lines as Go names them, and returns its path.
func writeTextHeap(t *testing.T, path string, seed uint64, size, addrs int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	var body bytes.Buffer
	var n1, b1, n2, b2 int64
	for body.Len() < size {
		c := int64(rng.IntN(50) + 1)
		blk := int64(16 << rng.IntN(8))
		a := c + int64(rng.IntN(50))
		n1, b1, n2, b2 = n1+c, b1+c*blk, n2+a, b2+a*blk
		fmt.Fprintf(&body, "%d: %d [%d: %d] @", c, c*blk, a, a*blk)
		depth := 8 + rng.IntN(33)
		stack := make([]int, depth)
		for i := range stack {
			stack[i] = rng.IntN(addrs)
			fmt.Fprintf(&body, " 0x%x", 0x400000+stack[i]*0x40)
		}
		body.WriteByte('\n')
		for _, s := range stack {
			fmt.Fprintf(&body, "#\t0x%x\tmain.func%d+0x10\t/src/pkg/file%d.go:%d\n", 0x400000+s*0x40-1, s, s%500, s%900)
		}
		body.WriteByte('\n')
	}
	out := fmt.Sprintf("heap profile: %d: %d [%d: %d] @ heap/1048576\n", n1, b1, n2, b2) + body.String() + "\n# runtime.MemStats\n# Alloc = 1\n"
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTextDumpMemory: a pair of 32 MB Go heap profiles at debug=1 with
// 200,000 distinct addresses, and one whose stack line is half a megabyte,
// load as a process within 8 times their size in memory (protobuf pairs
// take about 6).
func TestTextDumpMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads 64 MB: the reference tier runs it")
	}
	dir := t.TempDir()
	base, later := filepath.Join(dir, "base.txt"), filepath.Join(dir, "later.txt")
	writeTextHeap(t, base, 1, 32<<20, 200_000)
	writeTextHeap(t, later, 2, 32<<20, 200_000)
	code, out, errs, rss := runChild(t, "report", "--top", "3", base, later)
	t.Logf("two 32 MB text dumps: exit %d, peak RSS %d MB", code, rss>>20)
	if code != 0 || !strings.Contains(out, "Type:  inuse_space") {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	if rss > 8*64<<20 {
		t.Errorf("peak RSS %d MB for 64 MB of text", rss>>20)
	}
	// One stack of 60,000 frames: a line of half a megabyte.
	long := filepath.Join(dir, "long.txt")
	var line strings.Builder
	for i := range 60_000 {
		fmt.Fprintf(&line, " 0x%x", 0x400000+i*16)
	}
	os.WriteFile(long, []byte("heap profile: 1: 1024 [1: 1024] @ heap/1048576\n1: 1024 [1: 1024] @"+line.String()+"\n\n# runtime.MemStats\n# Alloc = 1\n"), 0o644)
	if code, _, errs, _ := runChild(t, "report", long); code != 0 {
		t.Errorf("a 500 kB line: exit %d: %s", code, errs)
	}
}
