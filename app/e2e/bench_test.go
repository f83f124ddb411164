package e2e_test

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leakscope/leakscope/diff/reftest"
)

// BenchmarkFirstDrawVsReport starts the real window on the Go compiler's
// heap pair under Xvfb and times it from start to the first drawn flame
// graph, beside `leakscope report --json` on the same pair, in one run. It
// reports both, their ratio, and each one's peak RSS; and, as the
// toolkit's floor, the first draw of the tiny built-in demo.
func BenchmarkFirstDrawVsReport(b *testing.B) {
	base, later, err := reftest.SharedCompilerHeapPair()
	if err != nil {
		b.Fatal(err)
	}
	for _, tool := range []string{"Xvfb"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Fatalf("%s is needed: scripts/setup.sh test installs it", tool)
		}
	}
	dir := b.TempDir()
	gocmd, err := reftest.GoCommand()
	if err != nil {
		b.Fatal(err)
	}
	bin := dir + "/leakscope"
	build := exec.Command(gocmd, "build", "-o", bin, ".")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	display := startXvfb(b, "1280x800")
	var window, report, floor time.Duration
	var windowRSS, reportRSS int64
	n := 0
	// firstDraw starts the window with args and returns the time from exec
	// to its log line "first draw", and its peak RSS.
	firstDraw := func(args ...string) (time.Duration, int64) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "DISPLAY="+display, "LEAKSCOPE_DEBUG=1", "HOME="+dir, "XDG_RUNTIME_DIR="+dir)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(stderr)
		drawn := false
		for sc.Scan() {
			if strings.Contains(sc.Text(), "first draw") {
				drawn = true
				break
			}
		}
		took := time.Since(start)
		if !drawn {
			b.Fatal("the window never drew its graph")
		}
		time.Sleep(500 * time.Millisecond)
		rss := peakRSS(b, cmd.Process.Pid)
		cmd.Process.Kill()
		go func() {
			for sc.Scan() {
			}
		}()
		cmd.Wait()
		return took, rss
	}
	for b.Loop() {
		n++
		// The toolkit's own floor: the window on the tiny built-in demo.
		took, _ := firstDraw()
		floor += took
		// The window on the pair: from exec to its log line "first draw".
		took, rss := firstDraw(base, later)
		window += took
		windowRSS = max(windowRSS, rss)

		// The report, as a script runs it.
		rep := exec.Command(bin, "report", "--json", base, later)
		start := time.Now()
		if out, err := rep.CombinedOutput(); err != nil {
			b.Fatalf("report: %v\n%.500s", err, out)
		}
		report += time.Since(start)
		if ru, ok := rep.ProcessState.SysUsage().(*syscall.Rusage); ok {
			reportRSS = max(reportRSS, ru.Maxrss<<10)
		}
	}
	b.ReportMetric(window.Seconds()/float64(n), "window-first-draw-s")
	b.ReportMetric(report.Seconds()/float64(n), "report-s")
	b.ReportMetric(window.Seconds()/report.Seconds(), "window/report")
	b.ReportMetric(floor.Seconds()/float64(n), "demo-first-draw-s")
	b.ReportMetric(floor.Seconds()/report.Seconds(), "demo/report")
	b.ReportMetric(float64(windowRSS>>20), "window-peak-RSS-MiB")
	b.ReportMetric(float64(reportRSS>>20), "report-peak-RSS-MiB")
}

// peakRSS reads a running process's peak resident set size (VmHWM).
func peakRSS(b *testing.B, pid int) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	b.Fatal("no VmHWM")
	return 0
}

// TestMain runs the end-to-end tier. The unit tier (go test -short) skips
// it whole: every test here runs the real binary in a real X server.
func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("e2e tier: skipped by -short; make test runs it")
		os.Exit(0)
	}
	reftest.Main(m)
}
