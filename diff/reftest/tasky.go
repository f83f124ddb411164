package reftest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// TaskySource is the directory of the tokio test service, from the module root.
const TaskySource = "diff/tokio/testdata/tasky"

// Tasky is one run of the tokio test service: its binary, its two dumps,
// what it counted at each dump, and the lines of its spawn calls.
type Tasky struct {
	Bin, Base, Later string
	// Source is the main.rs the binary was built from, as its DWARF names it.
	Source string
	// Counts are the tasks per site ("cache", "pool", "part", "blocking"):
	// [0] at the base dump, [1] at the later one.
	Counts [2]map[string]TaskCount
	// Lines are the lines of the spawn calls, by site, from the
	// "// site: NAME" comments of main.rs.
	Lines map[string]int64
}

// TaskCount is what the service counted of one site's tasks.
type TaskCount struct{ Live, Spawned int64 }

// NeedRust calls Missing unless cargo, rustc, Debian's tokio source and
// libjemalloc's development files are there to build the tokio test service.
func NeedRust(t testing.TB) {
	t.Helper()
	Reference(t)
	NeedTools(t, "cargo", "rustc")
	if _, err := tokioSource(); err != nil {
		Missing(t, err.Error())
	}
	if _, err := os.Stat("/usr/include/jemalloc/jemalloc.h"); err != nil {
		Missing(t, "jemalloc's development files are not installed (Debian: libjemalloc-dev)")
	}
}

// registry is Debian's directory of crate sources, as librust-*-dev install them.
const registry = "/usr/share/cargo/registry"

func tokioSource() (string, error) {
	m, _ := filepath.Glob(filepath.Join(registry, "tokio-1.*"))
	if len(m) == 0 {
		return "", fmt.Errorf("tokio's source is not in %s (Debian: librust-tokio-dev)", registry)
	}
	return m[0], nil
}

var (
	taskyMu   sync.Mutex
	taskyRuns = map[string]*Tasky{}
)

// TaskyDumps builds the tokio test service (TaskySource) offline against
// Debian's crate registry and libjemalloc, copies it into a directory of
// TempDir, and runs it there with
// MALLOC_CONF=prof:true,prof_accum:true,lg_prof_sample:LG: n1 requests
// before the base dump, n2 more before the later one. Runs are made once
// per test binary and arguments; see buildTasky for the build.
func TaskyDumps(lg, n1, n2 int) (*Tasky, error) {
	key := fmt.Sprint(lg, n1, n2)
	taskyMu.Lock()
	defer taskyMu.Unlock()
	if r, ok := taskyRuns[key]; ok {
		return r, nil
	}
	dir, err := TempDir("leakscope-tasky-")
	if err != nil {
		return nil, err
	}
	bin, src, err := buildTasky(dir)
	if err != nil {
		return nil, err
	}
	r := &Tasky{Bin: bin, Base: filepath.Join(dir, "base.heap"), Later: filepath.Join(dir, "later.heap"), Source: src}
	if r.Lines, err = siteLines(src); err != nil {
		return nil, err
	}
	run := exec.Command(bin, r.Base, r.Later, strconv.Itoa(n1), strconv.Itoa(n2))
	run.Env = append(os.Environ(), "MALLOC_CONF=prof:true,prof_accum:true,lg_prof_sample:"+strconv.Itoa(lg))
	out, err := run.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("running %s: %v\n%s", bin, err, out)
	}
	if err := r.parseCounts(out); err != nil {
		return nil, fmt.Errorf("%s: %v\n%s", bin, err, out)
	}
	taskyRuns[key] = r
	return r, nil
}

// cargoConfig makes cargo build offline from Debian's registry directory.
const cargoConfig = `[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "` + registry + `"

[net]
offline = true
`

