package app_test

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// TestFindingsTab: the demo opens on its findings, the constructor and the
// Default-like helper first, each reached from the handler (the heap pair
// of the same moments gives the callers); a click on a card zooms the
// graph to its site and marks it in the function table.
func TestFindingsTab(t *testing.T) {
	u, _ := open(t)
	if tab := u.SelectedTab(); tab != "Findings" {
		t.Errorf("the comparison opens on %s", tab)
	}
	cards := u.FindingsText()
	if len(cards) < 2 {
		t.Fatalf("cards %q", cards)
	}
	for i, want := range []string{"main.DefaultCache", "main.NewClient"} {
		if !strings.Contains(cards[0]+cards[1], want) || !strings.Contains(cards[i], "goroutines at main.") ||
			!strings.Contains(cards[i], "main.newHandler") {
			t.Errorf("card %d reads %q", i, cards[i])
		}
	}
	u.ShowFinding(1)
	u.Wait()
	v := u.Graph().View()
	if n := v.Tree.Nodes[v.Zoom.Current()].Name; !strings.HasPrefix(cards[1], "2. +20 goroutines at "+n) {
		t.Errorf("the graph zoomed to %s for %q", n, strings.SplitN(cards[1], "\n", 2)[0])
	}
}

// TestHoverTip: the pointer on a frame shows a tip there with its name,
// file:line, base → later, Δ and share; leaving the graph hides it.
func TestHoverTip(t *testing.T) {
	u, w := open(t)
	w.Resize(fyne.NewSize(1280, 800))
	g := u.Graph()
	d, b, ok := g.CurrentLayout().Row(find(t, g.View().Tree, "main.NewClient"))
	if !ok {
		t.Fatal("main.NewClient is not laid out")
	}
	pos := fyne.NewPos(float32(b.X+b.W/2)*g.Size().Width, float32(d*18+9))
	g.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: pos}})
	tip := u.TipText()
	for _, want := range []string{"main.NewClient", "main.go:", "→", "of later total"} {
		if !strings.Contains(tip, want) {
			t.Errorf("tip %q lacks %q", tip, want)
		}
	}
	g.MouseOut()
	if tip := u.TipText(); tip != "" {
		t.Errorf("tip %q after the pointer left", tip)
	}

	// A new view under the pointer (a watch's next snapshot) hides the
	// tip about the old one, and the pointer leaving after it leaves none.
	g.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: pos}})
	g.SetView(g.View())
	if tip := u.TipText(); tip != "" {
		t.Errorf("tip %q stays over a new view", tip)
	}
	g.MouseOut()
	if tip := u.TipText(); tip != "" {
		t.Errorf("tip %q after a new view and the pointer left", tip)
	}

	// The frame's menu hides the tip it would cover.
	g.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: pos}})
	if u.TipText() == "" {
		t.Fatal("no tip over the frame")
	}
	g.TappedSecondary(&fyne.PointEvent{Position: pos, AbsolutePosition: pos})
	if tip := u.TipText(); tip != "" {
		t.Errorf("tip %q behind the frame's menu", tip)
	}
}
