package diff_test

import (
	"slices"
	"testing"

	"github.com/leakscope/leakscope/diff"
	_ "github.com/leakscope/leakscope/diff/goroutines" // registers debug=2 dumps
	_ "github.com/leakscope/leakscope/diff/jemalloc"   // registers heap_v2 dumps
)

// TestRegistry: the names a folder opens and the open dialog shows come
// from the formats themselves, and Sniff knows every format's start.
func TestRegistry(t *testing.T) {
	got := diff.Suffixes()
	for _, want := range []string{".pb.gz", ".pb", ".pprof", ".prof", ".memprof", ".heap", ".txt", ".gz"} {
		if !slices.Contains(got, want) {
			t.Errorf("suffixes %v lack %s", got, want)
		}
	}
	tests := []struct {
		head string
		want bool
	}{
		{"\x1f\x8b\x08\x00", true},
		{"\x0a\x04\x08\x01\x10\x02", true},
		{"heap_v2/524288\n", true},
		{"goroutine 1 [running]:\nmain.main()\n", true},
		{"heap profile: 1: 2 [3: 4] @ heap/1048576\n", true},
		{"goroutineleak profile: total 3\n", true},
		{"\xef\xbb\xbfgoroutine 1 [running]:\n", true},
		{"\xff\xfeg\x00o\x00", true},
		{"# notes\nnothing here\n", false},
		{"{\"json\": 1}", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := diff.Sniff([]byte(tt.head)); got != tt.want {
			t.Errorf("Sniff(%q) = %v, want %v", tt.head, got, tt.want)
		}
	}
}
