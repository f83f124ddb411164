package diff

import (
	"context"
	"io"
	"sync/atomic"
)

// Progress tells how a load advances: the bytes read of the bytes expected,
// and the phase the work is in ("reading", "decompressing", "parsing pprof",
// "symbolizing", …). Loaders report to it from any goroutine; a viewer polls
// State. The zero value is ready to use, and a nil *Progress ignores reports.
type Progress struct {
	read, total atomic.Int64
	phase       atomic.Pointer[string]
}

// State returns the current phase and the bytes read of the bytes expected
// (total is 0 when unknown, for example for a pipe).
func (p *Progress) State() (phase string, read, total int64) {
	if p == nil {
		return "", 0, 0
	}
	if s := p.phase.Load(); s != nil {
		phase = *s
	}
	return phase, p.read.Load(), p.total.Load()
}

// SetPhase names the phase the work is in now.
func (p *Progress) SetPhase(phase string) {
	if p != nil {
		p.phase.Store(&phase)
	}
}

// Expect adds n bytes to the total expected.
func (p *Progress) Expect(n int64) {
	if p != nil {
		p.total.Add(n)
	}
}

func (p *Progress) addRead(n int64) {
	if p != nil {
		p.read.Add(n)
	}
}

// ctxReader reads from r until ctx is done, counting the bytes in p.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
	p   *Progress
}

func (c *ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	// Large reads keep the check frequent on fast sources such as /dev/zero.
	if len(b) > 1<<20 {
		b = b[:1<<20]
	}
	n, err := c.r.Read(b)
	c.p.addRead(int64(n))
	if err != nil && c.ctx.Err() != nil {
		return n, c.ctx.Err()
	}
	return n, err
}

// checkEvery is how many records (samples, lines, stacks) loaders handle
// between two looks at the context.
const checkEvery = 4096
