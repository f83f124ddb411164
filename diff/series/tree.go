package series

import (
	"math"
	"sort"

	"github.com/leakscope/leakscope/flame"
)

// NodeScores returns the leak score (see Score) of every node of tree over
// the series, for sample type t: a node's value at each snapshot is that of
// the stacks through its chain of functions from the root, as the tree sums
// them. skip leaves out the functions the tree was built without (nil for
// none). A node of no stack of the series scores NaN.
//
// tree must be a call tree of dumps of this series, rooted as Build roots
// it; the scores of a tree rooted elsewhere (merged, inverted) mean nothing.
func (s *Series) NodeScores(t int, tree *flame.Tree, skip func(function string) bool) []float32 {
	n, nt := s.Len(), len(s.SampleTypes)
	nodes := len(tree.Nodes)
	vals := make([]int64, nodes*n)
	seen := make([]bool, nodes)
	// Each stack's value goes to the deepest node of its path through the
	// tree, then sums flow up to the root: a node holds the stacks through it.
	deepest := make([]int32, s.NumStacks())
	for st := range deepest {
		stack := s.pool.stack(int32(st))
		node := flame.Root
		for j := len(stack) - 1; j >= 0; j-- {
			name := s.frames[stack[j]].Function
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
		deepest[st] = node
	}
	for k := range s.cols {
		col := &s.cols[k]
		for e, st := range col.ids {
			if v := col.val(e*nt + t); v != 0 {
				p := deepest[st]
				vals[int(p)*n+k] = satAdd(vals[int(p)*n+k], v)
				seen[p] = true
			}
		}
	}
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
			vals[int(p)*n+k] = satAdd(vals[int(p)*n+k], vals[int(c)*n+k])
		}
		seen[p] = seen[p] || seen[c]
	}
	hours := s.Hours()
	trends := make([]Trend, nodes)
	for i := range trends {
		trends[i] = NewTrend(vals[i*n:(i+1)*n:(i+1)*n], hours)
	}
	Score(trends, maxOf(s.Totals(t)))
	out := make([]float32, nodes)
	for i := range out {
		out[i] = float32(trends[i].Score)
		if !seen[i] {
			out[i] = float32(math.NaN())
		}
	}
	return out
}
