package diff_test

import (
	"context"
	"errors"
	"testing"

	"github.com/leakscope/leakscope/diff"
)

// TestLinesContext: summing lines stops with the context's error.
func TestLinesContext(t *testing.T) {
	b := diff.NewBuilder([]diff.SampleType{{Type: "inuse_space", Unit: "bytes"}})
	for i := range 3 {
		b.AddStack([]int32{b.Frame(diff.Frame{Function: "f", File: "a b/c.go", Line: int64(i + 1)})}, []int64{int64(i + 1)})
	}
	c, err := diff.Compare(nil, b.Dump("d"), "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.LinesContext(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	lines, err := c.LinesContext(context.Background())
	if err != nil || len(lines) != 3 || lines[0].Frame.File != "a b/c.go" || lines[0].Frame.Line != 3 {
		t.Errorf("lines %+v, %v", lines, err)
	}
}
