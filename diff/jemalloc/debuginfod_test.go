package jemalloc_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leakscope/leakscope/cli"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/debuginfod"
	"github.com/leakscope/leakscope/diff/jemalloc"
	"github.com/leakscope/leakscope/diff/reftest"
)

// strippedSet is leaky.c's dumps, the program stripped in place (the path
// its dumps record), and the debug file made from it before stripping.
type strippedSet struct {
	dumpSet
	debug string // objcopy --only-keep-debug of the program, alone in its folder
	full  string // a copy of the program before it was stripped
	id    string // the program's build ID
	want  []string
}

// makeStripped runs leaky.c, reads its dumps with the whole program as the
// reference, then strips it in place.
func makeStripped(t *testing.T) strippedSet {
	t.Helper()
	need(t)
	reftest.NeedTools(t, "objcopy", "strip", "readelf", "debuginfod")
	dir := t.TempDir()
	var s strippedSet
	var err error
	s.base, s.later = filepath.Join(dir, "base.heap"), filepath.Join(dir, "later.heap")
	if s.bin, err = reftest.BuildLeakyC(dir, "leaky"); err != nil {
		t.Fatal(err)
	}
	run := exec.Command(s.bin, s.base, s.later, "40", "100")
	run.Env = append(os.Environ(), "MALLOC_CONF=prof:true,prof_accum:true,lg_prof_sample:0")
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("leaky: %v\n%s", err, out)
	}
	s.want = canon(t, &diff.Options{}, s.base, s.later)
	srv := filepath.Join(dir, "served")
	if err := os.Mkdir(srv, 0o755); err != nil {
		t.Fatal(err)
	}
	s.debug = filepath.Join(srv, "leaky.debug")
	s.full = filepath.Join(t.TempDir(), "leaky")
	if b, err := os.ReadFile(s.bin); err != nil || os.WriteFile(s.full, b, 0o755) != nil {
		t.Fatalf("copying %s: %v", s.bin, err)
	}
	for _, args := range [][]string{{"objcopy", "--only-keep-debug", s.bin, s.debug}, {"strip", "--strip-all", s.bin}} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	out, err := exec.Command("readelf", "-n", s.bin).Output()
	if err != nil {
		t.Fatalf("readelf -n: %v", err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if _, id, ok := strings.Cut(l, "Build ID: "); ok {
			s.id = strings.TrimSpace(id)
		}
	}
	if s.id == "" {
		t.Fatalf("no build ID in %s:\n%s", s.bin, out)
	}
	return s
}

// canon opens the dumps and returns every stack of each, function names
// with file:line and values, sorted: equal for equal symbolization.
func canon(t *testing.T, opts *diff.Options, paths ...string) []string {
	t.Helper()
	dumps, err := diff.OpenAll(context.Background(), opts, paths...)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for di, d := range dumps {
		for i := 0; i < d.NumStacks(); i++ {
			var names []string
			for _, f := range d.Stack(i) {
				names = append(names, d.Frame(f).String())
			}
			out = append(out, fmt.Sprintf("%d %s %v", di, strings.Join(names, " < "), d.Values(i)))
		}
	}
	sort.Strings(out)
	return out
}

// report runs `leakscope report --json ARGS` and returns its output.
func report(t *testing.T, stderr *bytes.Buffer, args ...string) string {
	t.Helper()
	var out, errs bytes.Buffer
	if code, _ := cli.Run(append([]string{"report", "--json"}, args...), &out, &errs); code != 0 {
		t.Fatalf("report %v: exit %d: %s", args, code, errs.String())
	}
	if stderr != nil {
		stderr.Write(errs.Bytes())
	}
	return out.String()
}

func notes(t *testing.T, opts *diff.Options, path string) (notes, warnings string) {
	t.Helper()
	d, err := diff.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(d.Notes, "\n"), strings.Join(append(d.Warnings, d.SymbolWarnings...), "\n")
}

