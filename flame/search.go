package flame

import (
	"regexp"

	"github.com/leakscope/leakscope/diff"
)

// Match is the result of a search: which nodes match, and the share of the
// values that pass through a matching frame, counted once per stack however
// often recursion repeats the match.
type Match struct {
	Nodes []bool     // by node index
	Value diff.Delta // value of the stacks that contain a match
	Total diff.Delta // value of all stacks
	Count int        // number of matching nodes
}

// Search matches re against every node's function name.
func (t *Tree) Search(re *regexp.Regexp) *Match {
	m := &Match{Nodes: make([]bool, len(t.Nodes)), Total: t.Nodes[Root].Total}
	names := make(map[string]bool)
	for i := 1; i < len(t.Nodes); i++ {
		n := &t.Nodes[i]
		hit, seen := names[n.Name]
		if !seen {
			hit = re.MatchString(n.Name)
			names[n.Name] = hit
		}
		if !hit {
			continue
		}
		m.Nodes[i] = true
		m.Count++
	}
	// A stack contains a match exactly when it passes through a matching
	// node with no matching ancestor: sum those nodes' totals.
	var walk func(i int32)
	walk = func(i int32) {
		for _, c := range t.Children(i) {
			if m.Nodes[c] {
				m.Value.Base += t.Nodes[c].Total.Base
				m.Value.Later += t.Nodes[c].Total.Later
				continue
			}
			walk(c)
		}
	}
	walk(Root)
	return m
}
