// Package stackset is a hash set of stacks of frame IDs, stored back to
// back in a pool the caller owns, shared by the packages that intern stacks.
package stackset

// Table is an open-addressing hash set of stacks stored back to back in a
// shared pool (stacks, bounds), answering "which stack index has these frames".
type Table struct {
	slots []slot
	n     int
}

// slot holds a stack's hash beside its index, so that a probe reads one
// place in memory: in a large table, each is a cache miss.
type slot struct {
	hash  uint64
	stack int32 // stack index + 1; 0 is empty
}

// New returns a table sized for about capacity stacks.
func New(capacity int) Table {
	size := 16
	for size < capacity*2 {
		size <<= 1
	}
	return Table{slots: make([]slot, size)}
}

// Hash returns the hash of frames that LookupHash and InsertHash take.
func Hash(frames []int32) uint64 { return hash(frames) }

// hash is FNV-1a over the frame IDs, mixed; never 0.
func hash(frames []int32) uint64 {
	h := uint64(14695981039346656037)
	for _, f := range frames {
		h ^= uint64(uint32(f))
		h *= 1099511628211
		h ^= h >> 29
	}
	return h | 1
}

// Lookup returns the index of the stack equal to frames, if present, in a
// pool stored back to back (stacks, bounds).
// It is LookupFunc with the pool's slices at hand, for the hot path of
// Compare: no call per probe.
func (t *Table) Lookup(frames, stacks, bounds []int32) (int32, bool) {
	return t.LookupHash(hash(frames), frames, stacks, bounds)
}

// LookupHash is Lookup given h, Hash(frames).
func (t *Table) LookupHash(h uint64, frames, stacks, bounds []int32) (int32, bool) {
	mask := len(t.slots) - 1
	for p := int(h) & mask; ; p = (p + 1) & mask {
		e := &t.slots[p]
		if e.stack == 0 {
			return 0, false
		}
		if s := e.stack; e.hash == h && equalInt32(stacks[bounds[s-1]:bounds[s]], frames) {
			return s - 1, true
		}
	}
}

// LookupFunc is Lookup for a pool stored otherwise: stack returns the
// frames of stack i.
func (t *Table) LookupFunc(frames []int32, stack func(i int32) []int32) (int32, bool) {
	h := hash(frames)
	mask := len(t.slots) - 1
	for p := int(h) & mask; ; p = (p + 1) & mask {
		e := &t.slots[p]
		if e.stack == 0 {
			return 0, false
		}
		if e.hash == h && equalInt32(stack(e.stack-1), frames) {
			return e.stack - 1, true
		}
	}
}

// Insert records that stack index i holds frames. It must not be present yet.
func (t *Table) Insert(frames []int32, i int32) { t.InsertHash(hash(frames), i) }

// InsertHash is Insert given h, Hash of the stack's frames.
func (t *Table) InsertHash(h uint64, i int32) {
	if (t.n+1)*2 > len(t.slots) {
		t.grow()
	}
	t.place(h, i)
	t.n++
}

func (t *Table) place(h uint64, i int32) {
	mask := len(t.slots) - 1
	p := int(h) & mask
	for t.slots[p].stack != 0 {
		p = (p + 1) & mask
	}
	t.slots[p] = slot{hash: h, stack: i + 1}
}

func (t *Table) grow() {
	old := t.slots
	t.slots = make([]slot, len(old)*2)
	for _, e := range old {
		if e.stack != 0 {
			t.place(e.hash, e.stack-1)
		}
	}
}

func equalInt32(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
