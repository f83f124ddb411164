package cli_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/leakscope/leakscope/cli"
	"github.com/leakscope/leakscope/diff/reftest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// childEnv makes the test binary act as the leakscope command, so that
// benchmarks and tests can run it as a process without building Fyne.
const childEnv = "LEAKSCOPE_CLI_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		limitAddressSpace()
		cli.LimitMemory() // as the leakscope command does
		code, handled := cli.Run(os.Args[1:], os.Stdout, os.Stderr)
		if !handled {
			code = 3
		}
		writeHWM()
		os.Exit(code)
	}
	reftest.Main(m) // removes the benchmarks' shared dumps

}

// hwmEnv names the file a child writes its own peak RSS into at exit:
// the kernel's VmHWM of the child's address space alone. (The rusage of a
// child started by fork and exec carries the parent's high-water mark.)
const hwmEnv = "LEAKSCOPE_CHILD_HWM"

func writeHWM() {
	path := os.Getenv(hwmEnv)
	if path == "" {
		return
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			os.WriteFile(path, []byte(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))), 0o644)
		}
	}
}

// childAddressSpace is the address space a child may map (RLIMIT_AS): past
// it, allocation fails and the child dies of it, failing its test, long
// before the machine runs short. A race-enabled build maps terabytes of
// shadow memory up front, so it runs without the limit.
const childAddressSpace = 4 << 30

func limitAddressSpace() {
	if raceEnabled {
		return
	}
	lim := syscall.Rlimit{Cur: childAddressSpace, Max: childAddressSpace}
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &lim); err != nil {
		fmt.Fprintf(os.Stderr, "setting RLIMIT_AS: %v\n", err)
		os.Exit(99)
	}
}

// runChild runs the test binary as the leakscope command with args and
// returns its exit code, output, and its own peak RSS in bytes.
func runChild(t testing.TB, args ...string) (code int, stdout, stderr string, peak int64) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	hwm := filepath.Join(t.TempDir(), "hwm")
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), childEnv+"=1", hwmEnv+"="+hwm)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Run()
	b, err := os.ReadFile(hwm)
	if err != nil {
		t.Fatalf("the child wrote no peak RSS (%v); stderr:\n%s", err, errb.String())
	}
	kb, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		t.Fatalf("peak RSS %q: %v", b, err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String(), kb << 10
}

const demo = "../assets/demo/dumps/"

func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code, handled := cli.Run(args, &out, &errb)
	if !handled {
		return -1, "", "not handled"
	}
	return code, out.String(), errb.String()
}

func golden(t *testing.T, name string, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update if the change is intended)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestReportGolden(t *testing.T) {
	tests := []struct {
		desc, golden string
		args         []string
		note         string // expected on stderr, "" for nothing
	}{
		{"json", "report-heap.json", []string{"report", "--json", demo + "heap-base.pb.gz", demo + "heap-later.pb.gz"}, ""},
		{"json top 3, flags last", "report-heap-top3.json", []string{"report", demo + "heap-base.pb.gz", demo + "heap-later.pb.gz", "--json", "--top", "3", "--sample", "alloc_objects"}, ""},
		{"text", "report-heap.txt", []string{"report", "--top", "8", demo + "heap-base.pb.gz", demo + "heap-later.pb.gz"}, ""},
		{"text alone", "report-alone.txt", []string{"report", "--top=5", demo + "heap-later.pb.gz"}, ""},
		{"json alone", "report-alone.json", []string{"report", "--json", "--top=2", demo + "goroutine-later.txt"}, ""},
		{"goroutine text", "report-goroutine.txt", []string{"report", demo + "goroutine-base.txt", demo + "goroutine-later.txt"},
			"leakscope: note: The dumps do not tell which was taken first: goroutine-base.txt, given first, is the base. Use Swap if it is the later one.\n"},
		// debug=2 dumps record no time, these names carry no numbers, and
		// goroutine IDs never decide: the order given stands.
		{"goroutine debug=2 text", "report-goroutines.txt", []string{"report", "--top", "6", demo + "goroutines-base.txt", demo + "goroutines-later.txt"},
			"leakscope: note: The dumps do not tell which was taken first: goroutines-base.txt, given first, is the base. Use Swap if it is the later one.\n"},
		{"goroutine debug=2 later first", "report-goroutines-given.txt", []string{"report", "--top", "6", demo + "goroutines-later.txt", demo + "goroutines-base.txt"},
			"leakscope: note: The dumps do not tell which was taken first: goroutines-later.txt, given first, is the base. Use Swap if it is the later one.\n"},
		{"goroutine debug=2 json", "report-goroutines.json", []string{"report", "--json", "--top", "4", demo + "goroutinesleak-base.txt", demo + "goroutinesleak-later.txt"},
			"leakscope: note: The dumps do not tell which was taken first: goroutinesleak-base.txt, given first, is the base. Use Swap if it is the later one.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			code, out, errs := run(tt.args...)
			if code != 0 || errs != tt.note {
				t.Fatalf("exit %d, stderr %q, want %q", code, errs, tt.note)
			}
			golden(t, tt.golden, out)
		})
	}
}

