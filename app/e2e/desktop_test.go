package e2e_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leakscope/leakscope/diff/reftest"
)

// desktopEnv is an XDG environment rooted in a temporary home, so that
// `make install` and the lookups touch nothing of the machine's own.
type desktopEnv struct {
	home, prefix, data string
	env                []string
}

func newDesktopEnv(t *testing.T) *desktopEnv {
	t.Helper()
	need(t, "make", "desktop-file-validate", "xdg-mime", "mimetype", "update-mime-database", "update-desktop-database", "gio")
	home := t.TempDir()
	d := &desktopEnv{home: home, prefix: filepath.Join(home, ".local")}
	d.data = filepath.Join(d.prefix, "share")
	// `make install` builds with go: keep its caches, which default to $HOME.
	gocmd, err := reftest.GoCommand()
	if err != nil {
		t.Fatal(err)
	}
	goenv, err := exec.Command(gocmd, "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatal(err)
	}
	v := strings.Split(strings.TrimSpace(string(goenv)), "\n")
	d.env = append(os.Environ(),
		"GOCACHE="+v[0], "GOMODCACHE="+v[1], "GOPATH="+v[2],
		"HOME="+home,
		"XDG_DATA_HOME="+d.data,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_DATA_DIRS="+d.data+":/usr/local/share:/usr/share",
		// PATH does not hold the install prefix, as for many users: the
		// desktop entry must work without it.
		"PATH="+os.Getenv("PATH"),
		"XDG_CURRENT_DESKTOP=",
		// Windows of this test meet only one another over their socket.
		"XDG_RUNTIME_DIR="+home,
	)
	return d
}

