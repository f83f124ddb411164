package flame_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/series"
	"github.com/leakscope/leakscope/flame"
)

// seriesDump builds a heap dump at minute m from "leaf;caller;root" stacks.
func seriesDump(t *testing.T, m int, stacks map[string]int64) *diff.Dump {
	t.Helper()
	b := diff.NewBuilder([]diff.SampleType{{Type: "inuse_space", Unit: "bytes"}})
	b.SetTime(time.Date(2026, 1, 1, 0, m, 0, 0, time.UTC))
	for stack, v := range stacks {
		var frames []int32
		for _, fn := range strings.Split(stack, ";") {
			frames = append(frames, b.Frame(diff.Frame{Function: fn}))
		}
		b.AddStack(frames, []int64{v})
	}
	d := b.Dump("heap")
	d.Kind = diff.KindHeap
	return d
}

// TestNodeScores: over a series, the node whose stacks grow in every
// interval scores above one that jumps once, sums flow up to the callers,
// and a node of no stack of the series is NaN.
func TestNodeScores(t *testing.T) {
	sb := series.NewBuilder()
	var dumps []*diff.Dump
	for m, v := range []int64{100, 200, 300, 400, 500} {
		jump := int64(0)
		if m == 4 {
			jump = 1000
		}
		d := seriesDump(t, m, map[string]int64{"leak;serve;main": v, "burst;serve;main": 50 + jump})
		dumps = append(dumps, d)
		if err := sb.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	s := sb.Series()
	extra := seriesDump(t, 9, map[string]int64{"leak;serve;main": 500, "burst;serve;main": 1050, "other;main": 7})
	tree, err := flame.BuildDumps(context.Background(), dumps[0], extra, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	scores := flame.NodeScores(tree, s, 0, nil)
	score := map[string]float32{}
	for i, n := range tree.Nodes {
		score[n.Name] = scores[i]
	}
	if !(score["leak"] > score["burst"]) {
		t.Errorf("leak %v, burst %v: the steady one should score higher", score["leak"], score["burst"])
	}
	if math.IsNaN(float64(score["serve"])) || math.IsNaN(float64(score["main"])) {
		t.Errorf("callers have no score: serve %v, main %v", score["serve"], score["main"])
	}
	if !math.IsNaN(float64(score["other"])) {
		t.Errorf("other, in no dump of the series, scores %v", score["other"])
	}
}
