package diff

import (
	"slices"
	"strings"
)

// Label is one label of a stack: a pprof label, or a goroutine's label in
// a debug=2 dump.
type Label struct{ Key, Value string }

// Labels is the label set of a stack, sorted by key, then value.
type Labels []Label

// Has reports whether the set holds key=value, as pprof's -tagfocus
// matches it: the whole value, commas and all.
func (l Labels) Has(key, value string) bool {
	for _, kv := range l {
		if kv.Key == key && kv.Value == value {
			return true
		}
	}
	return false
}

// String writes the set as "k=v,k2=v2", with any "\", "," or "=" of a key
// or value written "\\", "\," or "\=", so that ParseLabels reads it back.
// It is the set's name in maps and in report --json.
func (l Labels) String() string {
	var b strings.Builder
	for i, kv := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(labelEscaper.Replace(kv.Key))
		b.WriteByte('=')
		b.WriteString(labelEscaper.Replace(kv.Value))
	}
	return b.String()
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `,`, `\,`, `=`, `\=`)

// ParseLabels reads what Labels.String writes (and plain "k=v,k2=v2"),
// sorted.
func ParseLabels(s string) Labels {
	var out Labels
	var cur strings.Builder
	var key string
	inKey := true
	flush := func() {
		if inKey {
			key = cur.String()
		}
		if key != "" || !inKey {
			v := ""
			if !inKey {
				v = cur.String()
			}
			out = append(out, Label{Key: key, Value: v})
		}
		cur.Reset()
		key, inKey = "", true
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == '=' && inKey:
			key, inKey = cur.String(), false
			cur.Reset()
		case c == ',':
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 || !inKey {
		flush()
	}
	return out.Sorted()
}

// Sorted returns the set sorted by key, then value, in a copy.
func (l Labels) Sorted() Labels {
	c := slices.Clone(l)
	slices.SortFunc(c, func(a, b Label) int {
		if d := strings.Compare(a.Key, b.Key); d != 0 {
			return d
		}
		return strings.Compare(a.Value, b.Value)
	})
	return c
}
