package diff

import "github.com/google/pprof/profile"

// ParseWithProfilePackage reads a pprof profile with profile.Parse, as the
// oracle for the streaming reader.
func ParseWithProfilePackage(data []byte, name string) (*Dump, error) {
	p, err := profile.ParseData(data)
	if err != nil {
		return nil, &Error{Path: name, Err: err}
	}
	b := NewBuilder(nil)
	b.HideGoRuntime() // as the streaming reader does
	loadProfile(p, b, nil)
	return b.finish(name, "profile.Parse"), nil
}

// HideGoRuntimeText makes b apply the runtime-frame rule as the reader of
// Go's text profiles does.
func HideGoRuntimeText(b *Builder) { b.hideText() }
