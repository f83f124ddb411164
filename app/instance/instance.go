// Package instance makes Leakscope one window per user session: the first
// window listens on a Unix socket in $XDG_RUNTIME_DIR, and a second launch
// with files hands them to it (Send) instead of opening a window of its
// own, so that double-clicking a base dump and then a later one compares
// them. It imports no GUI toolkit.
package instance

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Path is the socket of this user's session: leakscope.sock in
// $XDG_RUNTIME_DIR, else in a folder of the user's own under the system's
// temporary folder.
func Path() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "leakscope.sock")
	}
	return filepath.Join(os.TempDir(), "leakscope-"+strconv.Itoa(os.Getuid()), "leakscope.sock")
}

// timeout bounds a hand-over: a window that does not answer in time is
// taken for gone.
const timeout = 3 * time.Second

type message struct {
	Files []string `json:"files"`
}

// Send hands files (made absolute) to the window listening at path and
// waits for it to take them. An error means no window took them: the
// caller opens its own.
func Send(path string, files []string) error {
	abs := make([]string, len(files))
	for i, f := range files {
		a, err := filepath.Abs(f)
		if err != nil {
			return err
		}
		abs[i] = a
	}
	c, err := net.DialTimeout("unix", path, timeout)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	if err := json.NewEncoder(c).Encode(message{Files: abs}); err != nil {
		return err
	}
	reply, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if reply != "ok\n" {
		return fmt.Errorf("the window answered %q", reply)
	}
	return nil
}

// Listener takes the files of later launches; Close stops it.
type Listener struct {
	ln   net.Listener
	path string
	wg   sync.WaitGroup
}

// ErrTaken is Listen's error when another window listens at the path.
var ErrTaken = errors.New("another window listens")

// Listen listens at path and calls open with the files of each launch
// that hands them over, on the listener's own goroutine, which ends with
// Close. A socket left behind by a window that ended is replaced; one a
// window answers on is not (ErrTaken).
func Listen(path string, open func(files []string)) (*Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		if c, derr := net.DialTimeout("unix", path, timeout); derr == nil {
			c.Close()
			return nil, ErrTaken
		}
		os.Remove(path) // left by a window that ended
		if ln, err = net.Listen("unix", path); err != nil {
			return nil, err
		}
	}
	l := &Listener{ln: ln, path: path}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed
			}
			l.serve(c, open)
		}
	}()
	return l, nil
}

// serve takes one launch's files.
func (l *Listener) serve(c net.Conn, open func([]string)) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	var m message
	if err := json.NewDecoder(bufio.NewReader(c)).Decode(&m); err != nil || len(m.Files) == 0 {
		fmt.Fprintln(c, "no files")
		return
	}
	open(m.Files)
	fmt.Fprintln(c, "ok")
}

// Close stops listening, removes the socket and waits for the listener's
// goroutine to end.
func (l *Listener) Close() {
	l.ln.Close() // a Unix listener removes its socket file
	l.wg.Wait()
}
