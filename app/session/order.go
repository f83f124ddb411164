package session

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/goroutines"
	"github.com/leakscope/leakscope/diff/jemalloc"
)

// What decided the order of a pair.
const (
	ByNone        = ""                          // nothing: the given order was kept
	ByTime        = "times"                     // the times recorded in the dumps
	ByJemallocSeq = "jemalloc sequence numbers" // prefix.PID.SEQ.iN.heap file names
	ByUser        = "choice"                    // the user placed or swapped the dumps
)

// Order is a pair put in order, and what the order rests on.
type Order struct {
	Base, Later *diff.Dump
	// Swapped reports that the dumps were given later first.
	Swapped bool
	// By says what decided: ByTime, ByJemallocSeq, "goroutine IDs" (or
	// "goroutine IDs and wait times", "wait times"), ByUser, or ByNone when
	// the dumps do not tell and the given order was kept.
	By string
}

// OrderOf puts a (given first) and b in order: by the times the dumps
// record when both have one; for Go debug=2 goroutine dumps, which record no
// time, by goroutine IDs and wait times; for jemalloc dumps of one process,
// by the sequence numbers in the file names jemalloc gives them. When none
// of these tell, a stays the base and By is ByNone.
func OrderOf(a, b *diff.Dump) Order {
	o := Order{Base: a, Later: b}
	switch {
	case !a.Time.IsZero() && !b.Time.IsZero():
		if a.Time.Equal(b.Time) {
			break
		}
		o.By, o.Swapped = ByTime, b.Time.Before(a.Time)
	default:
		if n, why := goroutines.Order(a, b); n != 0 {
			o.By, o.Swapped = why, n > 0
			break
		}
		pa, ia, sa, ok1 := jemalloc.Sequence(a.Path)
		pb, ib, sb, ok2 := jemalloc.Sequence(b.Path)
		if ok1 && ok2 && pa == pb && ia == ib && sa != sb {
			o.By, o.Swapped = ByJemallocSeq, sb < sa
		}
	}
	if o.Swapped {
		o.Base, o.Later = b, a
	}
	return o
}

// Inferred reports whether the order was worked out from the dumps' content
// or names rather than read from recorded times.
func (o Order) Inferred() bool { return o.By != ByNone && o.By != ByTime && o.By != ByUser }

// Known reports whether something other than the order given decided.
func (o Order) Known() bool { return o.By != ByNone }

// Note says, for the user, how the order was decided when that is worth
// saying: always when it was inferred or is unknown, and when recorded times
// reversed the order given. It is "" otherwise, and for a single dump.
func (o Order) Note() string {
	if o.Base == nil || o.Later == nil {
		return ""
	}
	b, l := filepath.Base(o.Base.Path), filepath.Base(o.Later.Path)
	switch {
	case o.By == ByUser:
		return ""
	case o.By == ByTime:
		if o.Swapped {
			return fmt.Sprintf("%s was taken before %s, by the times the dumps record: using it as the base.", b, l)
		}
		return ""
	case o.Inferred():
		return fmt.Sprintf("Order inferred from %s: %s is the base, %s the later dump.", o.By, b, l)
	}
	return fmt.Sprintf("The dumps do not tell which was taken first: %s, given first, is the base. Use Swap if it is the later one.", b)
}

// Sort orders dumps of one kind from first to last by OrderOf, keeping the
// given order where the dumps do not tell.
func Sort(dumps []*diff.Dump) []*diff.Dump {
	out := slices.Clone(dumps)
	// Insertion sort: OrderOf is not a total order (some pairs do not tell),
	// and a dump moves back only past dumps known to be later.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0; j-- {
			if o := OrderOf(out[j-1], out[j]); !o.Known() || !o.Swapped {
				break
			}
			out[j-1], out[j] = out[j], out[j-1]
		}
	}
	return out
}
