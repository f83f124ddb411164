// Command leakscope compares a base memory or goroutine dump with a later one
// and shows what grew. See README.md.
package main

import (
	"fmt"
	"log/slog"
	"os"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/leakscope/leakscope/app"
	"github.com/leakscope/leakscope/app/cli"
	_ "github.com/leakscope/leakscope/app/locale" // before Fyne reads LANG
)

func main() {
	if code, handled := cli.Run(os.Args[1:], os.Stdout, os.Stderr); handled {
		os.Exit(code)
	}
	files, binaries, err := cli.ParseOpenArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "leakscope: %v\n", err)
		os.Exit(cli.ExitUsage)
	}
	if os.Getenv("LEAKSCOPE_DEBUG") != "" {
		slog.SetLogLoggerLevel(slog.LevelDebug)
	}
	a := fyneapp.NewWithID("io.github.leakscope")
	w := a.NewWindow("Leakscope")
	app.Create(a, w, files).SetBinaries(binaries)
	w.ShowAndRun()
}
