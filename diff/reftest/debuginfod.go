package reftest

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// StartDebuginfod starts Debian's debuginfod server on 127.0.0.1, indexing
// the ELF and DWARF files under dir, and returns its URL once its first
// scan is through (it says so on its log; nothing sleeps). The server is
// stopped by stop, or at the end of the test. It fails t under -short.
func StartDebuginfod(t testing.TB, dir string) (url string, stop func()) {
	t.Helper()
	NeedTools(t, "debuginfod")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	// -vvv logs each file indexed ("recorded buildid=… file=… atype=D"):
	// the traversal's end comes before its files are in the index.
	cmd := exec.Command("debuginfod", "-F", dir, "-p", strconv.Itoa(port), "-d", filepath.Join(t.TempDir(), "db.sqlite"),
		"-t", "0", "-g", "0", "-vvv")
	files := 0
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Type().IsRegular() {
			files++
		}
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	drained := make(chan struct{})
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cmd.Process.Kill()
			<-drained
			cmd.Wait()
		}
	}
	t.Cleanup(stop)
	var log strings.Builder
	sc := bufio.NewScanner(stderr)
	listening, scanned := false, false
	indexed := map[string]bool{}
	for !(listening && scanned && len(indexed) >= files) && sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, "recorded buildid=") || strings.Contains(line, "atype=D") || strings.Contains(line, "atype=E") {
			log.WriteString(line + "\n")
		}
		listening = listening || strings.Contains(line, "started http server")
		scanned = scanned || strings.Contains(line, "fts traversed")
		if _, rest, ok := strings.Cut(line, "recorded buildid="); ok && (strings.Contains(rest, " atype=D") || strings.Contains(rest, " atype=E")) {
			if _, f, ok := strings.Cut(rest, " file="); ok {
				f, _, _ = strings.Cut(f, " ")
				if filepath.Dir(f) == filepath.Clean(dir) {
					indexed[f] = true
				}
			}
		}
	}
	go func() {
		defer close(drained)
		io.Copy(io.Discard, stderr) // until the server ends
	}()
	if !(listening && scanned && len(indexed) >= files) {
		stop()
		t.Fatalf("debuginfod did not start:\n%s", log.String())
	}
	return "http://127.0.0.1:" + strconv.Itoa(port), stop
}
