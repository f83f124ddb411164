package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/goroutines"
	"github.com/leakscope/leakscope/diff/series"
	"github.com/leakscope/leakscope/watch"
)

// runWatch is `leakscope watch`.
func runWatch(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("watch", stderr)
	interval := fs.Duration("interval", time.Minute, "time between snapshots")
	count := fs.Int("count", 0, "snapshots to take, then stop (default: until Ctrl+C)")
	out := fs.String("out", "", "folder to write the snapshots to (default: leakscope-HOST_PORT); a folder that holds a series continues it")
	folder := fs.String("dir", "", "follow this folder, where jemalloc writes its dumps (prof.PID.SEQ.iN.heap), instead of a URL")
	asJSON := fs.Bool("json", false, "end with the report as JSON (see report --json) on stdout; the live table goes to stderr")
	timeout := fs.Duration("timeout", 30*time.Second, "how long one capture may take")
	retries := fs.Int("retries", 3, "failed tries of one snapshot in a row before the watch gives up")
	sample := fs.String("sample", "", "sample type to rank (default: the dumps' default, inuse_space for heap profiles)")
	top := fs.Int("top", 10, "suspects in the live table and the report")
	lim := limitFlags(fs)
	fs.Lookup("max-size").Usage = "largest snapshot, on disk and after decompression, e.g. 1G (default 256M)"
	pos, err := parseFlags(fs, args)
	if err == nil {
		err = lim.check()
	}
	o := watch.Options{Interval: *interval, Count: *count, Timeout: *timeout, Retries: *retries, Sample: *sample, Folder: *folder}
	switch {
	case err != nil:
	case *folder != "" && len(pos) > 0:
		err = usagef("watch takes a URL or --dir DIR, not both")
	case *folder == "" && len(pos) != 1:
		err = usagef("watch takes one URL (host:port or http://host:port/debug/pprof/), or --dir DIR; got %d arguments", len(pos))
	case *interval <= 0 || *count < 0 || *retries < 0 || *timeout <= 0 || *top < 0:
		err = usagef("--interval and --timeout must be positive, --count, --retries and --top not negative")
	case *folder != "" && *out != "":
		err = usagef("--out goes with a URL: with --dir, the dumps stay where jemalloc writes them")
	}
	if err == nil && *folder == "" {
		if o.Base, err = watch.NormalizeURL(pos[0]); err != nil {
			err = usagef("%v", err)
		}
		o.Dir = *out
		if o.Dir == "" && err == nil {
			o.Dir = watch.DefaultDir(o.Base)
		}
	}
	if err == nil {
		err = checkWatchFolder(o)
	}
	if err != nil {
		return fail(stderr, err)
	}
	o.Opts = lim.options()
	if o.Opts.MaxSize == 0 {
		// Each answer is read whole once written: bounded by default so
		// that reading it stays well within a gigabyte of memory.
		o.Opts.MaxSize = WatchMaxSize
	}
	live := stdout
	if *asJSON {
		live = stderr
	}
	view := newLiveView(live, stderr, *top)
	o.Progress = view.update

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, statErr := os.Stat(o.Where())
	made := os.IsNotExist(statErr) // the watch makes the folder
	w, err := watch.NewWatcher(ctx, o)
	if err != nil {
		return fail(stderr, err)
	}
	where := o.Base
	if o.Folder != "" {
		where = o.Folder
	}
	fmt.Fprintf(stderr, "leakscope: watching %s every %s, writing to %s", printable(where), o.Interval, printable(o.Where()))
	if len(w.Files) > 0 {
		fmt.Fprintf(stderr, " (continuing its %d snapshot files)", len(w.Files))
	}
	fmt.Fprintln(stderr, "; Ctrl+C ends the watch with the report")
	runErr := w.Run(ctx)
	stop()
	view.done()
	code := ExitOK
	if runErr != nil {
		kept := fmt.Sprintf("; the %d snapshots taken (%d files) are kept in %s", w.Snapshots(), len(w.Files), o.Where())
		if len(w.Files) == 0 {
			kept = "; no snapshot was taken"
			if made {
				os.Remove(o.Where()) // empty: nothing to keep
			}
		}
		code = fail(stderr, fmt.Errorf("%w%s", runErr, kept))
		if len(w.Files) == 0 {
			return code
		}
	}
	if c := watchReport(w, *asJSON, *top, stdout, stderr); code == ExitOK {
		code = c
	}
	return code
}

