package diff_test

import (
	"testing"

	"github.com/leakscope/leakscope/diff"
)

// TestLabels: a set reads back from its string whatever its keys and
// values hold, and Has matches whole values.
func TestLabels(t *testing.T) {
	sets := []diff.Labels{
		nil,
		{{"tenant", "a"}},
		{{"handler", "/api"}, {"tenant", "a,b"}},
		{{"k=1", `x\y`}, {"q", "=,"}},
		{{"empty", ""}},
	}
	for _, l := range sets {
		got := diff.ParseLabels(l.String())
		if got.String() != l.String() || len(got) != len(l) {
			t.Errorf("%q reads back as %q (%v)", l.String(), got.String(), got)
		}
	}
	l := diff.Labels{{"tenant", "a,b"}}
	if !l.Has("tenant", "a,b") || l.Has("tenant", "a") || l.Has("tenant", "b") {
		t.Error("Has does not match the whole value")
	}
	if got := diff.ParseLabels("b=2,a=1").String(); got != "a=1,b=2" {
		t.Errorf("not sorted: %q", got)
	}
}
