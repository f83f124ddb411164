package pprof_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime/pprof"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff"
)

// TestTextProfileCutShort checks that debug=1 text cut anywhere after its
// first stack loads with a warning, and a whole one without.
func TestTextProfileCutShort(t *testing.T) {
	t.Parallel()
	var heap bytes.Buffer
	if err := pprof.Lookup("heap").WriteTo(&heap, 1); err != nil {
		t.Fatal(err)
	}
	goroutine := readDemo(t, "goroutine-base.txt")
	heapText := heap.Bytes()
	stacksEnd := bytes.Index(heapText, []byte("\n# runtime.MemStats\n"))
	if stacksEnd < 0 {
		t.Fatal("Go's debug=1 heap profile has no runtime.MemStats section")
	}
	second := bytes.Index(goroutine[1:], []byte("\n\n")) + 3 // after the first stack
	tests := []struct {
		desc, warning string
		data          []byte
	}{
		{"whole goroutine profile", "", goroutine},
		{"whole heap profile", "", heapText},
		{"goroutine profile cut after a stack", "the header counts 50 but the stacks hold 20", goroutine[:second]},
		{"goroutine profile cut in its last comment", "does not end with a newline", goroutine[:len(goroutine)-20]},
		{"heap profile cut before MemStats", "the dump ends before the runtime.MemStats section", heapText[:stacksEnd+1]},
		{"heap profile cut in MemStats", "does not end with a newline", heapText[:len(heapText)-3]},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			d, err := diff.Parse(context.Background(), tt.data, "p.txt", nil)
			if err != nil {
				t.Fatal(err)
			}
			w := strings.Join(d.Warnings, "; ")
			if (tt.warning == "") != (w == "") || !strings.Contains(w, tt.warning) {
				t.Errorf("warnings %q, want %q", w, tt.warning)
			}
		})
	}
}

// TestTextLinesOfAnyLength: Go's debug=1 heap and goroutine profiles with
// a stack line of half a megabyte (bufio.Scanner's limit is 64 kB) read
// whole, every frame named from the comments.
func TestTextLinesOfAnyLength(t *testing.T) {
	var addrs, comments strings.Builder
	for i := range 60_000 {
		fmt.Fprintf(&addrs, " 0x%x", 0x400001+i*16)
		fmt.Fprintf(&comments, "#\t0x%x\tmain.f%d+0x1\t/src/m.go:%d\n", 0x400000+i*16, i, i+1)
	}
	for _, tt := range []struct{ name, text string }{
		{"heap.txt", "heap profile: 1: 1024 [1: 1024] @ heap/1048576\n1: 1024 [1: 1024] @" + addrs.String() + "\n" + comments.String() + "\n# runtime.MemStats\n# Alloc = 1\n"},
		{"goroutine.txt", "goroutine profile: total 3\n3 @" + addrs.String() + "\n" + comments.String() + "\n"},
	} {
		d, err := diff.Parse(context.Background(), []byte(tt.text), tt.name, nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if d.NumStacks() != 1 || len(d.Stack(0)) != 60_000 {
			t.Fatalf("%s: %d stacks, the first of %d frames", tt.name, d.NumStacks(), len(d.Stack(0)))
		}
		if f := d.Frame(d.Stack(0)[59_999]); f.Function != "main.f59999" || f.Line != 60_000 {
			t.Errorf("%s: the last frame is %+v", tt.name, f)
		}
		if len(d.Warnings) > 0 {
			t.Errorf("%s: warnings %q", tt.name, d.Warnings)
		}
	}
}
