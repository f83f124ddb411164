package flame

import (
	"math"
	"sort"

	"github.com/leakscope/leakscope/diff/series"
)

// NodeScores returns the leak score (series.Score) of every node of tree
// over the series s, for sample type t: a node's value at each snapshot is
// that of the stacks through its chain of functions from the root, as the
// tree sums them. skip leaves out the functions the tree was built without
// (nil for none). A node of no stack of the series scores NaN.
//
// tree must be a call tree of dumps of this series, rooted as Build roots
// it; the scores of a tree rooted elsewhere (merged, inverted) mean nothing.
func NodeScores(tree *Tree, s *series.Series, t int, skip func(function string) bool) []float32 {
	n, nodes := s.Len(), len(tree.Nodes)
	// Each stack's value goes to the deepest node of its path through the
	// tree, then sums flow up to the root: a node holds the stacks through it.
	vals, seen := s.GroupValues(t, nodes, func(st int) int32 {
		stack := s.FrameIDs(st)
		node := Root
		for j := len(stack) - 1; j >= 0; j-- {
			name := s.Frame(stack[j]).Function
			if skip != nil && skip(name) {
				continue
			}
			kids := tree.Children(node)
			k := sort.Search(len(kids), func(i int) bool { return tree.Nodes[kids[i]].Name >= name })
			if k == len(kids) || tree.Nodes[kids[k]].Name != name {
				break
			}
			node = kids[k]
		}
		return node
	})
	byDepth := make([]int32, nodes)
	for i := range byDepth {
		byDepth[i] = int32(i)
	}
	sort.Slice(byDepth, func(i, j int) bool { return tree.Nodes[byDepth[i]].Depth > tree.Nodes[byDepth[j]].Depth })
	for _, c := range byDepth {
		p := tree.Nodes[c].Parent
		if p < 0 {
			continue
		}
		for k := range n {
			vals[int(p)*n+k] = series.AddSaturating(vals[int(p)*n+k], vals[int(c)*n+k])
		}
		seen[p] = seen[p] || seen[c]
	}
	hours := s.Hours()
	trends := make([]series.Trend, nodes)
	for i := range trends {
		trends[i] = series.NewTrend(vals[i*n:(i+1)*n:(i+1)*n], hours)
	}
	var scale int64
	for _, v := range s.Totals(t) {
		scale = max(scale, v)
	}
	series.Score(trends, scale)
	out := make([]float32, nodes)
	for i := range out {
		out[i] = float32(trends[i].Score)
		if !seen[i] {
			out[i] = float32(math.NaN())
		}
	}
	return out
}
