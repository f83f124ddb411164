package diff

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugeMin is the smallest buffer worth backing with huge pages: a few of
// Linux's 2 MiB pages.
const hugeMin = 8 << 20

// adviseHuge asks Linux to back the memory of b (to its capacity) with
// transparent huge pages where it can. Loading fills its large buffers (the
// decompressed dump, the stacks of a dump and of a comparison) from end to
// end once, and on virtual machines above all, a page fault for each 4 KiB
// page of fresh memory costs far more than the bytes written there. It is a
// hint: where THP is off, or the call fails, nothing changes.
func adviseHuge[T any](b []T) {
	var t T
	n := uintptr(cap(b)) * unsafe.Sizeof(t)
	if n < hugeMin {
		return
	}
	_ = unix.Madvise(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(b[:1]))), n), unix.MADV_HUGEPAGE)
}
