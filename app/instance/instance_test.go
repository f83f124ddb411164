package instance_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.uber.org/goleak"

	"github.com/leakscope/leakscope/app/instance"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestHandOver: a second launch's files reach the listening window, made
// absolute; a second listener is refused; after Close nothing listens,
// the socket is gone, and no goroutine is left.
func TestHandOver(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run", "leakscope.sock")
	got := make(chan []string, 1)
	l, err := instance.Listen(path, func(files []string) { got <- files })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := instance.Listen(path, func([]string) {}); !errors.Is(err, instance.ErrTaken) {
		t.Errorf("a second listener: %v, want ErrTaken", err)
	}
	t.Chdir(dir)
	if err := instance.Send(path, []string{"later.heap"}); err != nil {
		t.Fatal(err)
	}
	if files := <-got; !slices.Equal(files, []string{filepath.Join(dir, "later.heap")}) {
		t.Errorf("the window got %q", files)
	}
	l.Close()
	if err := instance.Send(path, []string{"x"}); err == nil {
		t.Error("a closed window took files")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the socket is left: %v", err)
	}
}

// TestStaleSocket: a socket file that no window answers on (left by one
// that was killed) is replaced.
func TestStaleSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leakscope.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // the file stays, with nobody behind it
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	l, err := instance.Listen(path, func([]string) {})
	if err != nil {
		t.Fatalf("a stale socket was not replaced: %v", err)
	}
	l.Close()
}
