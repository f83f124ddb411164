package app

import (
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/leakscope/leakscope/app/session"
	views "github.com/leakscope/leakscope/app/widget"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/findings"
	"github.com/leakscope/leakscope/flame"
)

// maxSteps is how many steps of a finding's path a card shows: the last
// ones, which end at the site.
const maxSteps = 4

// findingsPanel shows the findings as cards, most important first.
type findingsPanel struct {
	box      *fyne.Container
	list     *fyne.Container
	texts    []string // each card's text, for tests
	onSelect func(f findings.Finding)
}

func newFindingsPanel() *findingsPanel {
	p := &findingsPanel{list: container.NewVBox()}
	p.box = container.NewStack(container.NewVScroll(p.list))
	return p
}

// show puts the findings of r on the cards; none says why.
func (p *findingsPanel) show(r *session.Result) {
	p.list.RemoveAll()
	p.texts = nil
	fs := r.Findings
	if len(fs) == 0 {
		l := widget.NewLabel(noSuspect(r))
		l.Wrapping = fyne.TextWrapWord
		p.list.Add(l)
		p.list.Refresh()
		return
	}
	for i, f := range fs {
		content, text := findingCard(i+1, f)
		p.texts = append(p.texts, text)
		f := f
		p.list.Add(views.NewCard(content, func() {
			if p.onSelect != nil {
				p.onSelect(f)
			}
		}))
	}
	p.list.Refresh()
}

// noSuspect says why r has no finding: what the findings look at, and
// what r holds of it.
func noSuspect(r *session.Result) string {
	var looked []string
	if r.Sites != nil || r.Tasks != nil {
		looked = append(looked, "no spawn site gained goroutines or tasks")
	}
	if c := r.Profile; c != nil && c.Later.Kind == diff.KindHeap {
		switch tot := c.Total(); {
		case c.Base == nil:
			looked = append(looked, "one heap dump alone shows no growth")
		case tot.Diff() <= 0 && r.Trends == nil:
			looked = append(looked, fmt.Sprintf("the heap did not grow (%s → %s)", diff.FormatValue(tot.Base, c.SampleType.Unit), diff.FormatValue(tot.Later, c.SampleType.Unit)))
		default:
			looked = append(looked, "no allocation site holds a tenth of the growth")
		}
	}
	if len(looked) == 0 {
		return "No suspect: findings rank goroutine spawn sites and heap allocation sites, and these dumps have neither. The Functions tab ranks what changed."
	}
	return "No suspect: " + strings.Join(looked, ", and ") + "."
}

// findingCard lays out finding number n: a title, the summary, the path's
// last steps with their source lines, and what the tasks hold.
func findingCard(n int, f findings.Finding) (fyne.CanvasObject, string) {
	var lines []string
	what := "allocations"
	if f.Kind == findings.SpawnSite {
		what = "goroutines"
		if f.Runtime == "tokio" {
			what = "tokio tasks"
		}
	}
	title := fmt.Sprintf("%d. %s %s at %s", n, diff.FormatDelta(f.Value.Diff(), f.Unit), what, flame.ShortName(f.Function))
	if f.File != "" {
		title += fmt.Sprintf("  %s:%d", filepath.Base(f.File), f.Line)
	}
	head := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.Wrapping = fyne.TextWrapWord
	sum := widget.NewLabel(f.Summary)
	sum.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(head, sum)
	lines = append(lines, title, f.Summary)
	steps := f.Path
	if len(steps) > maxSteps {
		steps = steps[len(steps)-maxSteps:]
	}
	// The path in one wrapping text: a step a line, each source line
	// under its step in the monospace face.
	path := widget.NewRichText()
	path.Wrapping = fyne.TextWrapWord
	for i, s := range steps {
		at := flame.ShortName(s.Function) // as pprof shortens: no package path
		if s.File != "" {
			at += fmt.Sprintf("  %s:%d", filepath.Base(s.File), s.Line)
		}
		arrow := "↳ "
		if i == 0 && len(f.Path) > len(steps) {
			arrow = "… ↳ "
		}
		line := strings.Repeat("  ", min(i, 4)) + arrow + at
		path.Segments = append(path.Segments, &widget.TextSegment{Text: line, Style: widget.RichTextStyleParagraph})
		lines = append(lines, line)
		if s.Source != "" {
			code := widget.RichTextStyleParagraph
			code.TextStyle = fyne.TextStyle{Monospace: true}
			code.ColorName = theme.ColorNamePrimary
			src := strings.Repeat("  ", min(i, 4)) + "    " + s.Source
			path.Segments = append(path.Segments, &widget.TextSegment{Text: src, Style: code})
			lines = append(lines, src)
		}
	}
	box.Add(path)
	if f.Holds != "" {
		h := widget.NewLabel("Holds: " + f.Holds)
		h.Wrapping = fyne.TextWrapWord
		box.Add(h)
		lines = append(lines, h.Text)
	}
	return box, strings.Join(lines, "\n")
}

// showFinding zooms the graph to a finding's site (the widest frame of its
// function) and marks it in the tables, as a click on the frame does.
func (u *UI) showFinding(f findings.Finding) {
	v := u.graph.View()
	if v == nil {
		return
	}
	best := int32(-1)
	for i := range v.Tree.Nodes {
		n := &v.Tree.Nodes[i]
		if n.Name == f.Function && (best < 0 || v.Tree.Weight(int32(i), v.Mode) > v.Tree.Weight(best, v.Mode)) {
			best = int32(i)
		}
	}
	if best < 0 {
		u.setStatus(fmt.Sprintf("%s is not in this graph.", flame.ShortName(f.Function)))
		return
	}
	u.graph.ZoomTo(best)
}