// TestDebuginfod symbolizes a stripped program through Debian's debuginfod
// server, which indexes the program's objcopy --only-keep-debug file: the
// names (static functions too), lines and values are those of the program
// before it was stripped. A second run finds the file in the cache with
// the server stopped.
func TestDebuginfod(t *testing.T) {
	s := makeStripped(t)
	if got := canon(t, &diff.Options{}, s.base, s.later); equal(got, s.want) {
		t.Fatal("the stripped program gives the same frames as the whole one: the test proves nothing")
	}
	url, stop := reftest.StartDebuginfod(t, filepath.Dir(s.debug))
	cache := t.TempDir()
	c := &debuginfod.Client{Servers: []string{url}, Cache: cache, Timeout: 20 * time.Second}
	opts := &diff.Options{Debuginfod: c}
	if got := canon(t, opts, s.base, s.later); !equal(got, s.want) {
		t.Errorf("through debuginfod:\n%s\nwant, as with the whole program:\n%s", strings.Join(got, "\n"), strings.Join(s.want, "\n"))
	}
	if !strings.Contains(strings.Join(s.want, "\n"), "cache_new") {
		t.Errorf("the static function cache_new is not named:\n%s", strings.Join(s.want, "\n"))
	}
	if _, err := os.Stat(filepath.Join(cache, s.id, "debuginfo")); err != nil {
		t.Errorf("the debug file is not cached in the elfutils layout: %v", err)
	}
	if n, _ := notes(t, opts, s.base); !strings.Contains(n, s.bin+": symbols from ") || !strings.Contains(n, url) {
		t.Errorf("notes %q do not say the symbols came from %s", n, url)
	}

	// As a user runs it: the program moved away from the path the dumps
	// record, stripped, given with --binary; the server from DEBUGINFOD_URLS.
	whole := report(t, nil, "--binary", s.full, s.base, s.later)
	moved := filepath.Join(t.TempDir(), "leaky")
	if err := os.Rename(s.bin, moved); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DEBUGINFOD_URLS", url)
	t.Setenv("DEBUGINFOD_CACHE_PATH", t.TempDir())
	var errs bytes.Buffer
	if got := report(t, &errs, "--binary", moved, s.base, s.later); got != whole {
		t.Errorf("report --binary STRIPPED with DEBUGINFOD_URLS:\n%s\nwant, as with the whole program:\n%s", got, whole)
	}
	if !strings.Contains(errs.String(), "note: "+moved+": symbols from ") {
		t.Errorf("stderr does not say where the symbols came from:\n%s", errs.String())
	}
	if err := os.Rename(moved, s.bin); err != nil {
		t.Fatal(err)
	}

	stop()
	c2 := &debuginfod.Client{Servers: []string{url}, Cache: cache, Timeout: 20 * time.Second}
	opts2 := &diff.Options{Debuginfod: c2}
	if got := canon(t, opts2, s.base, s.later); !equal(got, s.want) {
		t.Errorf("from the cache, the server stopped:\n%s", strings.Join(got, "\n"))
	}
	if n, w := notes(t, opts2, s.base); !strings.Contains(n, "in the debuginfod cache") || strings.Contains(w, s.bin) {
		t.Errorf("from the cache: notes %q, warnings %q", n, w)
	}
}

// TestDebugDirs finds the debug file in a folder given (--debug-dir), laid
// out by build ID as /usr/lib/debug is, or by name.
func TestDebugDirs(t *testing.T) {
	s := makeStripped(t)
	byID := t.TempDir()
	sub := filepath.Join(byID, ".build-id", s.id[:2])
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(s.debug, filepath.Join(sub, s.id[2:]+".debug")); err != nil {
		t.Fatal(err)
	}
	byName := filepath.Dir(s.debug) // holds leaky.debug
	for _, dir := range []string{byID, byName} {
		if got := canon(t, &diff.Options{DebugDirs: []string{t.TempDir(), dir}}, s.base, s.later); !equal(got, s.want) {
			t.Errorf("--debug-dir %s:\n%s", dir, strings.Join(got, "\n"))
		}
	}
	// The command line: names as the whole program gives them.
	var out, errs bytes.Buffer
	if code, _ := cli.Run([]string{"report", "--json", "--debug-dir", byID, s.base, s.later}, &out, &errs); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errs.String())
	}
	if !strings.Contains(out.String(), `"name": "cache_new"`) || !strings.Contains(errs.String(), "note: "+s.bin+": symbols from "+filepath.Join(sub, s.id[2:]+".debug")) {
		t.Errorf("report --debug-dir: %s\n%s", out.String(), errs.String())
	}
	if code, _ := cli.Run([]string{"report", "--debug-dir", filepath.Join(byID, "nope"), s.base, s.later}, io.Discard, &errs); code != cli.ExitUsage || !strings.Contains(errs.String(), "nope: not a folder") {
		t.Errorf("a --debug-dir that is no folder: exit %d: %s", code, errs.String())
	}
}