func TestReportOrdersByTime(t *testing.T) {
	code, out, errs := run("report", "--json", demo+"heap-later.pb.gz", demo+"heap-base.pb.gz")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r cli.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Base == nil || !strings.HasSuffix(*r.Base, "heap-base.pb.gz") || r.Total.Delta <= 0 {
		t.Errorf("base %v, total %+v: the pair was not ordered by time", r.Base, r.Total)
	}
	if !strings.Contains(errs, "using it as the base") {
		t.Errorf("no note about the reordering on stderr: %q", errs)
	}
}

// TestReportJSONMatchesPprof is the contract: the JSON numbers equal
// `go tool pprof -top -nodefraction=0 -unit=B -sample_index=S -base=B L`,
// function by function.
func TestReportJSONMatchesPprof(t *testing.T) {
	reftest.Reference(t)
	for _, sample := range []string{"inuse_space", "alloc_objects"} {
		base, later := demo+"heap-base.pb.gz", demo+"heap-later.pb.gz"
		code, out, errs := run("report", "--json", "--sample", sample, base, later)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var r cli.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		want, err := reftest.PprofTop("-symbolize=none", "-sample_index="+sample, "-base="+base, later)
		if err != nil {
			t.Fatal(err)
		}
		var flatSum int64
		for _, w := range want {
			flatSum += w.Flat
		}
		if r.Total.Delta != flatSum || r.Total.Delta != r.Total.Later-r.Total.Base {
			t.Errorf("%s: total %+v; pprof's flat column sums to %d", sample, r.Total, flatSum)
		}
		listed := 0
		for _, f := range r.Functions {
			w, ok := want[f.Name]
			if !ok {
				if f.Flat.Delta != 0 || f.Cum.Delta != 0 {
					t.Errorf("%s: %s changes by %d/%d but pprof does not list it", sample, f.Name, f.Flat.Delta, f.Cum.Delta)
				}
				continue
			}
			listed++
			if f.Flat.Delta != w.Flat || f.Cum.Delta != w.Cum {
				t.Errorf("%s: %s flat %d cum %d; pprof: flat %d cum %d", sample, f.Name, f.Flat.Delta, f.Cum.Delta, w.Flat, w.Cum)
			}
		}
		if listed != len(want) {
			t.Errorf("%s: the report has %d of pprof's %d functions", sample, listed, len(want))
		}
	}
}

func TestReportErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := write("empty.pb.gz", nil)
	text := write("notes.txt", []byte("remember the milk\n"))
	heapData, err := os.ReadFile(demo + "heap-base.pb.gz")
	if err != nil {
		t.Fatal(err)
	}
	trunc := write("cut short.pb.gz", heapData[:len(heapData)/3])
	tests := []struct {
		desc string
		args []string
		code int
		want string // the whole stderr line, after "leakscope: "
	}{
		{"no files", []string{"report"}, 2, "report takes BASE [LATER], or three or more dumps of a series, got no files"},
		{"series, missing file", []string{"report", demo + "heap-base.pb.gz", demo + "heap-later.pb.gz", filepath.Join(dir, "c.pb.gz")}, 1, filepath.Join(dir, "c.pb.gz") + ": no such file or directory"},
		{"series, bad file", []string{"report", demo + "heap-base.pb.gz", text, demo + "heap-later.pb.gz"}, 1, text + `: not a profile this tool reads (text starting "remember the milk"; known formats: Go text profile (debug=1), pprof protobuf, Go goroutine dump (debug=2), jemalloc heap profile (heap_v2))`},
		{"gate on a pair", []string{"report", "--fail-if-growing", demo + "heap-base.pb.gz", demo + "heap-later.pb.gz"}, 2, "--fail-if-growing needs a series: three or more dumps, got 2"},
		{"bad rate", []string{"report", "--fail-if-growing", "--min-rate", "fast", "a", "b", "c"}, 2, `--min-rate: bad rate "fast": want an amount per time, such as 1MiB/h, 100/h or 5/interval`},
		{"bad rate unit", []string{"report", "--fail-if-growing", "--min-rate", "1MiB/week", "a", "b", "c"}, 2, `--min-rate: bad rate "1MiB/week": the time unit must be s, m, h, d or interval`},
		{"rate without gate", []string{"report", "--min-rate", "1MiB/h", "a", "b", "c"}, 2, "--min-rate goes with --fail-if-growing"},
		{"rate per hour, no times", []string{"report", "--fail-if-growing", "--min-rate", "1/h", demo + "goroutines-base.txt", demo + "goroutines-later.txt", demo + "goroutinesleak-later.txt"}, 2,
			"--min-rate 1/h is per time, and these dumps do not all record when they were taken: give it per interval (such as 1/interval)"},
		{"unknown flag", []string{"report", "--bogus", "a"}, 2, "report: flag provided but not defined: -bogus"},
		{"bad top", []string{"report", "--top", "x", "a"}, 2, `report: invalid value "x" for flag -top: parse error`},
		{"missing file", []string{"report", filepath.Join(dir, "gone.pb.gz")}, 1, filepath.Join(dir, "gone.pb.gz") + ": no such file or directory"},
		{"empty file", []string{"report", empty, demo + "heap-later.pb.gz"}, 1, empty + ": empty file"},
		{"text file", []string{"report", demo + "heap-base.pb.gz", text}, 1, text + `: not a profile this tool reads (text starting "remember the milk"; known formats: Go text profile (debug=1), pprof protobuf, Go goroutine dump (debug=2), jemalloc heap profile (heap_v2))`},
		{"truncated", []string{"report", trunc}, 1, trunc + ": bad gzip data: truncated"},
		{"unknown sample", []string{"report", "--sample", "bytes", demo + "heap-later.pb.gz"}, 1,
			demo + `heap-later.pb.gz: no sample type "bytes"; this heap dump has alloc_objects, alloc_space, inuse_objects, inuse_space`},
		{"heap vs goroutines", []string{"report", demo + "heap-base.pb.gz", demo + "goroutine-later.pb.gz"}, 1,
			demo + "goroutine-later.pb.gz: is a goroutine profile, but the base " + demo + "heap-base.pb.gz is a heap profile; they cannot be compared"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			code, out, errs := run(tt.args...)
			var lines []string // notes aside
			for _, l := range strings.SplitAfter(errs, "\n") {
				if !strings.HasPrefix(l, "leakscope: note: ") {
					lines = append(lines, l)
				}
			}
			errs = strings.Join(lines, "")
			if code != tt.code || out != "" || errs != "leakscope: "+tt.want+"\n" {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit %d, stderr:\nleakscope: %s", code, out, errs, tt.code, tt.want)
			}
		})
	}
}

