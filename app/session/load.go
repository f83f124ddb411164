package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/leakscope/leakscope/assets"
	"github.com/leakscope/leakscope/diff"
	_ "github.com/leakscope/leakscope/diff/goroutines" // reads Go debug=2 dumps
	_ "github.com/leakscope/leakscope/diff/jemalloc"   // reads jemalloc heap_v2 dumps
	_ "github.com/leakscope/leakscope/diff/pprof"      // reads pprof protobuf and Go text profiles
)

// Source is a dump to load: a file, or a dump built into the program.
type Source struct {
	Path string
	Demo bool  // Path names an embedded demo dump
	Err  error // when set, what keeps Path from loading (a folder with no dump)
}

// Files returns a Source for each path, a folder standing for the dumps
// in it (see Folder); a folder with no dump is a Source whose Err says so.
func Files(paths []string) []Source {
	var expanded []Source
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			dumps, err := Folder(p)
			if err != nil {
				expanded = append(expanded, Source{Path: p, Err: err})
			}
			for _, d := range dumps {
				expanded = append(expanded, Source{Path: d})
			}
			continue
		}
		expanded = append(expanded, Source{Path: p})
	}
	return expanded
}

// Expand replaces each folder among paths with the dump files in it (see
// Folder), so that a folder of snapshots, such as leakscope watch writes,
// opens as a series. Other paths are kept as they are. The error names the
// first folder that holds no dump.
func Expand(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil || !st.IsDir() {
			out = append(out, p)
			continue
		}
		dumps, err := Folder(p)
		if err != nil {
			return nil, err
		}
		out = append(out, dumps...)
	}
	return out, nil
}

// Folder returns the dump files in dir, in name order: files named as
// dumps are (diff.Suffixes: .pb.gz, .pprof, .heap, .txt, …; not hidden)
// whose first bytes are those of a dump (diff.SniffFile). Notes, counters, empty
// files, folders and anything that is not a regular file (a FIFO, a
// device; never opened, so never waited on) are passed over. The error,
// when dir holds no dump, names dir and what was passed over.
func Folder(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, &diff.Error{Path: dir, Err: diff.WithoutPath(err)}
	}
	var out, passed []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(dir, name)
		st, err := os.Stat(path) // follows a link; never blocks
		switch {
		case err != nil:
			passed = append(passed, name+" ("+diff.WithoutPath(err).Error()+")")
		case st.IsDir():
			passed = append(passed, name+" (a folder)")
		case !st.Mode().IsRegular():
			passed = append(passed, name+" (not a regular file)")
		case !slices.ContainsFunc(diff.Suffixes(), func(suf string) bool { return strings.HasSuffix(name, suf) }):
			passed = append(passed, name+" (not named as a dump)")
		case !diff.SniffFile(path):
			passed = append(passed, name+" (does not begin as a dump)")
		default:
			out = append(out, path)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	if len(passed) == 0 {
		return nil, &diff.Error{Path: dir, Err: errors.New("is an empty folder: no dump to open")}
	}
	more := ""
	if len(passed) > 5 {
		more = fmt.Sprintf(" and %d more", len(passed)-5)
		passed = passed[:5]
	}
	return nil, &diff.Error{Path: dir, Err: fmt.Errorf("holds no dump; passed over %s%s", strings.Join(passed, ", "), more)}
}

// DemoSources is the built-in demo: a heap pair and a debug=2 goroutine
// pair of the leaky demo service.
var DemoSources = []Source{
	{Path: "heap-base.pb.gz", Demo: true},
	{Path: "heap-later.pb.gz", Demo: true},
	{Path: "goroutines-base.txt", Demo: true},
	{Path: "goroutines-later.txt", Demo: true},
}

