package reftest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
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

// DeepGoroutinePair writes a debug=2 goroutine pair into dir whose
// goroutines sit depth frames deep, main.level001 (outermost) to
// main.levelNNN (the leaf): 1 goroutine in the base, 3 in the later dump.
func DeepGoroutinePair(dir string, depth int) (base, later string, err error) {
	write := func(name string, ids ...int) (string, error) {
		var b strings.Builder
		for _, id := range ids {
			fmt.Fprintf(&b, "goroutine %d [chan receive]:\n", id)
			for d := depth; d >= 1; d-- {
				fmt.Fprintf(&b, "main.level%03d()\n\t/src/deep.go:%d +0x1d\n", d, d)
			}
			b.WriteString("created by main.main in goroutine 1\n\t/src/deep.go:200 +0x25\n\n")
		}
		p := filepath.Join(dir, name)
		return p, os.WriteFile(p, []byte(b.String()), 0o644)
	}
	if base, err = write("deep-base.txt", 10); err != nil {
		return "", "", err
	}
	later, err = write("deep-later.txt", 10, 20, 21)
	return base, later, err
}
