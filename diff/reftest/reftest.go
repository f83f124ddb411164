// Package reftest runs the reference tools that tests check Leakscope
// against, and parses their output. It is for tests only.
package reftest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/leakscope/leakscope/diff"
)

// SkipReference names the environment variable that lets a test skip when
// a tool it checks against (jeprof, gcc, Xvfb…) is missing: set to 1.
// Without it such a test fails, so that a check cannot pass by not running.
const SkipReference = "LEAKSCOPE_SKIP_REFERENCE"

// Missing stops t because what it needs is missing, as msg says: it fails
// t, unless SkipReference is set to 1, when it skips t and says so on the
// test binary's standard error too, where go test shows it whatever the
// test's outcome.
func Missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv(SkipReference) == "1" {
		fmt.Fprintf(os.Stderr, "\n!!! SKIPPED %s: %s (%s=1)\n\n", t.Name(), msg, SkipReference)
		t.Skipf("SKIPPED because %s=1: %s", SkipReference, msg)
	}
	t.Fatalf("%s; scripts/setup.sh test installs it, or set %s=1 to skip the checks that need it", msg, SkipReference)
}

// Reference marks t as a test of the reference tier: it runs programs
// other than the test binary (go tool pprof, jeprof, gcc, cargo, builds of
// test programs). The unit tier (go test -short) skips it; make test runs
// it in its own tier.
func Reference(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("reference tier (runs other programs): skipped by -short; make test runs it")
	}
}

// errShort is what the helpers that run other programs return under -short,
// so that a unit test that reaches for one fails instead of slowing the
// unit tier down.
var errShort = errors.New("runs another program, which the unit tier (go test -short) does not: mark the test with reftest.Reference")

// NeedTools calls Missing unless every tool is on PATH. It fails t under
// -short: call Reference first.
func NeedTools(t testing.TB, tools ...string) {
	t.Helper()
	if testing.Short() {
		t.Fatalf("needs %v: %v", tools, errShort)
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			Missing(t, tool+" is not installed")
		}
	}
}

// Row is one function's flat and cum value in a `-top` report.
type Row struct {
	Flat, Cum int64
}

// GoCommand returns the path of the go command that runs the tests.
func GoCommand() (string, error) {
	if testing.Short() {
		return "", errShort
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	p := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("no go command on PATH or in GOROOT: %w", err)
	}
	return p, nil
}

// topRowRE matches a row of `pprof -top -unit=B` (or of jeprof --text):
// flat, flat%, sum%, cum, cum%, name.
var topRowRE = regexp.MustCompile(`^\s*(-?\d+)B?\s+-?[\d.]+%\s+-?[\d.]+%\s+(-?\d+)B?\s+-?[\d.]+%\s+(.*)$`)

var inlineSuffixRE = regexp.MustCompile(` \((?:partial-)?inline\)$`)

// ParseTop parses the rows of a `-top` report into rows by function name.
// It fails if a function is listed twice.
func ParseTop(out []byte) (map[string]Row, error) {
	rows := make(map[string]Row)
	for _, line := range strings.Split(string(out), "\n") {
		m := topRowRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		flat, err1 := strconv.ParseInt(m[1], 10, 64)
		cum, err2 := strconv.ParseInt(m[2], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("bad row %q", line)
		}
		name := inlineSuffixRE.ReplaceAllString(strings.TrimSpace(m[3]), "")
		if _, dup := rows[name]; dup {
			return nil, fmt.Errorf("function %q listed twice", name)
		}
		rows[name] = Row{Flat: flat, Cum: cum}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no rows in report:\n%s", out)
	}
	return rows, nil
}

// PprofTop runs `go tool pprof -top -nodefraction=0 -unit=B` with the extra
// arguments (e.g. -sample_index, -base, the files) and parses its rows.
func PprofTop(args ...string) (map[string]Row, error) {
	gocmd, err := GoCommand()
	if err != nil {
		return nil, err
	}
	full := append([]string{"tool", "pprof", "-top", "-nodefraction=0", "-unit=B"}, args...)
	cmd := exec.Command(gocmd, full...)
	cmd.Env = append(os.Environ(), "PPROF_TMPDIR="+os.TempDir(), "PPROF_BINARY_PATH=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %v\n%s", strings.Join(full, " "), err, stderr.Bytes())
	}
	return ParseTop(out)
}

