// Package cli implements Leakscope's command-line subcommands, which scripts
// rely on: `leakscope report`, `leakscope export` and `leakscope watch`. It does not import Fyne;
// the GUI starts only when Run reports that it did not handle the arguments.
//
// Exit codes: 0 on success, 1 when a dump cannot be read or compared (or a
// watch gives up on its service), 2 on bad usage, 3 when `report
// --fail-if-growing` finds a leak growing. Errors go to stderr as one line, "leakscope: FILE: what is wrong".
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
)

// Exit codes of the subcommands.
const (
	ExitOK    = 0 // success
	ExitDump  = 1 // a dump could not be read or compared
	ExitUsage = 2 // bad usage
)

// Run runs the subcommand named by args[0] and returns its exit code.
// handled is false when args do not name a subcommand: the caller then opens
// the GUI with args as files.
//
// Arguments that would open the window are refused here, with a usage
// error, when they cannot: a first argument that looks like a mistyped
// subcommand rather than a file (`leakscope reprot FILE`), and any window
// at all when there is no display to show it on.
// MemoryLimit is the soft memory limit of the commands (LimitMemory): the
// Go runtime then collects garbage sooner as the heap nears it, so that
// the peak stays near what a comparison or a series really holds rather
// than twice that. A soft limit: larger inputs still load.
const MemoryLimit = 512 << 20

// LimitMemory sets MemoryLimit, unless GOMEMLIMIT says otherwise. The
// leakscope command calls it before Run.
func LimitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit)
	}
}

func Run(args []string, stdout, stderr io.Writer) (code int, handled bool) {
	if len(args) > 1 && (args[0] == "report" || args[0] == "export" || args[0] == "watch") {
		for _, a := range args[1:] {
			if a == "-h" || a == "-help" || a == "--help" {
				fmt.Fprint(stdout, usage)
				return ExitOK, true
			}
			if a == "--" {
				break
			}
		}
	}
	if len(args) > 0 {
		switch args[0] {
		case "report":
			return runReport(args[1:], stdout, stderr), true
		case "export":
			return runExport(args[1:], stdout, stderr), true
		case "watch":
			return runWatch(args[1:], stdout, stderr), true
		case "help", "-h", "-help", "--help":
			fmt.Fprint(stdout, usage)
			return ExitOK, true
		}
		if err := notACommand(args[0]); err != nil {
			return fail(stderr, err), true
		}
	}
	if err := CheckDisplay(); err != nil {
		return fail(stderr, err), true
	}
	return 0, false
}

var commands = []string{"report", "export", "watch", "help"}

// notACommand returns a usage error when arg, which names no subcommand,
// is no file either and looks like a word rather than a path.
func notACommand(arg string) error {
	if arg == "" || strings.ContainsAny(arg, "/.\\") || strings.HasPrefix(arg, "-") {
		return nil
	}
	if _, err := os.Lstat(arg); err == nil {
		return nil
	}
	for _, c := range commands {
		if editDistance(arg, c) <= 2 {
			return usagef("unknown command %q: did you mean %s? (see leakscope help)", arg, c)
		}
	}
	return usagef("unknown command %q, and no file of that name: use report, export, watch or help, or give dump files (see leakscope help)", arg)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// CheckDisplay returns a usage error when the window cannot open because
// there is no display: on X11 and Wayland systems, when neither DISPLAY nor
// WAYLAND_DISPLAY is set. Elsewhere (macOS, Windows) it returns nil.
func CheckDisplay() error {
	switch runtime.GOOS {
	case "darwin", "windows", "ios", "android", "js":
		return nil
	}
	if os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" {
		return nil
	}
	return usagef("no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set); in a terminal, `leakscope report BASE LATER` prints the comparison and `leakscope export` draws it (see leakscope help)")
}