// TestDebuginfodBounded: a server that accepts and never answers costs the
// timeout, once, and the dump is still shown, with a warning that says so.
func TestDebuginfodBounded(t *testing.T) {
	s := makeStripped(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		var held []net.Conn
		for {
			c, err := l.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			conns.Add(1)
			held = append(held, c) // read nothing, answer nothing
		}
	}()
	defer func() { l.Close(); <-done }()
	c := &debuginfod.Client{Servers: []string{"http://" + l.Addr().String()}, Cache: t.TempDir(), Timeout: 300 * time.Millisecond}
	d, err := diff.OpenAll(context.Background(), &diff.Options{Debuginfod: c}, s.base, s.later)
	if err != nil {
		t.Fatal(err)
	}
	w := strings.Join(d[0].SymbolWarnings, "\n")
	if !strings.Contains(w, s.bin+" has no symbols") || !strings.Contains(w, "no answer within 300ms") {
		t.Errorf("warnings %q do not say the server did not answer", w)
	}
	if d[0].Total(0) == 0 {
		t.Error("the dump is empty")
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("the silent server was asked %d times; once it failed it should not be asked again", n)
	}
}

// TestNoServerNoNetwork: with DEBUGINFOD_URLS unset, report asks no server,
// as a server that records every connection shows; given with --debuginfod,
// the same server is asked (the recorder works).
func TestNoServerNoNetwork(t *testing.T) {
	s := makeStripped(t)
	var hits atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.NotFound(w, r)
	}))
	srv.Listener = countingListener{srv.Listener, &hits}
	srv.Start()
	defer srv.Close()
	t.Setenv("DEBUGINFOD_URLS", "")
	t.Setenv("DEBUGINFOD_CACHE_PATH", t.TempDir())
	var errs bytes.Buffer
	if code, _ := cli.Run([]string{"report", s.base, s.later}, io.Discard, &errs); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errs.String())
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("with no server set, %d connections were made", n)
	}
	if !strings.Contains(errs.String(), "no debuginfod server is set") {
		t.Errorf("the warning does not say no server is set:\n%s", errs.String())
	}
	errs.Reset()
	if code, _ := cli.Run([]string{"report", "--debuginfod", srv.URL, s.base, s.later}, io.Discard, &errs); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errs.String())
	}
	if n := hits.Load(); n == 0 {
		t.Errorf("--debuginfod %s made no connection", srv.URL)
	}
	if !strings.Contains(errs.String(), "debuginfod: no server has it") {
		t.Errorf("the warning does not say the server lacks the file:\n%s", errs.String())
	}
}

