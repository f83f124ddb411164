package diff

import "strings"

// Go writes a generic function's name two ways: its protobuf profiles name
// each instantiation by shape (main.Alloc[go.shape.int]), its text profiles
// and debug=2 goroutine dumps elide the type arguments (main.Alloc[...]).

// LineUp returns base and later ready to be compared. When one names
// generic functions as text does and the other by shape, the shapes are
// read as [...], so that the same function lines up on both sides, and
// note says so; otherwise the dumps are returned as they are, and two
// protobuf profiles keep their instantiations apart. base may be nil.
func LineUp(base, later *Dump) (b, l *Dump, note string) {
	if base == nil || later == nil {
		return base, later, ""
	}
	switch {
	case hasFrame(base, "[...]") && hasFrame(later, "[go.shape."):
		later = later.RenameFrames(ElideShapes)
	case hasFrame(base, "[go.shape.") && hasFrame(later, "[...]"):
		base = base.RenameFrames(ElideShapes)
	default:
		return base, later, ""
	}
	return base, later, "one dump is text and names generic functions with [...], the other by shape ([go.shape.int]): " +
		"the shapes are read as [...] so that the same functions line up, their instantiations summed"
}

// hasFrame reports whether a function name of d contains s.
func hasFrame(d *Dump, s string) bool {
	for _, f := range d.frames {
		if strings.Contains(f.Function, s) {
			return true
		}
	}
	return false
}

// ElideShapes writes f's shape arguments as a Go text profile does:
// main.Alloc[go.shape.int] and main.(*T[go.shape.string,go.shape.int]).m
// become main.Alloc[...] and main.(*T[...]).m.
func ElideShapes(f Frame) Frame {
	name := f.Function
	var b strings.Builder
	for {
		i := strings.Index(name, "[go.shape.")
		if i < 0 {
			break
		}
		depth, j := 0, i
		for ; j < len(name); j++ {
			if name[j] == '[' {
				depth++
			} else if name[j] == ']' {
				if depth--; depth == 0 {
					break
				}
			}
		}
		if j == len(name) { // unbalanced: the rest stays as it is
			break
		}
		b.WriteString(name[:i])
		b.WriteString("[...]")
		name = name[j+1:]
	}
	if b.Len() == 0 {
		return f
	}
	b.WriteString(name)
	f.Function = b.String()
	return f
}

// RenameFrames returns a dump with the same header and stacks whose frames
// are renamed by rename; frames that become equal become one. Stack i of
// the result is stack i of d, so Detail, values, estimates and labels are
// shared. When no frame changes, d itself is returned.
func (d *Dump) RenameFrames(rename func(Frame) Frame) *Dump {
	remap := make([]int32, len(d.frames))
	ids := make(map[Frame]int32, len(d.frames))
	var frames []Frame
	changed := false
	for i, f := range d.frames {
		g := rename(f)
		changed = changed || g != f
		id, ok := ids[g]
		if !ok {
			id = int32(len(frames))
			frames = append(frames, g)
			ids[g] = id
		}
		remap[i] = id
	}
	if !changed {
		return d
	}
	s := *d
	s.frames = frames
	s.stacks = make([]int32, len(d.stacks))
	for i, f := range d.stacks {
		s.stacks[i] = remap[f]
	}
	return &s
}
