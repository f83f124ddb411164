package cli

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// printable returns s with what a terminal would act on instead of show
// written as Go escapes: control characters (C0, DEL, C1, so escape
// sequences cannot move the cursor or retitle the window), bidirectional
// overrides, line and paragraph separators, and bytes that are not UTF-8.
// Names in dumps come from the program dumped, which may be hostile.
func printable(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case escaped(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case escaped(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || escaped(r) {
			return true
		}
		i += size
	}
	return false
}

func escaped(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r < 0xa0) || (r >= 0x202a && r <= 0x202e) ||
		(r >= 0x2066 && r <= 0x2069) || r == 0x2028 || r == 0x2029 || r == 0x200e || r == 0x200f || r == 0x061c
}

// maxStateWidth is the widest the main-state column of the spawn-site table
// gets: a longer state is cut, so that one odd state cannot pad every row.
const maxStateWidth = 40

// clip cuts s to at most n runes, ending it in "…" when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