func TestNotASubcommand(t *testing.T) {
	t.Setenv("DISPLAY", ":99")
	for _, args := range [][]string{nil, {"base.pb.gz", "later.pb.gz"}, {"--binary", "x", "a.heap"}} {
		if _, handled := cli.Run(args, &bytes.Buffer{}, &bytes.Buffer{}); handled {
			t.Errorf("Run(%q) was handled; the GUI should open these", args)
		}
	}
}

// TestReportSpawnSitesMatchCounters runs the demo service, which counts the
// goroutines it starts from each site, and checks the JSON report of its two
// debug=2 dumps against those counters.
func TestReportSpawnSitesMatchCounters(t *testing.T) {
	reftest.Reference(t)
	dir := t.TempDir()
	if _, err := reftest.LeakyDumps(dir, "-base", "9", "-later", "23"); err != nil {
		t.Fatal(err)
	}
	readCounts := func(phase string) map[string]int64 {
		b, err := os.ReadFile(filepath.Join(dir, "counts-"+phase+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]int64
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	base, later := readCounts("base"), readCounts("later")
	code, out, errs := run("report", "--json", filepath.Join(dir, "goroutines-base.txt"), filepath.Join(dir, "goroutines-later.txt"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r cli.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.GroupedBy != "creator" || len(r.SpawnSites) < 5 {
		t.Fatalf("grouped by %q, %d sites", r.GroupedBy, len(r.SpawnSites))
	}
	counter := map[string]string{"main.NewClient": "client", "main.DefaultCache": "janitor", "main.(*Client).Ping": "ping"}
	for i, s := range r.SpawnSites {
		if i < 3 {
			c, ok := counter[s.Function]
			if !ok {
				t.Errorf("site %d is %s, want one of the three leaking sites", i, s.Function)
				continue
			}
			if s.Base != base[c] || s.Later != later[c] || s.Delta != later[c]-base[c] || s.Survivors != base[c] {
				t.Errorf("%s: %+v; the service counted %d -> %d", s.Function, s, base[c], later[c])
			}
			if filepath.Base(s.File) != "main.go" || s.Line == 0 {
				t.Errorf("%s: site file %s:%d", s.Function, s.File, s.Line)
			}
			continue
		}
		if s.Delta != 0 {
			t.Errorf("%s (%s:%d) changed by %d; only the three leaks should", s.Function, s.File, s.Line, s.Delta)
		}
	}
}

func TestExport(t *testing.T) {
	dir := t.TempDir()
	var deepText strings.Builder
	deepText.WriteString("goroutine 1 [running]:\n")
	for i := range 20_000 {
		fmt.Fprintf(&deepText, "main.f%d()\n\t/src/main.go:%d +0x1\n", i, i+1)
	}
	deep := filepath.Join(dir, "deep.txt")
	if err := os.WriteFile(deep, []byte(deepText.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "diff flame.png")
	code, stdout, errs := run("export", "-o", out, "--width", "900", "--search", "NewClient", "--mode", "max",
		demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	if code != 0 || stdout != "" || errs != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, errs)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 900 || b.Dy() < 100 {
		t.Errorf("image is %v", b)
	}
	tests := []struct {
		desc string
		args []string
		code int
		want string
	}{
		{"no output", []string{"export", demo + "heap-later.pb.gz"}, 2, "export needs -o OUT.png"},
		{"bad palette", []string{"export", "-o", out, "--palette", "rainbow", demo + "heap-later.pb.gz"}, 2, `unknown palette "rainbow": use diverging or colorblind`},
		{"bad mode", []string{"export", "-o", out, "--mode", "wide", demo + "heap-later.pb.gz"}, 2, `unknown mode "wide": use later, base or max`},
		{"bad width", []string{"export", "-o", out, "--width", "10", demo + "heap-later.pb.gz"}, 2, "--width must be 200 to 16384 and --height 0 to 16384 pixels"},
		{"too tall", []string{"export", "-o", out, "--height", "20000", demo + "heap-later.pb.gz"}, 2, "--width must be 200 to 16384 and --height 0 to 16384 pixels"},
		{"NaN scale", []string{"export", "-o", out, "--scale", "NaN", demo + "heap-later.pb.gz"}, 2, "--scale must be a number from 0.25 to 4, not NaN"},
		{"tiny scale", []string{"export", "-o", out, "--scale", "0.02", demo + "heap-later.pb.gz"}, 2, "--scale must be a number from 0.25 to 4, not 0.02"},
		{"small scale", []string{"export", "-o", out, "--scale", "0.2", demo + "heap-base.pb.gz", demo + "heap-later.pb.gz"}, 2, "--scale must be a number from 0.25 to 4, not 0.2"},
		{"infinite scale", []string{"export", "-o", out, "--scale", "+Inf", demo + "heap-later.pb.gz"}, 2, "--scale must be a number from 0.25 to 4, not +Inf"},
		{"full height of a 20,000-frame stack", []string{"export", "-o", out, deep}, 2,
			"an image of 1600 × 360096 pixels is too large (at most 16384 pixels a side and 256 Mpx); 1600 × 16384 would fit: give --height (and --width) to draw the part that fits"},
		{"bad regexp", []string{"export", "-o", out, "--search", "(", demo + "heap-later.pb.gz"}, 2, "bad --search: error parsing regexp: missing closing ): `(`"},
		{"unwritable", []string{"export", "-o", filepath.Join(dir, "no", "x.png"), demo + "heap-later.pb.gz"}, 1, filepath.Join(dir, "no", "x.png") + ": no such file or directory"},
		{"mismatch", []string{"export", "-o", out, demo + "heap-base.pb.gz", demo + "goroutines-later.txt"}, 1,
			demo + "goroutines-later.txt: is a goroutine profile, but the base " + demo + "heap-base.pb.gz is a heap profile; they cannot be compared"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			code, _, errs := run(tt.args...)
			if code != tt.code || errs != "leakscope: "+tt.want+"\n" {
				t.Errorf("exit %d, stderr %q; want %d, %q", code, errs, tt.code, "leakscope: "+tt.want)
			}
		})
	}
}

// TestNoWindowWithoutADisplay checks the arguments that would open the
// window where it cannot open: each is a usage error, not a GLFW panic.
func TestNoWindowWithoutADisplay(t *testing.T) {
	t.Setenv("WAYLAND_DISPLAY", "")
	noDisplay := "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set); in a terminal, `leakscope report BASE LATER` prints the comparison and `leakscope export` draws it (see leakscope help)"
	tests := []struct {
		desc, display string
		args          []string
		want          string // "" when the window should open
	}{
		{"typo, with a display", ":99", []string{"reprot", demo + "heap-base.pb.gz"}, `unknown command "reprot": did you mean report? (see leakscope help)`},
		{"typo of export", "", []string{"exprot"}, `unknown command "exprot": did you mean export? (see leakscope help)`},
		{"unknown word", ":99", []string{"frobnicate"}, `unknown command "frobnicate", and no file of that name: use report, export, watch or help, or give dump files (see leakscope help)`},
		{"a file, no display", "", []string{demo + "heap-base.pb.gz"}, noDisplay},
		{"nothing, no display", "", nil, noDisplay},
		{"a file, with a display", ":99", []string{demo + "heap-base.pb.gz"}, ""},
		{"missing path, with a display", ":99", []string{"gone/heap.pb.gz"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Setenv("DISPLAY", tt.display)
			var out, errb bytes.Buffer
			code, handled := cli.Run(tt.args, &out, &errb)
			if tt.want == "" {
				if handled {
					t.Errorf("handled with exit %d: %s", code, errb.String())
				}
				return
			}
			if !handled || code != cli.ExitUsage || errb.String() != "leakscope: "+tt.want+"\n" {
				t.Errorf("handled %v, exit %d, stderr %q\nwant exit 2, leakscope: %s", handled, code, errb.String(), tt.want)
			}
		})
	}
}

// TestReportTagMatchesPprof: --tag key=value keeps the stacks labelled so,
// as `go tool pprof -tagfocus` does; both agree function by function.
func TestReportTagMatchesPprof(t *testing.T) {
	reftest.Reference(t)
	base, later, err := reftest.LabeledGoroutineProfiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tenant := range []string{"a", "b"} {
		code, out, errs := run("report", "--json", "--tag", "tenant="+tenant, base, later)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var r cli.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		got := map[string]cli.FunctionReport{}
		for _, f := range r.Functions {
			got[f.Name] = f
		}
		// The later dump alone, then the difference (pprof prints no rows
		// for a difference of zero).
		// Leakscope hides Go's runtime frames in goroutine profiles, as
		// their debug=2 form does; pprof is told to hide them too.
		const hide = "-hide=^(runtime|internal/runtime)[./]"
		alone, err := reftest.PprofTop(hide, "-tagfocus=tenant=^"+tenant+"$", later)
		if err != nil {
			t.Fatal(err)
		}
		for name, w := range alone {
			if g := got[name]; g.Flat.Later != w.Flat || g.Cum.Later != w.Cum {
				t.Errorf("tenant=%s %s: later flat %d cum %d; pprof flat %d cum %d", tenant, name, g.Flat.Later, g.Cum.Later, w.Flat, w.Cum)
			}
		}
		if r.Total.Delta != 0 {
			want, err := reftest.PprofTop(hide, "-tagfocus=tenant=^"+tenant+"$", "-base="+base, later)
			if err != nil {
				t.Fatal(err)
			}
			for name, w := range want {
				if g := got[name]; g.Flat.Delta != w.Flat || g.Cum.Delta != w.Cum {
					t.Errorf("tenant=%s %s: flat %+d cum %+d; pprof flat %+d cum %+d", tenant, name, g.Flat.Delta, g.Cum.Delta, w.Flat, w.Cum)
				}
			}
		}
		wantDelta := map[string]int64{"a": 3, "b": 0}[tenant]
		if r.Total.Delta != wantDelta {
			t.Errorf("tenant=%s: total %+d, want %+d", tenant, r.Total.Delta, wantDelta)
		}
	}
	if code, _, errs := run("report", "--tag", "tenant", base, later); code != cli.ExitUsage {
		t.Errorf("--tag without = exits %d: %s", code, errs)
	}
	// Dumps without labels: a clear error rather than an empty report.
	code, _, errs := run("report", "--tag", "tenant=a", demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	if code != cli.ExitDump || !strings.Contains(errs, "heap-later.pb.gz: no stack carries labels") {
		t.Errorf("--tag on unlabelled dumps: exit %d, %q", code, errs)
	}
}

// TestParseOpenArgs: the window's command line takes --binary in every form
// the flag package would, a single-letter path included.
func TestParseOpenArgs(t *testing.T) {
	tests := []struct {
		args            []string
		files, binaries string
		err             string
	}{
		{[]string{"a.pb.gz", "-binary=x", "b.pb.gz"}, "[a.pb.gz b.pb.gz]", "[x]", ""},
		{[]string{"--binary=./srv", "--binary", "lib.so", "a.heap"}, "[a.heap]", "[./srv lib.so]", ""},
		{[]string{"-binary", "x", "--", "-odd-name.txt"}, "[-odd-name.txt]", "[x]", ""},
		{[]string{"--binary="}, "", "", "--binary needs a value"},
		{[]string{"--binary"}, "", "", "flag needs an argument: -binary"},
		{[]string{"--frobnicate"}, "", "", "unknown flag --frobnicate"},
	}
	for _, tt := range tests {
		o, err := cli.ParseOpenArgs(tt.args)
		files, binaries := o.Files, o.Binaries
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil || fmt.Sprint(files) != tt.files || fmt.Sprint(binaries) != tt.binaries {
			t.Errorf("%q: files %v, binaries %v, %v; want %s and %s", tt.args, files, binaries, err, tt.files, tt.binaries)
		}
	}
}
