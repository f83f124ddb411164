// Package e2e_test runs the real leakscope binary in a real X server (Xvfb):
// it takes screenshots, clicks a frame with xdotool and drops files on the
// window through XDND. It needs Xvfb, xdotool, ImageMagick and tesseract
// (scripts/setup.sh test installs them); without them it fails, unless
// LEAKSCOPE_SKIP_REFERENCE=1 says to skip.
package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leakscope/leakscope/diff"
	_ "github.com/leakscope/leakscope/diff/goroutines"
	"github.com/leakscope/leakscope/diff/reftest"
	"github.com/leakscope/leakscope/flame"
)

const demo = "../../assets/demo/dumps/"

func need(t *testing.T, tools ...string) {
	t.Helper()
	reftest.NeedTools(t, tools...) // fails unless LEAKSCOPE_SKIP_REFERENCE=1
}

// logBuffer collects a process's stderr and lets tests wait for lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// logWritten has a value after any logBuffer was written to.
var logWritten = make(chan struct{}, 1)

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case logWritten <- struct{}{}:
	default:
	}
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitFor waits until cond holds, looking again whenever the program logs
// and at least every tenth of a second (for what it does not log, such as
// its window's appearing on the X server); it fails t after timeout.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-logWritten:
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
	}
}

// session is the real binary in its own X server.
type session struct {
	t       *testing.T
	display string
	dir     string
	log     *logBuffer
	window  string
	exited  chan struct{} // closed when the process has ended
	exitErr error         // its exit, once exited is closed
}

func build(t *testing.T, dir, out, pkg string) string {
	t.Helper()
	gocmd, err := reftest.GoCommand()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, out)
	cmd := exec.Command(gocmd, "build", "-o", bin, pkg)
	cmd.Dir = "../.."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return bin
}

func start(t *testing.T, args ...string) *session {
	t.Helper()
	return startOn(t, "1280x800", args...)
}

// startOn is start on a screen of size pixels ("1024x768").
func startOn(t *testing.T, size string, args ...string) *session {
	t.Helper()
	need(t, "Xvfb", "xdotool", "import")
	dir := t.TempDir()
	bin := build(t, dir, "leakscope", ".")
	s := &session{t: t, dir: dir, log: &logBuffer{}}
	s.display = startXvfb(t, size)
	app := exec.Command(bin, args...)
	app.Env = append(os.Environ(), "DISPLAY="+s.display, "LEAKSCOPE_DEBUG=1", "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_RUNTIME_DIR="+dir) // its own socket: no other window takes its files
	app.Stderr, app.Stdout = s.log, s.log
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	s.exited = make(chan struct{})
	go func() {
		s.exitErr = app.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		app.Process.Kill()
		<-s.exited
		if t.Failed() {
			t.Logf("leakscope's log:\n%s", s.log.String())
		}
	})
	waitFor(t, "the window", 20*time.Second, s.findWindow)
	return s
}

// findWindow looks the program's window up; it reports whether it is there.
func (s *session) findWindow() bool {
	out, err := s.cmd("xdotool", "search", "--onlyvisible", "--name", "^Leakscope$").Output()
	s.window = strings.TrimSpace(strings.Split(string(out), "\n")[0])
	return err == nil && s.window != ""
}

// key types keys (xdotool key arguments) into the window, looking it up
// again when X says it is gone: under load the toolkit may replace the
// window it first showed.
func (s *session) key(args ...string) {
	s.t.Helper()
	var out []byte
	var err error
	for try := 0; try < 5; try++ {
		s.cmd("xdotool", "windowfocus", "--sync", s.window).Run()
		out, err = s.cmd("xdotool", append([]string{"key", "--window", s.window}, args...)...).CombinedOutput()
		if err == nil {
			return
		}
		// The keys may have ended the program (Ctrl+Q) before xdotool was
		// done with its window: that is no failure.
		ended := func() bool {
			select {
			case <-s.exited:
				return true
			default:
				return false
			}
		}
		waitFor(s.t, "the window again, or the program's end", 10*time.Second, func() bool { return ended() || s.findWindow() })
		if ended() {
			return
		}
	}
	s.t.Fatalf("xdotool key %v: %v\n%s", args, err, out)
}

