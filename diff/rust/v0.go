package rust

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DemangleV0 demangles a symbol in Rust's v0 mangling
// (https://doc.rust-lang.org/rustc/symbol-mangling/v0.html) as rustfilt
// prints it: no crate disambiguators, no hash, constants without their
// types. With noArgs, every list of generic arguments is printed empty
// (Vec<>, swap::<>), as jeprof-style names are. ok is false for what is not
// a v0 symbol, or uses what this demangler does not know (punycode
// identifiers, structured constants); the caller then falls back.
//
// The demangling library gets a few v0 forms wrong (a nested closure's
// number, () among generic arguments, the K namespace of constants), which
// c++filt and rustfilt print right.
func DemangleV0(sym string, noArgs bool) (name string, ok bool) {
	rest, found := strings.CutPrefix(sym, "_R")
	if !found {
		return "", false
	}
	if i := strings.IndexByte(rest, '.'); i >= 0 { // .llvm.NNN and other suffixes
		rest = rest[:i]
	}
	// An optional encoding version, a decimal number; only 0 is defined.
	if len(rest) > 0 && rest[0] >= '0' && rest[0] <= '9' {
		return "", false
	}
	p := &v0Parser{s: rest, noArgs: noArgs}
	defer func() {
		if r := recover(); r != nil {
			ok = false // errV0, or a crafted symbol that runs past its end
		}
	}()
	p.path(true)
	// What follows is the instantiating crate (a path), which is not printed.
	return p.out.String(), p.depth < maxV0Depth
}

var errV0 = errors.New("not a v0 symbol this demangler reads")

// maxV0Depth bounds recursion through backreferences.
const maxV0Depth = 200

type v0Parser struct {
	s      string
	pos    int
	out    strings.Builder
	noArgs bool
	depth  int
	binder int // lifetimes bound so far, for naming 'a, 'b, …
	steps  int
}

// maxV0Steps and maxV0Len bound the work and the name of one symbol.
const (
	maxV0Steps = 1 << 20
	maxV0Len   = 1 << 16
)

func (p *v0Parser) fail() { panic(errV0) }

func (p *v0Parser) peek() byte {
	if p.pos >= len(p.s) {
		return 0
	}
	return p.s[p.pos]
}

func (p *v0Parser) next() byte {
	if p.pos >= len(p.s) {
		p.fail()
	}
	// Backreferences can make a crafted symbol's work grow exponentially.
	if p.steps++; p.steps > maxV0Steps {
		p.fail()
	}
	c := p.s[p.pos]
	p.pos++
	return c
}

func (p *v0Parser) eat(c byte) bool {
	if p.peek() == c {
		p.pos++
		return true
	}
	return false
}

// base62 reads <base-62-number>: "_" is 0, else digits then "_" is the
// number plus 1. Positions and counts read with it are checked where used.
func (p *v0Parser) base62() uint64 {
	if p.eat('_') {
		return 0
	}
	var x uint64
	for {
		c := p.next()
		var d uint64
		switch {
		case c == '_':
			return x + 1
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'z':
			d = uint64(c-'a') + 10
		case c >= 'A' && c <= 'Z':
			d = uint64(c-'A') + 36
		default:
			p.fail()
		}
		x = x*62 + d // a crate disambiguator is a 64-bit hash: it may wrap, unread
	}
}

// optBase62 reads [<tag> <base-62-number>], 0 when the tag is absent, else
// the number plus 1.
func (p *v0Parser) optBase62(tag byte) uint64 {
	if !p.eat(tag) {
		return 0
	}
	return p.base62() + 1
}

// decimal reads <decimal-number>: "0", or digits that do not start with 0.
func (p *v0Parser) decimal() int {
	if p.eat('0') {
		return 0
	}
	start := p.pos
	for p.peek() >= '0' && p.peek() <= '9' {
		p.pos++
	}
	if p.pos == start {
		p.fail()
	}
	n, err := strconv.Atoi(p.s[start:p.pos])
	if err != nil {
		p.fail()
	}
	return n
}

// ident reads <undisambiguated-identifier>.
func (p *v0Parser) ident() string {
	if p.eat('u') {
		p.fail() // punycode
	}
	n := p.decimal()
	p.eat('_')
	if n > len(p.s)-p.pos {
		p.fail()
	}
	id := p.s[p.pos : p.pos+n]
	p.pos += n
	return id
}