type countingListener struct {
	net.Listener
	n *atomic.Int32
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

func equal(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n")
}

// TestLookupSaidOnce: that a stripped program's symbols were found nowhere
// is said once by report, however many of its dumps are compared.
func TestLookupSaidOnce(t *testing.T) {
	s := makeStripped(t)
	t.Setenv("DEBUGINFOD_URLS", "")
	t.Setenv("DEBUGINFOD_CACHE_PATH", t.TempDir())
	var errs bytes.Buffer
	report(t, &errs, s.base, s.later)
	if n := strings.Count(errs.String(), s.bin+" has no symbols"); n != 1 {
		t.Errorf("said %d times:\n%s", n, errs.String())
	}
}

// TestBadDownloadsNotCached: a server that sends another program's file,
// or half of the right one without a length, leaves nothing in the cache,
// which other tools share; a bad file already there is replaced by the
// good server's.
func TestBadDownloadsNotCached(t *testing.T) {
	s := makeStripped(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(s.debug)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		desc string
		body []byte
	}{{"another program", other}, {"half, without a length", good[:len(good)/2]}} {
		t.Run(tt.desc, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.(http.Flusher).Flush() // no Content-Length
				w.Write(tt.body)
			}))
			defer srv.Close()
			cache := t.TempDir()
			c := debuginfod.New([]string{srv.URL})
			c.Cache, c.Check = cache, jemalloc.CheckDebugFile
			d, err := diff.Open(context.Background(), s.base, &diff.Options{Debuginfod: c})
			if err != nil {
				t.Fatal(err)
			}
			if w := strings.Join(d.SymbolWarnings, "\n"); !strings.Contains(w, "not usable") {
				t.Errorf("warnings %q do not say the server's file was not usable", w)
			}
			if left, _ := filepath.Glob(filepath.Join(cache, s.id, "*")); len(left) > 0 {
				for _, f := range left {
					if st, _ := os.Stat(f); st.Size() > 0 {
						t.Errorf("left in the cache: %s (%d bytes)", f, st.Size())
					}
				}
			}
		})
	}
	// A bad file already in the cache gives way to the good server's.
	url, _ := reftest.StartDebuginfod(t, filepath.Dir(s.debug))
	cache := t.TempDir()
	os.MkdirAll(filepath.Join(cache, s.id), 0o755)
	bad := filepath.Join(cache, s.id, "debuginfo")
	if err := os.WriteFile(bad, good[:len(good)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	c := debuginfod.New([]string{url})
	c.Cache, c.Check = cache, jemalloc.CheckDebugFile
	if got := canon(t, &diff.Options{Debuginfod: c}, s.base, s.later); !equal(got, s.want) {
		t.Errorf("with a cut file in the cache and a good server:\n%s", strings.Join(got, "\n"))
	}
	if b, _ := os.ReadFile(bad); len(b) != len(good) {
		t.Errorf("the cached file has %d bytes, the debug file %d", len(b), len(good))
	}
}

// TestBinariesFoundByBuildID: a whole copy of the program under another
// name, or its separate debug file, given as binaries name the stripped
// program's frames; and a debug folder finds the file by the name the
// dump records when the binary given has another.
func TestBinariesFoundByBuildID(t *testing.T) {
	s := makeStripped(t)
	dir := t.TempDir()
	whole := filepath.Join(dir, "unstripped")
	b, err := os.ReadFile(s.full)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(whole, b, 0o755); err != nil {
		t.Fatal(err)
	}
	strippedCopy := filepath.Join(dir, "copy")
	if b, err = os.ReadFile(s.bin); err != nil || os.WriteFile(strippedCopy, b, 0o755) != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		desc string
		opts *diff.Options
	}{
		{"a whole copy under another name", &diff.Options{Binaries: []string{whole}}},
		{"the debug file", &diff.Options{Binaries: []string{s.debug}}},
		{"a debug folder, by the recorded name", &diff.Options{Binaries: []string{strippedCopy}, DebugDirs: []string{filepath.Dir(s.debug)}}},
	} {
		if got := canon(t, tt.opts, s.base, s.later); !equal(got, s.want) {
			t.Errorf("%s:\n%s", tt.desc, strings.Join(got, "\n"))
		}
		d, err := diff.Open(context.Background(), s.base, tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		if w := strings.Join(append(d.Warnings, d.SymbolWarnings...), "\n"); strings.Contains(w, "was not used") || strings.Contains(w, "has no symbols") {
			t.Errorf("%s: warnings %q", tt.desc, w)
		}
	}
}

// TestSymbolFlagsChecked: a zero --debuginfod-timeout and a DEBUGINFOD_URLS
// that holds no URL are usage errors, as a bad --debuginfod is.
func TestSymbolFlagsChecked(t *testing.T) {
	for _, tt := range []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"--debuginfod-timeout", "0"}, "", "--debuginfod-timeout must be positive"},
		{nil, "garbage", "DEBUGINFOD_URLS: garbage is not an http(s) URL"},
	} {
		t.Setenv("DEBUGINFOD_URLS", tt.env)
		var errs bytes.Buffer
		code, _ := cli.Run(append(append([]string{"report"}, tt.args...), "x.heap"), io.Discard, &errs)
		if code != cli.ExitUsage || !strings.Contains(errs.String(), tt.want) {
			t.Errorf("%v %s: exit %d, %s", tt.args, tt.env, code, errs.String())
		}
	}
}