// CompilerHeapPair writes two large real heap profiles into dir: the Go
// compiler's own, compiling go/types (base) and net/http (later) with
// -memprofilerate=64. They are about 4 and 5 MB gzipped, with 300k to 400k
// samples and stacks up to 130 frames deep. It returns their paths.
func CompilerHeapPair(dir string) (base, later string, err error) {
	gocmd, err := GoCommand()
	if err != nil {
		return "", "", err
	}
	src, err := cached("compiler-heap-pair", nil, nil, func(out string) error {
		_, _, err := compilerHeapPair(gocmd, out)
		return err
	})
	if err != nil {
		return "", "", err
	}
	p, err := linkInto(dir, src, "base.pb.gz", "later.pb.gz")
	if err != nil {
		return "", "", err
	}
	return p[0], p[1], nil
}

func compilerHeapPair(gocmd, dir string) (base, later string, err error) {
	prof := filepath.Join(dir, "prof") + string(os.PathSeparator)
	cmd := exec.Command(gocmd, "build", "-o", os.DevNull,
		"-gcflags=go/types=-memprofile="+prof+" -memprofilerate=64",
		"-gcflags=net/http=-memprofile="+prof+" -memprofilerate=64",
		"go/types", "net/http")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("compiling with -memprofile: %v\n%s", err, out)
	}
	base, later = filepath.Join(dir, "base.pb.gz"), filepath.Join(dir, "later.pb.gz")
	if err := os.Rename(filepath.Join(prof, "go%2Ftypes.memprof"), base); err != nil {
		return "", "", err
	}
	if err := os.Rename(filepath.Join(prof, "net%2Fhttp.memprof"), later); err != nil {
		return "", "", err
	}
	return base, later, nil
}

// LeakyDumps builds the demo service assets/demo/leakyd into dir and runs it
// there with args (e.g. "-base", "7", "-later", "19"), so that dir holds its
// dumps and counts. The build has inlining off, so that pprof's symbolization
// from the binary names the same functions as the dump's own comments, and
// GOEXPERIMENT=goroutineleakprofile, so that it writes goroutineleak profiles.
// It returns the binary's path.
func LeakyDumps(dir string, args ...string) (string, error) {
	bin, err := BuildLeakyd(dir)
	if err != nil {
		return "", err
	}
	run := exec.Command(bin, append([]string{"-out", dir}, args...)...)
	if out, err := run.CombinedOutput(); err != nil {
		return "", fmt.Errorf("running leakyd: %v\n%s", err, out)
	}
	return bin, nil
}

