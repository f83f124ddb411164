package e2e_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leakscope/leakscope/diff/reftest"
)

// jemallocDumps builds the jemalloc test program, runs it to write a base
// and a later dump, and moves the binary away from the path the dumps
// record, as when dumps come from production. It returns the moved binary.
func jemallocDumps(t *testing.T) (bin, base, later string) {
	t.Helper()
	need(t, "gcc")
	dir := t.TempDir()
	built, err := reftest.BuildLeakyC(dir, "leaky")
	if err != nil {
		t.Fatal(err)
	}
	base, later = filepath.Join(dir, "base.heap"), filepath.Join(dir, "later.heap")
	run := exec.Command(built, base, later, "40", "100")
	run.Env = append(os.Environ(), "MALLOC_CONF=prof:true,prof_accum:true,lg_prof_sample:0")
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("leaky: %v\n%s", err, out)
	}
	bin = filepath.Join(dir, "prod-build")
	if err := os.Rename(built, bin); err != nil {
		t.Fatal(err)
	}
	return bin, base, later
}

// ocr reads the text of a screenshot with tesseract, enlarged for its
// small letters.
func ocr(t *testing.T, s *session, shot string) string {
	t.Helper()
	out, err := exec.Command("tesseract", enlarged(t, shot), "-").Output()
	if err != nil {
		t.Fatalf("tesseract: %v", err)
	}
	return string(out)
}

// enlarged returns a copy of screenshot shot at 250 % in grey, which
// tesseract reads better; positions on it are 5/2 of the screen's.
func enlarged(t *testing.T, shot string) string {
	t.Helper()
	need(t, "tesseract", "convert")
	big := filepath.Join(t.TempDir(), "big.png")
	if out, err := exec.Command("convert", filepath.Join(artifacts(t), shot), "-resize", "250%", "-colorspace", "Gray", big).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v\n%s", err, out)
	}
	return big
}

// TestBinaryFlagSymbolizes starts `leakscope --binary PROG base.heap
// later.heap` with PROG moved from where the dumps say it was: the first
// load uses it, so the graph shows function names, and no dialog asks for
// the binary.
func TestBinaryFlagSymbolizes(t *testing.T) {
	bin, base, later := jemallocDumps(t)
	s := start(t, "--binary", bin, base, later)
	waitFor(t, "the graph", 30*time.Second, func() bool { return strings.Contains(s.log.String(), "DEBUG shown ") })
	if log := s.log.String(); !strings.Contains(log, "worker_new") || strings.Contains(log, "cannot read") {
		t.Errorf("the graph is not symbolized:\n%s", log)
	}
	s.settled("5-binary-flag.png")
	text := ocr(t, s, "5-binary-flag.png")
	if !strings.Contains(text, "worker_new") && !strings.Contains(text, "handle") {
		t.Errorf("no symbolized function name on screen; it reads:\n%s", text)
	}
	if strings.Contains(text, "Binary not found") {
		t.Error("a dialog asks for the binary that was given")
	}
}

// TestQuitDuringFIFOLoad opens a FIFO that no one writes: the window shows
// its loading bar, and Ctrl+Q still ends the program at once.
func TestQuitDuringFIFOLoad(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "heap.pb.gz")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	s := start(t, fifo)
	// The load waits on the FIFO from here on; the loading bar moves, so
	// the screen never settles.
	waitFor(t, "the load", 20*time.Second, func() bool { return strings.Contains(s.log.String(), "DEBUG loading ") })
	s.screenshot("6-fifo-loading.png")
	start := time.Now()
	s.key("ctrl+q")
	select {
	case <-s.exited:
		t.Logf("quit after %v", time.Since(start))
	case <-time.After(5 * time.Second):
		t.Fatal("Ctrl+Q did not end the program during a FIFO load")
	}
	if s.exitErr != nil {
		t.Errorf("exit: %v", s.exitErr)
	}
}

// TestDeepLeafByKeyboard: in the real window at 1280×800, the keyboard
// walks 100 frames down, Enter zooms, 30 more reach the 130-deep leaf, and
// the screen shows its name.
func TestDeepLeafByKeyboard(t *testing.T) {
	base, later, err := reftest.DeepGoroutinePair(t.TempDir(), 130)
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, base, later)
	waitFor(t, "the graph", 20*time.Second, func() bool { return strings.Contains(s.log.String(), "DEBUG first draw") })
	s.settled("7-deep-leaf-start.png")
	// The arrows move in the graph as soon as the window has the keyboard.
	s.key("--delay", "5", "--repeat", "100", "Down")
	s.key("Return")
	waitFor(t, "the zoom", 10*time.Second, func() bool { return strings.Contains(s.log.String(), "zoom frame=main.level100") })
	s.key("--delay", "5", "--repeat", "30", "Down")
	s.settled("7-deep-leaf.png")
	if text := ocr(t, s, "7-deep-leaf.png"); !strings.Contains(text, "level130") {
		t.Errorf("the 130-deep leaf's name is not on screen; it reads:\n%s", text)
	}
}

// TestTokioTaskPanel opens the tokio test service's heap pair with its
// binary, as `leakscope --binary ./server base.heap later.heap`: the first
// screen, with no click and no scrolling, shows the top finding (the
// Default impl's spawn site with the service's own counts), the
// ..Default::default() line that reaches it and the request handler above
// it; the fixed worker pool is not a finding.
func TestTokioTaskPanel(t *testing.T) {
	reftest.NeedRust(t)
	ts, err := reftest.TaskyDumps(0, 1000, 2000)
	if err != nil {
		t.Fatal(err)
	}
	// The Default impl's spawn, as the test service's source marks it.
	site := fmt.Sprintf("main.rs:%d", ts.Lines["cache"])
	// On a 1024 × 768 screen, the smallest the window is made for.
	s := startOn(t, "1024x768", "--binary", ts.Bin, ts.Base, ts.Later)
	waitFor(t, "the graph", 60*time.Second, func() bool { return strings.Contains(s.log.String(), "DEBUG shown ") })
	s.settled("8-tokio-tasks.png")
	words := ocrWords(t, s, "8-tokio-tasks.png")
	text, tab := readTab(words, "Spawn") // OCR may read "Spawnsites" as one word
	c0, c1 := ts.Counts[0]["cache"].Live, ts.Counts[1]["cache"].Live
	for _, want := range []string{"Findings", "RegionCache::default", fmt.Sprintf("%+d", c1-c0), fmt.Sprint(c1),
		"Default::default()", "handle_request", "Client::new"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q is not on screen; it reads:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Pool::start") {
		t.Errorf("the fixed worker pool shows as a finding; the screen reads:\n%s", text)
	}
	// The Spawn sites tab shows the top site's file:line whole.
	if tab.text == "" {
		t.Fatalf("no Spawn sites tab on screen; it reads:\n%s", text)
	}
	s.run("xdotool", "mousemove", strconv.Itoa(tab.x), strconv.Itoa(tab.y), "click", "1")
	s.settled("8-tokio-sites.png")
	text = ocr(t, s, "8-tokio-sites.png")
	for _, want := range []string{"RegionCache", site, fmt.Sprintf("%+d", c1-c0)} {
		if !strings.Contains(text, want) {
			t.Errorf("%q is not on the Spawn sites tab; it reads:\n%s", want, text)
		}
	}
}
