package session

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/leakscope/leakscope/assets"
	"github.com/leakscope/leakscope/diff"
	_ "github.com/leakscope/leakscope/diff/goroutines" // reads Go debug=2 dumps
	_ "github.com/leakscope/leakscope/diff/jemalloc"   // reads jemalloc heap_v2 dumps
)

// Source is a dump to load: a file, or a dump built into the program.
type Source struct {
	Path string
	Demo bool // Path names an embedded demo dump
}

// Files returns a Source for each path, a folder standing for the dumps
// in it (see Expand).
func Files(paths []string) []Source {
	paths = Expand(paths)
	srcs := make([]Source, len(paths))
	for i, p := range paths {
		srcs[i] = Source{Path: p}
	}
	return srcs
}

// dumpHeads are how the dumps Leakscope reads begin, past gzip and
// protobuf: Go's text profiles and goroutine dumps, and jemalloc's.
var dumpHeads = []string{"goroutine ", "heap profile:", "heap_v2/", "--- mutex", "--- contention", "threadcreate profile:",
	"goroutineleak profile:"}

// looksLikeDump reports whether the file at path begins as a dump does:
// gzip, a profile.proto message (its first field, sample_type), or the
// first words of a text dump.
func looksLikeDump(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return true // opening it says why
	}
	defer f.Close()
	head := make([]byte, 64)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case n < 2:
		return false
	case head[0] == 0x1f && head[1] == 0x8b, head[0] == 0x0a:
		return true
	}
	for _, h := range dumpHeads {
		if strings.HasPrefix(string(head), h) {
			return true
		}
	}
	return false
}

// dumpSuffixes are the names of files that a folder opens: those dumps
// are usually given. Other files in it (notes, counters) are passed over.
var dumpSuffixes = []string{".pb.gz", ".pb", ".pprof", ".prof", ".memprof", ".heap", ".txt", ".gz"}

// Expand replaces each folder among paths with the dump files in it, in
// name order, so that a folder of snapshots, such as leakscope watch writes,
// opens as a series: files named as dumps are (.pb.gz, .pb, .pprof, .prof,
// .memprof, .heap, .txt, .gz; not hidden) whose first bytes are those of a
// dump; notes, counters and empty files beside them are passed over. Other
// paths are kept as they are.
func Expand(paths []string) []string {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil || !st.IsDir() {
			out = append(out, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			out = append(out, p) // opening it says why
			continue
		}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || strings.HasPrefix(name, ".") {
				continue
			}
			for _, suf := range dumpSuffixes {
				if path := filepath.Join(p, name); strings.HasSuffix(name, suf) {
					if looksLikeDump(path) {
						out = append(out, path)
					}
					break
				}
			}
		}
	}
	return out
}

// DemoSources is the built-in demo: a heap pair and a debug=2 goroutine
// pair of the leaky demo service.
var DemoSources = []Source{
	{Path: "heap-base.pb.gz", Demo: true},
	{Path: "heap-later.pb.gz", Demo: true},
	{Path: "goroutines-base.txt", Demo: true},
	{Path: "goroutines-later.txt", Demo: true},
}

// Load reads srcs concurrently, symbolizing with binaries, and returns the
// dumps in the order of srcs. The error is that of the first source, in
// order, that failed. It reports to p, and stops with an error wrapping
// ctx's soon after ctx is done (even on a FIFO without a writer), having
// ended every goroutine it started.
func Load(ctx context.Context, srcs []Source, binaries []string, p *diff.Progress) ([]*diff.Dump, error) {
	opts := &diff.Options{Binaries: binaries, Progress: p}
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
	if !s.Demo {
		return diff.OpenContext(ctx, s.Path, opts)
	}
	f, err := assets.Demo(s.Path)
	if err != nil {
		return nil, fmt.Errorf("demo %s: %w", s.Path, err)
	}
	return diff.ParseContext(ctx, f.Data, "demo/"+s.Path, opts)
}

// Preload is a load started before the window exists, so that reading the
// dumps overlaps starting the toolkit. The window's first load takes its
// result instead of reading the files again.
type Preload struct {
	srcs     []Source
	progress *diff.Progress
	cancel   context.CancelFunc
	done     chan struct{}
	loaded   *Loaded
	err      error
}

// StartPreload starts loading srcs with binaries (as LoadAll) on a goroutine of its own,
// which ends when the load does; Take or Close ends it early.
func StartPreload(srcs []Source, binaries []string) *Preload {
	ctx, cancel := context.WithCancel(context.Background())
	p := &Preload{srcs: srcs, progress: &diff.Progress{}, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.loaded, p.err = LoadAll(ctx, srcs, binaries, p.progress)
	}()
	return p
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
	<-p.done
}

// Progress returns how the preload advances.
func (p *Preload) Progress() *diff.Progress { return p.progress }

// Sources returns what the preload reads.
func (p *Preload) Sources() []Source { return p.srcs }
