package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/leakscope/leakscope/assets"
	"github.com/leakscope/leakscope/diff"
	_ "github.com/leakscope/leakscope/diff/goroutines" // reads Go debug=2 dumps
	_ "github.com/leakscope/leakscope/diff/jemalloc"   // reads jemalloc heap_v2 dumps
)

// source is a dump to load: a file, or an embedded demo dump.
type source struct {
	path string
	demo bool
}

// progress counts the bytes read of all files of one load.
type progress struct {
	read, total atomic.Int64
}

func (p *progress) fraction() float64 {
	t := p.total.Load()
	if t <= 0 {
		return 0
	}
	return min(float64(p.read.Load())/float64(t), 1)
}

// ctxReader reads from r until ctx is cancelled, counting bytes.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
	p   *progress
}

func (c *ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(b)
	c.p.read.Add(int64(n))
	return n, err
}

// loadSources reads the dumps in order. It runs off the UI goroutine; it stops
// early, returning ctx's error, once ctx is cancelled.
func loadSources(ctx context.Context, srcs []source, opts *diff.Options, p *progress) ([]*diff.Dump, error) {
	for _, s := range srcs {
		if s.demo {
			continue
		}
		if st, err := os.Stat(s.path); err == nil {
			p.total.Add(st.Size())
		}
	}
	dumps := make([]*diff.Dump, 0, len(srcs))
	for _, s := range srcs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		d, err := loadSource(ctx, s, opts, p)
		if err != nil {
			return nil, err
		}
		dumps = append(dumps, d)
	}
	return dumps, nil
}

func loadSource(ctx context.Context, s source, opts *diff.Options, p *progress) (*diff.Dump, error) {
	if s.demo {
		f, err := assets.Demo(s.path)
		if err != nil {
			return nil, fmt.Errorf("demo %s: %w", s.path, err)
		}
		return diff.Parse(f.Data, "demo/"+s.path)
	}
	f, err := os.Open(s.path)
	if err != nil {
		return nil, &diff.Error{Path: s.path, Err: unwrapPathErr(err)}
	}
	defer f.Close()
	d, err := diff.ReadWith(&ctxReader{ctx: ctx, r: f, p: p}, s.path, opts)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return d, err
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// demoSources is the built-in demo: a heap pair and a debug=2 goroutine pair
// of the leaky demo service.
var demoSources = []source{
	{path: "heap-base.pb.gz", demo: true},
	{path: "heap-later.pb.gz", demo: true},
	{path: "goroutines-base.txt", demo: true},
	{path: "goroutines-later.txt", demo: true},
}