// backref runs f at the position a <backref> names, and returns to here.
func (p *v0Parser) backref(f func()) {
	start := p.pos - 1
	at := p.base62()
	if at >= uint64(start) {
		p.fail()
	}
	if p.depth++; p.depth >= maxV0Depth {
		p.fail()
	}
	saved := p.pos
	p.pos = int(at)
	f()
	p.pos = saved
	p.depth--
}

func (p *v0Parser) print(s string) {
	if p.out.Len()+len(s) > maxV0Len {
		p.fail()
	}
	p.out.WriteString(s)
}

// path reads and prints a <path>; value says it names a value (a function,
// a static), whose generic arguments take a turbofish (f::<T>), rather than
// a type (Vec<T>).
func (p *v0Parser) path(value bool) {
	switch c := p.next(); c {
	case 'C':
		p.optBase62('s')
		p.print(p.ident())
	case 'M':
		p.optBase62('s')
		p.skipPath() // the impl's parent, not printed
		p.print("<")
		p.typ()
		p.print(">")
	case 'X':
		p.optBase62('s')
		p.skipPath()
		p.print("<")
		p.typ()
		p.print(" as ")
		p.path(false)
		p.print(">")
	case 'Y':
		p.print("<")
		p.typ()
		p.print(" as ")
		p.path(false)
		p.print(">")
	case 'N':
		ns := p.next()
		if !(ns >= 'a' && ns <= 'z' || ns >= 'A' && ns <= 'Z') {
			p.fail()
		}
		p.path(value)
		dis := p.optBase62('s')
		id := p.ident()
		switch {
		case ns >= 'A' && ns <= 'Z':
			p.print("::{")
			switch ns {
			case 'C':
				p.print("closure")
			case 'S':
				p.print("shim")
			default:
				p.out.WriteByte(ns)
			}
			if id != "" {
				p.print(":" + id)
			}
			p.print("#" + strconv.FormatUint(dis, 10) + "}")
		case id != "":
			p.print("::" + id)
		}
	case 'I':
		p.path(value)
		if value {
			p.print("::")
		}
		p.print("<")
		for i := 0; !p.eat('E'); i++ {
			if i > 0 && !p.noArgs {
				p.print(", ")
			}
			p.genericArg()
		}
		p.print(">")
	case 'B':
		p.backref(func() { p.path(value) })
	default:
		p.fail()
	}
}

// skipPath reads a <path> without printing it.
func (p *v0Parser) skipPath() {
	saved := p.out.Len()
	p.path(false)
	s := p.out.String()[:saved]
	p.out.Reset()
	p.out.WriteString(s)
}

// quiet runs f with nothing printed, when generic arguments are left out.
func (p *v0Parser) quiet(f func()) {
	if !p.noArgs {
		f()
		return
	}
	saved := p.out.Len()
	f()
	s := p.out.String()[:saved]
	p.out.Reset()
	p.out.WriteString(s)
}

func (p *v0Parser) genericArg() {
	p.quiet(func() {
		switch {
		case p.eat('L'):
			p.lifetime(p.base62())
		case p.eat('K'):
			p.constant()
		default:
			p.typ()
		}
	})
}

func (p *v0Parser) lifetime(i uint64) {
	switch {
	case i == 0:
		p.print("'_")
	case i <= uint64(p.binder):
		depth := uint64(p.binder) - i
		if depth < 26 {
			p.print("'" + string(rune('a'+depth)))
		} else {
			p.print("'_" + strconv.FormatUint(depth, 10))
		}
	default:
		p.fail()
	}
}

var basicTypes = map[byte]string{
	'a': "i8", 'b': "bool", 'c': "char", 'd': "f64", 'e': "str", 'f': "f32", 'h': "u8", 'i': "isize",
	'j': "usize", 'l': "i32", 'm': "u32", 'n': "i128", 'o': "u128", 's': "i16", 't': "u16", 'u': "()",
	'v': "...", 'x': "i64", 'y': "u64", 'z': "!", 'p': "_",
}

