// Package stackset is a hash set of stacks of frame IDs, stored back to
// back in a pool the caller owns, shared by the packages that intern stacks.
package stackset

// Table is an open-addressing hash set of stacks stored back to back in a
// shared pool (stacks, bounds), answering "which stack index has these frames".
type Table struct {
	slots  []int32 // stack index + 1; 0 is empty
	hashes []uint64
	n      int
}

// New returns a table sized for about capacity stacks.
func New(capacity int) Table {
	size := 16
	for size < capacity*2 {
		size <<= 1
	}
	return Table{slots: make([]int32, size), hashes: make([]uint64, size)}
}

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
	h := hash(frames)
	mask := len(t.slots) - 1
	for p := int(h) & mask; ; p = (p + 1) & mask {
		s := t.slots[p]
		if s == 0 {
			return 0, false
		}
		if t.hashes[p] == h && equalInt32(stacks[bounds[s-1]:bounds[s]], frames) {
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
		s := t.slots[p]
		if s == 0 {
			return 0, false
		}
		if t.hashes[p] == h && equalInt32(stack(s-1), frames) {
			return s - 1, true
		}
	}
}

// Insert records that stack index i holds frames. It must not be present yet.
func (t *Table) Insert(frames []int32, i int32) {
	if (t.n+1)*2 > len(t.slots) {
		t.grow()
	}
	t.place(hash(frames), i)
	t.n++
}

func (t *Table) place(h uint64, i int32) {
	mask := len(t.slots) - 1
	p := int(h) & mask
	for t.slots[p] != 0 {
		p = (p + 1) & mask
	}
	t.slots[p], t.hashes[p] = i+1, h
}

func (t *Table) grow() {
	old, oldHash := t.slots, t.hashes
	t.slots = make([]int32, len(old)*2)
	t.hashes = make([]uint64, len(old)*2)
	for p, s := range old {
		if s != 0 {
			t.place(oldHash[p], s-1)
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
