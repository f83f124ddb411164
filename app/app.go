// Package app is Leakscope's window. It is given a fyne.App and a fyne.Window,
// so that its tests run on fyne.io/fyne/v2/test without a display.
package app

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/app/cli"
	"github.com/leakscope/leakscope/assets"
	"github.com/leakscope/leakscope/diff"
)

// UI is one Leakscope window.
type UI struct {
	app    fyne.App
	win    fyne.Window
	status *widget.Label
	table  *widget.TextGrid

	lastErr error // last error shown; read on the UI goroutine

	mu     sync.Mutex
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Wait blocks until background loading has finished. With Fyne's test
// driver, which runs fyne.Do at once, its result is then on screen.
func (u *UI) Wait() { u.wg.Wait() }

// ReportText returns the text of the report on screen. Call it on the UI goroutine.
func (u *UI) ReportText() string { return u.table.Text() }

// LastError returns the last error shown in a dialog, or nil. Call it on the UI goroutine.
func (u *UI) LastError() error { return u.lastErr }

// Create builds the window's content and starts loading files (the built-in
// demo when files is empty). The caller shows the window.
func Create(a fyne.App, w fyne.Window, files []string) *UI {
	u := &UI{app: a, win: w, status: widget.NewLabel("Loading…"), table: widget.NewTextGrid()}
	w.SetContent(container.NewBorder(u.status, nil, nil, nil, container.NewScroll(u.table)))
	w.Resize(fyne.NewSize(1100, 700))
	w.SetOnClosed(u.Close)
	if len(files) == 0 {
		u.load(demoLoader)
	} else {
		u.load(func(ctx context.Context) (*diff.Comparison, error) { return fileLoader(ctx, files) })
	}
	return u
}

// Close stops any loading in progress and waits for it.
func (u *UI) Close() {
	u.mu.Lock()
	if u.cancel != nil {
		u.cancel()
	}
	u.mu.Unlock()
	u.wg.Wait()
}

// load runs fn off the UI goroutine and shows its result through fyne.Do.
func (u *UI) load(fn func(context.Context) (*diff.Comparison, error)) {
	u.mu.Lock()
	if u.cancel != nil {
		u.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	u.cancel = cancel
	u.mu.Unlock()
	u.wg.Go(func() {
		c, err := fn(ctx)
		if ctx.Err() != nil {
			return
		}
		fyne.Do(func() { u.show(c, err) })
	})
}

func (u *UI) show(c *diff.Comparison, err error) {
	if err != nil {
		u.status.SetText("Could not open the dumps.")
		u.lastErr = err
		dialog.ShowError(err, u.win)
		return
	}
	var buf bytes.Buffer
	if err := cli.WriteReport(&buf, c, nil, 0); err != nil {
		dialog.ShowError(err, u.win)
		return
	}
	u.status.SetText(fmt.Sprintf("%d stacks, %d frames", c.NumStacks(), c.NumFrames()))
	u.table.SetText(buf.String())
}

func fileLoader(ctx context.Context, files []string) (*diff.Comparison, error) {
	if len(files) > 2 {
		return nil, fmt.Errorf("open one or two dumps, not %d", len(files))
	}
	dumps, err := diff.OpenAll(files...)
	if err != nil || ctx.Err() != nil {
		return nil, err
	}
	if len(dumps) == 1 {
		return diff.Compare(nil, dumps[0], "")
	}
	base, later, _ := diff.Order(dumps[0], dumps[1])
	return diff.Compare(base, later, "")
}

func demoLoader(ctx context.Context) (*diff.Comparison, error) {
	var dumps [2]*diff.Dump
	for i, name := range []string{"heap-base.pb.gz", "heap-later.pb.gz"} {
		f, err := assets.Demo(name)
		if err != nil {
			return nil, err
		}
		if dumps[i], err = diff.Parse(f.Data, "demo/"+name); err != nil {
			return nil, err
		}
	}
	return diff.Compare(dumps[0], dumps[1], "")
}
