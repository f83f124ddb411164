package jemalloc_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff"
)

// bigDump writes a dump of n distinct stacks built from the real addresses
// and memory map of the test program's dump, so that every frame symbolizes.
func bigDump(b *testing.B, d dumpSet, n int) string {
	b.Helper()
	data, err := os.ReadFile(d.later)
	if err != nil {
		b.Fatal(err)
	}
	text := string(data)
	maps := text[strings.Index(text, "MAPPED_LIBRARIES:"):]
	var addrs []string
	seen := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "@ ") {
			for _, a := range strings.Fields(line)[1:] {
				if !seen[a] {
					seen[a] = true
					addrs = append(addrs, a)
				}
			}
		}
	}
	path := filepath.Join(b.TempDir(), fmt.Sprintf("big-%d.heap", n))
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(7, 11))
	fmt.Fprintf(w, "heap_v2/1\n  t*: %d: %d [%d: %d]\n", n, n*64, n, n*64)
	for i := 0; i < n; i++ {
		depth := 6 + rng.IntN(10)
		stack := make([]string, depth)
		for j := range stack {
			stack[j] = addrs[rng.IntN(len(addrs))]
		}
		// Distinct stacks: vary one frame by the index.
		fmt.Fprintf(w, "@ %s 0x%x\n  t*: 1: 64 [1: 64]\n", strings.Join(stack, " "), 0x1000+i)
	}
	w.WriteString(maps)
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return path
}

// BenchmarkParseAndSymbolize100k reads and symbolizes a 100k-stack dump;
// BenchmarkJeprof100k runs `jeprof --text` on the same file in the same run.
func BenchmarkParseAndSymbolize100k(b *testing.B) {
	d := makeDumps(b, 0)
	path := bigDump(b, d, 100_000)
	b.ReportAllocs()
	for b.Loop() {
		dump, err := diff.Open(context.Background(), path, nil)
		if err != nil {
			b.Fatal(err)
		}
		if dump.NumStacks() != 100_000 {
			b.Fatalf("%d stacks", dump.NumStacks())
		}
	}
}

func BenchmarkJeprof100k(b *testing.B) {
	d := makeDumps(b, 0)
	path := bigDump(b, d, 100_000)
	for b.Loop() {
		if out, err := exec.Command("jeprof", "--text", "--show_bytes", d.bin, path).CombinedOutput(); err != nil {
			b.Fatalf("jeprof: %v\n%.2000s", err, out)
		}
	}
}
