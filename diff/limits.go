package diff

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Loading a dump takes memory in proportion to what the file really holds,
// never to what a count inside it claims: a crafted file of a few kilobytes
// must not be able to ask for gigabytes. Three bounds hold:
//
//   - the data, after decompression, is at most Options.MaxSize bytes, and by
//     default a gzipped dump may not grow more than bombRatio times past
//     bombFloor bytes; the reading stops as soon as a bound is passed;
//   - decoding takes at most Options.MaxMemory bytes beyond the data, by
//     default memoryFactor times the data plus memoryFloor; formats check
//     this budget (Builder.Reserve) before they allocate from counts;
//   - a stack holds at most MaxStackDepth frames.

// MaxStackDepth is the most frames one stack may hold. Go records at most a
// few hundred, jemalloc 128 by default; a deeper stack means a crafted or
// corrupt dump.
const MaxStackDepth = 1 << 16

const (
	bombFloor    = 64 << 20 // decompressed bytes always allowed by the ratio guard
	bombRatio    = 100      // largest growth of a gzipped dump past bombFloor
	memoryFloor  = 64 << 20 // decoding memory always allowed
	memoryFactor = 8        // decoding memory per byte of data
	frameCost    = 112      // bytes a Frame takes in the table and its index
	minLimit     = 256 << 20
)

// physicalMemory returns the machine's memory in bytes, or 8 GiB when it
// cannot be read.
var physicalMemory = sync.OnceValue(func() int64 {
	if n := memTotal("/proc/meminfo"); n > 0 {
		return n
	}
	return 8 << 30
})

// memTotal reads MemTotal from a /proc/meminfo file; 0 when it cannot.
func memTotal(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil || kb <= 0 || kb > math.MaxInt64/1024 {
			return 0
		}
		return kb * 1024
	}
	return 0
}

// DefaultMaxSize returns the largest dump, after decompression, that loading
// accepts when Options.MaxSize is 0: a quarter of the machine's memory, at
// least 256 MiB, and on 32-bit systems at most 1 GiB.
func DefaultMaxSize() int64 {
	n := max(physicalMemory()/4, minLimit)
	if math.MaxInt == math.MaxInt32 {
		n = min(n, 1<<30)
	}
	return n
}

func (o *Options) maxSize() int64 {
	if o != nil && o.MaxSize > 0 {
		return min(o.MaxSize, math.MaxInt-1)
	}
	return DefaultMaxSize()
}

// memoryBudget returns the memory decoding n bytes of data may take.
func (o *Options) memoryBudget(n int) int64 {
	if o != nil && o.MaxMemory > 0 {
		return o.MaxMemory
	}
	return min(memoryFloor+memoryFactor*int64(n), max(physicalMemory()/2, minLimit))
}

// ParseSize reads a size in bytes as flags give it: a number with an optional
// unit k, M, G or T (powers of 1024; "B", "iB" and lower case accepted), such
// as "512M" or "2GiB": ParseValue, positive.
func ParseSize(s string) (int64, error) {
	n, err := ParseValue(s, "bytes")
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q: want a positive number of bytes such as 512M or 2G", s)
	}
	return n, nil
}

// errTooLarge says that data passed its size limit.
type errTooLarge struct {
	limit    int64
	ratio    bool // the bomb guard stopped it
	gzipped  int  // compressed size, when ratio
	explicit bool // the limit was set by the caller
	shared   bool // the run's floor (Options.Budget) was spent
}

func (e *errTooLarge) Error() string {
	if e.shared {
		return fmt.Sprintf("decompresses to more than %s, over %d times its %s, and the %s that all the dumps of this run may grow past that is spent: not a real dump (a decompression bomb?); --max-size raises the limit",
			FormatValue(e.limit, "bytes"), bombRatio, FormatValue(int64(e.gzipped), "bytes"), FormatValue(bombFloor, "bytes"))
	}
	if e.ratio {
		return fmt.Sprintf("decompresses to more than %s, over %d times its %s: not a real dump (a decompression bomb?); --max-size raises the limit",
			FormatValue(e.limit, "bytes"), bombRatio, FormatValue(int64(e.gzipped), "bytes"))
	}
	how := "the limit for this machine, a quarter of its memory; --max-size raises it"
	if e.explicit {
		how = "the --max-size limit"
	}
	return fmt.Sprintf("larger than %s (%s)", FormatValue(e.limit, "bytes"), how)
}

// readLimited appends what r gives to buf until EOF, growing buf by a
// quarter at a time (so that memory stays proportional to the data), and
// fails as soon as buf passes limit bytes.
func readLimited(r io.Reader, buf []byte, limit int64, tooLarge func() error) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, max(64<<10, len(buf)/4))
		}
		room := buf[len(buf):cap(buf)]
		if left := limit + 1 - int64(len(buf)); int64(len(room)) > left {
			room = room[:left]
		}
		n, err := r.Read(room)
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, tooLarge()
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// sniffSize is how much of a stream is read before deciding whether it can
// be a dump at all.
const sniffSize = 64 << 10

// plausibleHead reports whether head, the start of a stream, can begin a dump
// this tool reads: gzip, text, or the start of a registered format (see
// Format.Plausible). It lets /dev/zero or /dev/urandom be refused at once
// rather than at the size limit.
func plausibleHead(head []byte) bool {
	if len(head) == 0 || isGzip(head) || LooksLikeText(head) {
		return true
	}
	for _, f := range registeredFormats() {
		if f.Plausible != nil && f.Plausible(head) || f.Plausible == nil && f.Match(head) {
			return true
		}
	}
	return false
}

// budgetError says that decoding would pass its memory budget.
type budgetError struct {
	budget   int64
	data     int
	explicit bool
}

func (e *budgetError) Error() string {
	if e.explicit {
		return fmt.Sprintf("needs more than %s of memory to load, the --max-memory limit",
			FormatValue(e.budget, "bytes"))
	}
	return fmt.Sprintf("needs more than %s of memory to load, out of proportion to its %s of data (a crafted or corrupt dump?); --max-memory raises the limit",
		FormatValue(e.budget, "bytes"), FormatValue(int64(e.data), "bytes"))
}

// StackTooDeep returns the error for a stack of n frames, more than
// MaxStackDepth: formats that count a stack's frames before adding it
// return it.
func StackTooDeep(n int) error {
	return fmt.Errorf("a stack has %d frames, more than the %d this tool reads (a crafted or corrupt dump?)", n, MaxStackDepth)
}
