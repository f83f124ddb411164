package rust

import (
	"regexp"
	"strconv"
	"strings"
)

// LegacyRE matches Rust's legacy mangling: _ZN, length-prefixed
// elements, the hash element h<16 hex digits>, E (and an LLVM suffix).
var LegacyRE = regexp.MustCompile(`^_ZN((?:\d+[^\d].*)?)17h[0-9a-f]{16}E(?:\.llvm\.\d+)?$`)

// rustEscapes are the escapes of Rust's legacy mangling.
var rustEscapes = map[string]string{"SP": "@", "BP": "*", "RF": "&", "LT": "<", "GT": ">", "LP": "(", "RP": ")", "C": ","}

// DemangleLegacy demangles a Rust symbol in the legacy mangling as
// rustc-demangle and c++filt do, less the hash: the demangling library
// drops the first underscore of every element that begins with one
// (__rust_begin_short_backtrace), where only "_$" loses it.
func DemangleLegacy(name string) (string, bool) {
	m := LegacyRE.FindStringSubmatch(name)
	if m == nil {
		return "", false
	}
	rest := m[1]
	var parts []string
	for len(rest) > 0 {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		n, err := strconv.Atoi(rest[:i])
		if i == 0 || err != nil || n <= 0 || n > len(rest)-i {
			return "", false
		}
		parts = append(parts, unescapeRust(rest[i:i+n]))
		rest = rest[i+n:]
	}
	if len(parts) == 0 {
		return "", false
	}
	return strings.Join(parts, "::"), true
}

// unescapeRust undoes the escapes of one legacy element: "$LT$" for "<",
// "$u7b$" for "{", ".." for "::".
func unescapeRust(s string) string {
	if strings.HasPrefix(s, "_$") {
		s = s[1:]
	}
	var b strings.Builder
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, ".."):
			b.WriteString("::")
			s = s[2:]
		case s[0] == '$':
			end := strings.IndexByte(s[1:], '$')
			if end < 0 {
				b.WriteString(s)
				return b.String()
			}
			esc := s[1 : 1+end]
			s = s[2+end:]
			if r, ok := rustEscapes[esc]; ok {
				b.WriteString(r)
			} else if code, err := strconv.ParseUint(strings.TrimPrefix(esc, "u"), 16, 32); err == nil && strings.HasPrefix(esc, "u") {
				b.WriteRune(rune(code))
			} else {
				b.WriteString("$" + esc + "$")
			}
		default:
			b.WriteByte(s[0])
			s = s[1:]
		}
	}
	return b.String()
}
