//go:build unix

package diff

import (
	"context"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// openFile opens path for reading. Opening a FIFO blocks until a writer
// comes; when ctx is done first, openFile connects a writer of its own to
// release the blocked open, so that no goroutine is left behind.
func openFile(ctx context.Context, path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if st.Mode()&fs.ModeNamedPipe == 0 {
		f, err := os.Open(path)
		return f, unwrapPathError(err)
	}
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.Open(path)
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		return o.f, unwrapPathError(o.err)
	case <-ctx.Done():
	}
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		// A non-blocking open for writing succeeds once the reader waits.
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		select {
		case o := <-ch:
			if o.f != nil {
				o.f.Close()
			}
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}
