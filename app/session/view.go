package session

// Mode is what the graph shows of the comparison.
type Mode int

// The graph's modes.
const (
	// GraphMode draws the call graph from its roots: callers above callees.
	GraphMode Mode = iota
	// InvertedMode draws it bottom-up: the frames that hold the values
	// first, their callers below them.
	InvertedMode
	// MergedMode roots the graph at View.Function, merged over all its
	// call sites, with everything it calls below.
	MergedMode
	// CallersMode shows View.Function's callers above it and its callees
	// below it, each merged over all its call sites.
	CallersMode
)

// View is what the graph shows: one mode, and for MergedMode and
// CallersMode the function it is about. The zero View is the call graph.
type View struct {
	Mode     Mode
	Function string
}

// Inverted returns the bottom-up view of the whole graph.
func Inverted() View { return View{Mode: InvertedMode} }

// MergedAt returns the graph rooted at fn, merged over its call sites.
func MergedAt(fn string) View { return View{Mode: MergedMode, Function: fn} }

// CallersOf returns the callers and callees of fn.
func CallersOf(fn string) View { return View{Mode: CallersMode, Function: fn} }

// About returns the function a view is about, or "".
func (v View) About() string {
	if v.Mode == MergedMode || v.Mode == CallersMode {
		return v.Function
	}
	return ""
}

// String says what the view shows, for titles and menus: "", "inverted",
// "merged at F", "callers and callees of F".
func (v View) String() string {
	switch v.Mode {
	case InvertedMode:
		return "inverted"
	case MergedMode:
		return "merged at " + v.Function
	case CallersMode:
		return "callers and callees of " + v.Function
	}
	return ""
}