func (p *v0Parser) typ() {
	c := p.peek()
	if b, ok := basicTypes[c]; ok {
		p.pos++
		p.print(b)
		return
	}
	switch c {
	case 'C', 'M', 'X', 'Y', 'N', 'I':
		p.path(false)
		return
	}
	p.pos++
	switch c {
	case 'R', 'Q':
		p.print("&")
		if p.eat('L') {
			if lt := p.base62(); lt != 0 {
				p.lifetime(lt)
				p.print(" ")
			}
		}
		if c == 'Q' {
			p.print("mut ")
		}
		p.typ()
	case 'P':
		p.print("*const ")
		p.typ()
	case 'O':
		p.print("*mut ")
		p.typ()
	case 'A':
		p.print("[")
		p.typ()
		p.print("; ")
		p.constant()
		p.print("]")
	case 'S':
		p.print("[")
		p.typ()
		p.print("]")
	case 'T':
		p.print("(")
		n := 0
		for ; !p.eat('E'); n++ {
			if n > 0 {
				p.print(", ")
			}
			p.typ()
		}
		if n == 1 {
			p.print(",")
		}
		p.print(")")
	case 'F':
		p.binderThen(p.fnSig)
	case 'D':
		p.print("dyn ")
		p.binderThen(func() {
			for i := 0; !p.eat('E'); i++ {
				if i > 0 {
					p.print(" + ")
				}
				p.dynTrait()
			}
		})
		if !p.eat('L') {
			p.fail()
		}
		if lt := p.base62(); lt != 0 {
			p.print(" + ")
			p.lifetime(lt)
		}
	case 'B':
		p.backref(p.typ)
	default:
		p.fail()
	}
}

// binderThen reads an optional <binder> (for<'a, 'b>) and runs f in its scope.
func (p *v0Parser) binderThen(f func()) {
	n := p.optBase62('G')
	saved := p.binder
	if n > 0 {
		if n > 64 {
			p.fail()
		}
		p.print("for<")
		for i := uint64(0); i < n; i++ {
			if i > 0 {
				p.print(", ")
			}
			p.binder++
			p.lifetime(1)
		}
		p.print("> ")
	}
	f()
	p.binder = saved
}

func (p *v0Parser) fnSig() {
	if p.eat('U') {
		p.print("unsafe ")
	}
	if p.eat('K') {
		abi := "C"
		if !p.eat('C') {
			abi = strings.ReplaceAll(p.ident(), "_", "-")
		}
		p.print(`extern "` + abi + `" `)
	}
	p.print("fn(")
	for i := 0; !p.eat('E'); i++ {
		if i > 0 {
			p.print(", ")
		}
		p.typ()
	}
	p.print(")")
	if p.eat('u') {
		return // -> ()
	}
	p.print(" -> ")
	p.typ()
}

// dynTrait reads a trait of a dyn type with its associated-type bindings,
// printed with the trait's generic arguments: FnOnce<(), Output = ()>.
func (p *v0Parser) dynTrait() {
	// The trait path may end in generic arguments; bindings join them.
	start := p.out.Len()
	p.path(false)
	open := strings.HasSuffix(p.out.String()[start:], ">")
	for p.eat('p') {
		name := p.ident()
		if open {
			s := p.out.String()
			p.out.Reset()
			p.out.WriteString(s[:len(s)-1])
			if !strings.HasSuffix(s[:len(s)-1], "<") && !p.noArgs {
				p.print(", ")
			}
		} else {
			p.print("<")
		}
		p.quiet(func() {
			p.print(name + " = ")
			p.typ()
		})
		p.print(">")
		open = true
	}
}

// constant reads a <const>: a typed value, a placeholder or a backreference.
func (p *v0Parser) constant() {
	if p.eat('B') {
		p.backref(p.constant)
		return
	}
	if p.eat('p') {
		p.print("_")
		return
	}
	t := p.next()
	switch t {
	case 'a', 's', 'l', 'x', 'n', 'i', 'h', 't', 'm', 'y', 'o', 'j', 'b', 'c':
	default:
		p.fail() // structured constants (str, refs, arrays, ADTs)
	}
	neg := p.eat('n')
	start := p.pos
	for p.peek() != '_' {
		if c := p.next(); !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			p.fail()
		}
	}
	hex := p.s[start:p.pos]
	p.pos++
	v, err := strconv.ParseUint("0"+hex, 16, 64)
	if err != nil || len(hex) > 16 {
		if t == 'n' || t == 'o' { // 128-bit: print the hex digits
			p.print("0x" + hex)
			return
		}
		p.fail()
	}
	switch t {
	case 'b':
		switch v {
		case 0:
			p.print("false")
		case 1:
			p.print("true")
		default:
			p.fail()
		}
	case 'c':
		if v > utf8.MaxRune || !utf8.ValidRune(rune(v)) {
			p.fail()
		}
		p.print(strconv.QuoteRune(rune(v)))
	default:
		if neg {
			p.print("-")
		}
		p.print(strconv.FormatUint(v, 10))
	}
}