// Load reads srcs concurrently, symbolizing with sym (nil: only the files
// the dumps name and the debuginfod cache), and returns the
// dumps in the order of srcs. The error is that of the first source, in
// order, that failed. It reports to p, and stops with an error wrapping
// ctx's soon after ctx is done (even on a FIFO without a writer), having
// ended every goroutine it started.
func Load(ctx context.Context, srcs []Source, sym *Symbols, p *diff.Progress) ([]*diff.Dump, error) {
	return loadWith(ctx, srcs, sym.Options(p))
}

func loadWith(ctx context.Context, srcs []Source, opts *diff.Options) ([]*diff.Dump, error) {
	dumps := make([]*diff.Dump, len(srcs))
	errs := make([]error, len(srcs))
	var wg sync.WaitGroup
	for i, s := range srcs {
		wg.Go(func() { dumps[i], errs[i] = loadOne(ctx, s, opts) })
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return dumps, nil
}

func loadOne(ctx context.Context, s Source, opts *diff.Options) (*diff.Dump, error) {
	if s.Err != nil {
		return nil, s.Err
	}
	if !s.Demo {
		return diff.Open(ctx, s.Path, opts)
	}
	f, err := assets.Demo(s.Path)
	if err != nil {
		return nil, fmt.Errorf("demo %s: %w", s.Path, err)
	}
	return diff.Parse(ctx, f.Data, "demo/"+s.Path, opts)
}

// Preload is a load started before the window exists, so that reading the
// dumps overlaps starting the toolkit. The window's first load takes its
// result instead of reading the files again, and its first computation
// takes the result computed ahead for a new session given these dumps
// (Result), when the session is still in that state.
type Preload struct {
	srcs     []Source
	progress *diff.Progress
	cancel   context.CancelFunc
	done     chan struct{} // closed when loaded and err are set
	computed chan struct{} // closed when result is set, after done
	loaded   *Loaded
	err      error
	result   *Result
}

// StartPreload starts loading srcs with sym (as LoadAll), and then computing
// what a new session with sym given the dumps shows, on a goroutine of its
// own, which ends when both are done; Close ends it early.
func StartPreload(srcs []Source, sym *Symbols) *Preload {
	ctx, cancel := context.WithCancel(context.Background())
	p := &Preload{srcs: srcs, progress: &diff.Progress{}, cancel: cancel,
		done: make(chan struct{}), computed: make(chan struct{})}
	go func() {
		defer close(p.computed)
		p.loaded, p.err = LoadAll(ctx, srcs, sym, p.progress)
		close(p.done)
		if p.err != nil {
			return
		}
		s := New(nil)
		if sym != nil {
			s.Symbols, s.Sample = *sym.Clone(), sym.Sample
		}
		if len(s.Add(p.loaded.Dumps, false)) > 0 {
			return // the window asks a question first
		}
		s.SetSeries(NewSeries(p.loaded.Series))
		if r, err := Compute(ctx, s.Snapshot(), nil, nil); err == nil {
			p.result = r
		}
	}()
	return p
}

// Result waits for the computation that follows the preload's load, or for
// ctx, and returns its result when it is what snap shows; nil otherwise,
// and for a nil Preload.
func (p *Preload) Result(ctx context.Context, snap Snapshot) *Result {
	if p == nil {
		return nil
	}
	select {
	case <-p.computed:
	case <-ctx.Done():
		return nil
	}
	if p.result == nil || !p.result.in.same(snap) {
		return nil
	}
	return p.result
}

// Take waits for the preload, or for ctx, and returns what it read.
// Cancelling ctx cancels the preload.
func (p *Preload) Take(ctx context.Context) (*Loaded, error) {
	select {
	case <-p.done:
	case <-ctx.Done():
		p.Close()
		return nil, ctx.Err()
	}
	return p.loaded, p.err
}

// Close cancels the preload and waits for its goroutine to end.
func (p *Preload) Close() {
	p.cancel()
	<-p.computed
}

// Progress returns how the preload advances.
func (p *Preload) Progress() *diff.Progress { return p.progress }

// Sources returns what the preload reads.
func (p *Preload) Sources() []Source { return p.srcs }