func (d *desktopEnv) output(t *testing.T, extra []string, name string, args ...string) string {
	t.Helper()
	c := exec.Command(name, args...)
	c.Env = append(append([]string{}, d.env...), extra...)
	c.Dir = "../.."
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestDesktopIntegration installs Leakscope under a private XDG_DATA_HOME
// with `make install`, checks the desktop entry and the MIME types, and opens
// files the way a file manager does (gio open, gio launch) in Xvfb.
func TestDesktopIntegration(t *testing.T) {
	d := newDesktopEnv(t)
	d.output(t, nil, "make", "install", "PREFIX="+d.prefix)
	entry := filepath.Join(d.data, "applications", "io.github.leakscope.desktop")
	d.output(t, nil, "desktop-file-validate", entry)
	if strings.Contains(os.Getenv("PATH"), d.prefix) {
		t.Fatalf("PATH %s holds the install prefix %s", os.Getenv("PATH"), d.prefix)
	}
	bin := filepath.Join(d.prefix, "bin", "leakscope")
	lines := strings.Split(readFile(entry), "\n")
	for _, want := range []string{"Exec=" + bin + " %F", "TryExec=" + bin} {
		if !slices.Contains(lines, want) {
			t.Errorf("%s lacks the line %s:\n%s", entry, want, readFile(entry))
		}
	}
	if got := d.output(t, nil, "gio", "mime", "application/x-pprof"); !strings.Contains(got, "Default application for “application/x-pprof”: io.github.leakscope.desktop") {
		t.Errorf("gio mime application/x-pprof, with the prefix off PATH:\n%s", got)
	}

	dumps := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dumps, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	heap, err := os.ReadFile(demo + "heap-later.pb.gz")
	if err != nil {
		t.Fatal(err)
	}
	heapBase, err := os.ReadFile(demo + "heap-base.pb.gz")
	if err != nil {
		t.Fatal(err)
	}
	jemalloc := []byte("heap_v2/524288\n  t*: 28106: 56637512 [0: 0]\n")
	files := map[string]string{
		write("later heap.pb.gz", heap):  "application/x-pprof",
		write("base.pprof", heapBase):    "application/x-pprof",
		write("prod.heap", jemalloc):     "application/x-jemalloc-heap",
		write("jemalloc-dump", jemalloc): "application/x-jemalloc-heap",
		write("goroutines", []byte("goroutine 1 [running]:\nmain.main()\n\t/src/m.go:3 +0x1\n")):      "text/x-go-goroutines",
		write("sigquit", []byte("goroutine 27 [select, 3 minutes]:\nmain.w()\n\t/src/m.go:9 +0x1\n")): "text/x-go-goroutines",
		write("notes.txt", []byte("goroutine profile: total 3\nis text\n")):                           "text/plain",
		write("archive.gz", gzipped(t, "not a profile")):                                              "application/gzip",
	}
	for _, desktop := range []string{"", "GNOME"} {
		for path, want := range files {
			got := d.output(t, []string{"XDG_CURRENT_DESKTOP=" + desktop}, "xdg-mime", "query", "filetype", path)
			if got != want {
				t.Errorf("desktop %q: xdg-mime query filetype %s = %q, want %q", desktop, filepath.Base(path), got, want)
			}
		}
	}
	// GNOME's file manager asks GIO, which takes a suffix glob over the
	// content: names that end as dumps are usually named are ours there
	// too, where ordinary .txt files stay text.
	dump := []byte("goroutine 1 [running]:\nmain.main()\n\t/src/m.go:3 +0x1\n")
	for name, want := range map[string]string{"goroutines.txt": "text/x-go-goroutines", "prod-goroutine.txt": "text/x-go-goroutines",
		"later-goroutines.txt": "text/x-go-goroutines", "readme.txt": "text/plain"} {
		got := d.output(t, nil, "gio", "info", "-a", "standard::content-type", write(name, dump))
		if !strings.Contains(got, "standard::content-type: "+want) {
			t.Errorf("gio info %s: %q, want %s", name, got, want)
		}
	}
	for _, typ := range []string{"application/x-pprof", "application/x-jemalloc-heap", "text/x-go-profile", "text/x-go-goroutines"} {
		if got := d.output(t, nil, "xdg-mime", "query", "default", typ); got != "io.github.leakscope.desktop" {
			t.Errorf("xdg-mime query default %s = %q", typ, got)
		}
	}

	// Double-click: gio open starts the installed app with the file.
	need(t, "Xvfb")
	display := startXvfb(t, "1280x800")
	log := filepath.Join(d.home, "leakscope.log")
	x := []string{"DISPLAY=" + display, "LEAKSCOPE_DEBUG=1", "LEAKSCOPE_LOG=" + log}
	later := filepath.Join(dumps, "later heap.pb.gz")
	d.launch(t, x, "gio", "open", later)
	waitOpened(t, log, later)

	// Double-click one dump, then another: the second launch hands its
	// file to the window of the first, which compares the two.
	os.Remove(log)
	base := filepath.Join(dumps, "base.pprof")
	d.launch(t, x, "gio", "open", base)
	waitFor(t, "the first window", 30*time.Second, func() bool {
		if strings.Contains(readFile(log), "msg=\"first draw\"") {
			return true
		}
		outs, _ := filepath.Glob(filepath.Join(d.home, "launch-*.log"))
		for _, o := range outs {
			if strings.Contains(readFile(o), "panic") {
				t.Fatalf("the app failed:\n%s", readFile(o))
			}
		}
		return false
	})
	d.launch(t, x, "gio", "open", later)
	waitFor(t, "the second file in the first window", 30*time.Second, func() bool {
		return strings.Contains(readFile(log), "msg=\"files handed over\"") && strings.Count(readFile(log), "msg=opened") >= 2
	})
	if n := strings.Count(readFile(log), "msg=start"); n != 1 {
		t.Errorf("two double-clicks started %d windows, want one:\n%s", n, readFile(log))
	}
	waitOpened(t, log, base, later)

	// "Open with Leakscope" on two selected files passes both (%F).
	os.Remove(log)
	d.launch(t, x, "gio", "launch", entry, base, later)
	waitOpened(t, log, base, later)
	if n := strings.Count(readFile(log), "msg=start"); n != 1 {
		t.Errorf("two files started %d processes, want one", n)
	}

	d.output(t, nil, "make", "uninstall", "PREFIX="+d.prefix)
	if _, err := os.Stat(entry); !os.IsNotExist(err) {
		t.Errorf("make uninstall left %s", entry)
	}
	if got := d.output(t, nil, "xdg-mime", "query", "filetype", filepath.Join(dumps, "prod.heap")); got == "application/x-jemalloc-heap" {
		t.Error("make uninstall left the MIME type registered")
	}
}

// launch runs a command that starts the app, without waiting for the app:
// its output goes to a file, not to a pipe the app would keep open.
func (d *desktopEnv) launch(t *testing.T, extra []string, name string, args ...string) {
	t.Helper()
	out, err := os.CreateTemp(d.home, "launch-*.log")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	c := exec.Command(name, args...)
	c.Env = append(append([]string{}, d.env...), extra...)
	c.Stdout, c.Stderr = out, out
	if err := c.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, readFile(out.Name()))
	}
}

// running reports whether pid is a live process (not gone, not a zombie).
func running(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}

// waitOpened waits until the app's log shows every path opened, then stops the app.
func waitOpened(t *testing.T, log string, paths ...string) {
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s:\n%s", log, readFile(log))
			// What the launchers and the app wrote to their output.
			outs, _ := filepath.Glob(filepath.Join(filepath.Dir(log), "launch-*.log"))
			for _, o := range outs {
				t.Logf("%s:\n%s", o, readFile(o))
			}
		}
	})
	waitFor(t, "the app to open "+strings.Join(paths, ", "), 30*time.Second, func() bool {
		s := readFile(log)
		for _, p := range paths {
			if !strings.Contains(s, "msg=opened path=\""+p+"\"") && !strings.Contains(s, "msg=opened path="+p+" ") {
				return false
			}
		}
		return true
	})
	for _, line := range strings.Split(readFile(log), "\n") {
		if i := strings.Index(line, "msg=start pid="); i >= 0 {
			f := strings.Fields(line[i+len("msg=start pid="):])
			if pid, err := strconv.Atoi(f[0]); err == nil {
				syscall.Kill(pid, syscall.SIGTERM)
				waitFor(t, "the app to exit", 10*time.Second, func() bool { return !running(pid) })
			}
		}
	}
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(s))
	zw.Close()
	return buf.Bytes()
}
