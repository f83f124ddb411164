package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/leakscope/leakscope/diff/reftest"
)

func compilerPair() ([2]string, error) {
	base, later, err := reftest.SharedCompilerHeapPair()
	return [2]string{base, later}, err
}

// BenchmarkReportVsPprof runs `leakscope report --json` and
// `go tool pprof -top -base` as processes on the Go compiler's heap pair
// (4.3 and 5.1 MB gzipped) and reports each one's time and peak RSS, so the
// ratio comes from one run on one machine.
func BenchmarkReportVsPprof(b *testing.B) {
	pair, err := compilerPair()
	if err != nil {
		b.Fatal(err)
	}
	gocmd, err := reftest.GoCommand()
	if err != nil {
		b.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	// Build pprof before timing it.
	if out, err := exec.Command(gocmd, "tool", "-n", "pprof").CombinedOutput(); err != nil {
		b.Fatalf("go tool -n pprof: %v\n%s", err, out)
	}
	cmds := []struct {
		name string
		cmd  func() *exec.Cmd
	}{
		{"leakscope", func() *exec.Cmd {
			c := exec.Command(self, "report", "--json", "--sample", "inuse_space", pair[0], pair[1])
			c.Env = append(os.Environ(), childEnv+"=1")
			return c
		}},
		{"pprof", func() *exec.Cmd {
			return exec.Command(gocmd, "tool", "pprof", "-top", "-nodefraction=0", "-unit=B",
				"-sample_index=inuse_space", "-symbolize=none", "-base="+pair[0], pair[1])
		}},
	}
	for _, c := range cmds {
		b.Run(c.name, func(b *testing.B) {
			var maxRSS int64
			var wall time.Duration
			for b.Loop() {
				cmd := c.cmd()
				start := time.Now()
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%v: %v\n%.2000s", cmd.Args, err, out)
				}
				wall += time.Since(start)
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					maxRSS = max(maxRSS, ru.Maxrss) // KiB on Linux
				}
			}
			b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MiB")
		})
	}
}

// BenchmarkReportVsZcat runs `leakscope report` (the text table) and
// `zcat` of the same two files as processes, one after the other in each
// iteration, on the Go compiler's heap pair, and reports the median wall
// time of each, their ratio and report's peak RSS, so that the ratio comes
// from one run on one machine. zcat only decompresses the dumps: it is the
// floor that reading them cannot go below.
func BenchmarkReportVsZcat(b *testing.B) {
	pair, err := compilerPair()
	if err != nil {
		b.Fatal(err)
	}
	zcat, err := exec.LookPath("zcat")
	if err != nil {
		reftest.Missing(b, "zcat is not installed")
	}
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer null.Close()
	// run runs cmd with its output thrown away, as a file so that no
	// goroutine of this process copies it, and returns its wall time.
	run := func(cmd *exec.Cmd) time.Duration {
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = null, &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("%v: %v\n%.2000s", cmd.Args, err, stderr.Bytes())
		}
		return time.Since(start)
	}
	var reports, zcats []time.Duration
	var maxRSS int64
	for b.Loop() {
		cmd := exec.Command(self, "report", pair[0], pair[1])
		cmd.Env = append(os.Environ(), childEnv+"=1")
		reports = append(reports, run(cmd))
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			maxRSS = max(maxRSS, ru.Maxrss) // KiB on Linux
		}
		zcats = append(zcats, run(exec.Command(zcat, pair[0], pair[1])))
	}
	median := func(ds []time.Duration) time.Duration {
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	r, z := median(reports), median(zcats)
	b.ReportMetric(float64(r)/float64(time.Millisecond), "report-ms")
	b.ReportMetric(float64(z)/float64(time.Millisecond), "zcat-ms")
	b.ReportMetric(float64(r)/float64(z), "report/zcat")
	b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MiB")
}

// BenchmarkSeriesVsPair runs `leakscope report --json` as a process on ten
// heap profiles of the Go compiler's size (a series: load and rank) and on
// two of them (a pair), and reports each one's time and peak RSS, so that
// the ratio comes from one run on one machine.
func BenchmarkSeriesVsPair(b *testing.B) {
	dir, err := reftest.TempDir("leakscope-series-")
	if err != nil {
		b.Fatal(err)
	}
	files, err := reftest.CompilerHeapSeries(dir, 10)
	if err != nil {
		b.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		files []string
	}{{"series-10", files}, {"pair", files[:2]}} {
		b.Run(c.name, func(b *testing.B) {
			var maxRSS int64
			for b.Loop() {
				cmd := exec.Command(self, append([]string{"report", "--json", "--sample", "inuse_space"}, c.files...)...)
				cmd.Env = append(os.Environ(), childEnv+"=1")
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%v: %v\n%.2000s", cmd.Args, err, out)
				}
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					maxRSS = max(maxRSS, ru.Maxrss)
				}
			}
			b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MiB")
		})
	}
}

// BenchmarkHTMLCompilerPair runs `leakscope export --html` and `leakscope
// report` as processes on the Go compiler's heap pair, one after the other
// in each iteration, and reports the median time of each and their ratio;
// then opens the page in headless Chromium and reports its size and the
// time from the start of its navigation to its first drawn graph.
func BenchmarkHTMLCompilerPair(b *testing.B) {
	pair, err := compilerPair()
	if err != nil {
		b.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "compiler.html")
	run := func(args ...string) time.Duration {
		cmd := exec.Command(self, args...)
		cmd.Env = append(os.Environ(), childEnv+"=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("%v: %v\n%.2000s", args, err, stderr.Bytes())
		}
		return time.Since(start)
	}
	var exports, reports []time.Duration
	for b.Loop() {
		exports = append(exports, run("export", "--html", "-o", out, pair[0], pair[1]))
		reports = append(reports, run("report", pair[0], pair[1]))
	}
	median := func(ds []time.Duration) time.Duration {
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	e, r := median(exports), median(reports)
	st, err := os.Stat(out)
	if err != nil {
		b.Fatal(err)
	}
	br := reftest.OpenPage(b, out, 1280, 900)
	drawn := reftest.Eval[float64](b, br, `leakscope.drawn`)
	if errs := br.Errors(); len(errs) > 0 {
		b.Fatalf("the page logged errors: %q", errs)
	}
	b.ReportMetric(float64(e)/float64(time.Millisecond), "export-ms")
	b.ReportMetric(float64(r)/float64(time.Millisecond), "report-ms")
	b.ReportMetric(float64(e)/float64(r), "export/report")
	b.ReportMetric(float64(st.Size())/1e6, "page-MB")
	b.ReportMetric(drawn, "page-draw-ms")
}
