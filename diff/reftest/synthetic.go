package reftest

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/pprof/profile"
)

// SyntheticSeries writes n heap profiles (pprof protobuf) of a made-up
// service into dir and returns their paths, oldest first: the same on
// every run, for golden images. The service holds three things that grow:
//   - main.(*Store).put, a steady leak, 1 MiB more at every snapshot;
//   - main.(*Pool).get, a sawtooth pool that fills and empties (0, 2, 4
//     MiB over and over): larger growth than the leak between some pairs;
//   - main.warmCache, a cache that fills in the first two snapshots (8 MiB
//     at once) and then stays: the widest growth between first and last.
//
// Each profile records the time it was taken, 30 s apart.
func SyntheticSeries(dir string, n int) ([]string, error) {
	const file = "/src/shop/main.go"
	fns := []*profile.Function{
		{ID: 1, Name: "main.main", Filename: file},
		{ID: 2, Name: "main.serve", Filename: file},
		{ID: 3, Name: "main.(*Store).put", Filename: file},
		{ID: 4, Name: "main.(*Pool).get", Filename: file},
		{ID: 5, Name: "main.warmCache", Filename: file},
		{ID: 6, Name: "runtime.main", Filename: "/usr/lib/go/src/runtime/proc.go"},
	}
	loc := func(id uint64, fn *profile.Function, line int64) *profile.Location {
		return &profile.Location{ID: id, Address: 0x1000 * id, Line: []profile.Line{{Function: fn, Line: line}}}
	}
	locs := []*profile.Location{
		loc(1, fns[5], 283), loc(2, fns[0], 40), loc(3, fns[1], 61),
		loc(4, fns[2], 88), loc(5, fns[3], 102), loc(6, fns[4], 120),
	}
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	var paths []string
	for i := range n {
		store := int64(i+1) << 20
		pool := int64(i%3) * 2 << 20
		cache := int64(min(i, 1)) * 8 << 20
		stack := func(leaf ...*profile.Location) []*profile.Location {
			return append(leaf, locs[2], locs[1], locs[0])
		}
		p := &profile.Profile{
			SampleType:        []*profile.ValueType{{Type: "inuse_space", Unit: "bytes"}},
			PeriodType:        &profile.ValueType{Type: "space", Unit: "bytes"},
			Period:            512 * 1024,
			TimeNanos:         start.Add(time.Duration(i) * 30 * time.Second).UnixNano(),
			Function:          fns,
			Location:          locs,
			DefaultSampleType: "inuse_space",
		}
		for _, s := range []struct {
			leaf  *profile.Location
			value int64
		}{{locs[3], store}, {locs[4], pool + 1<<20}, {locs[5], cache + 512<<10}} {
			p.Sample = append(p.Sample, &profile.Sample{Location: stack(s.leaf), Value: []int64{s.value}})
		}
		path := filepath.Join(dir, fmt.Sprintf("heap-%04d.pb.gz", i+1))
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		err = p.Write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("writing %s: %w", path, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}
