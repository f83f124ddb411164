package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/series"
)

// liveView shows a watch as it goes: on a terminal, a table redrawn in
// place after each snapshot; elsewhere, a line per snapshot.
type liveView struct {
	w     io.Writer
	errw  io.Writer // notes of failures and restarts, as they come
	top   int
	tty   bool
	lines int // lines drawn last time, to redraw over
}

func newLiveView(w, errw io.Writer, top int) *liveView {
	v := &liveView{w: w, errw: errw, top: top}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb" {
			v.tty = true
		}
	}
	return v
}

func (v *liveView) update(a *series.Analysis, taken, failures int, note string) {
	var b strings.Builder
	if a == nil {
		if note != "" {
			fmt.Fprintf(v.errw, "leakscope: %s\n", printable(note))
		}
		return
	}
	if note != "" && (!v.tty || v.errw != v.w) {
		// Notes are messages, on stderr; on a terminal shared with the
		// table they are drawn with it.
		fmt.Fprintf(v.errw, "leakscope: %s\n", printable(note))
		if !v.tty {
			return
		}
		note, v.lines = "", 0 // the table is drawn again below the note
	}
	m := a.Main
	last := m.Snapshots[m.Len()-1]
	unit := a.Unit()
	fmt.Fprintf(&b, "%d snapshots (%d this run); last %s: %s %s", m.Len(), taken, printable(baseName(last.Path)),
		diff.FormatValue(last.Total[a.SampleIndex], unit), m.SampleTypes[a.SampleIndex].Type)
	if g := a.Goroutines; g != nil {
		fmt.Fprintf(&b, ", %d goroutines", g.Snapshots[g.Len()-1].Goroutines)
	}
	b.WriteString("\n")
	if note != "" {
		fmt.Fprintf(&b, "leakscope: %s\n", printable(note))
	}
	if !v.tty {
		v.draw(b.String())
		return
	}
	if m.Len() < 3 {
		b.WriteString("(ranking starts at three snapshots)\n")
	} else {
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "score\tgrew\trate\tvalues\tsuspect")
		for i := range a.Suspects {
			if i == v.top {
				break
			}
			s := &a.Suspects[i]
			name, rate := a.SuspectText(s)
			fmt.Fprintf(tw, "%.2f\t%d/%d\t%s\t%s\t%s\n", s.Score, s.Grew, s.Intervals, rate, Sparkline(s.Values), clip(printable(name), 90))
		}
		tw.Flush()
	}
	v.draw(b.String())
}

// draw writes text, over what was drawn last on a terminal.
func (v *liveView) draw(text string) {
	if v.tty && v.lines > 0 {
		fmt.Fprintf(v.w, "\x1b[%dA\x1b[J", v.lines)
	}
	io.WriteString(v.w, text)
	v.lines = strings.Count(text, "\n")
}

// done leaves the last table on the terminal.
func (v *liveView) done() { v.lines = 0 }

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
