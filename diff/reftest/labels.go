package reftest

import (
	"context"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
)

// LabeledGoroutineProfiles writes two goroutine profiles (pprof protobuf,
// as /debug/pprof/goroutine serves them) of this process into dir, with
// goroutines parked under pprof labels: tenant=a 2 → 5, tenant=b 3 → 3,
// and unlabelled ones. Every goroutine it starts has ended when it returns.
func LabeledGoroutineProfiles(dir string) (base, later string, err error) {
	release := make(chan struct{})
	var wg sync.WaitGroup
	park := func(tenant string, n int) {
		for i := 0; i < n; i++ {
			wg.Add(1)
			ready := make(chan struct{})
			go pprof.Do(context.Background(), pprof.Labels("tenant", tenant), func(context.Context) {
				defer wg.Done()
				close(ready)
				waitLabeled(release)
			})
			<-ready
		}
	}
	defer func() { close(release); wg.Wait() }()
	write := func(name string) (string, error) {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			return "", err
		}
		if err := pprof.Lookup("goroutine").WriteTo(f, 0); err != nil {
			f.Close()
			return "", err
		}
		return p, f.Close()
	}
	park("a", 2)
	park("b", 3)
	if base, err = write("labels-base.pb.gz"); err != nil {
		return "", "", err
	}
	park("a", 3)
	later, err = write("labels-later.pb.gz")
	return base, later, err
}

// waitLabeled blocks until release is closed: a frame of its own, so that
// the parked goroutines share one stack.
//
//go:noinline
func waitLabeled(release chan struct{}) { <-release }