// buildTasky builds the service and returns its binary (copied into dir)
// and the path of its main.rs. The sources are copied to a fixed directory
// in the user's cache directory (leakscope/tasky), rewritten only when they
// changed, and cargo's target directory is kept beside them, so that tokio
// is compiled once per machine and toolchain. A lock on that directory
// keeps test binaries that build at once from copying each other's binary.
func buildTasky(dir string) (bin, src string, err error) {
	root, err := moduleRoot()
	if err != nil {
		return "", "", err
	}
	cache := filepath.Join(dir, "cache")
	if c, err := os.UserCacheDir(); err == nil {
		cache = filepath.Join(c, "leakscope")
	}
	proj := filepath.Join(cache, "tasky")
	if err := os.MkdirAll(filepath.Join(proj, ".cargo"), 0o755); err != nil {
		return "", "", err
	}
	lock, err := os.OpenFile(filepath.Join(cache, "tasky.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", "", fmt.Errorf("locking %s: %v", lock.Name(), err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	files := map[string][]byte{".cargo/config.toml": []byte(cargoConfig)}
	for _, f := range []string{"Cargo.toml", "src/main.rs"} {
		b, err := os.ReadFile(filepath.Join(root, TaskySource, f))
		if err != nil {
			return "", "", err
		}
		files[f] = b
	}
	for f, b := range files {
		p := filepath.Join(proj, f)
		if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, b) {
			continue // unchanged: cargo need not rebuild
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", "", err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return "", "", err
		}
	}
	// Cargo writes the lock file in its own version's format, which an
	// older cargo cannot read; it is made again from the registry.
	if err := os.Remove(filepath.Join(proj, "Cargo.lock")); err != nil && !os.IsNotExist(err) {
		return "", "", err
	}
	target := filepath.Join(cache, "tasky-target")
	build := exec.Command("cargo", "build", "--offline", "--quiet")
	build.Dir = proj
	build.Env = append(os.Environ(), "CARGO_TARGET_DIR="+target)
	if out, err := build.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("cargo build in %s: %v\n%s", proj, err, out)
	}
	bin = filepath.Join(dir, "tasky")
	b, err := os.ReadFile(filepath.Join(target, "debug", "tasky"))
	if err != nil {
		return "", "", err
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		return "", "", err
	}
	return bin, filepath.Join(proj, "src", "main.rs"), nil
}

func moduleRoot() (string, error) {
	gocmd, err := GoCommand()
	if err != nil {
		return "", err
	}
	gomod, err := exec.Command(gocmd, "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(gomod))), nil
}

var siteRE = regexp.MustCompile(`// site: (\w+)`)

func siteLines(src string) (map[string]int64, error) {
	b, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := int64(1); sc.Scan(); n++ {
		if m := siteRE.FindStringSubmatch(sc.Text()); m != nil {
			out[m[1]] = n
		}
	}
	return out, nil
}

var countRE = regexp.MustCompile(`(\w+)=(\d+)/(\d+)`)

// parseCounts reads the lines "dump PATH site=LIVE/SPAWNED ...".
func (r *Tasky) parseCounts(out []byte) error {
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		if !strings.HasPrefix(line, "dump ") || n >= 2 {
			continue
		}
		r.Counts[n] = map[string]TaskCount{}
		for _, m := range countRE.FindAllStringSubmatch(line, -1) {
			live, _ := strconv.ParseInt(m[2], 10, 64)
			spawned, _ := strconv.ParseInt(m[3], 10, 64)
			r.Counts[n][m[1]] = TaskCount{live, spawned}
		}
		n++
	}
	if n != 2 {
		return fmt.Errorf("printed %d dump lines, want 2", n)
	}
	return nil
}

var jeprofTotalRE = regexp.MustCompile(`(?m)^Total: (-?\d+)`)

// JeprofTotal returns the total of `jeprof --text --show_bytes --SAMPLE
// --base=Base Bin Later`: the change in sample type sample (inuse_space,
// alloc_objects, …) between the two dumps, as jeprof counts it.
func (r *Tasky) JeprofTotal(t testing.TB, sample string) int64 {
	t.Helper()
	cmd := exec.Command("jeprof", "--text", "--show_bytes", "--"+sample, "--base="+r.Base, r.Bin, r.Later)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jeprof: %v\n%s", err, stderr.Bytes())
	}
	m := jeprofTotalRE.FindSubmatch(out)
	if m == nil {
		t.Fatalf("no total in jeprof's output:\n%s", out)
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n
}
