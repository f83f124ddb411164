// Command leakscope compares a base memory or goroutine dump with a later one
// and shows what grew. See README.md.
package main

import (
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/leakscope/leakscope/app"
	"github.com/leakscope/leakscope/app/instance"
	_ "github.com/leakscope/leakscope/app/locale" // before Fyne reads LANG
	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/assets"
	"github.com/leakscope/leakscope/cli"
)

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "report" || os.Args[1] == "export" || os.Args[1] == "watch") {
		cli.LimitMemory()
	}
	if code, handled := cli.Run(os.Args[1:], os.Stdout, os.Stderr); handled {
		os.Exit(code)
	}
	args, err := cli.ParseOpenArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "leakscope: %v\n", err)
		os.Exit(cli.ExitUsage)
	}
	setupLog()
	// One window per session: files given while a window is open go to
	// it, which compares them with what it shows.
	handOver := !args.NewWindow && len(args.Files) > 0 && len(args.Binaries)+len(args.DebugDirs)+len(args.Servers)+len(args.RuntimeCrates) == 0
	if handOver {
		if err := instance.Send(instance.Path(), args.Files); err == nil {
			slog.Debug("handed over", "files", args.Files)
			return
		}
	}
	limitMemory()
	slog.Debug("start", "pid", os.Getpid(), "files", args.Files)
	a := fyneapp.NewWithID("io.github.leakscope")
	o := app.Options{Files: args.Files, Binaries: args.Binaries, DebugDirs: args.DebugDirs, Servers: args.Servers,
		RuntimeCrates: args.RuntimeCrates, Listen: !args.NewWindow}
	if w, h, ok := screenSize(); ok {
		o.Screen = fyne.NewSize(float32(w), float32(h))
	}
	// Reading the dumps starts now, beside the window's start.
	if len(args.Files) > 0 {
		o.Preload = session.StartPreload(session.Files(args.Files), app.StartupSymbols(a, o))
	}
	a.SetIcon(fyne.NewStaticResource("leakscope.png", assets.Icon()))
	w, err := newWindow(a)
	if err != nil {
		fmt.Fprintf(os.Stderr, "leakscope: %v\n", err)
		os.Exit(1)
	}
	app.Create(a, w, o)
	w.ShowAndRun()
}

// newWindow opens the app's window. The toolkit panics when it cannot
// reach a display (no X server at $DISPLAY): that is said in one line, not
// a stack trace.
func newWindow(a fyne.App) (w fyne.Window, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the window cannot open (%v): is an X server running at DISPLAY=%q?", r, os.Getenv("DISPLAY"))
		}
	}()
	return a.NewWindow("Leakscope"), nil
}

// guiMemoryLimit is the window's soft memory limit. The Go runtime then
// collects garbage sooner as the heap nears it, which keeps the window's
// peak memory on a large pair near what the comparison itself holds (a
// soft limit: a larger comparison still loads, with more frequent
// collection). GOMEMLIMIT overrides it.
const guiMemoryLimit = 400 << 20

func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(guiMemoryLimit)
	}
}

// setupLog logs at debug level when LEAKSCOPE_DEBUG is set, to the file
// LEAKSCOPE_LOG names when set (a file manager gives no terminal).
func setupLog() {
	if os.Getenv("LEAKSCOPE_DEBUG") == "" {
		return
	}
	slog.SetLogLoggerLevel(slog.LevelDebug)
	if path := os.Getenv("LEAKSCOPE_LOG"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(os.Stderr, "leakscope: %v\n", err)
			return
		}
		slog.SetDefault(slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})))
	}
}
