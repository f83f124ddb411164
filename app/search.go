package app

import (
	"context"
	"regexp"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/diff"
)

// FocusSearch puts the keyboard in the search field.
func (u *UI) FocusSearch() { u.win.Canvas().Focus(u.tb.search) }

// searchDelay is how long typing must pause before a search runs.
const searchDelay = 120 * time.Millisecond

// setQuery searches the graph for the regular expression q. A bad
// expression clears the search at once and says why; a good one is matched
// in the background once typing pauses.
func (u *UI) setQuery(q string) {
	u.query, u.marked = q, false
	u.tips.TipAt("", u.graph, fyne.Position{}) // the tip about a frame is in the way
	if u.linesOf != "" {
		// The mark a click put in the field is edited away: the Lines tab
		// lists every line again, filtered by the search as the others.
		u.showLinesOf("")
	}
	v := u.graph.View()
	if v == nil {
		return
	}
	u.searchFor(q, true)
}

// searchError starts the bottom line that says why a query is no regexp.
const searchError = "search: "

// searchFor matches the regular expression q in the graph, and, when table
// is set, filters the function table by it.
func (u *UI) searchFor(q string, table bool) {
	v := u.graph.View()
	u.worker.Cancel(session.LaneSearch)
	u.matchAt = -1
	if strings.HasPrefix(u.hoverInfo.Text, searchError) {
		u.setHover("") // the last query's error, fixed or cleared since
	}
	if q == "" {
		v.Match, v.Query = nil, ""
		u.graph.Refresh()
		u.updateStatus()
		u.tb.setMatches(nil)
		if table {
			u.funcs.setMatch(nil)
			u.lines.setMatch(nil)
		}
		return
	}
	re, err := regexp.Compile(q)
	if err != nil {
		v.Match, v.Query = nil, ""
		u.graph.Refresh()
		u.updateStatus()
		u.tb.setMatches(nil)
		u.setHover(searchError + err.Error())
		return
	}
	tree := v.Tree
	var fns []diff.Function
	if table && u.result != nil {
		fns = u.result.Functions
	}
	delay := searchDelay
	if !table {
		delay = 0
	}
	u.worker.Submit(session.Job{Lane: session.LaneSearch, Run: func(ctx context.Context) func() {
		if !sleep(ctx, delay) {
			return nil
		}
		m := tree.Search(re)
		var names map[string]bool
		if table {
			names = make(map[string]bool)
			for _, f := range fns {
				if re.MatchString(f.Name) {
					names[f.Name] = true
				}
			}
		}
		return func() {
			if cur := u.graph.View(); cur != nil && cur.Tree == tree {
				cur.Match, cur.Query = m, q
				u.graph.Refresh()
				u.updateStatus()
				u.tb.setMatches(m)
			}
			if table {
				u.funcs.setMatch(func(name string) bool { return names[name] })
				u.lines.setMatch(func(name string) bool { return names[name] })
			}
		}
	}})
}

// NextMatch moves the graph's cursor to the next (or previous) frame that
// the search matches, zooming out of its way when it is too narrow to see.
func (u *UI) NextMatch(forward bool) {
	v := u.graph.View()
	if v == nil || v.Match == nil || v.Match.Count == 0 {
		return
	}
	n := int32(len(v.Match.Nodes))
	for i, at := int32(1), u.matchAt; i <= n; i++ {
		k := (at + i + n) % n
		if !forward {
			k = (at - i + 2*n) % n
		}
		if k > 0 && v.Match.Nodes[k] && v.Visible(k) {
			u.matchAt = k
			u.graph.Reveal(k)
			return
		}
	}
}