// startXvfb starts an X server with a screen of size pixels ("1280x800")
// for the test's duration. Xvfb picks a free display itself and writes its
// number once it accepts clients, so no two tests race for one and none
// starts its program too early. It never resets: by default an X server
// resets when its last client leaves, and a program started during the
// reset cannot open the display.
func startXvfb(t testing.TB, size string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	xvfb := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", size+"x24", "-nolisten", "tcp", "-noreset")
	xvfb.ExtraFiles = []*os.File{w}
	if err := xvfb.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { xvfb.Process.Kill(); xvfb.Wait() })
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			t.Fatal("Xvfb did not start")
		}
		return ":" + n
	case <-time.After(20 * time.Second):
		t.Fatal("timed out waiting for Xvfb")
	}
	return ""
}

func (s *session) cmd(name string, args ...string) *exec.Cmd {
	c := exec.Command(name, args...)
	c.Env = append(os.Environ(), "DISPLAY="+s.display)
	return c
}

func (s *session) run(name string, args ...string) {
	s.t.Helper()
	if out, err := s.cmd(name, args...).CombinedOutput(); err != nil {
		s.t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// screenshot captures the screen, keeps it as an artifact and decodes it.
// settled takes the screenshot name once the screen has stopped changing:
// two captures in a row with the same pixels (each capture takes a tenth of
// a second or so). It fails the test when the screen never settles.
func (s *session) settled(name string) image.Image {
	s.t.Helper()
	var prev image.Image
	for range 60 {
		img := s.screenshot(name)
		if prev != nil && samePixels(prev, img) {
			return img
		}
		prev = img
	}
	s.t.Fatalf("the screen never settled for %s", name)
	return nil
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

func (s *session) screenshot(name string) image.Image {
	s.t.Helper()
	path := filepath.Join(artifacts(s.t), name)
	s.run("import", "-window", "root", path)
	f, err := os.Open(path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		s.t.Fatalf("%s: %v", path, err)
	}
	s.t.Logf("screenshot: %s", path)
	return img
}

// artifacts is where screenshots are kept: $LEAKSCOPE_ARTIFACTS, else bin/e2e.
func artifacts(t *testing.T) string {
	dir := os.Getenv("LEAKSCOPE_ARTIFACTS")
	if dir == "" {
		dir = "../../bin/e2e"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func near(a color.Color, b color.RGBA) bool {
	r, g, bl, _ := a.RGBA()
	d := func(x uint32, y uint8) bool { return x>>8 >= uint32(y)-6 && x>>8 <= uint32(y)+6 }
	return d(r, b.R) && d(g, b.G) && d(bl, b.B)
}

// find returns the bounding box of the pixels of colour c.
func find(img image.Image, c color.RGBA) (image.Rectangle, int) {
	var box image.Rectangle
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if near(img.At(x, y), c) {
				p := image.Rect(x, y, x+1, y+1)
				if n == 0 {
					box = p
				} else {
					box = box.Union(p)
				}
				n++
			}
		}
	}
	return box, n
}

// leftmost returns the first x of colour c in row y, or -1.
func leftmost(img image.Image, y int, c color.RGBA) int {
	b := img.Bounds()
	for x := b.Min.X; x < b.Max.X; x++ {
		if near(img.At(x, y), c) {
			return x
		}
	}
	return -1
}

// longestRun returns the start and length of the longest run of colour c in row y.
func longestRun(img image.Image, y int, c color.RGBA) (start, length int) {
	b := img.Bounds()
	run := 0
	for x := b.Min.X; x <= b.Max.X; x++ {
		if x < b.Max.X && near(img.At(x, y), c) {
			run++
			continue
		}
		if run > length {
			start, length = x-run, run
		}
		run = 0
	}
	return start, length
}

func distinctColours(img image.Image) int {
	seen := map[color.RGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 0xff}] = true
		}
	}
	return len(seen)
}

