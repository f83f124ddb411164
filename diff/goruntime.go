package diff

import "strings"

// Go's runtime frames. The Go runtime writes its profiles in three forms,
// and each shows a different part of the runtime's own frames:
//
//   - protobuf (debug=0): heap stacks start at the first frame outside the
//     runtime (the allocator is left out) and end in runtime.goexit;
//     goroutine stacks hold every frame, from runtime.gopark to
//     runtime.goexit;
//   - text (debug=1): the addresses hold every frame, but the "#" lines
//     that name them leave out the leading runtime frames and
//     runtime.goexit, so that without the binary those stay unnamed;
//   - goroutine dumps (debug=2): the traceback hides every frame of the
//     runtime's unexported functions (runtime.gopark, runtime.chanrecv,
//     runtime.main, runtime.goexit).
//
// So that a pair of dumps in different forms compares as two dumps in one
// form would, every Go reader applies one rule, HideGoRuntime:
//
//   - in every Go heap or goroutine profile, the leading frames of package
//     runtime and internal/runtime/... go (the allocator; the scheduler's
//     wait), and so does a trailing runtime.goexit;
//   - in goroutine profiles every other frame of those packages goes too
//     (runtime.main, the runtime's half of a reflective call), as the
//     debug=2 traceback hides them;
//   - in text profiles, whose runtime frames are unnamed, leading and
//     trailing unnamed ("0x…") frames go as well, in every kind of profile;
//   - a stack with nothing else left keeps its runtime frames, all but a
//     trailing runtime.goexit (and, in text, trailing unnamed frames),
//     which Go's text never names.
//
// pprof keeps these frames. `go tool pprof -hide='^(runtime|internal/runtime)[./]'`
// gives the same function table for goroutine profiles.

// HideGoRuntime makes AddStack apply Go's runtime-frame rule (see above)
// to every stack: formats that read dumps of the Go runtime call it before
// the first AddStack, after the sample and period types are set.
func (b *Builder) HideGoRuntime() { b.hide = hideProto }

// HideGoRuntimeText is HideGoRuntime for Go's text profiles, whose
// runtime frames are unnamed addresses.
func (b *Builder) HideGoRuntimeText() { b.hide = hideText }

const (
	hideNone = iota
	hideProto
	hideText
)

// Frame classes, cached by frame ID.
const (
	classUnknown = iota
	classOther
	classRuntime // package runtime or internal/runtime/...
	classGoexit
	classUnnamed // "0x…": an address without a name
)

func (b *Builder) class(id int32) uint8 {
	for int(id) >= len(b.classes) {
		b.classes = append(b.classes, classUnknown)
	}
	c := b.classes[id]
	if c == classUnknown {
		switch fn := b.d.frames[id].Function; {
		case fn == "runtime.goexit":
			c = classGoexit
		case strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "internal/runtime/"):
			c = classRuntime
		case strings.HasPrefix(fn, "0x"):
			c = classUnnamed
		default:
			c = classOther
		}
		b.classes[id] = c
	}
	return c
}

// hideRuntime applies the rule to one stack. The result may be frames, a
// part of it, or b's scratch buffer.
func (b *Builder) hideRuntime(frames []int32) []int32 {
	if b.hideKind == "" {
		b.hideKind = kindOf(b.d.SampleTypes, b.d.PeriodType)
	}
	text := b.hide == hideText
	goroutine := b.hideKind == KindGoroutine
	if !text && !goroutine && b.hideKind != KindHeap {
		return frames
	}
	leading := func(c uint8) bool {
		return c == classRuntime || c == classGoexit || (text && c == classUnnamed)
	}
	trailing := func(c uint8) bool { return c == classGoexit || (text && c == classUnnamed) }
	lo, hi := 0, len(frames)
	for hi > 0 && trailing(b.class(frames[hi-1])) {
		hi--
	}
	for lo < hi && leading(b.class(frames[lo])) {
		lo++
	}
	if hi == 0 {
		return frames // only goexit or unnamed frames: kept whole
	}
	if lo == hi {
		return frames[:hi] // only the runtime's frames: kept, but goexit
	}
	kept := frames[lo:hi]
	if !goroutine {
		return kept
	}
	out := b.scratch[:0]
	for _, f := range kept {
		if c := b.class(f); c != classRuntime && c != classGoexit {
			out = append(out, f)
		}
	}
	b.scratch = out
	return out
}
