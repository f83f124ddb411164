package diff_test

import (
	"bytes"
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
			d, err := diff.Parse(tt.data, "p.txt")
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
