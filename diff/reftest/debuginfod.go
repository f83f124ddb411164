package reftest

import (
	"bufio"
	"io"
	"net"
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
	cmd := exec.Command("debuginfod", "-F", dir, "-p", strconv.Itoa(port), "-d", filepath.Join(t.TempDir(), "db.sqlite"),
		"-t", "0", "-g", "0")
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
	for !(listening && scanned) && sc.Scan() {
		line := sc.Text()
		log.WriteString(line + "\n")
		listening = listening || strings.Contains(line, "started http server")
		scanned = scanned || strings.Contains(line, "fts traversed")
	}
	go func() {
		defer close(drained)
		io.Copy(io.Discard, stderr) // until the server ends
	}()
	if !(listening && scanned) {
		stop()
		t.Fatalf("debuginfod did not start:\n%s", log.String())
	}
	return "http://127.0.0.1:" + strconv.Itoa(port), stop
}