// WatchMaxSize is the default --max-size of watch: the largest answer, on
// disk and decompressed, that one snapshot may be. Reading a dump takes a
// few times its size in memory; a goroutine dump of this size holds about
// two million goroutines.
const WatchMaxSize = 256 << 20

// checkWatchFolder checks, without opening anything, that the folder a
// watch follows (--dir) is a folder, and that the one it writes to (--out)
// is a folder or can be made one in a folder that exists: a usage error
// naming the path otherwise, never a wait on a FIFO.
func checkWatchFolder(o watch.Options) error {
	if o.Folder != "" {
		st, err := os.Stat(o.Folder)
		switch {
		case os.IsNotExist(err):
			return usagef("--dir %s: no such folder", o.Folder)
		case err != nil:
			return usagef("--dir %s: %v", o.Folder, diff.WithoutPath(err))
		case !st.IsDir():
			return usagef("--dir %s: not a folder", o.Folder)
		}
		return nil
	}
	st, err := os.Stat(o.Dir)
	switch {
	case err == nil && !st.IsDir():
		return usagef("--out %s: not a folder", o.Dir)
	case err == nil:
		return nil
	case !os.IsNotExist(err):
		return usagef("--out %s: %v", o.Dir, diff.WithoutPath(err))
	}
	parent := filepath.Dir(filepath.Clean(o.Dir))
	if st, err := os.Stat(parent); err != nil || !st.IsDir() {
		return usagef("--out %s: its folder %s does not exist", o.Dir, parent)
	}
	return nil
}

// watchReport ends a watch with the report of its series.
func watchReport(w *watch.Watcher, asJSON bool, top int, stdout, stderr io.Writer) int {
	o := w.Options()
	a, err := w.Analysis()
	if err != nil {
		return fail(stderr, err)
	}
	if a == nil {
		fmt.Fprintln(stderr, "leakscope: no snapshot was taken")
		return ExitDump
	}
	if a.Main.Len() < 3 {
		fmt.Fprintf(stderr, "leakscope: %d snapshots: a series needs three to rank; here is the comparison\n", a.Main.Len())
		return watchPairReport(o, a, asJSON, top, stdout, stderr)
	}
	return writeSeries(a, reportOptions{asJSON: asJSON, top: top, opts: o.Opts, sample: o.Sample}, stdout, stderr)
}

// pairReport reports a watch of one or two snapshots: the first against
// the last, with the spawn sites of the goroutine dumps taken with them.
func watchPairReport(o watch.Options, a *series.Analysis, asJSON bool, top int, stdout, stderr io.Writer) int {
	ends := func(s *series.Series) []string {
		p := s.Paths()
		if len(p) > 1 {
			p = []string{p[0], p[len(p)-1]}
		}
		return p
	}
	// As report loads a pair: in order, generic names lined up, jemalloc's
	// allocation frames folded.
	load := func(paths []string, sample string) (*diff.Comparison, error) {
		return loadComparison(paths, sample, o.Opts, stderr)
	}
	c, err := load(ends(a.Main), o.Sample)
	if err != nil {
		return fail(stderr, err)
	}
	var g *goroutines.Comparison
	if a.Goroutines != nil {
		gc, err := load(ends(a.Goroutines), "")
		if err == nil {
			g, err = SpawnSites(gc)
		}
		if err != nil {
			return fail(stderr, err)
		}
	}
	if a.Main == a.Goroutines {
		g, _ = SpawnSites(c)
	}
	if err := writePair(c, g, top, asJSON, findOptions{}, stdout); err != nil {
		return fail(stderr, fmt.Errorf("writing report: %w", err))
	}
	return ExitOK
}
