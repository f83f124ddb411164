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
	for st := 0; st < s.NumStacks(); st++ {
		stack := s.stacks[s.bounds[st]:s.bounds[st+1]]
		node := flame.Root
		path := []int32{flame.Root}
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
			path = append(path, node)
		}
		for k, col := range s.vals {
			i := st*nt + t
			if i >= len(col) || col[i] == 0 {
				continue
			}
			for _, p := range path {
				vals[int(p)*n+k] = satAdd(vals[int(p)*n+k], col[i])
			}
		}
		for _, p := range path {
			seen[p] = true
		}
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
