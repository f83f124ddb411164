package series

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/leakscope/leakscope/diff"
	_ "github.com/leakscope/leakscope/diff/pprof" // reads pprof protobuf and Go text profiles
)

// bigDump is the file size past which a series' dumps are read one at a
// time (a gzipped file of this size holds several times as much).
const bigDump = 16 << 20

// Load reads the dumps at paths, a few at a time, into one series per kind
// (heap and goroutine dumps taken together stay apart), and returns the
// series in the order their first files were given. Each dump is dropped
// once added, so memory holds the series and the dumps being read. The error
// names the first file, in the order given, that could not be read or does
// not fit its series. It stops soon after ctx is done, with ctx's error.
// keepAllocFrames is Builder.KeepAllocFrames.
func Load(ctx context.Context, paths []string, opts *diff.Options, keepAllocFrames bool) ([]*Series, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("no dumps to load")
	}
	var (
		mu       sync.Mutex
		builders = map[diff.Kind]*Builder{}
		kinds    []diff.Kind
		errs     = make([]error, len(paths))
	)
	// Two at a time: decoding is the cost, and each dump being read holds
	// its whole table until it is added. Large dumps go one at a time:
	// then memory holds the series and one dump being read. The first
	// failure cancels the loads under way and stops those not begun.
	g, gctx := errgroup.WithContext(ctx)
	workers := min(2, len(paths))
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Size() > bigDump {
			workers = 1
		}
	}
	g.SetLimit(max(workers, 1))
	for i := range paths {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				errs[i] = err
				return err
			}
			d, err := diff.Open(gctx, paths[i], opts)
			if err == nil {
				mu.Lock()
				b := builders[d.Kind]
				if b == nil {
					b = NewBuilder()
					b.KeepAllocFrames = keepAllocFrames
					builders[d.Kind] = b
					kinds = append(kinds, d.Kind)
				}
				err = b.AddAt(d, i)
				mu.Unlock()
				// The dump is garbage now, and large: collecting it at
				// once keeps the peak near the series plus the dumps
				// being read, instead of twice the series.
				runtime.GC()
			}
			errs[i] = err
			return err
		})
	}
	g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The first failure in the order given, passing over the loads that
	// stopped because another failed.
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	// The kinds in the order their first file was given.
	var out []*Series
	for _, k := range kinds {
		out = append(out, builders[k].Series())
	}
	first := func(s *Series) int {
		for i, p := range paths {
			for _, sn := range s.Snapshots {
				if sn.Path == p {
					return i
				}
			}
		}
		return len(paths)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && first(out[j]) < first(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}