// expectedColour is the colour the flame package gives a frame of the demo heap pair.
func expectedColour(t *testing.T, frame string) color.RGBA {
	dumps, err := diff.OpenAll(context.Background(), nil, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	if err != nil {
		t.Fatal(err)
	}
	c, err := diff.Compare(dumps[0], dumps[1], "")
	if err != nil {
		t.Fatal(err)
	}
	tree := flame.Build(c)
	for i, n := range tree.Nodes {
		if n.Name == frame {
			return flame.Diverging.ModeColor(tree, int32(i), flame.Absolute, nil) // the window's default for heap dumps
		}
	}
	t.Fatalf("no frame %s", frame)
	return color.RGBA{}
}

func countLines(log, substr string) int {
	n := 0
	sc := bufio.NewScanner(strings.NewReader(log))
	for sc.Scan() {
		if strings.Contains(sc.Text(), substr) {
			n++
		}
	}
	return n
}

// TestRealWindow opens a heap pair and a goroutine pair, checks the window
// shows the diff colours, clicks the leaking constructor's frame to zoom, and
// drops two other files on the window.
func TestRealWindow(t *testing.T) {
	s := start(t, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz", demo+"goroutines-base.txt", demo+"goroutines-later.txt")
	waitFor(t, "four dumps opened", 20*time.Second, func() bool { return countLines(s.log.String(), "DEBUG opened ") >= 4 })

	grew := expectedColour(t, "main.NewClient")
	var shot image.Image
	var box image.Rectangle
	var n int
	waitFor(t, "the flame graph on screen", 20*time.Second, func() bool {
		shot = s.screenshot("1-opened.png")
		box, n = find(shot, grew)
		return n > 200
	})
	if c := distinctColours(shot); c < 20 {
		t.Errorf("the window looks blank: %d colours", c)
	}
	shrank := expectedColour(t, "main.fillWarmup")
	if _, cool := find(shot, shrank); cool == 0 {
		t.Error("the shrinking warm-up stack's cool colour is not on screen")
	}

	// main.NewClient is the deepest wide frame of its colour (its callers
	// grew alike). Click the middle of its run: it zooms to fill the width.
	y := box.Max.Y
	x0, before := 0, 0
	for ; y > box.Min.Y && before < box.Dx()/3; y-- {
		x0, before = longestRun(shot, y, grew)
	}
	y -= 4
	leftBefore := leftmost(shot, y, grew)
	s.run("xdotool", "mousemove", fmt.Sprint(x0+before/2), fmt.Sprint(y), "click", "1")
	waitFor(t, "the zoom", 10*time.Second, func() bool { return strings.Contains(s.log.String(), "DEBUG zoom frame=main.NewClient") })
	// Zoomed in, the frame starts at the left edge and the shrinking
	// warm-up stack, outside it, is gone from the screen.
	waitFor(t, "the zoomed view on screen", 10*time.Second, func() bool {
		shot = s.screenshot("2-zoomed.png")
		left := leftmost(shot, y, grew)
		_, cool := find(shot, shrank)
		return cool == 0 && left >= 0 && left < leftBefore-20
	})

	// Drop two files whose paths hold spaces and non-ASCII letters.
	drop := filepath.Join(t.TempDir(), "dumps från prod")
	os.MkdirAll(drop, 0o755)
	var files []string
	for _, f := range []string{"goroutine-base.txt", "goroutine-later.txt"} {
		b, err := os.ReadFile(demo + f)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(drop, "dump "+f)
		os.WriteFile(p, b, 0o644)
		files = append(files, p)
	}
	helper := build(t, s.dir, "xdnddrop", "./app/e2e/xdnddrop")
	args := append([]string{"-window", s.window}, files...)
	s.run(helper, args...)
	waitFor(t, "the dropped files to load", 10*time.Second, func() bool {
		log := s.log.String()
		return strings.Contains(log, "dump goroutine-base.txt") && strings.Contains(log, "dump goroutine-later.txt")
	})
	s.screenshot("3-dropped.png")
}

// TestCorruptFileShowsDialog starts the binary with a corrupt dump: it must
// keep running and show the error, not crash.
func TestCorruptFileShowsDialog(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "broken.pb.gz")
	os.WriteFile(bad, []byte{0x1f, 0x8b, 8, 0, 0, 0}, 0o644)
	s := start(t, bad)
	waitFor(t, "the error", 20*time.Second, func() bool { return strings.Contains(s.log.String(), "broken.pb.gz: bad gzip data") })
	shot := s.settled("4-corrupt.png")
	if c := distinctColours(shot); c < 5 {
		t.Errorf("the window is blank after a bad file: %d colours", c)
	}
	if strings.Contains(s.log.String(), "panic") {
		t.Errorf("the app panicked:\n%s", s.log.String())
	}
}

// TestNoXServerSaysSo starts the binary with DISPLAY naming a display no
// X server serves: one line says so, with no stack trace, and it exits 1.
func TestNoXServerSaysSo(t *testing.T) {
	dir := t.TempDir()
	bin := build(t, dir, "leakscope", ".")
	cmd := exec.Command(bin, "--new-window")
	cmd.Env = append(os.Environ(), "DISPLAY=:1234", "HOME="+dir, "XDG_RUNTIME_DIR="+dir)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("exit %v, want 1", err)
	}
	if s := string(out); !strings.Contains(s, `leakscope: the window cannot open`) || !strings.Contains(s, `DISPLAY=":1234"`) || strings.Contains(s, "goroutine ") {
		t.Errorf("output:\n%s", s)
	}
}
