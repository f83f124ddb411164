package diff_test

import (
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff"
)

func TestTrimLeaves(t *testing.T) {
	plumbing := func(f diff.Frame) bool { return strings.HasPrefix(f.Function, "alloc::") }
	tests := []struct {
		desc  string
		stack string // leaf first, space-separated
		want  string
	}{
		{"leading plumbing goes", "alloc::a alloc::b user main", "user main"},
		{"only leading frames go", "alloc::a user alloc::b main", "user alloc::b main"},
		{"nothing to trim", "user main", "user main"},
		{"all plumbing is kept whole", "alloc::a alloc::b", "alloc::a alloc::b"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			b := diff.NewBuilder([]diff.SampleType{{Type: "inuse_space", Unit: "bytes"}})
			var ids []int32
			for _, fn := range strings.Fields(tt.stack) {
				ids = append(ids, b.Frame(diff.Frame{Function: fn}))
			}
			b.AddStack(ids, []int64{42})
			d := b.Dump("d")
			got := d.TrimLeaves(plumbing)
			var names []string
			for _, f := range got.Stack(0) {
				names = append(names, got.Frame(f).Function)
			}
			if s := strings.Join(names, " "); s != tt.want {
				t.Errorf("stack %q, want %q", s, tt.want)
			}
			if got.Total(0) != 42 || got.Values(0)[0] != 42 {
				t.Errorf("values changed: total %d", got.Total(0))
			}
			if tt.stack == tt.want && got != d {
				t.Error("an unchanged dump was copied")
			}
			if d.Stack(0)[0] != ids[0] {
				t.Error("the original dump changed")
			}
		})
	}
}