const usage = `Leakscope compares a base dump with a later one and shows what grew.

Usage:
  leakscope [SYMBOLS] [--new-window] [FILE...]
                                          open the window (no files: the demo); files
                                          given while a window is open go to it, unless
                                          --new-window (or SYMBOLS) is given
  leakscope report [--sample NAME] [--json] [--top N] [--tag KEY=VALUE] [--keep-alloc-frames] [--keep-runtime-frames]
                   [--binary PATH]... BASE [LATER]
                                          print the comparison as a table or JSON
  leakscope report [--json] [--top N] [--fail-if-growing [--min-rate RATE]] FILE FILE FILE...
                                          rank leak suspects over a series of dumps (or
                                          a folder of them) by steady growth; exit 3
                                          with --fail-if-growing when the top suspect
                                          grew in every interval at RATE (such as
                                          1MiB/h, 100/h, 5/interval) or faster
  leakscope watch [--interval D] [--count N] [--out DIR] [--json] [--timeout D] [--retries N] URL
  leakscope watch --dir DIR [--interval D] [--count N] [--binary PATH] [--json]
                                          take heap and goroutine snapshots of a Go
                                          service's /debug/pprof/ every D (default 1m;
                                          --count 0, the default, until Ctrl+C), or
                                          follow a folder of jemalloc dumps; live-rank
                                          them and end with the series report. --out
                                          defaults to leakscope-HOST_PORT; a capture
                                          may take --timeout (30s) and is retried
                                          --retries (3) times
  leakscope export [--sample NAME] [--width W] [--height H] [--palette NAME]
                   [--mode later|base|max] [--search RE] [--scale S] [--flame]
                   -o OUT.png BASE [LATER]
                                          draw the diff flame graph as a PNG (no display needed)
  leakscope export --html [--sample NAME] [--palette NAME] [--mode later|base|max] [--search RE]
                   -o OUT.html BASE [LATER] | FILE FILE FILE...
                                          write one self-contained, interactive HTML page
                                          (graph, functions, spawn sites; a series' timeline)
                                          that opens offline in any browser

report and export also take --max-size SIZE (the largest dump after
decompression; default a quarter of memory, and gzip may not grow more than
100 times by more than 64M over a run) and --max-memory SIZE (what decoding
one dump may take; default 8 times its size plus 64M), such as 512M or 8G.
watch takes them too, with --max-size 256M by default for each snapshot.

Dumps are detected by content: pprof protobuf (gzipped or not), Go's text
profiles (debug=1), Go's full goroutine dumps (debug=2) and jemalloc heap
profiles (heap_v2).

SYMBOLS, for jemalloc dumps (the window, report, export and watch take them):
  --binary PATH         the program (or a library) when it is not at the path
                        the dump records (repeatable)
  --debug-dir DIR       a folder of debug files of stripped objects, by build
                        ID (.build-id/xx/yyyy.debug) or name (repeatable)
  --debuginfod URL      a debuginfod server to fetch debug files from by build
                        ID (repeatable; default: $DEBUGINFOD_URLS; with none,
                        nothing connects anywhere); downloads are cached as
                        elfutils caches them
  --debuginfod-timeout D  the longest wait for one request (default 30s)
`

// errUsage marks errors that are the caller's fault (exit 2).
var errUsage = errors.New("usage")

type usageError struct{ msg string }

func (e *usageError) Error() string   { return e.msg }
func (e *usageError) Is(t error) bool { return t == errUsage }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// fail prints err as one line and returns the matching exit code.
func fail(stderr io.Writer, err error) int {
	msg := printable(strings.ReplaceAll(err.Error(), "\n", " "))
	fmt.Fprintf(stderr, "leakscope: %s\n", msg)
	if errors.Is(err, errUsage) {
		return ExitUsage
	}
	return ExitDump
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses args, allowing flags after the positional arguments
// (`report base later --json`), as users type them.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, usagef("usage of %s: see `leakscope help`", fs.Name())
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// OpenArgs are the arguments of `leakscope [flags] FILE...`, which opens
// the window.
type OpenArgs struct {
	Files     []string // the dumps to open
	Binaries  []string // --binary: program or library files to symbolize with
	DebugDirs []string // --debug-dir: folders of separate debug files
	Servers   []string // --debuginfod: debuginfod server URLs
	// RuntimeCrates (--runtime-crate) are more crates or packages whose
	// frames count as the runtime's.
	RuntimeCrates []string
	// NewWindow (--new-window) opens a window of its own even when one is
	// open already.
	NewWindow bool
}

// ParseOpenArgs parses the arguments of `leakscope [--binary PATH]...
// [--debug-dir DIR]... [--debuginfod URL]... FILE...`, which opens the
// window, with the flag package's forms (-binary=x, --binary x, ...),
// flags before, among or after the files, and -- before a file whose name
// starts with a dash.
func ParseOpenArgs(args []string) (OpenArgs, error) {
	var o OpenArgs
	var binaries, dirs, servers stringList
	fs := newFlagSet("leakscope", io.Discard)
	crates := runtimeFlag(fs)
	newWindow := fs.Bool("new-window", false, "")
	fs.Var(&binaries, "binary", "")
	fs.Var(&dirs, "debug-dir", "")
	fs.Var(&servers, "debuginfod", "")
	files, err := parseFlags(fs, args)
	if err != nil {
		if strings.Contains(err.Error(), "flag provided but not defined") {
			_, name, _ := strings.Cut(err.Error(), "not defined: -")
			for _, a := range args { // as typed: -x or --x
				if n, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "="); n == name && strings.HasPrefix(a, "-") {
					name = a
					break
				}
			}
			return o, usagef("unknown flag %s (see leakscope help)", name)
		}
		return o, err
	}
	for _, l := range []struct {
		name string
		v    stringList
	}{{"--binary", binaries}, {"--debug-dir", dirs}, {"--debuginfod", servers}, {"--runtime-crate", *crates}} {
		for _, v := range l.v {
			if v == "" {
				return o, usagef("%s needs a value", l.name)
			}
		}
	}
	if err := checkSymbolFlags(dirs, servers); err != nil {
		return o, err
	}
	return OpenArgs{Files: files, Binaries: binaries, DebugDirs: dirs, Servers: servers, RuntimeCrates: *crates, NewWindow: *newWindow}, nil
}
