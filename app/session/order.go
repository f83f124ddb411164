package session

import (
	"fmt"
	"path/filepath"

	"github.com/leakscope/leakscope/diff"
)

// What decided the order of a pair: diff.Order's evidence, or the user.
const (
	ByNone = diff.ByGiven // nothing: the given order was kept
	ByTime = diff.ByTime  // the times recorded in the dumps
	ByUser = "choice"     // the user placed or swapped the dumps
)

// Order is a pair put in order, and what the order rests on.
type Order struct {
	Base, Later *diff.Dump
	// Swapped reports that the dumps were given later first.
	Swapped bool
	// By says what decided: diff.Order's evidence (ByTime,
	// diff.ByJemallocSeq, diff.BySequence, diff.ByNameNumber,
	// diff.ByWaitTime), ByUser, or ByNone when the dumps do not tell and the
	// given order was kept.
	By string
	// Ordering is diff.Order's verdict, with goroutine IDs' disagreement.
	Ordering diff.Ordering
}

// OrderOf puts a (given first) and b in order by diff.Order, the rule
// series and watch use too. When nothing tells, a stays the base and By is
// ByNone.
func OrderOf(a, b *diff.Dump) Order {
	ord := diff.Order([]diff.Moment{diff.MomentOf(a), diff.MomentOf(b)})
	o := Order{Base: a, Later: b, By: ord.By, Swapped: ord.Swapped(), Ordering: ord}
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
// saying: always when it was inferred or is unknown, when recorded times
// reversed the order given, and when goroutine IDs disagree. It is "" otherwise,
// and for a single dump.
func (o Order) Note() string {
	if o.Base == nil || o.Later == nil || o.By == ByUser {
		return ""
	}
	return o.Ordering.Note(filepath.Base(o.Base.Path), filepath.Base(o.Later.Path))
}

// Sort orders dumps of one kind from first to last by diff.Order, keeping
// the given order where the dumps do not tell.
func Sort(dumps []*diff.Dump) []*diff.Dump {
	ms := make([]diff.Moment, len(dumps))
	for i, d := range dumps {
		ms[i] = diff.MomentOf(d)
	}
	out := make([]*diff.Dump, len(dumps))
	for k, i := range diff.Order(ms).Index {
		out[k] = dumps[i]
	}
	return out
}

// placeNote is what Place says when the dumps tell the other order than
// the user's.
func placeNote(o Order) string {
	return fmt.Sprintf("By their %s, %s was taken before %s: use Swap to make it the base.",
		o.By, filepath.Base(o.Base.Path), filepath.Base(o.Later.Path))
}