// BuildLeakyd builds the demo service into dir, as LeakyDumps does, and
// returns the binary's path.
func BuildLeakyd(dir string) (string, error) {
	gocmd, err := GoCommand()
	if err != nil {
		return "", err
	}
	gomod, err := exec.Command(gocmd, "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	srcs, err := filepath.Glob(filepath.Join(root, "assets", "demo", "leakyd", "*.go"))
	if err != nil {
		return "", err
	}
	built, err := cached("leakyd", append(srcs, filepath.Join(root, "go.mod")), nil, func(out string) error {
		build := exec.Command(gocmd, "build", "-gcflags=all=-l", "-o", filepath.Join(out, "leakyd"), "./assets/demo/leakyd")
		build.Dir = root
		build.Env = append(os.Environ(), "GOEXPERIMENT=goroutineleakprofile")
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("building leakyd: %v\n%s", err, out)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	p, err := linkInto(dir, built, "leakyd")
	if err != nil {
		return "", err
	}
	return p[0], os.Chmod(p[0], 0o755)
}

// Service is the demo service running with -serve on a port of its own.
type Service struct {
	URL string // http://127.0.0.1:PORT
	cmd *exec.Cmd
}

// StartService starts the demo service binary bin (see BuildLeakyd) on
// 127.0.0.1 port 0 and waits for the address it prints.
func StartService(bin string, args ...string) (*Service, error) {
	cmd := exec.Command(bin, append([]string{"-serve", "127.0.0.1:0"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if err != nil || !ok {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("leakyd -serve printed %q: %v", line, err)
	}
	return &Service{URL: addr, cmd: cmd}, nil
}

// Kill kills the service at once, as a crash would, and waits for it.
func (s *Service) Kill() {
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

var compilerPair struct {
	once        sync.Once
	base, later string
	err         error
}

var tempDirs struct {
	sync.Mutex
	dirs []string
}

// TempDir makes a temporary directory that outlives one test, for dumps a
// test binary makes once and shares; RemoveTempDirs (or Main) removes it.
func TempDir(prefix string) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", err
	}
	tempDirs.Lock()
	tempDirs.dirs = append(tempDirs.dirs, dir)
	tempDirs.Unlock()
	return dir, nil
}

// RemoveTempDirs removes the directories TempDir made.
func RemoveTempDirs() {
	tempDirs.Lock()
	defer tempDirs.Unlock()
	for _, d := range tempDirs.dirs {
		os.RemoveAll(d)
	}
	tempDirs.dirs = nil
}

// Main runs the tests of a package that uses TempDir (directly or through
// SharedCompilerHeapPair), removes its directories and exits.
func Main(m *testing.M) {
	code := m.Run()
	RemoveTempDirs()
	os.Exit(code)
}

// SharedCompilerHeapPair makes the pair of CompilerHeapPair once per test
// binary, in a directory of TempDir, and returns its paths.
func SharedCompilerHeapPair() (base, later string, err error) {
	p := &compilerPair
	p.once.Do(func() {
		dir, err := TempDir("leakscope-bench-")
		if err != nil {
			p.err = err
			return
		}
		p.base, p.later, p.err = CompilerHeapPair(dir)
	})
	return p.base, p.later, p.err
}

// ParseFuzzInput parses data as a dump named "fuzz", as the fuzz targets do.
// It fails t when loading panicked (diff.ErrInternal) or when an error does
// not name the file, and returns nil for input that is rightly refused.
func ParseFuzzInput(t testing.TB, data []byte) *diff.Dump {
	t.Helper()
	d, err := diff.Parse(context.Background(), data, "fuzz", nil)
	switch {
	case errors.Is(err, diff.ErrInternal):
		t.Fatal(err)
	case err != nil && !strings.HasPrefix(err.Error(), "fuzz: "):
		t.Fatalf("error does not name the file: %v", err)
	}
	return d
}

// seriesPackages are compiled for CompilerHeapSeries: large packages, so
// that each heap profile is of the size of CompilerHeapPair's.
var seriesPackages = []string{"go/types", "net/http", "go/parser", "encoding/json", "crypto/tls",
	"text/template", "go/printer", "net", "compress/flate", "archive/tar", "debug/elf", "image/png"}

// CompilerHeapSeries writes n (at most 12) real heap profiles of the Go
// compiler into dir, one per package compiled with -memprofilerate=64, named
// heap-0001-….pb.gz and so on as leakscope watch names them, and returns
// their paths in order.
func CompilerHeapSeries(dir string, n int) ([]string, error) {
	gocmd, err := GoCommand()
	if err != nil {
		return nil, err
	}
	if n > len(seriesPackages) {
		return nil, fmt.Errorf("at most %d snapshots", len(seriesPackages))
	}
	prof := filepath.Join(dir, "prof") + string(os.PathSeparator)
	args := []string{"build", "-o", os.DevNull}
	for _, p := range seriesPackages[:n] {
		args = append(args, "-gcflags="+p+"=-memprofile="+prof+" -memprofilerate=64")
	}
	cmd := exec.Command(gocmd, append(args, seriesPackages[:n]...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("compiling with -memprofile: %v\n%s", err, out)
	}
	var paths []string
	for i, p := range seriesPackages[:n] {
		name := filepath.Join(dir, fmt.Sprintf("heap-%04d-20260101T%02d0000Z.pb.gz", i+1, i))
		if err := os.Rename(filepath.Join(prof, strings.ReplaceAll(p, "/", "%2F")+".memprof"), name); err != nil {
			return nil, err
		}
		paths = append(paths, name)
	}
	return paths, nil
}
